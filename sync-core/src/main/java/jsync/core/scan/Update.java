package jsync.core.scan;

import java.util.Objects;
import java.util.Optional;
import jsync.core.delta.Signature;
import jsync.core.model.Observed;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;

/**
 * One path of a replica whose state differs from its archive record: created, modified, properties changed,
 * deleted, or only re-stamped (same content and properties, new stamp, e.g. after {@code touch} without
 * {@code times}).
 *
 * @param signature the block signature computed while hashing a large file, if it was hashed
 */
public record Update(RelPath path, Observed archived, Observed current, Optional<Signature> signature) {
  public Update {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(archived, "archived");
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(signature, "signature");
  }

  /** True if the entry itself changed (not only its stamp). */
  public boolean isChange(PropsPolicy props) {
    return !props.same(archived.entry(), current.entry());
  }
}
