package jsync.core.reconcile;

/** What a plan item does. */
public enum Direction {
  /** Make beta like alpha. */
  ALPHA_TO_BETA,
  /** Make alpha like beta. */
  BETA_TO_ALPHA,
  /** Both replicas already agree (they reached the same state independently): only the archive is updated. */
  ARCHIVE_ONLY,
  /** Changes that cannot be merged; nothing is done unless {@code prefer} or {@code force} picks a side. */
  CONFLICT,
  /** A scan problem on either side (unreadable, special file, ...): nothing is done. */
  PROBLEM;

  /** The replica this direction writes to. */
  public Side target() {
    return switch (this) {
      case ALPHA_TO_BETA -> Side.BETA;
      case BETA_TO_ALPHA -> Side.ALPHA;
      case ARCHIVE_ONLY, CONFLICT, PROBLEM ->
          throw new IllegalStateException(this + " does not write to a replica");
    };
  }

  public boolean propagates() {
    return this == ALPHA_TO_BETA || this == BETA_TO_ALPHA;
  }

  static Direction toward(Side target) {
    return target == Side.BETA ? ALPHA_TO_BETA : BETA_TO_ALPHA;
  }
}
