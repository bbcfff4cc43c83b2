package jsync.protocol;

import java.io.IOException;
import java.io.InputStream;

/** Hands out at most one byte per read and reports nothing available, like a slow network (okio's tests). */
final class OneByteInputStream extends InputStream {
  private final InputStream in;

  OneByteInputStream(InputStream in) {
    this.in = in;
  }

  @Override
  public int read() throws IOException {
    return in.read();
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    int c = in.read();
    if (c < 0) {
      return -1;
    }
    b[off] = (byte) c;
    return 1;
  }

  @Override
  public int available() {
    return 0;
  }
}
