package jsync.core.reconcile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import jsync.core.model.Entry;
import jsync.core.model.Fingerprint;
import jsync.core.model.ProblemKind;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;

/**
 * Named entries, policies and the {@link Case} type shared by the reconcile tests, in the style of mutagen's
 * {@code tF1}/{@code tD1}: short systematic names, so a case reads as a row of a table.
 */
final class ReconcileFixtures {
  private ReconcileFixtures() {}

  /** Mtimes in nanoseconds, a minute apart: T0 < T1 < T2. */
  static final long T1 = 1_700_000_000L * 1_000_000_000L;
  static final long T0 = T1 - 60L * 1_000_000_000L;
  static final long T2 = T1 + 60L * 1_000_000_000L;

  static final Entry ABS = Entry.ABSENT;
  /** A file. */
  static final Entry.File F1 = new Entry.File(3, T1, 0644, Fingerprint.of(0x1111));
  /** A file with other content than F1, modified a minute later. */
  static final Entry.File F2 = new Entry.File(5, T2, 0644, Fingerprint.of(0x2222));
  /** A third content, modified a minute before F1. */
  static final Entry.File F3 = new Entry.File(7, T0, 0644, Fingerprint.of(0x3333));
  /** F1 with other permissions (same content, same mtime). */
  static final Entry.File F1p = new Entry.File(3, T1, 0600, Fingerprint.of(0x1111));
  /** F1 with permissions other than F1's and F1p's. */
  static final Entry.File F1q = new Entry.File(3, T1, 0640, Fingerprint.of(0x1111));
  /** F2's content with F1's mtime: a conflict with F1 that newer/older cannot order. */
  static final Entry.File F2t1 = new Entry.File(5, T1, 0644, Fingerprint.of(0x2222));
  /** F1 touched a minute later: the same under the default policy, different with {@code times}. */
  static final Entry.File F1t2 = new Entry.File(3, T2, 0644, Fingerprint.of(0x1111));
  /** F1 touched to a minute earlier. */
  static final Entry.File F1t0 = new Entry.File(3, T0, 0644, Fingerprint.of(0x1111));
  static final Entry.Dir D0 = new Entry.Dir(0755);
  /** A directory with other permissions than D0. */
  static final Entry.Dir D1 = new Entry.Dir(0700);
  /** A directory with permissions other than D0's and D1's. */
  static final Entry.Dir D2 = new Entry.Dir(0750);
  static final Entry.Link L1 = new Entry.Link("target-1");
  static final Entry.Link L2 = new Entry.Link("target-2");
  /** A path the scanner could not read. */
  static final Entry.Problem P = new Entry.Problem(ProblemKind.UNREADABLE, "cannot list directory: denied");
  /** Another problem, so tests can tell which side's message is where. */
  static final Entry.Problem P2 = new Entry.Problem(ProblemKind.UNSUPPORTED_TYPE, "a socket");

  private static final Map<Entry, String> NAMES = new LinkedHashMap<>();

  static {
    NAMES.put(ABS, "ABS");
    NAMES.put(F1, "F1");
    NAMES.put(F2, "F2");
    NAMES.put(F3, "F3");
    NAMES.put(F1p, "F1p");
    NAMES.put(F1q, "F1q");
    NAMES.put(F2t1, "F2t1");
    NAMES.put(F1t2, "F1t2");
    NAMES.put(F1t0, "F1t0");
    NAMES.put(D0, "D0");
    NAMES.put(D1, "D1");
    NAMES.put(D2, "D2");
    NAMES.put(L1, "L1");
    NAMES.put(L2, "L2");
    NAMES.put(P, "P");
    NAMES.put(P2, "P2");
  }

  /** The fixture name of an entry, or its record form for entries made up by a test. */
  static String name(Entry e) {
    return NAMES.getOrDefault(e, e.toString());
  }

  static final Policy DEFAULT = Policy.DEFAULT;
  static final Policy TIMES = Policy.DEFAULT.withProps(new PropsPolicy(01777, true));

  static Policy prefer(Resolution r) {
    return DEFAULT.withPrefer(r);
  }

