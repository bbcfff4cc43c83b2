package jsync.core.delta;

import java.util.Arrays;

/**
 * The block signature of one version of a file, rsync style: for each block of {@code blockSize} bytes (the
 * last one may be shorter) a weak {@link RollingChecksum} and a strong xxHash64 with {@code seed}. The
 * receiver of a delta transfer sends it; the sender finds the receiver's blocks in the new version with it.
 * The archive keeps it for large files so the next transfer does not have to read the old version.
 */
public final class Signature {
  private final int blockSize;
  private final long seed;
  private final long fileSize;
  private final int[] weak;
  private final long[] strong;

  public Signature(int blockSize, long seed, long fileSize, int[] weak, long[] strong) {
    if (blockSize <= 0) {
      throw new IllegalArgumentException("block size " + blockSize);
    }
    if (weak.length != strong.length || weak.length != blockCount(fileSize, blockSize)) {
      throw new IllegalArgumentException("signature of " + fileSize + " bytes in blocks of " + blockSize
          + " needs " + blockCount(fileSize, blockSize) + " blocks, has " + weak.length + "/" + strong.length);
    }
    this.blockSize = blockSize;
    this.seed = seed;
    this.fileSize = fileSize;
    this.weak = weak.clone();
    this.strong = strong.clone();
  }

  public static int blockCount(long fileSize, int blockSize) {
    long n = (fileSize + blockSize - 1) / blockSize;
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("too many blocks: " + n);
    }
    return (int) n;
  }

  public int blockSize() {
    return blockSize;
  }

  public long seed() {
    return seed;
  }

  public long fileSize() {
    return fileSize;
  }

  public int blockCount() {
    return weak.length;
  }

  public int weak(int block) {
    return weak[block];
  }

  public long strong(int block) {
    return strong[block];
  }

  /** Length of block {@code i}: {@code blockSize}, except possibly the last. */
  public int blockLength(int i) {
    long start = (long) i * blockSize;
    return (int) Math.min(blockSize, fileSize - start);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Signature s && blockSize == s.blockSize && seed == s.seed && fileSize == s.fileSize
        && Arrays.equals(weak, s.weak) && Arrays.equals(strong, s.strong);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(strong) * 31 + blockSize;
  }

  @Override
  public String toString() {
    return "Signature[" + blockCount() + " blocks of " + blockSize + ", " + fileSize + " bytes]";
  }
}
