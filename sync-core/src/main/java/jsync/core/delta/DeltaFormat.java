package jsync.core.delta;

import net.jpountz.lz4.LZ4Factory;

/**
 * Constants of the encoded delta, version {@link #VERSION}; the format is described in {@code docs/delta.md}.
 * Remember to bump the version, and update the doc, when anything here or in the encoder changes.
 */
final class DeltaFormat {
  /** First byte of every encoded delta. */
  static final int VERSION = 1;

  /** Ends the delta; followed by the new file's length (varlong) and xxHash64 (8 bytes, little-endian). */
  static final int END = 0x00;
  /** Copy: first block (varint), block count (varint). */
  static final int COPY = 0x01;
  /** Literal bytes as they are: length (varint), bytes. */
  static final int LITERAL = 0x02;
  /** LZ4-compressed literal bytes: length once decompressed (varint), compressed length (varint), bytes. */
  static final int LITERAL_LZ4 = 0x03;

  /**
   * The largest literal in one operation. It bounds what a decoder buffers per operation (here ~130 KiB
   * with the LZ4 buffers) however hostile the input, and it is large enough that the 2-6 header bytes per
   * operation are noise (under 0.01 %) and LZ4 sees enough context to compress.
   */
  static final int MAX_LITERAL = 64 * 1024;

  /** Longest LZ4 output for a literal of {@code n} bytes: what a decoder accepts as compressed length. */
  static int maxCompressedLength(int n) {
    return LZ4Factory.fastestInstance().fastCompressor().maxCompressedLength(n);
  }

  /** Largest encoded operation: tag, two varints and a worst-case LZ4 body. A decoder's buffer holds one. */
  static final int MAX_OP = 1 + 5 + 5 + maxCompressedLength(MAX_LITERAL);

  private DeltaFormat() {}

  /** Bytes of the unsigned LEB128 form of {@code v >= 0}. */
  static int varintSize(long v) {
    int n = 1;
    while ((v >>>= 7) != 0) {
      n++;
    }
    return n;
  }

  /** Writes {@code v >= 0} as unsigned LEB128 at {@code b[p]}; returns the position after it. */
  static int putVarint(byte[] b, int p, long v) {
    while ((v & ~0x7FL) != 0) {
      b[p++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    b[p++] = (byte) v;
    return p;
  }
}
