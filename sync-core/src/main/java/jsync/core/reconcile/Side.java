package jsync.core.reconcile;

/** One of the two replicas: alpha is the profile's first root, beta its second. */
public enum Side {
  ALPHA, BETA;

  public Side other() {
    return this == ALPHA ? BETA : ALPHA;
  }
}
