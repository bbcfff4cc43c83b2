package jsync.core.sync;

import java.util.Objects;
import jsync.core.reconcile.Item;

/**
 * What became of one plan item.
 *
 * @param message why it was skipped or failed (empty when done)
 */
public record ItemReport(Item item, Status status, String message, long bytes) {
  /** Unison's categories: done (propagated or recorded), skipped (exit 1), failed (exit 2). */
  public enum Status {
    DONE, SKIPPED, FAILED
  }

  public ItemReport {
    Objects.requireNonNull(item, "item");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(message, "message");
  }
}
