package jsync.core.model;

/**
 * The content hash of a regular file: xxHash64 (seed 0) of its bytes, as computed by lz4-java's
 * {@code XXHashFactory}. Together with the size it identifies a file's content for change detection. It is
 * not a cryptographic hash; it guards against accidental equality, not against an adversary who controls
 * both replicas' contents.
 *
 * <p>{@link #UNKNOWN} is the fingerprint of a new file the scanner did not read yet: a file that only one
 * replica has needs no comparison, and its hash is computed while it is copied, so a first synchronization
 * reads each file once instead of twice. Anything that compares contents first makes sure both sides are
 * known ({@code SyncRun} hashes them on demand); an unknown fingerprint never reaches an archive, and
 * {@link #xxh64()} refuses to give a value for it.
 */
public record Fingerprint(long xxh64, boolean known) {
  public static final Fingerprint UNKNOWN = new Fingerprint(0, false);

  public Fingerprint {
    if (!known && xxh64 != 0) {
      throw new IllegalArgumentException("an unknown fingerprint has no value");
    }
  }

  public static Fingerprint of(long xxh64) {
    return new Fingerprint(xxh64, true);
  }

  /** Parses the 16-digit hex form written by {@link #toString}. */
  public static Fingerprint parse(String hex) {
    return of(Long.parseUnsignedLong(hex, 16));
  }

  /** The hash; only for a known fingerprint. */
  @Override
  public long xxh64() {
    if (!known) {
      throw new IllegalStateException("the content of this file was not hashed yet");
    }
    return xxh64;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Fingerprint f && known == f.known && xxh64 == f.xxh64;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(xxh64);
  }

  @Override
  public String toString() {
    return known ? String.format("%016x", xxh64) : "unknown";
  }
}
