package jsync.core.sync;

import java.util.List;
import jsync.core.reconcile.Plan;
import jsync.core.scan.ScanStats;

/**
 * The outcome of a run: the plan, what became of each item, and the scans' counters.
 *
 * @param cancelled true if the user declined the plan: nothing was changed
 */
public record SyncReport(Plan plan, List<ItemReport> items, ScanStats alphaStats, ScanStats betaStats,
    boolean cancelled) {
  public SyncReport {
    items = List.copyOf(items);
  }

  /** Items propagated to a replica. */
  public long transferred() {
    return items.stream()
        .filter(r -> r.status() == ItemReport.Status.DONE && r.item().direction().propagates()).count();
  }

  public long skipped() {
    return count(ItemReport.Status.SKIPPED);
  }

  public long failed() {
    return count(ItemReport.Status.FAILED);
  }

  public long bytes() {
    return items.stream().mapToLong(ItemReport::bytes).sum();
  }

  private long count(ItemReport.Status s) {
    return items.stream().filter(r -> r.status() == s).count();
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
