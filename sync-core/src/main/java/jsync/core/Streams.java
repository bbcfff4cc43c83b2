package jsync.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Copying between streams in chunks large enough for file contents. */
public final class Streams {
  /**
   * Bytes per read and write. {@code InputStream.transferTo} moves 8 KiB at a time, and over the protocol
   * each write is a frame: LZ4, a frame header, an SSH packet and a receive-buffer slot each (and a file
   * write and a hash update per frame on the receiver). 128 KiB frames cost those once per 128 KiB.
   */
  public static final int CHUNK = 128 * 1024;
  private static final int MIN_BUFFER = 8192;

  private Streams() {}

  /**
   * Copies all of {@code in} to {@code out}; returns the number of bytes. Closes neither.
   *
   * @param expected how many bytes are expected: a small file gets a buffer its size, not {@link #CHUNK}
   */
  public static long copy(InputStream in, OutputStream out, long expected) throws IOException {
    byte[] buf = new byte[(int) Math.max(MIN_BUFFER, Math.min(CHUNK, expected + 1))];
    long total = 0;
    int n;
    while ((n = in.read(buf, 0, buf.length)) >= 0) {
      if (n > 0) {
        out.write(buf, 0, n);
        total += n;
      }
    }
    return total;
  }
}