  static Policy force(Resolution r) {
    return DEFAULT.withForce(r);
  }

  /** Every policy the generated cases and the properties run under. */
  static final List<Policy> POLICIES = List.of(DEFAULT,
      prefer(Resolution.ALPHA), prefer(Resolution.BETA), prefer(Resolution.NEWER), prefer(Resolution.OLDER),
      force(Resolution.ALPHA), force(Resolution.BETA), force(Resolution.NEWER), force(Resolution.OLDER));

  static String describe(Policy p) {
    if (p.force().isPresent()) {
      return "force " + p.force().get();
    }
    if (p.prefer().isPresent()) {
      return "prefer " + p.prefer().get();
    }
    return "default";
  }

  /** The policy with alpha and beta swapped: prefer/force ALPHA becomes BETA; newer and older stay. */
  static Policy mirror(Policy p) {
    return new Policy(p.props(), p.prefer().map(ReconcileFixtures::mirror),
        p.force().map(ReconcileFixtures::mirror));
  }

  static Resolution mirror(Resolution r) {
    return switch (r) {
      case ALPHA -> Resolution.BETA;
      case BETA -> Resolution.ALPHA;
      case NEWER, OLDER -> r;
    };
  }

  static Direction mirror(Direction d) {
    return switch (d) {
      case ALPHA_TO_BETA -> Direction.BETA_TO_ALPHA;
      case BETA_TO_ALPHA -> Direction.ALPHA_TO_BETA;
      case ARCHIVE_ONLY, CONFLICT, PROBLEM -> d;
    };
  }

  static RelPath path(String p) {
    return RelPath.parse(p);
  }

  /** A state whose two archives agree. */
  static PathState st(String p, Entry archive, Entry alpha, Entry beta) {
    return PathState.of(path(p), archive, alpha, beta);
  }

  /** A state whose archives may disagree. */
  static PathState st(String p, Entry archiveAlpha, Entry alpha, Entry archiveBeta, Entry beta) {
    return new PathState(path(p), archiveAlpha, alpha, archiveBeta, beta);
  }

  static PathState swap(PathState s) {
    return new PathState(s.path(), s.archiveBeta(), s.beta(), s.archiveAlpha(), s.alpha());
  }

  static List<PathState> swap(List<PathState> states) {
    return states.stream().map(ReconcileFixtures::swap).collect(Collectors.toList());
  }

  static String render(PathState s) {
    String archives = s.archiveAlpha().equals(s.archiveBeta()) ? name(s.archiveAlpha())
        : name(s.archiveAlpha()) + "/" + name(s.archiveBeta());
    return s.path().display() + ": " + archives + " | " + name(s.alpha()) + " | " + name(s.beta());
  }

  /**
   * One plan item as text, so a failing table row shows the whole difference at once:
   * {@code path DEFAULT[->FINAL {override}] [reason] covers a, b}.
   */
  static String render(Item i) {
    StringBuilder sb = new StringBuilder(i.path().display()).append(' ').append(i.defaultDirection());
    if (i.direction() != i.defaultDirection()) {
      sb.append("->").append(i.direction()).append(" {").append(i.override()).append('}');
    } else if (!i.override().isEmpty()) {
      sb.append(" {override without a change: ").append(i.override()).append('}');
    }
    if (!i.reason().isEmpty()) {
      sb.append(" [").append(i.reason()).append(']');
    }
    if (i.coversSubtree()) {
      sb.append(" covers ").append(i.below().stream().map(s -> s.path().display())
          .collect(Collectors.joining(", ")));
    }
    return sb.toString();
  }

  static List<String> render(Plan plan) {
    return plan.items().stream().map(ReconcileFixtures::render).collect(Collectors.toList());
  }

  /** What one item of a plan is expected to be. */
  record Expected(String path, Direction defaultDirection, Direction direction, String reason,
      String override, List<String> below) {
    String render() {
      StringBuilder sb = new StringBuilder(path.isEmpty() ? "." : path).append(' ').append(defaultDirection);
      if (direction != defaultDirection) {
        sb.append("->").append(direction).append(" {").append(override).append('}');
      }
      if (!reason.isEmpty()) {
        sb.append(" [").append(reason).append(']');
      }
      if (!below.isEmpty()) {
        sb.append(" covers ").append(String.join(", ", below));
      }
      return sb.toString();
    }
  }

