package jsync.core.scan;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import jsync.core.delta.Signature;
import jsync.core.delta.SignatureBuilder;
import jsync.core.delta.XxHash;
import jsync.core.model.Fingerprint;
import net.jpountz.xxhash.StreamingXXHash64;

/**
 * Reads a file once to compute its {@link Fingerprint} and, for large files, its block {@link Signature}.
 * Holds a reusable buffer, so one instance per thread.
 */
public final class Hasher {
  /** Files up to this size are read into the buffer whole and hashed in one call. */
  private static final int BUFFER_SIZE = 1 << 20;

  private final byte[] buffer = new byte[BUFFER_SIZE];
  private final ByteBuffer wrapped = ByteBuffer.wrap(buffer);

  /** What one read of a file gave. {@code length} may differ from the size asked for if it changed. */
  public record Result(Fingerprint fingerprint, long length, Optional<Signature> signature) {}

  /**
   * Hashes the regular file at {@code path}, expected to hold {@code size} bytes; a signature is computed
   * when the file is at least {@link SignatureBuilder#MIN_STORED_SIZE}. If the file turns out to have a
   * different length, the result says so and carries no signature: the caller sees a changed stamp anyway.
   */
  public Result hash(Path path, long size, long signatureSeed) throws IOException {
    return hash(path, size, signatureSeed, true);
  }

  /**
   * As {@link #hash(Path, long, long)} without the block signature, which costs more than the hash itself
   * (1 GiB: ~0.35 s of xxHash, ~0.55 s more for the signature).
   */
  public Result hashOnly(Path path, long size) throws IOException {
    return hash(path, size, 0, false);
  }

  private Result hash(Path path, long size, long signatureSeed, boolean withSignature) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      if (size < BUFFER_SIZE && (size < SignatureBuilder.MIN_STORED_SIZE || !withSignature)) {
        int n = readFully(ch, buffer.length);
        return new Result(Fingerprint.of(XxHash.hash(buffer, 0, n, 0)), n, Optional.empty());
      }
      SignatureBuilder sig = withSignature && size >= SignatureBuilder.MIN_STORED_SIZE
          ? new SignatureBuilder(size, signatureSeed) : null;
      try (StreamingXXHash64 h = XxHash.streaming(0)) {
        long total = 0;
        int n;
        while ((n = readFully(ch, buffer.length)) > 0) {
          h.update(buffer, 0, n);
          if (sig != null && total + n <= size) {
            sig.update(buffer, 0, n);
          }
          total += n;
        }
        Optional<Signature> signature = sig != null && total == size ? Optional.of(sig.finish())
            : Optional.empty();
        return new Result(Fingerprint.of(h.getValue()), total, signature);
      }
    }
  }

  /** Fills up to {@code max} bytes of the buffer; fewer only at end of file. */
  private int readFully(FileChannel ch, int max) throws IOException {
    wrapped.clear().limit(max);
    while (wrapped.hasRemaining()) {
      if (ch.read(wrapped) < 0) {
        break;
      }
    }
    return wrapped.position();
  }
}
