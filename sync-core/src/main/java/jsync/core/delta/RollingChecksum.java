package jsync.core.delta;

/**
 * rsync's weak rolling checksum over a block of {@code n} bytes x<sub>0</sub>..x<sub>n-1</sub>:
 * {@code a = Σ x_i mod 2^16}, {@code b = Σ (n - i)·x_i mod 2^16}, value {@code a | b << 16}. Sliding the
 * window one byte costs O(1) ({@link #roll}), which is what lets the sender test a candidate block at every
 * offset. Bytes are taken unsigned.
 */
public final class RollingChecksum {
  private int a;
  private int b;
  private int length;

  /** Starts over on {@code buf[off, off+len)}. */
  public void reset(byte[] buf, int off, int len) {
    // b = Σ (n - i)·x_i is the sum of the running sums of a: byte i is in n - i of them. Adds only, as
    // rsync computes it; the int sums overflow harmlessly (only their low 16 bits are kept).
    int sa = 0;
    int sb = 0;
    int end = off + len;
    for (int i = off; i < end; i++) {
      sa += buf[i] & 0xff;
      sb += sa;
    }
    a = sa & 0xffff;
    b = sb & 0xffff;
    length = len;
  }

  /** Slides the window: {@code out} leaves at the front, {@code in} enters at the back. */
  public void roll(byte out, byte in) {
    int xo = out & 0xff;
    a = (a - xo + (in & 0xff)) & 0xffff;
    b = (b - length * xo + a) & 0xffff;
  }

  public int value() {
    return a | (b << 16);
  }

  /** The checksum of one block, without keeping state. */
  public static int of(byte[] buf, int off, int len) {
    RollingChecksum c = new RollingChecksum();
    c.reset(buf, off, len);
    return c.value();
  }
}
