package jsync.core.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import jsync.core.apply.Op;
import jsync.core.model.Entry;
import jsync.core.model.Fingerprint;
import jsync.core.model.Observed;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;
import jsync.core.reconcile.Item;
import jsync.core.reconcile.PathState;
import jsync.core.reconcile.Side;

/**
 * Turns one propagating plan item into the ops that make the target replica like the source over the
 * item's paths: removals bottom-up (children before their directory), then creations and updates top-down
 * (a directory before its contents). Pure.
 */
final class StepBuilder {
  private final PropsPolicy props;

  StepBuilder(PropsPolicy props) {
    this.props = props;
  }

  /** The ops of {@code item}, plus paths that could not be handled (a scan problem on the source side). */
  record Built(List<Op> ops, List<String> problems) {}

  /**
   * @param targetNow what the target holds at each of the item's paths, with stamps (the expectations)
   * @param reuse content already on the target, by fingerprint (may miss; verified when used)
   */
  Built build(Item item, Function<RelPath, Observed> targetNow, Function<RelPath, Observed> sourceNow,
      Map<Fingerprint, RelPath> reuse) {
    Side target = item.direction().target();
    Side source = target.other();
    List<Op> removals = new ArrayList<>();
    List<Op> puts = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    RelPath skipBelow = null;
    for (PathState s : item.states()) {
      if (skipBelow != null && skipBelow.isAncestorOf(s.path())) {
        continue;
      }
      Entry want = s.side(source);
      Observed have = targetNow.apply(s.path());
      Entry.Problem problem = want instanceof Entry.Problem p ? p
          : have.entry() instanceof Entry.Problem p ? p : null;
      if (problem != null) {
        // Only possible below a directory being copied, or being removed or replaced after prefer or force
        // settled a subtree conflict. Nobody knows what is there: leave it and its subtree alone, do the
        // rest, report this one. (Removing the directory above it then fails as not empty, as it should.)
        problems.add(s.path().display() + ": " + problem.message());
        skipBelow = s.path();
        continue;
      }
      if (props.same(want, have.entry())) {
        continue;
      }
      Entry haveEntry = have.entry();
      if (want.isAbsent()) {
        removals.add(Op.remove(s.path(), have));
      } else if (haveEntry.isAbsent()) {
        puts.add(put(s.path(), want, have, reuse, sourceNow));
      } else if (want.kind() != haveEntry.kind()) {
        removals.add(Op.remove(s.path(), have));
        puts.add(put(s.path(), want, Observed.ABSENT, reuse, sourceNow));
      } else if (props.sameContent(want, haveEntry) && want.kind() != Entry.Kind.LINK) {
        puts.add(Op.setProps(s.path(), want, have));
      } else {
        puts.add(put(s.path(), want, have, reuse, sourceNow));
      }
    }
    List<Op> ops = new ArrayList<>(removals.size() + puts.size());
    for (int i = removals.size() - 1; i >= 0; i--) {
      ops.add(removals.get(i));
    }
    ops.addAll(puts);
    return new Built(ops, problems);
  }

  private static Op put(RelPath path, Entry want, Observed have, Map<Fingerprint, RelPath> reuse,
      Function<RelPath, Observed> sourceNow) {
    Op op = Op.put(path, want, have);
    if (want instanceof Entry.File f && !f.fingerprint().known()) {
      // Never hashed: the source proves it is unchanged by its stamp instead.
      return op.withSourceStamp(sourceNow.apply(path).stamp());
    }
    if (want instanceof Entry.File f && f.size() > 0) {
      RelPath local = reuse.get(f.fingerprint());
      if (local != null && !local.equals(path)) {
        return op.reusing(local);
      }
    }
    return op;
  }

  /** True if the ops only remove: such steps run after all creations and updates. */
  static boolean removalsOnly(List<Op> ops) {
    return ops.stream().allMatch(o -> o.kind() == Op.Kind.REMOVE);
  }

  static Optional<Fingerprint> fingerprint(Entry e) {
    return e instanceof Entry.File f ? Optional.of(f.fingerprint()) : Optional.empty();
  }
}
