package jsync.core.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jsync.core.apply.Op;
import jsync.core.model.Entry;
import jsync.core.model.Fingerprint;
import jsync.core.model.Observed;
import jsync.core.model.ProblemKind;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;
import jsync.core.model.Stamp;
import jsync.core.reconcile.Direction;
import jsync.core.reconcile.Item;
import jsync.core.reconcile.PathState;
import org.junit.jupiter.api.Test;

/** The ops {@link StepBuilder} derives from one plan item, in the order the applier must run them. */
class StepBuilderTest {
  private static final Entry.Dir D0 = new Entry.Dir(0755);
  private static final Entry.Dir D1 = new Entry.Dir(0700);
  private static final Entry.File F1 = new Entry.File(3, 1_000_000_000L, 0644, Fingerprint.of(1));
  private static final Entry.File F1_600 = new Entry.File(3, 1_000_000_000L, 0600, Fingerprint.of(1));
  private static final Entry.File F1_LATER = new Entry.File(3, 9_000_000_000L, 0644, Fingerprint.of(1));
  private static final Entry.File F2 = new Entry.File(5, 2_000_000_000L, 0644, Fingerprint.of(2));
  private static final Entry.File EMPTY = new Entry.File(0, 2_000_000_000L, 0644, Fingerprint.of(0));
  private static final Entry.Link L1 = new Entry.Link("t1");
  private static final Entry.Link L2 = new Entry.Link("t2");
  private static final Entry.Problem P1 = new Entry.Problem(ProblemKind.UNREADABLE, "permission denied");
  private static final Entry ABSENT = Entry.ABSENT;

  /** What the target replica holds now, by path, with stamps; absent elsewhere. */
  private final Map<RelPath, Observed> target = new HashMap<>();
  private final Map<Fingerprint, RelPath> reuse = new HashMap<>();
  private long nextInode = 100;

  private static RelPath p(String s) {
    return RelPath.parse(s);
  }

  /** One path: alpha holds {@code alpha}, beta {@code beta}; the archive holds nothing (a first sync). */
  private PathState s(String path, Entry alpha, Entry beta) {
    if (!beta.isAbsent()) {
      target.put(p(path), observed(beta));
    }
    return PathState.of(p(path), ABSENT, alpha, beta);
  }

  private Observed observed(Entry e) {
    if (e instanceof Entry.File f) {
      return new Observed(f, new Stamp(f.size(), f.mtimeNanos(), nextInode++, f.mtimeNanos()));
    }
    return Observed.of(e);
  }

  private Observed have(String path) {
    return target.getOrDefault(p(path), Observed.ABSENT);
  }

  /** An item making beta like alpha over {@code top} and the states below it. */
  private static Item toBeta(PathState top, PathState... below) {
    return new Item(top, Direction.ALPHA_TO_BETA, Direction.ALPHA_TO_BETA, "", "", Arrays.asList(below));
  }

  private StepBuilder.Built build(PropsPolicy props, Item item) {
    return new StepBuilder(props).build(item, rel -> target.getOrDefault(rel, Observed.ABSENT),
        rel -> Observed.ABSENT, reuse);
  }

  private StepBuilder.Built build(Item item) {
    return build(PropsPolicy.DEFAULT, item);
  }

  @Test
  void subtreeCopy_directoryBeforeItsChildren() {
    Item item = toBeta(s("d", D0, ABSENT), s("d/a", F1, ABSENT), s("d/e", D1, ABSENT), s("d/e/f", F2, ABSENT));
    StepBuilder.Built b = build(item);
    assertEquals(List.of(
        Op.put(p("d"), D0, Observed.ABSENT),
        Op.put(p("d/a"), F1, Observed.ABSENT),
        Op.put(p("d/e"), D1, Observed.ABSENT),
        Op.put(p("d/e/f"), F2, Observed.ABSENT)), b.ops());
    assertEquals(List.of(), b.problems());
  }

  @Test
  void subtreeDelete_childrenBeforeTheirDirectory() {
    Item item = toBeta(s("d", ABSENT, D0), s("d/a", ABSENT, F1), s("d/e", ABSENT, D1), s("d/e/f", ABSENT, F2));
    assertEquals(List.of(
        Op.remove(p("d/e/f"), have("d/e/f")),
        Op.remove(p("d/e"), have("d/e")),
        Op.remove(p("d/a"), have("d/a")),
        Op.remove(p("d"), have("d"))), build(item).ops());
  }

  @Test
  void dirReplacedByFile_removalsBottomUpThenPutExpectingAbsent() {
    Item item = toBeta(s("x", F1, D0), s("x/a", ABSENT, F2), s("x/e", ABSENT, D1), s("x/e/f", ABSENT, L1));
    assertEquals(List.of(
        Op.remove(p("x/e/f"), have("x/e/f")),
        Op.remove(p("x/e"), have("x/e")),
        Op.remove(p("x/a"), have("x/a")),
        Op.remove(p("x"), have("x")),
        Op.put(p("x"), F1, Observed.ABSENT)), build(item).ops());
  }

