package jsync.core.sync;

import jsync.core.reconcile.Plan;
import jsync.core.reconcile.Side;
import jsync.core.scan.ScanStats;

/**
 * What a {@link SyncRun} tells its caller as it goes, and the two questions it may ask. The defaults suit a
 * batch run: nothing shown, the plan accepted, a big deletion refused.
 */
public interface SyncListener {
  /** A stage starts, e.g. "scanning /home/www". */
  default void stage(String description) {}

  default void scanned(Side side, ScanStats stats) {}

  /** The plan, before anything is changed; false stops the run without changes. */
  default boolean confirm(Plan plan) {
    return true;
  }

  /**
   * A root or {@code path} that was populated is now empty, and its deletion would propagate
   * ({@code confirmbigdel}); true goes on anyway.
   */
  default boolean confirmBigDeletion(String message) {
    return false;
  }

  /** One item is done, skipped or failed. */
  default void itemDone(ItemReport report) {}

  /** A non-fatal warning for the user. */
  default void warning(String message) {}

  /**
   * Asked between items while changes are applied: true stops the run early (a daemon told to stop). The
   * items under way are completed and recorded; the rest are left for the next run.
   */
  default boolean stopRequested() {
    return false;
  }
}
