package jsync.core.testing;

import java.io.ByteArrayOutputStream;
import jsync.core.delta.HashedOutput;
import jsync.core.delta.XxHash;
import net.jpountz.xxhash.StreamingXXHash64;

/**
 * An output that keeps and hashes what it is given, as the applier's sink into a temporary file does, and
 * counts how often its hash is asked for. Given {@code claimed} bytes, it reports their hash instead of the
 * real one (a sink whose hash disagrees with its bytes).
 */
public final class HashingSink extends ByteArrayOutputStream implements HashedOutput {
  private final StreamingXXHash64 hash = XxHash.streaming(0);
  private final byte[] claimed;
  private int hashQueries;

  public HashingSink() {
    this(null);
  }

  public HashingSink(byte[] claimed) {
    this.claimed = claimed;
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    super.write(b, off, len);
    hash.update(b, off, len);
  }

  @Override
  public long hashSoFar() {
    hashQueries++;
    return claimed != null ? XxHash.hash(claimed, 0, claimed.length, 0) : hash.getValue();
  }

  /** How often {@link #hashSoFar} was called. */
  public int hashQueries() {
    return hashQueries;
  }
}
