package jsync.transport.ssh;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An output stream that keeps only the last {@link #CAPACITY} bytes written to it: the remote command's
 * standard error, kept for error messages. Writes never block (the SSH layer writes stderr from its I/O
 * thread, and a blocked stderr would stall the channel), and memory stays bounded however much is written.
 */
final class StderrTail extends OutputStream {
  /** Enough for the last lines of a shell or Java error message; a stack trace is cut at the top. */
  static final int CAPACITY = 8 * 1024;

  private final byte[] ring = new byte[CAPACITY];
  private long written;

  @Override
  public synchronized void write(int b) {
    ring[(int) (written++ % CAPACITY)] = (byte) b;
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    // Only the last CAPACITY bytes of a long write can survive.
    if (len > CAPACITY) {
      off += len - CAPACITY;
      written += len - CAPACITY;
      len = CAPACITY;
    }
    for (int i = 0; i < len; i++) {
      ring[(int) (written++ % CAPACITY)] = b[off + i];
    }
  }

  /** The kept bytes as text (UTF-8, malformed sequences replaced), without trailing whitespace. */
  synchronized String text() {
    int n = (int) Math.min(written, CAPACITY);
    byte[] out = new byte[n];
    int start = (int) ((written - n) % CAPACITY);
    for (int i = 0; i < n; i++) {
      out[i] = ring[(start + i) % CAPACITY];
    }
    String s = new String(out, StandardCharsets.UTF_8).stripTrailing();
    return written > CAPACITY ? "..." + s : s;
  }
}
