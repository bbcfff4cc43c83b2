package jsync.core.reconcile;

import static jsync.core.reconcile.ReconcileFixtures.ABS;
import static jsync.core.reconcile.ReconcileFixtures.D0;
import static jsync.core.reconcile.ReconcileFixtures.D1;
import static jsync.core.reconcile.ReconcileFixtures.F1;
import static jsync.core.reconcile.ReconcileFixtures.F1p;
import static jsync.core.reconcile.ReconcileFixtures.F2;
import static jsync.core.reconcile.ReconcileFixtures.L1;
import static jsync.core.reconcile.ReconcileFixtures.L2;
import static jsync.core.reconcile.ReconcileFixtures.P;
import static jsync.core.reconcile.ReconcileFixtures.POLICIES;
import static jsync.core.reconcile.ReconcileFixtures.name;
import static jsync.core.reconcile.ReconcileFixtures.overrideText;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jsync.core.model.Entry;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;
import jsync.core.reconcile.ReconcileFixtures.Case;
import jsync.core.reconcile.ReconcileFixtures.Expected;

/**
 * The reconcile rules of {@code docs/reconcile.md}, written again for the tests from the decision table
 * (what each side did to a path, then a table over the two changes), without any of {@link Reconciler}'s
 * code. The named cases check this oracle by hand; the generated cases and random trees check the
 * reconciler against it.
 */
final class ReconcileOracle {
  private ReconcileOracle() {}

  /** What one side did to a path since the common ancestor. */
  enum Change {
    /** Still the ancestor (as far as the policy's properties go). */
    NONE,
    /** Same kind, other content or properties. */
    MODIFIED,
    DELETED,
    /** Nothing there before. */
    CREATED,
    /** Another kind than before. */
    REPLACED,
    /** The scanner could not tell. */
    PROBLEM
  }

  static Change change(PropsPolicy props, Entry ancestor, Entry now) {
    if (now.kind() == Entry.Kind.PROBLEM) {
      return Change.PROBLEM;
    }
    if (props.same(ancestor, now)) {
      return Change.NONE;
    }
    if (now.isAbsent()) {
      return Change.DELETED;
    }
    if (ancestor.isAbsent()) {
      return Change.CREATED;
    }
    return ancestor.kind() == now.kind() ? Change.MODIFIED : Change.REPLACED;
  }

  /** The agreed last state, or nothing when the archives disagree (first-sync rules). */
  static Entry ancestor(PropsPolicy props, PathState s) {
    return props.same(s.archiveAlpha(), s.archiveBeta()) ? s.archiveAlpha() : ABS;
  }

  /** The expected plan, item by item, under {@code policy}. */
  static List<Expected> plan(List<PathState> states, Policy policy) {
    List<Expected> out = new ArrayList<>();
    int i = 0;
    while (i < states.size()) {
      RelPath top = states.get(i).path();
      int end = i + 1;
      while (end < states.size() && top.isAncestorOf(states.get(end).path())) {
        end++;
      }
      Decision d = decide(policy.props(), states.get(i), states.subList(i + 1, end));
      if (d == null) {
        i++;
        continue;
      }
      List<PathState> covered = d.covers ? states.subList(i + 1, end) : List.of();
      out.add(override(d, states.get(i), covered, policy));
      i = d.covers ? end : i + 1;
    }
    return out;
  }

  private record Decision(RelPath path, Direction direction, String reason, boolean covers) {}

