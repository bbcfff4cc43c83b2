package jsync.core.archive;

/** Another jsync run holds the lock of this replica pair. */
public final class LockedException extends ArchiveException {
  public LockedException(String message) {
    super(message);
  }
}
