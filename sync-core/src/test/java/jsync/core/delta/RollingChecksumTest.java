package jsync.core.delta;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Rolling the window one byte must give what computing it afresh gives, at every offset. */
class RollingChecksumTest {
  /** The definition, written out independently: a = Σ x_i, b = Σ (n - i)·x_i, both mod 2^16. */
  private static int definition(byte[] buf, int off, int n) {
    long a = 0;
    long b = 0;
    for (int i = 0; i < n; i++) {
      int x = buf[off + i] & 0xff;
      a += x;
      b += (long) (n - i) * x;
    }
    return (int) ((a & 0xffff) | ((b & 0xffff) << 16));
  }

  private static void assertRollsLikeRecompute(byte[] data, int window, int step) {
    RollingChecksum c = new RollingChecksum();
    c.reset(data, 0, window);
    for (int off = 0; ; off++) {
      if (off % step == 0 || off == data.length - window) {
        int expected = definition(data, off, window);
        assertEquals(expected, c.value(), "window " + window + " at offset " + off);
        assertEquals(expected, RollingChecksum.of(data, off, window));
      }
      if (off + window >= data.length) {
        break;
      }
      c.roll(data[off], data[off + window]);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 7, 8, 9, 15, 16, 17, 64, 1024, 4099})
  void rollEqualsRecompute_atEveryOffsetOfRandomData(int window) {
    byte[] data = new byte[20_000];
    new Random(31L * window).nextBytes(data);
    assertRollsLikeRecompute(data, window, 1);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 8, 13, 1024, 4099})
  void rollEqualsRecompute_overZerosAndAllOnes(int window) {
    byte[] zeros = new byte[10_000];
    assertRollsLikeRecompute(zeros, window, 1);
    assertEquals(0, RollingChecksum.of(zeros, 0, window));
    byte[] ones = new byte[10_000];
    Arrays.fill(ones, (byte) 0xff); // unsigned 255: a signed read would show here
    assertRollsLikeRecompute(ones, window, 1);
  }

  @ParameterizedTest
  @ValueSource(ints = {1024, 4099})
  void rollEqualsRecompute_overRepetitiveData(int window) {
    byte[] data = new byte[12_000];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) "abcabcabd".charAt(i % 9);
    }
    assertRollsLikeRecompute(data, window, 1);
  }

  /** Every short length, at an odd offset: whole eight-byte words and the bytes after them join right. */
  @org.junit.jupiter.api.Test
  void reset_matchesTheDefinition_forEveryLength() {
    byte[] data = new byte[700];
    new Random(9).nextBytes(data);
    for (int len = 0; len <= 600; len++) {
      assertEquals(definition(data, 3, len), RollingChecksum.of(data, 3, len), "length " + len);
    }
  }

  /** 128 KiB, the largest block: the int sums overflow, which must not matter mod 2^16. */
  @ParameterizedTest
  @ValueSource(ints = {128 * 1024})
  void rollEqualsRecompute_forTheLargestBlock(int window) {
    byte[] data = new byte[window + 50_000];
    new Random(5).nextBytes(data);
    Arrays.fill(data, 0, window, (byte) 0xff);
    assertRollsLikeRecompute(data, window, 997);
  }
}