  private static Decision decide(PropsPolicy props, PathState s, List<PathState> below) {
    Entry anc = ancestor(props, s);
    Entry a = s.alpha();
    Entry b = s.beta();
    Change ca = change(props, anc, a);
    Change cb = change(props, anc, b);

    // Row "problem on either side": nothing is known, the path and all below it are left alone.
    if (ca == Change.PROBLEM || cb == Change.PROBLEM) {
      return new Decision(s.path(), Direction.PROBLEM, problems(a, b), true);
    }
    // Row "both sides hold the same": at most the archive learns it; children are on their own.
    if (props.same(a, b)) {
      if (props.same(s.archiveAlpha(), a) && props.same(s.archiveBeta(), b)) {
        return null;
      }
      return new Decision(s.path(), Direction.ARCHIVE_ONLY, "", false);
    }
    if (ca == Change.NONE) {
      return oneSided(props, s, Side.BETA, cb, anc, below);
    }
    if (cb == Change.NONE) {
      return oneSided(props, s, Side.ALPHA, ca, anc, below);
    }
    return bothChanged(props, s, ca, cb, anc, below);
  }

  /** Only {@code from} changed; the other side still holds the ancestor. */
  private static Decision oneSided(PropsPolicy props, PathState s, Side from, Change c, Entry anc,
      List<PathState> below) {
    Side to = from.other();
    Entry src = s.side(from);
    // Does the decision throw away or build a directory on `to`? Then it is one item for the subtree.
    boolean subtree = switch (c) {
      case MODIFIED -> false; // same kind: a directory's properties, a file's content, a link's target
      case DELETED -> anc.isDir();
      case CREATED -> src.isDir();
      case REPLACED -> src.isDir() || anc.isDir();
      case NONE, PROBLEM -> throw new AssertionError(c);
    };
    // Archives that disagree can leave records below a path that is not a directory on either side now.
    subtree |= !below.isEmpty() && !(src.isDir() && s.side(to).isDir());
    Direction toward = to == Side.BETA ? Direction.ALPHA_TO_BETA : Direction.BETA_TO_ALPHA;
    if (!subtree) {
      return new Decision(s.path(), toward, "", false);
    }
    for (PathState t : below) {
      Change onTo = change(props, ancestor(props, t), t.side(to));
      // A path the destination deleted as well loses nothing when the subtree goes (docs/reconcile.md).
      if (onTo != Change.NONE && onTo != Change.DELETED) {
        String what = src.isAbsent() ? "deleted" : src.isDir() ? "created" : "replaced by a " + src.kindName();
        return new Decision(s.path(), Direction.CONFLICT, "conflicting updates (directory " + what
            + " on one side, " + t.path().display() + " changed on the other)", true);
      }
    }
    return new Decision(s.path(), toward, "", true);
  }

  /** Both changed, to different things. */
  private static Decision bothChanged(PropsPolicy props, PathState s, Change ca, Change cb, Entry anc,
      List<PathState> below) {
    Entry a = s.alpha();
    Entry b = s.beta();
    if (a.isDir() && b.isDir()) {
      return new Decision(s.path(), Direction.CONFLICT, "properties changed on both sides", false);
    }
    boolean covers = a.isDir() || b.isDir() || anc.isDir() || !below.isEmpty();
    String reason;
    if (a.kind() == Entry.Kind.FILE && b.kind() == Entry.Kind.FILE) {
      reason = props.sameContent(a, b) ? "properties changed on both sides" : "contents changed on both sides";
    } else if (a.kind() == Entry.Kind.LINK && b.kind() == Entry.Kind.LINK) {
      reason = "symbolic links changed on both sides";
    } else if (ca == Change.DELETED || cb == Change.DELETED) {
      Change other = ca == Change.DELETED ? cb : ca;
      Entry kept = ca == Change.DELETED ? b : a;
      reason = "conflicting updates (deleted on one side, "
          + (other == Change.MODIFIED ? "changed" : "replaced by a " + kept.kindName()) + " on the other)";
    } else {
      // Side-neutral words, so the kinds come in a fixed order whichever root holds which.
      Entry first = a.kind().compareTo(b.kind()) <= 0 ? a : b;
      Entry second = first == a ? b : a;
      reason = "conflicting updates (a " + first.kindName() + " on one side, a " + second.kindName()
          + " on the other)";
    }
    return new Decision(s.path(), Direction.CONFLICT, reason, covers);
  }

