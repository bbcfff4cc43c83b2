package jsync.core.delta;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

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

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  /** Bytes 0, 2, 4, 6 (or, shifted, 1, 3, 5, 7) of a word as four 16-bit lanes. */
  private static final long LANES = 0x00FF00FF00FF00FFL;
  /** Multipliers whose product's top lane is the sum of the four lanes, and their weighted sums. */
  private static final long SUM = 0x0001000100010001L;
  private static final long EVEN_WEIGHTS = 0x0008000600040002L;  // 8·y0 + 6·y2 + 4·y4 + 2·y6
  private static final long ODD_WEIGHTS = 0x0007000500030001L;   // 7·y1 + 5·y3 + 3·y5 + 1·y7

  /** Starts over on {@code buf[off, off+len)}. */
  public void reset(byte[] buf, int off, int len) {
    // b = Σ (n - i)·x_i is the sum of the running sums of a: byte i is in n - i of them. Eight bytes
    // y_0..y_7 at a time: b grows by 8·a + Σ (8 - j)·y_j and a by Σ y_j, both sums taken from one
    // little-endian word by multiplying its 16-bit lanes (even and odd bytes apart): the top lane of the
    // product collects Σ lane·weight, and no lane can carry into it (at most 4·255·8). The receiver
    // computes this for the blocks of each large file it writes (those it cannot take from a delta's
    // basis), under C1: 2x faster than the byte loop there (docs/benchmarks.md). The int sums overflow harmlessly: only their low 16 bits are kept.
    int a = 0;
    int b = 0;
    int i = off;
    int words = off + (len & ~7);
    for (; i < words; i += 8) {
      long w = (long) LONGS.get(buf, i);
      long even = w & LANES;
      long odd = (w >>> 8) & LANES;
      b += (a << 3) + (int) ((even * EVEN_WEIGHTS) >>> 48) + (int) ((odd * ODD_WEIGHTS) >>> 48);
      a += (int) (((even + odd) * SUM) >>> 48);
    }
    for (int end = off + len; i < end; i++) {
      a += buf[i] & 0xff;
      b += a;
    }
    this.a = a & 0xffff;
    this.b = b & 0xffff;
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
