package jsync.core.delta;

/**
 * Computes a {@link Signature} from bytes as they stream past, so the scanner and the applier get it from
 * the same single read that computes the file's fingerprint.
 */
public final class SignatureBuilder {
  /**
   * Files smaller than this go whole (compressed) and never have a signature: sending them costs about as
   * much as a delta's block list.
   */
  public static final long MIN_DELTA_SIZE = 256 * 1024;

  /**
   * Files of at least this size get their signature computed where their bytes pass anyway (a copy being
   * written, the hash of a first synchronization) and kept in the archive, so the next delta does not read
   * the old version again. A smaller basis is read and signed when a delta needs it, as rsync always does:
   * at most 8 MiB, a few milliseconds of checksums and one read. Signing every received file from 256 KiB
   * on cost a first copy of 10,000 files (986 MiB) 0.4 s of its 5.5 s, for deltas that may never come
   * (docs/benchmarks.md, 2026-12-07, fifth session).
   */
  public static final long MIN_STORED_SIZE = 8L << 20;

  private static final int MIN_BLOCK = 1024;
  private static final int MAX_BLOCK = 128 * 1024;

  private final int blockSize;
  private final long seed;
  private final long fileSize;
  private final int[] weak;
  private final long[] strong;
  private final byte[] block;
  /** Blocks known to be verbatim copies of a basis's, whose checksums are taken instead of computed; or null. */
  private final CopiedBlocks copies;
  private final long[] known = new long[2];
  private int filled;
  private int count;
  private int reused;
  private long seen;

  public SignatureBuilder(long fileSize, long seed) {
    this(fileSize, blockSizeFor(fileSize), seed);
  }

  public SignatureBuilder(long fileSize, int blockSize, long seed) {
    this(fileSize, blockSize, seed, null);
  }

  /**
   * @param copies where the bytes to come hold blocks of a basis verbatim (recorded before those bytes
   *     arrive): their checksums are taken from the basis's signature; null to compute every block
   */
  public SignatureBuilder(long fileSize, int blockSize, long seed, CopiedBlocks copies) {
    this.blockSize = blockSize;
    this.copies = copies;
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

  /**
   * The block size for a new version of a file rebuilt from a basis signed in blocks of
   * {@code basisBlockSize}: the basis's own if it is within an eighth of {@link #blockSizeFor(long)}'s choice,
   * so that the blocks the new version shares with its basis keep their places and their checksums can be
   * taken over ({@link CopiedBlocks}); else the usual size. A file that grew by 1 MiB from 1 GiB would
   * otherwise move from blocks of 32,768 to 32,784 bytes and share no block boundary with its old version.
   */
  public static int blockSizeFor(long fileSize, int basisBlockSize) {
    int usual = blockSizeFor(fileSize);
    return Math.abs(basisBlockSize - usual) <= usual / 8 ? basisBlockSize : usual;
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
    if (copies != null && copies.lookUp((long) count * blockSize, len, blockSize, seed, known)) {
      weak[count] = (int) known[0];
      strong[count] = known[1];
      reused++;
    } else {
      weak[count] = RollingChecksum.of(b, off, len);
      strong[count] = XxHash.hash(b, off, len, seed);
    }
    count++;
  }

  /** Blocks so far whose checksums were taken from a basis's signature instead of computed. */
  public int reusedBlocks() {
    return reused;
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