  private static String problems(Entry a, Entry b) {
    List<String> parts = new ArrayList<>();
    for (Entry e : List.of(a, b)) {
      if (e instanceof Entry.Problem p) {
        parts.add(p.message());
      }
    }
    return String.join("; ", parts);
  }

  /**
   * The prefer/force table: force re-decides every propagation and conflict, prefer only conflicts; a side
   * settles everything, newer/older only conflicts (present beats absent, two files by whole mtime, all else
   * stays). A direction that would write over a path its target could not scan is not taken: the item
   * becomes a problem naming that path.
   */
  private static Expected override(Decision d, PathState top, List<PathState> covered, Policy policy) {
    List<String> below = covered.stream().map(t -> t.path().display()).collect(Collectors.toList());
    Expected unchanged = new Expected(d.path.toString(), d.direction, d.direction, d.reason, "", below);
    if (d.direction == Direction.PROBLEM || d.direction == Direction.ARCHIVE_ONLY) {
      return unchanged;
    }
    Resolution r;
    if (policy.force().isPresent()) {
      r = policy.force().get();
    } else if (policy.prefer().isPresent() && d.direction == Direction.CONFLICT) {
      r = policy.prefer().get();
    } else {
      return unchanged;
    }
    Direction chosen = switch (r) {
      case ALPHA -> Direction.ALPHA_TO_BETA;
      case BETA -> Direction.BETA_TO_ALPHA;
      case NEWER, OLDER -> byTime(d.direction, top, r == Resolution.NEWER);
    };
    if (chosen == d.direction) {
      return unchanged;
    }
    if (chosen.propagates()) {
      List<String> blocked = new ArrayList<>();
      for (PathState t : covered) {
        if (t.side(chosen.target()) instanceof Entry.Problem p) {
          blocked.add(t.path().display() + ": " + p.message());
        }
      }
      if (!blocked.isEmpty()) {
        return new Expected(d.path.toString(), d.direction, Direction.PROBLEM, String.join("; ", blocked),
            overrideText(policy), below);
      }
    }
    return new Expected(d.path.toString(), d.direction, chosen, d.reason, overrideText(policy), below);
  }

  private static Direction byTime(Direction d, PathState s, boolean newer) {
    if (d != Direction.CONFLICT) {
      return d;
    }
    Entry a = s.alpha();
    Entry b = s.beta();
    if (a.isAbsent() && !b.isAbsent()) {
      return Direction.BETA_TO_ALPHA;
    }
    if (b.isAbsent() && !a.isAbsent()) {
      return Direction.ALPHA_TO_BETA;
    }
    if (a instanceof Entry.File fa && b instanceof Entry.File fb && fa.mtimeNanos() != fb.mtimeNanos()) {
      boolean alphaWins = (fa.mtimeNanos() > fb.mtimeNanos()) == newer;
      return alphaWins ? Direction.ALPHA_TO_BETA : Direction.BETA_TO_ALPHA;
    }
    return d;
  }

  // ---- the generated table ---------------------------------------------------------------------------

  /** The archive's kinds at the top path: absent, file, directory (holding d/x = F1), symlink. */
  static final List<Entry> ARCHIVE_KINDS = List.of(ABS, F1, D0, L1);

  /**
   * What a side can hold at the top path. Against each archive kind this is: unchanged, modified (content or
   * properties), deleted, created, replaced by each other kind, or unreadable.
   */
  static final List<Entry> SIDE_STATES = List.of(ABS, F1, F2, F1p, D0, D1, L1, L2, P);

  /** What a side whose top is a directory holds at d/x. */
  enum Child {
    /** Whatever that side's archive has there (F1 below an archived directory, else nothing). */
    KEEP,
    /** F2: modified, or created in a new directory. */
    CHANGE,
    /** Nothing: deleted (when the side's archive has d/x), else the same as KEEP. */
    DELETE,
    /** Unreadable. */
    PROBLEM
  }

