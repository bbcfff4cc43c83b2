package jsync.core.sync;

import java.util.ArrayList;
import java.util.List;
import jsync.core.apply.Op;
import jsync.core.model.Entry;
import jsync.core.reconcile.PathState;

/**
 * Cuts a large item's ops into parts that are applied, completed and recorded one after another. A first
 * copy of a tree is one plan item; as one step nothing of it is recorded before its last file is in place,
 * so a run stopped at 90% leaves all of it to be hashed and compared again, every outcome and block
 * signature of it is held in memory until the end, and all its records are written at the very end, while
 * nothing else runs (10,000 files over SSH: ~0.6 s of a 6 s run). Pure.
 *
 * <p>Only items that create or update (no removals, which run bottom-up, and no problems, whose subtrees
 * are skipped) are cut: their ops come in path order, at most one per path, a directory before what is
 * in it, so consecutive runs of paths can be recorded on their own, and a part whose directory came in an
 * earlier part finds it there.
 */
final class ItemParts {
  /** Ops per part: half a flush, so a flush returns whole parts to record. */
  static final int MAX_OPS = SyncRun.FLUSH_FILES / 2;
  /** File bytes per part, likewise. */
  static final long MAX_BYTES = SyncRun.FLUSH_BYTES / 2;

  private ItemParts() {}

  /**
   * The states of an item's paths that one step covers, and that step's ops.
   *
   * @param states in path order; every op's path is among them
   */
  record Part(List<PathState> states, List<Op> ops) {}

  /**
   * {@code ops}, the item's ops for {@code states}, in parts of at most {@code maxOps} ops and about {@code
   * maxBytes} of file content (a part ends with the op that reaches it); one part if the item is small or
   * cannot be cut.
   */
  static List<Part> split(List<PathState> states, List<Op> ops, boolean hasProblems, int maxOps, long maxBytes) {
    if (hasProblems || !cuttable(states, ops) || (ops.size() <= maxOps && bytes(ops) <= maxBytes)) {
      return List.of(new Part(states, ops));
    }
    List<Part> parts = new ArrayList<>();
    int firstState = 0;
    int firstOp = 0;
    int op = 0;
    long partBytes = 0;
    for (int s = 0; s < states.size(); s++) {
      if (op < ops.size() && ops.get(op).path().equals(states.get(s).path())) {
        partBytes += bytes(ops.get(op));
        op++;
        boolean full = op - firstOp >= maxOps || partBytes >= maxBytes;
        if (full && op < ops.size()) {
          parts.add(new Part(List.copyOf(states.subList(firstState, s + 1)), List.copyOf(ops.subList(firstOp, op))));
          firstState = s + 1;
          firstOp = op;
          partBytes = 0;
        }
      }
    }
    parts.add(new Part(List.copyOf(states.subList(firstState, states.size())), List.copyOf(ops.subList(firstOp,
        ops.size()))));
    return parts;
  }

  /** No removals, and the ops follow the states' order, one per path at most. */
  private static boolean cuttable(List<PathState> states, List<Op> ops) {
    int op = 0;
    for (PathState s : states) {
      if (op < ops.size() && ops.get(op).path().equals(s.path())) {
        if (ops.get(op).kind() == Op.Kind.REMOVE) {
          return false;
        }
        op++;
      }
    }
    return op == ops.size();
  }

  private static long bytes(List<Op> ops) {
    long n = 0;
    for (Op op : ops) {
      n += bytes(op);
    }
    return n;
  }

  private static long bytes(Op op) {
    return op.kind() == Op.Kind.PUT && op.want() instanceof Entry.File f ? f.size() : 0;
  }
}
