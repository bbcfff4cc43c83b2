package jsync.core.reconcile;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import jsync.core.model.RelPath;

/**
 * One decision of a plan: what to do at {@code state.path()}, and, when the decision covers a whole subtree
 * (a directory replaced or deleted, or a conflict that involves a directory), the states of the paths below
 * it that the decision also settles.
 *
 * @param defaultDirection what reconciliation decided from the changes alone
 * @param direction what will be done: the default, or the outcome of {@code prefer}/{@code force}
 * @param reason why this is a conflict or problem (empty otherwise), in words the CLI shows
 * @param override why {@code direction} differs from {@code defaultDirection}, e.g. "prefer = newer"; empty
 *     when it does not
 * @param below the states of the paths strictly below this one that this item covers, in path order; empty
 *     unless the item covers a subtree
 */
public record Item(PathState state, Direction defaultDirection, Direction direction, String reason,
    String override, List<PathState> below) {
  public Item {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(defaultDirection, "defaultDirection");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(override, "override");
    below = List.copyOf(below);
    for (PathState s : below) {
      if (!state.path().isAncestorOf(s.path())) {
        throw new IllegalArgumentException(s.path() + " is not below " + state.path());
      }
    }
  }

  static Item of(PathState state, Direction direction, String reason, List<PathState> below) {
    return new Item(state, direction, direction, reason, "", below);
  }

  public RelPath path() {
    return state.path();
  }

  public boolean coversSubtree() {
    return !below.isEmpty();
  }

  /** This item's own state followed by those of the paths below it. */
  public List<PathState> states() {
    List<PathState> all = new ArrayList<>(below.size() + 1);
    all.add(state);
    all.addAll(below);
    return all;
  }

  Item withDirection(Direction newDirection, String why) {
    if (newDirection == direction) {
      return this;
    }
    return new Item(state, defaultDirection, newDirection, reason, why, below);
  }
}
