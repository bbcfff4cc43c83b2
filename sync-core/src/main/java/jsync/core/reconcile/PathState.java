package jsync.core.reconcile;

import java.util.Objects;
import jsync.core.model.Entry;
import jsync.core.model.RelPath;

/**
 * Everything reconciliation knows about one path: what each replica's archive recorded there at the last
 * synchronization and what each replica holds now. Paths neither replica changed are not given to the
 * reconciler at all.
 *
 * <p>The two archives normally agree. When they do not (one was lost, or a run was killed between the two
 * commits), the path has no known common ancestor and is reconciled by first-sync rules.
 */
public record PathState(RelPath path, Entry archiveAlpha, Entry alpha, Entry archiveBeta, Entry beta) {
  public PathState {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(archiveAlpha, "archiveAlpha");
    Objects.requireNonNull(alpha, "alpha");
    Objects.requireNonNull(archiveBeta, "archiveBeta");
    Objects.requireNonNull(beta, "beta");
  }

  /** Both archives hold {@code archive}. */
  public static PathState of(RelPath path, Entry archive, Entry alpha, Entry beta) {
    return new PathState(path, archive, alpha, archive, beta);
  }

  public Entry side(Side side) {
    return side == Side.ALPHA ? alpha : beta;
  }
}
