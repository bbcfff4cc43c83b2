package jsync.core.delta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * Bytes of delta, not time, on the shape of change the benchmark uses (issue 3: scattered byte changes
 * plus an insertion in the middle), at 10 MiB so it runs with every build. The heavy variant is
 * {@link DeltaHeavyTest}.
 */
class DeltaSizeTest {
  private static byte[] readAll(InputStream in) throws IOException {
    return in.readAllBytes();
  }

  /**
   * 10 MiB of random bytes, 100 of them changed and 1 MiB inserted in the middle. The block size is
   * {@link SignatureBuilder#blockSizeFor}'s, 3240 here.
   *
   * <p>The bound: a changed byte spoils the one block that holds it, which then goes as literal (at most
   * {@code blockSize} bytes: the window finds the next block exactly one block later); the insertion goes
   * as literal together with the block it lands in (the bytes of that block before and after it); every
   * other byte is a copy. So literal bytes are at most {@code 100 x blockSize + 1 MiB + blockSize}. On the
   * wire add at most 4 bytes per literal run and 64 KiB piece, 11 per copy (about 200 of each) and 30 for
   * header and end: 4 KiB covers it. Random data does not compress, so LZ4 cannot help or hurt.
   */
  @Test
  void tenMiB_100ChangesAnd1MiBInsertion_costAboutTheChangedBlocks() throws IOException {
    int size = 10 << 20;
    byte[] f1 = readAll(Generated.file(1, size));
    byte[] f2 = readAll(Generated.edited(1, size, 100, 2, size / 2 + 12_345, 1 << 20));
    int bs = SignatureBuilder.blockSizeFor(size);

    Ops.Trip t = Ops.roundTrip(f1, f2, bs, true, Ops.Feed.BULK);

    assertTrue(t.patched().verified());
    assertArrayEquals(f2, t.rebuilt());
    long maxLiteral = 101L * bs + (1 << 20);
    long maxDelta = maxLiteral + 4096;
    System.out.printf("10 MiB, block %d: %d literal bytes (bound %d), delta %d bytes (bound %d), %d copies%n",
        bs, t.matched().literalBytes(), maxLiteral, t.delta().length, maxDelta, t.copyOps());
    assertTrue(t.matched().literalBytes() <= maxLiteral, t.matched().toString());
    assertTrue(t.delta().length <= maxDelta, "delta of " + t.delta().length + " bytes");
    // And not far below: the bound is what rsync sends too, so a much smaller delta means lost data.
    assertTrue(t.matched().literalBytes() >= (1 << 20) + 90L * bs, t.matched().toString());
  }

  /**
   * Text compresses: with LZ4 on, the delta of an edited text file is well under its literal bytes.
   * 2 MiB of words, 50 words replaced.
   */
  @Test
  void editedText_literalsShrinkWithLz4() throws IOException {
    byte[] words = "replica archive fingerprint root conflict plan action stamp entry problem\n".getBytes();
    java.util.Random r = new java.util.Random(3);
    byte[] f1 = new byte[2 << 20];
    for (int i = 0; i < f1.length; ) {
      int w = r.nextInt(10);
      for (int j = 0; j < 8 && i < f1.length; j++) {
        f1[i++] = words[(w * 7 + j) % words.length];
      }
    }
    byte[] f2 = f1.clone();
    for (int i = 0; i < 50; i++) {
      int at = r.nextInt(f2.length - 8);
      System.arraycopy("EDITED!!".getBytes(), 0, f2, at, 8);
    }
    int bs = SignatureBuilder.blockSizeFor(f1.length);

    Ops.Trip packed = Ops.roundTrip(f1, f2, bs, true, Ops.Feed.BULK);
    Ops.Trip plain = Ops.roundTrip(f1, f2, bs, false, Ops.Feed.BULK);

    assertTrue(packed.patched().verified() && plain.patched().verified());
    System.out.printf("2 MiB text, block %d: %d literal bytes, delta %d bytes with LZ4, %d without%n",
        bs, packed.matched().literalBytes(), packed.delta().length, plain.delta().length);
    assertTrue(packed.matched().literalBytes() <= 50L * bs);
    assertTrue(packed.delta().length < plain.delta().length / 2,
        packed.delta().length + " vs " + plain.delta().length);
  }
}
