package jsync.core.reconcile;

import java.util.Objects;
import java.util.Optional;
import jsync.core.model.PropsPolicy;

/**
 * The profile's choices that reconciliation depends on, passed in rather than read from global state.
 *
 * @param props which properties count as changes
 * @param prefer settles conflicts only (Unison's {@code prefer})
 * @param force settles every difference, making the sync one-way (Unison's {@code force}); wins over prefer
 */
public record Policy(PropsPolicy props, Optional<Resolution> prefer, Optional<Resolution> force) {
  public static final Policy DEFAULT = new Policy(PropsPolicy.DEFAULT, Optional.empty(), Optional.empty());

  public Policy {
    Objects.requireNonNull(props, "props");
    Objects.requireNonNull(prefer, "prefer");
    Objects.requireNonNull(force, "force");
  }

  public Policy withPrefer(Resolution r) {
    return new Policy(props, Optional.of(r), force);
  }

  public Policy withForce(Resolution r) {
    return new Policy(props, prefer, Optional.of(r));
  }

  public Policy withProps(PropsPolicy p) {
    return new Policy(p, prefer, force);
  }
}
