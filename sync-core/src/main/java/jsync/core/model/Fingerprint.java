package jsync.core.model;

/**
 * The content hash of a regular file: xxHash64 (seed 0) of its bytes, as computed by lz4-java's
 * {@code XXHashFactory}. Together with the size it identifies a file's content for change detection. It is
 * not a cryptographic hash; it guards against accidental equality, not against an adversary who controls
 * both replicas' contents.
 */
public record Fingerprint(long xxh64) {
  public static Fingerprint of(long xxh64) {
    return new Fingerprint(xxh64);
  }

  /** Parses the 16-digit hex form written by {@link #toString}. */
  public static Fingerprint parse(String hex) {
    return new Fingerprint(Long.parseUnsignedLong(hex, 16));
  }

  @Override
  public String toString() {
    return String.format("%016x", xxh64);
  }
}