  @Test
  void fileReplacedByDir_removeThenDirThenChildren() {
    Item item = toBeta(s("x", D0, F1), s("x/a", F2, ABSENT));
    assertEquals(List.of(
        Op.remove(p("x"), have("x")),
        Op.put(p("x"), D0, Observed.ABSENT),
        Op.put(p("x/a"), F2, Observed.ABSENT)), build(item).ops());
  }

  @Test
  void contentChange_isAPutExpectingTheTargetsFile() {
    Item item = toBeta(s("f", F2, F1));
    assertEquals(List.of(Op.put(p("f"), F2, have("f"))), build(item).ops());
  }

  @Test
  void propsOnly_isSetProps() {
    Item file = toBeta(s("f", F1_600, F1));
    Item dir = toBeta(s("d", D1, D0));
    assertEquals(List.of(Op.setProps(p("f"), F1_600, have("f"))), build(file).ops());
    assertEquals(List.of(Op.setProps(p("d"), D1, have("d"))), build(dir).ops());
  }

  @Test
  void mtimeOnly_isSetPropsWithTimes_andNothingWithout() {
    Item item = toBeta(s("f", F1_LATER, F1));
    assertEquals(List.of(), build(item).ops());
    assertEquals(List.of(Op.setProps(p("f"), F1_LATER, have("f"))), build(new PropsPolicy(01777, true), item).ops());
  }

  @Test
  void linkRetarget_isAPut() {
    Item item = toBeta(s("l", L2, L1));
    assertEquals(List.of(Op.put(p("l"), L2, have("l"))), build(item).ops());
  }

  @Test
  void linkReplacedByFile_removeThenPut() {
    Item item = toBeta(s("l", F1, L1));
    assertEquals(List.of(Op.remove(p("l"), have("l")), Op.put(p("l"), F1, Observed.ABSENT)), build(item).ops());
  }

  @Test
  void pathsAlreadyAlike_needNoOps() {
    Item item = toBeta(s("d", D0, ABSENT), s("d/gone", ABSENT, ABSENT), s("d/f", F1, ABSENT));
    assertEquals(List.of(Op.put(p("d"), D0, Observed.ABSENT), Op.put(p("d/f"), F1, Observed.ABSENT)),
        build(item).ops());
    assertEquals(List.of(), build(toBeta(s("f", F1, F1))).ops());
  }

  @Test
  void sourceProblemBelowCopiedDir_isReportedAndSkippedWithItsSubtree() {
    Item item = toBeta(s("d", D0, ABSENT), s("d/p", P1, ABSENT), s("d/p/x", F2, ABSENT), s("d/q", F1, ABSENT));
    StepBuilder.Built b = build(item);
    assertEquals(List.of(Op.put(p("d"), D0, Observed.ABSENT), Op.put(p("d/q"), F1, Observed.ABSENT)), b.ops());
    assertEquals(List.of("d/p: permission denied"), b.problems());
  }

  @Test
  void targetProblemBelowDeletedDir_isReportedAndNotTouched() {
    // prefer/force can turn a subtree conflict into a propagation even though the target could not read a
    // path below; the builder must not expect (and so re-check) a problem entry.
    Item item = toBeta(s("d", ABSENT, D0), s("d/a", ABSENT, F1), s("d/u", ABSENT, P1), s("d/u/x", ABSENT, F2));
    StepBuilder.Built b = build(item);
    assertEquals(List.of(Op.remove(p("d/a"), have("d/a")), Op.remove(p("d"), have("d"))), b.ops());
    assertEquals(List.of("d/u: permission denied"), b.problems());
  }

  @Test
  void reuse_byFingerprint_forNonEmptyFilesElsewhere() {
    reuse.put(F1.fingerprint(), p("old/name"));
    reuse.put(F2.fingerprint(), p("d/b"));
    reuse.put(EMPTY.fingerprint(), p("empty.old"));
    Item item = toBeta(s("d", D0, ABSENT), s("d/a", F1, ABSENT), s("d/b", F2, ABSENT), s("d/e", EMPTY, ABSENT));
    List<Op> ops = build(item).ops();
    List<Optional<RelPath>> reused = new ArrayList<>();
    ops.forEach(o -> reused.add(o.reuseFrom()));
    assertEquals(List.of(Optional.empty(), Optional.of(p("old/name")), Optional.empty(), Optional.empty()), reused);
  }

  @Test
  void betaToAlpha_readsBetaAsTheSource() {
    PathState st = PathState.of(p("f"), ABSENT, F1, F2);
    target.put(p("f"), observed(F1));
    Item item = new Item(st, Direction.BETA_TO_ALPHA, Direction.BETA_TO_ALPHA, "", "", List.of());
    assertEquals(List.of(Op.put(p("f"), F2, have("f"))), build(item).ops());
  }

  @Test
  void removalsOnly() {
    assertEquals(true, StepBuilder.removalsOnly(List.of(Op.remove(p("a"), Observed.ABSENT))));
    assertEquals(false, StepBuilder.removalsOnly(List.of(Op.remove(p("a"), Observed.ABSENT),
        Op.put(p("a"), F1, Observed.ABSENT))));
  }
}
