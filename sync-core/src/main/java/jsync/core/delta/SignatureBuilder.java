package jsync.core.delta;

/**
 * Computes a {@link Signature} from bytes as they stream past, so the scanner and the applier get it from
 * the same single read that computes the file's fingerprint.
 */
public final class SignatureBuilder {
  /**
   * Files smaller than this get no stored signature: sending them whole (compressed) costs about as much as
   * a delta's block list, and skipping them keeps the archive small.
   */
  public static final long MIN_FILE_SIZE = 256 * 1024;

  private static final int MIN_BLOCK = 1024;
  private static final int MAX_BLOCK = 128 * 1024;

  private final int blockSize;
  private final long seed;
  private final long fileSize;
  private final int[] weak;
  private final long[] strong;
  private final byte[] block;
  private int filled;
  private int count;
  private long seen;

  public SignatureBuilder(long fileSize, long seed) {
    this(fileSize, blockSizeFor(fileSize), seed);
  }

  public SignatureBuilder(long fileSize, int blockSize, long seed) {
    this.blockSize = blockSize;
    this.seed = seed;
    this.fileSize = fileSize;
    int n = Signature.blockCount(fileSize, blockSize);
    this.weak = new int[n];
    this.strong = new long[n];
    this.block = new byte[blockSize];
  }

  /**
   * rsync's rule (about the square root of the size, so the block list and the expected literal data grow
   * alike), rounded to a multiple of 8 and kept within [1 KiB, 128 KiB], 128 KiB being rsync's
   * {@code MAX_BLOCK_SIZE}. A 1 GiB file gets 32768 blocks of 32 KiB: a 384 KiB signature.
   */
  public static int blockSizeFor(long fileSize) {
    long root = (long) Math.sqrt((double) fileSize);
    long rounded = (root + 7) & ~7L;
    return (int) Math.max(MIN_BLOCK, Math.min(MAX_BLOCK, rounded));
  }

  public void update(byte[] buf, int off, int len) {
    seen += len;
    if (seen > fileSize) {
      throw new IllegalStateException("file grew past its expected " + fileSize + " bytes");
    }
    while (len > 0) {
      if (filled == 0 && len >= blockSize) {
        // A whole block in the caller's buffer: checksummed where it is, not copied first.
        emit(buf, off, blockSize);
        off += blockSize;
        len -= blockSize;
        continue;
      }
      int n = Math.min(len, blockSize - filled);
      System.arraycopy(buf, off, block, filled, n);
      filled += n;
      off += n;
      len -= n;
      if (filled == blockSize) {
        emit();
      }
    }
  }

  private void emit() {
    emit(block, 0, filled);
    filled = 0;
  }

  private void emit(byte[] b, int off, int len) {
    weak[count] = RollingChecksum.of(b, off, len);
    strong[count] = XxHash.hash(b, off, len, seed);
    count++;
  }

  /** @throws IllegalStateException if fewer bytes than the announced size were seen */
  public Signature finish() {
    if (filled > 0) {
      emit();
    }
    if (seen != fileSize) {
      throw new IllegalStateException("saw " + seen + " bytes, expected " + fileSize);
    }
    return new Signature(blockSize, seed, fileSize, weak, strong);
  }
}
