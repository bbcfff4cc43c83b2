package jsync.core.sync;

import java.util.List;
import jsync.core.reconcile.Plan;
import jsync.core.scan.ScanStats;

/**
 * The outcome of a run: the plan, the items that were skipped or failed, counters of the rest, and the
 * scans' counters. Items done are only counted, so a run's memory does not keep one report per file.
 *
 * @param items the skipped and failed items, in the order they were settled
 * @param done items propagated or recorded
 * @param transferred of those, the items propagated to a replica
 * @param bytes content bytes written to the replicas
 * @param cancelled true if the user declined the plan: nothing was changed
 */
public record SyncReport(Plan plan, List<ItemReport> items, long done, long transferred, long bytes,
    ScanStats alphaStats, ScanStats betaStats, boolean cancelled) {
  public SyncReport {
    items = List.copyOf(items);
    if (items.stream().anyMatch(r -> r.status() == ItemReport.Status.DONE)) {
      throw new IllegalArgumentException("done items are counted, not listed");
    }
  }

  public long skipped() {
    return count(ItemReport.Status.SKIPPED);
  }

  public long failed() {
    return count(ItemReport.Status.FAILED);
  }

  private long count(ItemReport.Status s) {
    return items.stream().filter(r -> r.status() == s).count();
  }

  /** True if nothing was settled: no item done, skipped or failed. */
  public boolean nothingToDo() {
    return done == 0 && items.isEmpty();
  }

  /**
   * Unison's exit code: 2 if anything failed, else 1 if anything was skipped (or the plan declined), else
   * 0. Fatal errors (3) are exceptions and never get here.
   */
  public int exitCode() {
    if (failed() > 0) {
      return 2;
    }
    return skipped() > 0 || (cancelled && !plan.isEmpty()) ? 1 : 0;
  }
}