  /**
   * Every archive kind on each side's archive (the same kind on both, and every disagreeing pair) × every
   * side state on alpha × every side state on beta, and, when a side holds a directory, each child variant
   * there; expected plans under every policy from the oracle.
   */
  static List<Case> generated() {
    List<Case> cases = new ArrayList<>();
    for (Entry archiveAlpha : ARCHIVE_KINDS) {
      for (Entry archiveBeta : ARCHIVE_KINDS) {
        for (Entry alpha : SIDE_STATES) {
          for (Entry beta : SIDE_STATES) {
            for (Child childAlpha : childVariants(alpha)) {
              for (Child childBeta : childVariants(beta)) {
                // DELETE differs from KEEP only where that side's archive has d/x.
                if (childAlpha == Child.DELETE && !archiveAlpha.isDir()
                    || childBeta == Child.DELETE && !archiveBeta.isDir()) {
                  continue;
                }
                cases.add(generatedCase(archiveAlpha, alpha, childAlpha, archiveBeta, beta, childBeta));
              }
            }
          }
        }
      }
    }
    return cases;
  }

  private static List<Child> childVariants(Entry top) {
    return top.isDir() ? List.of(Child.values()) : List.of(Child.KEEP);
  }

  private static Case generatedCase(Entry archiveAlpha, Entry alpha, Child childAlpha, Entry archiveBeta,
      Entry beta, Child childBeta) {
    RelPath d = RelPath.parse("d");
    RelPath x = RelPath.parse("d/x");
    ReconcileModel m = new ReconcileModel();
    ReconcileModel.put(m.archiveAlpha, d, archiveAlpha);
    ReconcileModel.put(m.archiveBeta, d, archiveBeta);
    ReconcileModel.put(m.alpha, d, alpha);
    ReconcileModel.put(m.beta, d, beta);
    Entry archivedChildAlpha = archiveAlpha.isDir() ? F1 : ABS;
    Entry archivedChildBeta = archiveBeta.isDir() ? F1 : ABS;
    ReconcileModel.put(m.archiveAlpha, x, archivedChildAlpha);
    ReconcileModel.put(m.archiveBeta, x, archivedChildBeta);
    ReconcileModel.put(m.alpha, x, child(alpha, childAlpha, archivedChildAlpha));
    ReconcileModel.put(m.beta, x, child(beta, childBeta, archivedChildBeta));

    PropsPolicy props = ReconcileFixtures.DEFAULT.props();
    List<PathState> states = m.states(props);
    Map<Policy, List<Expected>> plans = new LinkedHashMap<>();
    for (Policy p : POLICIES) {
      plans.put(p, plan(states, p));
    }
    String archives = archiveAlpha.equals(archiveBeta) ? name(archiveAlpha)
        : name(archiveAlpha) + "/" + name(archiveBeta);
    StringBuilder description = new StringBuilder("d: ").append(archives).append(" | ").append(name(alpha))
        .append(" | ").append(name(beta));
    if (!ReconcileModel.get(m.alpha, x).isAbsent() || !ReconcileModel.get(m.beta, x).isAbsent()
        || !archivedChildAlpha.isAbsent() || !archivedChildBeta.isAbsent()) {
      String childArchives = archivedChildAlpha.equals(archivedChildBeta) ? name(archivedChildAlpha)
          : name(archivedChildAlpha) + "/" + name(archivedChildBeta);
      description.append("; d/x: ").append(childArchives).append(" | ")
          .append(name(ReconcileModel.get(m.alpha, x))).append(" | ").append(name(ReconcileModel.get(m.beta, x)));
    }
    return new Case(description.toString(), states, plans);
  }

  private static Entry child(Entry top, Child variant, Entry archived) {
    if (top.kind() == Entry.Kind.PROBLEM) {
      // An unreadable directory is not listed: the side's archive stands in for what is below it.
      return archived;
    }
    if (!top.isDir()) {
      return ABS;
    }
    return switch (variant) {
      case KEEP -> archived;
      case CHANGE -> F2;
      case DELETE -> ABS;
      case PROBLEM -> P;
    };
  }
}
