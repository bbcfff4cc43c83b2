package jsync.core.model;

/** Why a path could not be scanned. Each kind says whether it makes the run's exit code 2 (a failure). */
public enum ProblemKind {
  /** Permission denied or an I/O error while listing or reading. */
  UNREADABLE(true),
  /** The file kept changing while it was hashed; it is retried on the next run. */
  CHANGED_WHILE_HASHING(false),
  /** A socket, FIFO or device: jsync synchronizes regular files, directories and symlinks only. */
  UNSUPPORTED_TYPE(false),
  /** A name that jsync cannot represent (e.g. not valid UTF-8). */
  BAD_NAME(false);

  private final boolean failure;

  ProblemKind(boolean failure) {
    this.failure = failure;
  }

  /** True if this problem counts as a failed item (exit 2); otherwise it is a skipped item (exit 1). */
  public boolean isFailure() {
    return failure;
  }
}
