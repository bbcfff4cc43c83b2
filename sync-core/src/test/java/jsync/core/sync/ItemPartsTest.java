package jsync.core.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jsync.core.apply.Op;
import jsync.core.model.Entry;
import jsync.core.model.Fingerprint;
import jsync.core.model.Observed;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;
import jsync.core.model.Stamp;
import jsync.core.reconcile.Direction;
import jsync.core.reconcile.Item;
import jsync.core.reconcile.PathState;
import org.junit.jupiter.api.Test;

/** How {@link ItemParts} cuts the ops {@link StepBuilder} makes for one large item. */
class ItemPartsTest {
  private static final Entry.Dir DIR = new Entry.Dir(0755);

  /** What beta (the target) holds, by path. */
  private final Map<RelPath, Observed> target = new HashMap<>();
  private final List<PathState> states = new ArrayList<>();

  private static Entry.File file(long size, int content) {
    return new Entry.File(size, 1_000_000_000L, 0644, Fingerprint.of(content));
  }

  /** A path alpha holds as {@code alpha} and beta as {@code beta} (absent: null). */
  private void path(String path, Entry alpha, Entry beta) {
    RelPath p = RelPath.parse(path);
    if (beta != null) {
      target.put(p, beta instanceof Entry.File f
          ? new Observed(f, new Stamp(f.size(), f.mtimeNanos(), 7, f.mtimeNanos())) : Observed.of(beta));
    }
    states.add(PathState.of(p, Entry.ABSENT, alpha == null ? Entry.ABSENT : alpha,
        beta == null ? Entry.ABSENT : beta));
  }

  /** A new tree on alpha: {@code t}, {@code dirs} directories below it, {@code files} files of 10 bytes in each. */
  private void newTree(int dirs, int files) {
    path("t", DIR, null);
    for (int d = 0; d < dirs; d++) {
      path("t/d" + d, DIR, null);
      for (int f = 0; f < files; f++) {
        path("t/d" + d + "/f" + f, file(10, d * 1000 + f), null);
      }
    }
  }

  private List<Op> ops() {
    Item item = new Item(states.get(0), Direction.ALPHA_TO_BETA, Direction.ALPHA_TO_BETA, "", "",
        states.subList(1, states.size()));
    return new StepBuilder(PropsPolicy.DEFAULT).build(item,
        p -> target.getOrDefault(p, Observed.ABSENT), p -> Observed.ABSENT, Map.of()).ops();
  }

  /** The parts, laid end to end, are the item's states and ops, each op among its own part's states. */
  private static void assertCover(List<PathState> states, List<Op> ops, List<ItemParts.Part> parts) {
    List<PathState> allStates = new ArrayList<>();
    List<Op> allOps = new ArrayList<>();
    for (ItemParts.Part part : parts) {
      assertTrue(!part.ops().isEmpty(), "no part without ops: " + parts);
      for (Op op : part.ops()) {
        assertTrue(part.states().stream().anyMatch(s -> s.path().equals(op.path())), op + " outside its part");
      }
      allStates.addAll(part.states());
      allOps.addAll(part.ops());
    }
    assertEquals(states, allStates);
    assertEquals(ops, allOps);
  }

  private static List<String> paths(ItemParts.Part part) {
    return part.states().stream().map(s -> s.path().toString()).toList();
  }

  private static List<Integer> opCounts(List<ItemParts.Part> parts) {
    return parts.stream().map(p -> p.ops().size()).toList();
  }

  @Test
  void aNewTree_isCutIntoPartsOfAtMostMaxOps_inPathOrder() {
    newTree(3, 4); // 16 paths, 16 ops
    List<Op> ops = ops();
    assertEquals(16, ops.size());
    List<ItemParts.Part> parts = ItemParts.split(states, ops, false, 5, Long.MAX_VALUE);
    assertEquals(List.of(5, 5, 5, 1), opCounts(parts));
    assertCover(states, ops, parts);
    // The first part creates the tree's directory; later parts only put things below what came before.
    assertEquals(RelPath.parse("t"), parts.get(0).ops().get(0).path());
  }

  @Test
  void opsThatFillTheLastPartExactly_leaveNoEmptyPart() {
    newTree(1, 2); // t, t/d0, 2 files: 4 ops
    List<Op> ops = ops();
    List<ItemParts.Part> parts = ItemParts.split(states, ops, false, 2, Long.MAX_VALUE);
    assertEquals(List.of(2, 2), opCounts(parts));
    assertCover(states, ops, parts);
  }

  @Test
  void aPartEndsWithTheFileThatReachesTheByteLimit() {
    path("t", DIR, null);
    path("t/a", file(60, 1), null);
    path("t/b", file(50, 2), null);
    path("t/c", file(10, 3), null);
    path("t/d", file(200, 4), null);
    path("t/e", file(1, 5), null);
    List<Op> ops = ops();
    List<ItemParts.Part> parts = ItemParts.split(states, ops, false, 1000, 100);
    // t + a (60) + b (110 >= 100) | c + d (210) | e
    assertEquals(List.of(3, 2, 1), opCounts(parts));
    assertCover(states, ops, parts);
  }

  @Test
  void pathsNeedingNoOp_stayInThePartAroundThem_andTrailingOnesInTheLast() {
    path("t", DIR, DIR);
    path("t/a", file(10, 1), null);
    path("t/b", file(10, 2), file(10, 2)); // already the same: no op
    path("t/c", file(10, 3), null);
    path("t/d", file(10, 4), null);
    path("t/e", file(10, 5), null);
    path("t/f", file(10, 6), file(10, 6));
    List<Op> ops = ops();
    assertEquals(4, ops.size());
    List<ItemParts.Part> parts = ItemParts.split(states, ops, false, 2, Long.MAX_VALUE);
    assertEquals(List.of(2, 2), opCounts(parts));
    assertCover(states, ops, parts);
    assertEquals(List.of("t", "t/a", "t/b", "t/c"), paths(parts.get(0)));
    assertEquals(List.of("t/d", "t/e", "t/f"), paths(parts.get(1)));
  }

  @Test
  void aSmallItem_isOnePart_asItIs() {
    newTree(2, 2); // 7 ops
    List<Op> ops = ops();
    List<ItemParts.Part> parts = ItemParts.split(states, ops, false, 7, 70);
    assertEquals(1, parts.size());
    assertSame(states, parts.get(0).states());
    assertSame(ops, parts.get(0).ops());
  }

  @Test
  void anItemWithRemovals_isNotCut() {
    newTree(2, 3);
    path("t/old", null, file(10, 99)); // beta's extra file goes
    List<Op> ops = ops();
    assertTrue(ops.stream().anyMatch(o -> o.kind() == Op.Kind.REMOVE), ops.toString());
    List<ItemParts.Part> parts = ItemParts.split(states, ops, false, 2, Long.MAX_VALUE);
    assertEquals(1, parts.size());
    assertCover(states, ops, parts);
  }

  @Test
  void anItemWithProblems_isNotCut() {
    newTree(2, 3);
    List<Op> ops = ops();
    assertEquals(1, ItemParts.split(states, ops, true, 2, Long.MAX_VALUE).size());
  }

  @Test
  void opsOutOfPathOrder_areNotCut() {
    newTree(1, 3);
    List<Op> ops = new ArrayList<>(ops());
    java.util.Collections.swap(ops, 2, 3);
    assertEquals(1, ItemParts.split(states, ops, false, 2, Long.MAX_VALUE).size());
  }
}
