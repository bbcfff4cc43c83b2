package jsync.core.delta;

import static jsync.core.delta.Ops.concat;
import static jsync.core.delta.Ops.random;
import static jsync.core.delta.Ops.slice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The signature of a file rebuilt by a delta, with the checksums of the blocks it copied taken from the
 * basis's signature, is exactly the signature computed from the file's bytes, whatever the edit; and the
 * blocks that can be taken over are taken over.
 */
class CopiedBlocksTest {
  private static final int BS = 1024;
  private static final long SEED = 7;
  private static final byte[] OLD = random(40 * BS + 300, 1);  // its last block is 300 bytes

  private static byte[] flip(byte[] b, int... at) {
    byte[] c = b.clone();
    for (int i : at) {
      c[i] ^= 0x5A;
    }
    return c;
  }

  /** name, new version, blocks at least taken over, at most */
  static Stream<Arguments> edits() {
    byte[] insertAligned = concat(slice(OLD, 0, 20 * BS), random(3 * BS, 2), slice(OLD, 20 * BS, OLD.length));
    byte[] insertShifting = concat(slice(OLD, 0, 20 * BS), random(100, 3), slice(OLD, 20 * BS, OLD.length));
    byte[] repeated = concat(slice(OLD, 0, 5 * BS), slice(OLD, 0, 5 * BS), slice(OLD, 0, 5 * BS));
    return Stream.of(
        Arguments.of("unchanged", OLD, 41, 41),
        // Each changed byte costs its block; the last block (short) is copied to the end: taken over too.
        Arguments.of("bytes changed in place", flip(OLD, 10, 5 * BS + 3, 30 * BS + 1023), 38, 38),
        Arguments.of("whole blocks inserted", insertAligned, 41, 41),
        // After 100 bytes inserted, no block of the new file starts where a basis block does.
        Arguments.of("100 bytes inserted", insertShifting, 20, 20),
        Arguments.of("appended", concat(OLD, random(5000, 4)), 40, 40),
        Arguments.of("cut mid-block", slice(OLD, 0, 17 * BS + 512), 17, 17),
        Arguments.of("the short last block moved to the front", concat(slice(OLD, 40 * BS, OLD.length),
            slice(OLD, 0, 40 * BS)), 0, 0),
        Arguments.of("repeated blocks", repeated, 15, 15),
        Arguments.of("all new", random(OLD.length, 5), 0, 0),
        Arguments.of("empty", new byte[0], 0, 0),
        Arguments.of("shorter than a block", slice(OLD, 0, 700), 0, 0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("edits")
  void takenOverChecksums_giveTheComputedSignature(String name, byte[] updated, int atLeast, int atMost)
      throws IOException {
    Signature basis = Ops.signature(OLD, BS, SEED);
    CopiedBlocks copies = new CopiedBlocks();
    SignatureBuilder builder = new SignatureBuilder(updated.length, BS, SEED, copies);
    rebuild(OLD, basis, updated, copies, new Random(name.hashCode()), builder::update);
    assertEquals(Ops.signature(updated, BS, SEED), builder.finish(), name);
    assertTrue(builder.reusedBlocks() >= atLeast && builder.reusedBlocks() <= atMost,
        name + ": " + builder.reusedBlocks() + " blocks taken over");
  }

  /** A builder with another seed or another block size than the basis: nothing is taken over, and the signature is still right. */
  @Test
  void aBasisSignedOtherwise_isComputed() throws IOException {
    byte[] updated = flip(OLD, 5);
    Signature basis = Ops.signature(OLD, BS, SEED);
    for (int[] sizeAndSeed : new int[][] {{BS, (int) SEED + 1}, {2 * BS, (int) SEED}}) {
      CopiedBlocks copies = new CopiedBlocks();
      SignatureBuilder b = new SignatureBuilder(updated.length, sizeAndSeed[0], sizeAndSeed[1], copies);
      rebuild(OLD, basis, updated, copies, new Random(1), b::update);
      assertEquals(Ops.signature(updated, sizeAndSeed[0], sizeAndSeed[1]), b.finish());
      assertEquals(0, b.reusedBlocks());
    }
  }

  /**
   * The patcher records on its thread and the builder looks up on another, behind it, as the applier's
   * signature thread does for large files: every block is still taken over.
   */
  @Test
  void builderOnAnotherThread_seesEveryRunRecordedBeforeTheBytes() throws Exception {
    byte[] old = random(2000 * BS, 8);
    byte[] updated = concat(slice(old, 0, 700 * BS), random(BS, 9), slice(old, 701 * BS, old.length));
    Signature basis = Ops.signature(old, BS, SEED);
    CopiedBlocks copies = new CopiedBlocks();
    SignatureBuilder builder = new SignatureBuilder(updated.length, BS, SEED, copies);
    BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(4);
    CompletableFuture<Signature> aside = CompletableFuture.supplyAsync(() -> {
      try {
        for (byte[] b = queue.take(); b.length > 0; b = queue.take()) {
          builder.update(b, 0, b.length);
        }
        return builder.finish();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    rebuild(old, basis, updated, copies, new Random(3), (b, off, len) -> {
      try {
        queue.put(slice(b, off, off + len));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    queue.put(new byte[0]);
    assertEquals(Ops.signature(updated, BS, SEED), aside.get(30, TimeUnit.SECONDS));
    assertEquals(1999, builder.reusedBlocks());
  }

  @Test
  void blockSize_keepsTheBasisOnlyWhenClose() {
    int usual = SignatureBuilder.blockSizeFor(1L << 30);
    assertEquals(32768, usual);
    // 1 GiB grown by 1 MiB would get 32,784-byte blocks: it keeps 32,768.
    assertEquals(32784, SignatureBuilder.blockSizeFor((1L << 30) + (1 << 20)));
    assertEquals(32768, SignatureBuilder.blockSizeFor((1L << 30) + (1 << 20), 32768));
    // Grown fourfold: the usual size again.
    assertEquals(65536, SignatureBuilder.blockSizeFor(4L << 30, 32768));
    assertEquals(1024, SignatureBuilder.blockSizeFor(1000, 32768));
  }

  @Test
  void lookUp_dropsRunsItHasPassed_andRefusesPartialBlocks() {
    Signature basis = Ops.signature(OLD, BS, SEED);
    CopiedBlocks copies = new CopiedBlocks();
    copies.copied(0, basis, 3, 2);          // new [0, 2048) = basis blocks 3, 4
    copies.copied(2048 + 10, basis, 7, 1);  // new [2058, 3082) = basis block 7, not on a block boundary
    long[] into = new long[2];
    assertTrue(copies.lookUp(1024, BS, BS, SEED, into));
    assertEquals(basis.weak(4), (int) into[0]);
    assertEquals(basis.strong(4), into[1]);
    assertFalse(copies.lookUp(2048, BS, BS, SEED, into), "straddles the literal and block 7");
    assertFalse(copies.lookUp(0, BS, BS, SEED, into), "passed: dropped");
  }

  private interface Bytes {
    void accept(byte[] b, int off, int len) throws IOException;
  }

  /** Matcher, then patcher recording into {@code copies}, its output cut at random into {@code out}. */
  private static void rebuild(byte[] old, Signature basis, byte[] updated, CopiedBlocks copies, Random cuts,
      Bytes out) throws IOException {
    OutputStream cutting = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
          int n = Math.min(len, 1 + cuts.nextInt(3 * BS));
          out.accept(b, off, n);
          off += n;
          len -= n;
        }
      }
    };
    try (Patcher p = new Patcher(basis, new Ops.BytesChannel(old),
        Patcher.channelTo(cutting), updated.length, Ops.fingerprint(updated), copies)) {
      new Matcher(basis).deltify(new ByteArrayInputStream(updated), p);
      assertTrue(p.finish().verified());
    }
  }
}
