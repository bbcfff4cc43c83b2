package jsync.core.reconcile;

import java.util.List;

/** The outcome of reconciliation: one item per decision, in path order (parents before children). */
public record Plan(List<Item> items) {
  public Plan {
    items = List.copyOf(items);
  }

  public boolean isEmpty() {
    return items.isEmpty();
  }

  /** Items that change a replica. */
  public long propagations() {
    return items.stream().filter(i -> i.direction().propagates()).count();
  }

  /** Items left alone because of a conflict nobody settled. */
  public long conflicts() {
    return items.stream().filter(i -> i.direction() == Direction.CONFLICT).count();
  }
}
