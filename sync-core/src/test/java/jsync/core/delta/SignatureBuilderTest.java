package jsync.core.delta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jpountz.xxhash.XXHashFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Signatures: block counts and lengths at the edges, and independence from how the bytes are fed. */
class SignatureBuilderTest {
  private static final int BS = 1024;
  private static final long SEED = 0x1234_5678L;

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static Signature whole(byte[] data, int blockSize) {
    SignatureBuilder b = new SignatureBuilder(data.length, blockSize, SEED);
    b.update(data, 0, data.length);
    return b.finish();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, BS - 1, BS, BS + 1, 2 * BS, 5 * BS + 3})
  void blocksAtTheEdges_haveTheRightCountLengthsAndChecksums(int size) {
    byte[] data = random(size, size);

    Signature s = whole(data, BS);

    int expectedBlocks = (size + BS - 1) / BS;
    assertEquals(expectedBlocks, s.blockCount());
    assertEquals(expectedBlocks, Signature.blockCount(size, BS));
    assertEquals(size, s.fileSize());
    assertEquals(BS, s.blockSize());
    assertEquals(SEED, s.seed());
    long covered = 0;
    for (int i = 0; i < s.blockCount(); i++) {
      int len = s.blockLength(i);
      assertEquals(i < s.blockCount() - 1 ? BS : size - (long) i * BS, len, "block " + i);
      int off = i * BS;
      assertEquals(RollingChecksum.of(data, off, len), s.weak(i), "weak of block " + i);
      assertEquals(XXHashFactory.safeInstance().hash64().hash(data, off, len, SEED), s.strong(i),
          "strong of block " + i);
      covered += len;
    }
    assertEquals(size, covered);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, BS - 1, BS, BS + 1, 3 * BS + 17})
  void oneByteAtATime_givesTheSameSignatureAsOneUpdate(int size) {
    byte[] data = random(size, 100 + size);
    SignatureBuilder b = new SignatureBuilder(size, BS, SEED);
    for (int i = 0; i < size; i++) {
      b.update(data, i, 1);
    }
    assertEquals(whole(data, BS), b.finish());
  }

  @Test
  void randomChunksAndEmptyUpdates_giveTheSameSignatureAsOneUpdate() {
    Random r = new Random(77);
    byte[] data = random(300_001, 3);
    int blockSize = SignatureBuilder.blockSizeFor(data.length);
    SignatureBuilder b = new SignatureBuilder(data.length, SEED);
    int at = 0;
    while (at < data.length) {
      int n = Math.min(data.length - at, r.nextInt(3 * blockSize));
      b.update(data, at, n);
      at += n;
    }
    assertEquals(whole(data, blockSize), b.finish());
  }

  @Test
  void tooFewOrTooManyBytes_areRefused() {
    SignatureBuilder short1 = new SignatureBuilder(10, BS, SEED);
    short1.update(new byte[9], 0, 9);
    assertThrows(IllegalStateException.class, short1::finish);
    SignatureBuilder long1 = new SignatureBuilder(10, BS, SEED);
    assertThrows(IllegalStateException.class, () -> long1.update(new byte[11], 0, 11));
  }

  @Test
  void differentSeeds_giveDifferentStrongSums() {
    byte[] data = random(BS, 1);
    SignatureBuilder other = new SignatureBuilder(BS, BS, SEED + 1);
    other.update(data, 0, BS);
    Signature a = whole(data, BS);
    Signature b = other.finish();
    assertEquals(a.weak(0), b.weak(0));
    assertTrue(a.strong(0) != b.strong(0));
    assertTrue(!a.equals(b));
  }

  @Test
  void blockSizeFor_isAboutTheSquareRootWithinBounds() {
    assertEquals(1024, SignatureBuilder.blockSizeFor(0));
    assertEquals(1024, SignatureBuilder.blockSizeFor(SignatureBuilder.MIN_DELTA_SIZE));
    assertEquals(32 * 1024, SignatureBuilder.blockSizeFor(1L << 30));
    assertEquals(128 * 1024, SignatureBuilder.blockSizeFor(Long.MAX_VALUE));
    for (long size = 1; size > 0 && size < Long.MAX_VALUE / 3; size = size * 3 + 1) {
      int bs = SignatureBuilder.blockSizeFor(size);
      assertEquals(0, bs % 8, "block size for " + size);
      assertTrue(bs >= 1024 && bs <= 128 * 1024, "block size for " + size);
    }
  }

  @Test
  void signatureWithTheWrongNumberOfBlocks_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Signature(BS, 0, BS + 1, new int[1], new long[1]));
    assertThrows(IllegalArgumentException.class, () -> new Signature(BS, 0, BS, new int[1], new long[2]));
    assertThrows(IllegalArgumentException.class, () -> new Signature(0, 0, 0, new int[0], new long[0]));
  }
}
