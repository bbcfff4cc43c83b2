package jsync.core.apply;

import java.util.List;

/**
 * The ops of one plan item, in the order they must run (removals below a directory before the directory,
 * a directory before its contents). When one op fails the rest of the step is not attempted: a subtree is
 * never half-replaced beyond the failing point, and the ops already done are each recorded as done.
 *
 * @param id the caller's handle for matching results
 */
public record Step(int id, List<Op> ops) {
  public Step {
    ops = List.copyOf(ops);
  }
}
