package jsync.core.apply;

import java.util.List;

/**
 * The outcomes of a step's ops, in order; the list stops after the first failure (later ops not tried).
 */
public record StepResult(Step step, List<Outcome> outcomes) {
  public StepResult {
    outcomes = List.copyOf(outcomes);
  }

  public boolean succeeded() {
    return outcomes.size() == step.ops().size() && outcomes.stream().allMatch(Outcome::done);
  }

  /** The failure message, or empty if the step succeeded. */
  public String failure() {
    return outcomes.stream().filter(o -> !o.done()).map(Outcome::failure).findFirst().orElse("");
  }

  public long bytes() {
    return outcomes.stream().mapToLong(Outcome::bytes).sum();
  }
}
