package jsync.core.apply;

import java.util.Objects;
import java.util.Optional;
import jsync.core.delta.Signature;
import jsync.core.model.Observed;

/**
 * What became of one op: done, leaving {@code result} at the path (with this replica's stamp, for the
 * archive), or failed with a message naming the cause. {@code bytes} counts content received from the other
 * replica (0 when the content was copied locally from another path of this replica).
 *
 * @param signature the block signature of a large file's content, computed while it was written, for the
 *     archives of both replicas (the next delta transfer needs it)
 */
public record Outcome(Op op, boolean done, Observed result, String failure, long bytes,
    Optional<Signature> signature) {
  public Outcome {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(failure, "failure");
    Objects.requireNonNull(signature, "signature");
  }

  static Outcome done(Op op, Observed result, long bytes) {
    return new Outcome(op, true, result, "", bytes, Optional.empty());
  }

  static Outcome done(Op op, Observed result, long bytes, Optional<Signature> signature) {
    return new Outcome(op, true, result, "", bytes, signature);
  }

  static Outcome failed(Op op, String failure) {
    return new Outcome(op, false, Observed.ABSENT, failure, 0, Optional.empty());
  }
}
