package jsync.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jsync.core.apply.Op;
import jsync.core.apply.Outcome;
import jsync.core.apply.Step;
import jsync.core.apply.StepResult;

/**
 * A step, or its result, in pieces that fit frames. A new directory is one item, and so one step, however
 * many entries it holds: 100,000 files are 100,000 ops, tens of megabytes encoded. The sender halves a step
 * (or result) that does not fit into pieces with the same step id and consecutive ops; the receiver joins
 * consecutive pieces back. A result's outcomes are a prefix of its ops (an apply that stopped early has
 * fewer), so each piece keeps the outcomes of its own ops, and joining concatenates them.
 */
final class StepPieces {
  private StepPieces() {
  }

  /** Two halves of a step of at least two ops. */
  static Optional<List<Step>> halve(Step s) {
    int n = s.ops().size();
    if (n < 2) {
      return Optional.empty();
    }
    return Optional.of(List.of(new Step(s.id(), s.ops().subList(0, n / 2)),
        new Step(s.id(), s.ops().subList(n / 2, n))));
  }

  /** Two halves of the result of a step of at least two ops. */
  static Optional<List<StepResult>> halve(StepResult r) {
    List<Op> ops = r.step().ops();
    List<Outcome> outcomes = r.outcomes();
    int n = ops.size();
    if (n < 2) {
      return Optional.empty();
    }
    int h = n / 2;
    int split = Math.min(h, outcomes.size());
    return Optional.of(List.of(
        new StepResult(new Step(r.step().id(), ops.subList(0, h)), outcomes.subList(0, split)),
        new StepResult(new Step(r.step().id(), ops.subList(h, n)), outcomes.subList(split, outcomes.size()))));
  }

  /** The pieces of one step, in order, as one step. */
  static Step join(List<Step> pieces) {
    if (pieces.size() == 1) {
      return pieces.get(0);
    }
    int id = pieces.get(0).id();
    List<Op> ops = new ArrayList<>();
    for (Step p : pieces) {
      if (p.id() != id) {
        throw new ProtocolException("pieces of steps " + id + " and " + p.id() + " were mixed");
      }
      ops.addAll(p.ops());
    }
    return new Step(id, ops);
  }

  /** Results with consecutive pieces of the same step joined. */
  static List<StepResult> joinResults(List<StepResult> results) {
    List<StepResult> joined = new ArrayList<>(results.size());
    int i = 0;
    while (i < results.size()) {
      StepResult first = results.get(i);
      int j = i + 1;
      while (j < results.size() && results.get(j).step().id() == first.step().id()) {
        j++;
      }
      if (j == i + 1) {
        joined.add(first);
      } else {
        List<Op> ops = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        for (StepResult piece : results.subList(i, j)) {
          if (outcomes.size() < ops.size() && !piece.outcomes().isEmpty()) {
            throw new ProtocolException("the result of step " + first.step().id() + " has outcomes after a gap");
          }
          ops.addAll(piece.step().ops());
          outcomes.addAll(piece.outcomes());
        }
        joined.add(new StepResult(new Step(first.step().id(), ops), outcomes));
      }
      i = j;
    }
    return joined;
  }
}
