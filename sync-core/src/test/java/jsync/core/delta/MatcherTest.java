package jsync.core.delta;

import static jsync.core.delta.Ops.concat;
import static jsync.core.delta.Ops.random;
import static jsync.core.delta.Ops.script;
import static jsync.core.delta.Ops.slice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The matcher's operations, written as scripts: {@code C<block>+<count>} copies, {@code L<n>} literal
 * bytes (see {@link Ops}). Block size 1024 unless a test says otherwise; old files are random with a seed
 * per test.
 */
class MatcherTest {
  private static final int BS = 1024;

  private static Matcher.Result run(byte[] oldData, InputStream in, Ops ops) throws IOException {
    return new Matcher(Ops.signature(oldData, BS, 7)).deltify(in, ops);
  }

  @Test
  void identicalFiles_areOneCopy() throws IOException {
    byte[] f1 = random(10 * BS + 17, 1);
    assertEquals("C0+11", script(f1, f1, BS));
    byte[] f2 = random(10 * BS, 2);
    assertEquals("C0+10", script(f2, f2, BS));
  }

  @Test
  void emptyFiles() throws IOException {
    byte[] f1 = random(3 * BS, 3);
    assertEquals("", script(new byte[0], new byte[0], BS));
    assertEquals("", script(f1, new byte[0], BS));
    assertEquals("L3072", script(new byte[0], f1, BS));
  }

  @Test
  void emptyNewFile_hasLengthZeroAndTheEmptyFingerprint() throws IOException {
    Ops ops = new Ops();
    Matcher.Result r = run(random(BS, 4), new ByteArrayInputStream(new byte[0]), ops);
    assertEquals(0, r.length());
    assertEquals(Ops.fingerprint(new byte[0]), r.fingerprint());
  }

  /** Without the hash, the same operations and statistics, the length, and an unknown fingerprint. */
  @Test
  void deltifyUnhashed_describesTheSameOperations_withoutAFingerprint() throws IOException {
    byte[] old = random(20 * BS + 300, 8);
    byte[] now = concat(slice(old, 0, 7 * BS), random(500, 9), slice(old, 7 * BS + 40, old.length));
    Ops hashed = new Ops();
    Ops unhashed = new Ops();
    Matcher m = new Matcher(Ops.signature(old, BS, 7));
    Matcher.Result a = m.deltify(new ByteArrayInputStream(now), hashed);
    Matcher.Result b = m.deltifyUnhashed(new ByteArrayInputStream(now), unhashed);
    assertEquals(hashed.script(), unhashed.script());
    assertTrue(hashed.script().contains("L"), hashed.script());
    assertEquals(Ops.fingerprint(now), a.fingerprint());
    assertEquals(jsync.core.model.Fingerprint.UNKNOWN, b.fingerprint());
    assertEquals(new Matcher.Result(a.length(), b.fingerprint(), a.literalBytes(), a.copiedBytes(),
        a.falseAlarms()), b);
    assertEquals(now.length, b.length());
  }

  @Test
  void filesSmallerThanABlock_matchOnlyWhenEqual() throws IOException {
    byte[] f1 = random(700, 5);
    assertEquals("C0+1", script(f1, f1, BS));
    assertEquals("L699", script(f1, slice(f1, 1, 700), BS));
    assertEquals("L701", script(f1, concat(f1, new byte[1]), BS));
    // The old file's only block is short: it matches only at the very end of the new file.
    assertEquals("L1400 C0+1", script(f1, concat(f1, f1, f1), BS));
  }

  @Test
  void shortLastBlock_matchesOnlyAtTheEnd() throws IOException {
    byte[] f1 = random(3 * BS + 100, 6);
    byte[] tail = slice(f1, 3 * BS, f1.length);
    assertEquals("C0+4", script(f1, f1, BS));
    assertEquals("L50 C0+4", script(f1, concat(random(50, 60), f1), BS));
    // Appended bytes leave the old tail in the middle: literal, as in rsync.
    assertEquals("C0+3 L150", script(f1, concat(f1, random(50, 61)), BS));
    // The tail itself, anywhere but the end, is literal; at the end it is a copy.
    assertEquals("L100 C0+4", script(f1, concat(tail, f1), BS));
  }

  @Test
  void insertions_shiftEverythingAndStillMatch() throws IOException {
    byte[] f1 = random(10 * BS, 8);
    byte[] ins = random(100, 80);
    assertEquals("L100 C0+10", script(f1, concat(ins, f1), BS));
    assertEquals("L1 C0+10", script(f1, concat(new byte[] {9}, f1), BS));
    assertEquals("C0+5 L100 C5+5", script(f1, concat(slice(f1, 0, 5 * BS), ins, slice(f1, 5 * BS, 10 * BS)), BS));
    // Inside block 4: its 300 old bytes before and 724 after the insertion are literal too.
    int at = 4 * BS + 300;
    assertEquals("C0+4 L1124 C5+5", script(f1, concat(slice(f1, 0, at), ins, slice(f1, at, f1.length)), BS));
    assertEquals("C0+10 L100", script(f1, concat(f1, ins), BS));
  }

