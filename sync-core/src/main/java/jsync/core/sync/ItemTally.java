package jsync.core.sync;

import java.util.List;
import java.util.Optional;
import jsync.core.apply.StepResult;
import jsync.core.reconcile.Item;

/**
 * An item's steps not yet complete, and what the complete ones did: the item is reported once, when its
 * last step is (an item cut in parts by {@link ItemParts} has several). Not thread-safe.
 */
final class ItemTally {
  private int remaining;
  private long bytes;
  private final List<String> problems;
  private String firstFailure = "";
  private long failed;
  private boolean abandoned;

  /** @param problems paths of the item that could not be handled (reported with it) */
  ItemTally(int steps, List<String> problems) {
    this.remaining = steps;
    this.problems = List.copyOf(problems);
  }

  /** Counts a complete step; the item's report if it was the last. */
  Optional<ItemReport> add(Item item, StepResult r) {
    bytes += r.bytes();
    if (!r.succeeded()) {
      if (failed == 0) {
        firstFailure = r.failure();
      }
      // A step stops at its first failed op (later ones are not tried); a failed file copy does not stop it.
      failed += Math.max(1, r.outcomes().stream().filter(o -> !o.done()).count());
    }
    return countDown(item, 1);
  }

  /**
   * The last {@code steps} steps will not run (the run was asked to stop); the item's report if the others
   * are already complete.
   */
  Optional<ItemReport> abandon(Item item, int steps) {
    abandoned = true;
    return countDown(item, steps);
  }

  private Optional<ItemReport> countDown(Item item, int steps) {
    remaining -= steps;
    if (remaining > 0) {
      return Optional.empty();
    }
    if (failed > 0) {
      String why = failed == 1 ? firstFailure : firstFailure + " (and " + (failed - 1) + " more paths failed)";
      return Optional.of(new ItemReport(item, ItemReport.Status.FAILED, why, bytes));
    }
    if (!problems.isEmpty()) {
      return Optional.of(new ItemReport(item, ItemReport.Status.FAILED, String.join("; ", problems), bytes));
    }
    if (abandoned) {
      return Optional.of(new ItemReport(item, ItemReport.Status.SKIPPED,
          "stopped before all of it was copied; the next run copies the rest", bytes));
    }
    return Optional.of(new ItemReport(item, ItemReport.Status.DONE, "", bytes));
  }
}