  /**
   * One row of a reconcile table: the changed paths' states, and the expected plan under each policy the
   * case names. Under a policy that is not named, nothing is asserted about the plan (the properties still
   * run).
   */
  record Case(String description, List<PathState> states, Map<Policy, List<Expected>> plans) {
    @Override
    public String toString() {
      return description;
    }

    Optional<List<String>> expected(Policy p) {
      List<Expected> e = plans.get(p);
      return e == null ? Optional.empty()
          : Optional.of(e.stream().map(Expected::render).collect(Collectors.toList()));
    }
  }

  static Builder when(String description) {
    return new Builder(description);
  }

  /**
   * Builds a hand-written case: {@code when("...").state(...).expect(...)} gives the default plan;
   * {@code under(policy, path, direction)} states what that policy turns one of its items into (every other
   * item is expected to keep its default direction).
   */
  static final class Builder {
    private final String description;
    private final List<PathState> states = new ArrayList<>();
    private final List<Expected> defaults = new ArrayList<>();
    private final Map<Policy, List<Expected>> plans = new LinkedHashMap<>();
    private Policy base = DEFAULT;

    Builder(String description) {
      this.description = description;
    }

    /** The policy {@link #expect} describes, {@link #DEFAULT} unless set (e.g. to {@link #TIMES}). */
    Builder policy(Policy p) {
      base = p;
      return this;
    }

    Builder state(String p, Entry archive, Entry alpha, Entry beta) {
      states.add(st(p, archive, alpha, beta));
      return this;
    }

    Builder state(String p, Entry archiveAlpha, Entry alpha, Entry archiveBeta, Entry beta) {
      states.add(st(p, archiveAlpha, alpha, archiveBeta, beta));
      return this;
    }

    Builder expect(String p, Direction d, String reason, String... below) {
      defaults.add(new Expected(p, d, d, reason, "", List.of(below)));
      return this;
    }

    Builder expect(String p, Direction d) {
      return expect(p, d, "");
    }

    Builder expectNothing() {
      return this;
    }

    /** Under {@code policy}, the default item at {@code p} gets direction {@code d}. */
    Builder under(Policy policy, String p, Direction d) {
      return under(policy, p, d, null);
    }

    /** Under {@code policy}, the default item at {@code p} gets direction {@code d} and this reason. */
    Builder under(Policy policy, String p, Direction d, String reason) {
      List<Expected> plan = plans.computeIfAbsent(policy, k -> new ArrayList<>(defaults));
      for (int i = 0; i < plan.size(); i++) {
        Expected e = plan.get(i);
        if (e.path().equals(p)) {
          String override = d == e.defaultDirection() ? "" : overrideText(policy);
          plan.set(i, new Expected(e.path(), e.defaultDirection(), d, reason == null ? e.reason() : reason,
              override, e.below()));
          return this;
        }
      }
      throw new IllegalArgumentException("no default item at " + p + " in " + description);
    }

    /** Under {@code policy}, every item keeps its default direction. */
    Builder unchangedUnder(Policy policy) {
      plans.computeIfAbsent(policy, k -> new ArrayList<>(defaults));
      return this;
    }

    Case build() {
      Map<Policy, List<Expected>> all = new LinkedHashMap<>();
      all.put(base, List.copyOf(defaults));
      plans.forEach((k, v) -> all.put(k, List.copyOf(v)));
      return new Case(description, List.copyOf(states), all);
    }
  }

  /** The override text the reconciler gives when {@code policy} changes a direction. */
  static String overrideText(Policy policy) {
    String word = policy.force().isPresent() ? "force" : "prefer";
    Resolution r = policy.force().orElseGet(() -> policy.prefer().orElseThrow());
    String what = switch (r) {
      case ALPHA -> "first root";
      case BETA -> "second root";
      case NEWER -> "newer";
      case OLDER -> "older";
    };
    return word + " = " + what;
  }
}