  @Test
  void deletions() throws IOException {
    byte[] f1 = random(10 * BS, 9);
    assertEquals("C1+9", script(f1, slice(f1, BS, f1.length), BS));
    assertEquals("L1014 C1+9", script(f1, slice(f1, 10, f1.length), BS));
    assertEquals("C0+5 L1014 C6+4",
        script(f1, concat(slice(f1, 0, 5 * BS + 10), slice(f1, 5 * BS + 20, f1.length)), BS));
    assertEquals("C0+9 L1000", script(f1, slice(f1, 0, 10 * BS - 24), BS));
    assertEquals("C0+5 C7+3", script(f1, concat(slice(f1, 0, 5 * BS), slice(f1, 7 * BS, f1.length)), BS));
  }

  @Test
  void oneByteChangedPerBlock_isAllLiteral() throws IOException {
    byte[] f1 = random(8 * BS, 10);
    byte[] f2 = f1.clone();
    for (int i = 0; i < 8; i++) {
      f2[i * BS + (i * 131) % BS]++;
    }
    assertEquals("L8192", script(f1, f2, BS));
  }

  @Test
  void movedBlocks_areCopiedFromWhereTheyWere() throws IOException {
    byte[] f1 = random(6 * BS, 11);
    byte[] f2 = concat(slice(f1, 4 * BS, 6 * BS), slice(f1, 0, 4 * BS), slice(f1, 2 * BS, 3 * BS));
    assertEquals("C4+2 C0+4 C2+1", script(f1, f2, BS));
  }

  @Test
  void repeatedBlocks_comeOutAsOneCopy() throws IOException {
    byte[] a = random(BS, 12);
    byte[] f1 = concat(a, a, a, a, a, a, a, a);
    assertEquals("C0+8", script(f1, f1, BS));
    // Past the basis's last block the preferred next block does not exist: start over at block 0.
    assertEquals("C0+8 C0+4", script(f1, concat(f1, a, a, a, a), BS));
    byte[] b = random(BS, 13);
    // After the last block, b, there is no next block to prefer: the first of the identical ones wins.
    assertEquals("C0+3 C8+1 C0+5", script(concat(f1, b), concat(a, a, a, b, a, a, a, a, a), BS));
  }

  @Test
  void allZeros_matchAtAnyOffset() throws IOException {
    byte[] zeros = new byte[10 * BS];
    assertEquals("C0+10", script(zeros, zeros, BS));
    byte[] f2 = zeros.clone();
    f2[3 * BS + 5] = 1;
    // Windows up to offset 3*BS+5 see the 1; the window just after it is zeros again and matches block 3
    // (the block after the last match), leaving a tail shorter than a block.
    assertEquals("C0+3 L6 C3+6 L1018", script(zeros, f2, BS));
    assertEquals("C0+1 L1", script(new byte[BS], new byte[BS + 1], BS));
  }

  /**
   * Random bytes in [2, 253] with (+1, -2, +1) added at {@code at}: blocks that differ only in where the
   * bump is have the same weak checksum, on purpose. {@code a} gains 1 - 2 + 1 = 0 and {@code b} gains
   * (n-i) - 2(n-i-1) + (n-i-2) = 0; keeping bytes away from 0 and 255 keeps the sums from wrapping.
   */
  private static byte[] bumped(long seed, int at) {
    byte[] b = random(BS, seed);
    for (int i = 0; i < BS; i++) {
      b[i] = (byte) (2 + Math.floorMod(b[i], 250));
    }
    b[at] += 1;
    b[at + 1] -= 2;
    b[at + 2] += 1;
    return b;
  }

  @Test
  void weakCollision_isCaughtByTheStrongChecksum() throws IOException {
    byte[] x = bumped(14, 100);
    byte[] y = bumped(14, 500);
    assertEquals(RollingChecksum.of(x, 0, BS), RollingChecksum.of(y, 0, BS));
    assertTrue(!Arrays.equals(x, y));
    byte[] z = random(BS, 15);

    Ops ops = new Ops();
    Matcher.Result r = run(concat(x, z), new ByteArrayInputStream(concat(y, z)), ops);
    assertEquals("L1024 C1+1", ops.script());
    assertArrayEquals(y, ops.literals());
    assertEquals(1, r.falseAlarms());

    // Both twins in the basis: one chain, two candidates, each found by its strong checksum.
    assertEquals("C1+1 C0+1", script(concat(x, y), concat(y, x), BS));
    var trip = Ops.roundTrip(concat(x, z, y), concat(y, z, x, y), BS, true, Ops.Feed.BULK);
    assertTrue(trip.patched().verified());
  }

