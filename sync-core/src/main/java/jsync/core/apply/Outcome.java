package jsync.core.apply;

import java.util.Objects;
import jsync.core.model.Observed;

/**
 * What became of one op: done, leaving {@code result} at the path (with this replica's stamp, for the
 * archive), or failed with a message naming the cause. {@code bytes} counts content written.
 */
public record Outcome(Op op, boolean done, Observed result, String failure, long bytes) {
  public Outcome {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(failure, "failure");
  }

  static Outcome done(Op op, Observed result, long bytes) {
    return new Outcome(op, true, result, "", bytes);
  }

  static Outcome failed(Op op, String failure) {
    return new Outcome(op, false, Observed.ABSENT, failure, 0);
  }
}
