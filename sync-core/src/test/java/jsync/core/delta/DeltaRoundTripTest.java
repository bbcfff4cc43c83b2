package jsync.core.delta;

import static jsync.core.delta.Ops.concat;
import static jsync.core.delta.Ops.random;
import static jsync.core.delta.Ops.slice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * old, new → signature → matcher → encoder → bytes → decoder → patcher must give back new, for every
 * case, with and without compression, and with the new file or the encoded delta read one byte at a time.
 * Where the delta's size is predictable, it is checked too: literal bytes are what costs.
 */
class DeltaRoundTripTest {
  private static final int BS = 1024;

  /**
   * A case: its old and new versions, and the most literal bytes its delta may carry (-1: no bound).
   */
  record Case(String name, byte[] oldData, byte[] newData, long maxLiteral) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static byte[] text(int n, long seed) {
    String[] words = {"sync", "replica", "archive", "the", "of", "fingerprint", "root", "\n", "delta", "a"};
    Random r = new Random(seed);
    StringBuilder s = new StringBuilder();
    while (s.length() < n) {
      s.append(words[r.nextInt(words.length)]).append(' ');
    }
    return Arrays.copyOf(s.toString().getBytes(), n);
  }

  private static byte[] changeBytes(byte[] data, int count, long seed) {
    byte[] b = data.clone();
    Random r = new Random(seed);
    for (int i = 0; i < count; i++) {
      b[r.nextInt(b.length)] ^= (byte) (1 + r.nextInt(255));
    }
    return b;
  }

  static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    byte[] f1 = random(64 * BS + 123, 1);
    byte[] ins = random(5000, 2);
    int mid = 30 * BS + 77;
    byte[] empty = new byte[0];
    c.add(new Case("both empty", empty, empty, 0));
    c.add(new Case("old empty", empty, f1, f1.length));
    c.add(new Case("new empty", f1, empty, 0));
    c.add(new Case("both smaller than a block, equal", slice(f1, 0, 900), slice(f1, 0, 900), 0));
    c.add(new Case("both smaller than a block, different", slice(f1, 0, 900), slice(f1, 1, 800), 800));
    c.add(new Case("new smaller than a block", f1, slice(f1, 0, 500), 500));
    c.add(new Case("identical", f1, f1, 0));
    c.add(new Case("identical, whole blocks", slice(f1, 0, 64 * BS), slice(f1, 0, 64 * BS), 0));
    c.add(new Case("insertion at start", f1, concat(ins, f1), ins.length));
    c.add(new Case("insertion in the middle", f1, concat(slice(f1, 0, mid), ins, slice(f1, mid, f1.length)),
        ins.length + BS));
    c.add(new Case("insertion at end", f1, concat(f1, ins), ins.length + 123));
    c.add(new Case("deletion at start", f1, slice(f1, 5000, f1.length), BS));
    c.add(new Case("deletion in the middle", f1,
        concat(slice(f1, 0, mid), slice(f1, mid + 5000, f1.length)), BS));
    c.add(new Case("deletion at end", f1, slice(f1, 0, f1.length - 5000), BS));
    c.add(new Case("one byte changed per block", f1, changeEveryBlock(f1), f1.length));
    c.add(new Case("100 random byte changes", random(300 * BS, 3), changeBytes(random(300 * BS, 3), 100, 4),
        100 * BS));
    c.add(new Case("blocks shuffled", f1, shuffleBlocks(f1, 5), 2 * BS));
    byte[] a = random(BS, 6);
    byte[] rep = concat(a, a, a, a, a, a, a, a, a, a);
    c.add(new Case("repeated blocks", rep, concat(rep, a, a, slice(a, 0, 10)), 10));
    c.add(new Case("repeated blocks, one changed", rep, changeBytes(rep, 1, 7), BS));
    byte[] zeros = new byte[50 * BS];
    c.add(new Case("all zeros", zeros, zeros, 0));
    c.add(new Case("all zeros, longer", zeros, new byte[60 * BS + 1], 1));
    c.add(new Case("zeros with changes", zeros, changeBytes(zeros, 20, 8), 20 * BS + BS));
    byte[] t1 = text(80 * BS, 9);
    c.add(new Case("text with edits", t1,
        concat(slice(t1, 0, 9000), text(3000, 10), slice(t1, 12000, t1.length)), 3000 + 2 * BS));
    c.add(new Case("unrelated", random(40 * BS, 11), random(45 * BS, 12), -1));
    return c;
  }

  private static byte[] changeEveryBlock(byte[] data) {
    byte[] b = data.clone();
    for (int i = 0; i < b.length; i += BS) {
      b[i + (i / BS * 37) % Math.min(BS, b.length - i)] ^= 1;
    }
    return b;
  }

  private static byte[] shuffleBlocks(byte[] data, long seed) {
    List<byte[]> blocks = new ArrayList<>();
    for (int i = 0; i < data.length; i += BS) {
      blocks.add(slice(data, i, Math.min(data.length, i + BS)));
    }
    byte[] tail = blocks.remove(blocks.size() - 1);
    java.util.Collections.shuffle(blocks, new Random(seed));
    blocks.add(tail);
    return concat(blocks.toArray(new byte[0][]));
  }

  static List<Arguments> runs() {
    List<Arguments> runs = new ArrayList<>();
    for (Case c : cases()) {
      runs.add(Arguments.of(c, true, Ops.Feed.BULK));
      runs.add(Arguments.of(c, false, Ops.Feed.BULK));
      runs.add(Arguments.of(c, true, Ops.Feed.NEW_ONE_BYTE));
      runs.add(Arguments.of(c, false, Ops.Feed.DELTA_ONE_BYTE));
    }
    return runs;
  }

  @ParameterizedTest(name = "{0}, compress={1}, {2}")
  @MethodSource("runs")
  void roundTrip_rebuildsTheNewVersion(Case c, boolean compress, Ops.Feed feed) throws IOException {
    Ops.Trip t = Ops.roundTrip(c.oldData(), c.newData(), BS, compress, feed);

    assertTrue(t.patched().verified(), () -> t.patched().mismatch().get());
    assertArrayEquals(c.newData(), t.rebuilt());
    assertEquals(c.newData().length, t.matched().length());
    assertEquals(Ops.fingerprint(c.newData()), t.matched().fingerprint());
    assertEquals(c.newData().length, t.matched().literalBytes() + t.matched().copiedBytes());
    if (c.maxLiteral() >= 0) {
      Supplier<String> why = () -> c.name() + ": " + t.matched();
      assertTrue(t.matched().literalBytes() <= c.maxLiteral(), why);
      // The encoding adds at most 4 bytes per literal run or 64 KiB piece, at most 6 per copy here
      // (block numbers below 2^14), and 30 for header and end: 1 % of the literal bytes, 6 per copy and
      // 64 more cover it.
      if (!compress) {
        long bound = c.maxLiteral() + c.maxLiteral() / 100 + 6L * t.copyOps() + 64;
        assertTrue(t.delta().length <= bound,
            () -> why.get() + ", delta of " + t.delta().length + " bytes");
      }
    }
  }
}