  @Test
  void chainCap_dropsBlocksPastItButStaysCorrect() throws IOException {
    // 100 distinct blocks with one weak checksum: the same bytes, bumped at different places.
    int n = Matcher.MAX_CHAIN + 36;
    byte[][] blocks = new byte[n][];
    for (int i = 0; i < n; i++) {
      blocks[i] = bumped(16, 3 * i);
    }
    byte[] f1 = concat(blocks);
    byte[][] reversed = new byte[n][];
    for (int i = 0; i < n; i++) {
      reversed[i] = blocks[n - 1 - i];
    }
    byte[] f2 = concat(reversed);
    Ops ops = new Ops();
    Matcher.Result r = run(f1, new ByteArrayInputStream(f2), ops);
    // Blocks 64..99 are past the cap and come first in f2: literal. 63..0 are found.
    assertEquals(36L * BS, r.literalBytes());
    assertEquals((long) Matcher.MAX_CHAIN * BS, r.copiedBytes());
    assertTrue(ops.script().startsWith("L36864 C63+1 C62+1 "), ops.script());
    assertTrue(Ops.roundTrip(f1, f2, BS, false, Ops.Feed.BULK).patched().verified());
  }

  @Test
  void literalRuns_comeInPiecesOfAtMost64KiB() throws IOException {
    byte[] f2 = random(300_000, 17);
    Ops ops = new Ops();
    Matcher.Result r = run(random(10 * BS, 18), new ByteArrayInputStream(f2), ops);
    assertEquals("L300000", ops.script());
    assertArrayEquals(f2, ops.literals());
    assertTrue(ops.largestLiteral <= DeltaFormat.MAX_LITERAL);
    assertEquals(300_000, r.literalBytes());
    Ops empty = new Ops();
    new Matcher(Ops.signature(new byte[0], BS, 7)).deltify(new ByteArrayInputStream(f2), empty);
    assertTrue(empty.largestLiteral <= DeltaFormat.MAX_LITERAL);
    assertArrayEquals(f2, empty.literals());
  }

  @Test
  void resultReportsLengthFingerprintAndCounts() throws IOException {
    byte[] f1 = random(20 * BS, 19);
    byte[] f2 = concat(slice(f1, 0, 10 * BS), random(77, 20), slice(f1, 10 * BS, 20 * BS));
    Matcher.Result r = run(f1, new ByteArrayInputStream(f2), new Ops());
    assertEquals(f2.length, r.length());
    assertEquals(Ops.fingerprint(f2), r.fingerprint());
    assertEquals(77, r.literalBytes());
    assertEquals(20 * BS, r.copiedBytes());
  }

  /** The whole scan, with a slow stream and odd block sizes, gives the same operations as a fast one. */
  @ParameterizedTest
  @ValueSource(ints = {1, 7, 64, 1000, 1024})
  void oneByteReads_giveTheSameOperations(int blockSize) throws IOException {
    Random r = new Random(blockSize);
    byte[] f1 = random(40 * blockSize + 13, blockSize);
    byte[] f2 = f1.clone();
    for (int i = 0; i < 30; i++) {
      f2[r.nextInt(f2.length)] ^= 0x5a;
    }
    f2 = concat(slice(f2, 0, 9 * blockSize + 3), random(3 * blockSize + 1, 21), slice(f2, 9 * blockSize + 3, f2.length));
    Signature sig = Ops.signature(f1, blockSize, 99);
    Matcher m = new Matcher(sig);
    Ops bulk = new Ops();
    Matcher.Result a = m.deltify(new ByteArrayInputStream(f2), bulk);
    Ops slow = new Ops();
    Matcher.Result b = m.deltify(new Ops.OneByte(new ByteArrayInputStream(f2)), slow);
    assertEquals(bulk.script(), slow.script());
    assertArrayEquals(bulk.literals(), slow.literals());
    assertEquals(a, b);
  }

  /**
   * The matcher's inlined rolling checksum against {@link RollingChecksum}: a 1-byte insertion puts every
   * block at an offset one byte off the window's start, so each match needs the rolled value to be exact.
   */
  @Test
  void inlinedRollingChecksum_findsBlocksAtEveryShift() throws IOException {
    byte[] f1 = random(50 * BS, 22);
    for (int shift = 1; shift < 40; shift += 3) {
      byte[] f2 = concat(random(shift, shift), f1);
      assertEquals("L" + shift + " C0+50", script(f1, f2, BS), "shift " + shift);
    }
    byte[] ones = new byte[12 * BS];
    Arrays.fill(ones, (byte) 0xff);
    byte[] f3 = concat(new byte[] {1, 2, 3}, ones);
    assertEquals("L3 C0+12", script(ones, f3, BS));
  }

  @Test
  void blockSizeBeyondTheLimit_isRefused() {
    Signature huge = new Signature(Matcher.MAX_BLOCK_SIZE + 1, 0, 0, new int[0], new long[0]);
    assertThrows(IllegalArgumentException.class, () -> new Matcher(huge));
  }
}
