package jsync.core.delta;

import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

/**
 * Large pseudo-random files as streams, never in memory: byte {@code i} of file {@code seed} is byte
 * {@code i % 8} of SplitMix64 word {@code i / 8}, so any range can be produced at ~1-2 GB/s without state.
 * {@link #edited} makes the new version of such a file: some bytes changed and a block of other bytes
 * inserted, as in the benchmark of issue 3.
 */
final class Generated extends InputStream {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** One piece of a generated file: bytes {@code [from, to)} of file {@code seed}. */
  private record Piece(long seed, long from, long to) {}

  private final Piece[] pieces;
  /** Old-file offsets of changed bytes, sorted; they apply to pieces of {@link #changedSeed}. */
  private final long[] changes;
  private final long changedSeed;
  private int piece;
  private long pos;

  private Generated(Piece[] pieces, long[] changes, long changedSeed) {
    this.pieces = pieces;
    this.changes = changes;
    this.changedSeed = changedSeed;
    this.pos = pieces.length > 0 ? pieces[0].from : 0;
  }

  /** File {@code seed}, {@code size} bytes long. */
  static Generated file(long seed, long size) {
    return new Generated(new Piece[] {new Piece(seed, 0, size)}, new long[0], seed);
  }

  /**
   * File {@code seed} of {@code size} bytes with {@code changes} single bytes flipped at places chosen
   * with {@code changeSeed} (distinct, so none undoes another), and {@code insertLength} bytes of file {@code seed + 1} inserted at
   * {@code insertAt}.
   */
  static Generated edited(long seed, long size, int changes, long changeSeed, long insertAt,
      long insertLength) {
    Random r = new Random(changeSeed);
    long[] at = r.longs(0, size).distinct().limit(changes).sorted().toArray();
    Piece[] pieces = {
      new Piece(seed, 0, insertAt), new Piece(seed + 1, 0, insertLength), new Piece(seed, insertAt, size)
    };
    return new Generated(pieces, at, seed);
  }

  static long word(long seed, long k) {
    long z = seed * 0x632BE59BD9B4E019L + k * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Writes bytes {@code [from, from+len)} of file {@code seed} to {@code b[off...]}. */
  static void fill(long seed, long from, byte[] b, int off, int len) {
    int i = 0;
    while (i < len && ((from + i) & 7) != 0) {
      b[off + i] = (byte) (word(seed, (from + i) >>> 3) >>> (8 * ((from + i) & 7)));
      i++;
    }
    for (; i + 8 <= len; i += 8) {
      LONGS.set(b, off + i, word(seed, (from + i) >>> 3));
    }
    for (; i < len; i++) {
      b[off + i] = (byte) (word(seed, (from + i) >>> 3) >>> (8 * ((from + i) & 7)));
    }
  }

  @Override
  public int read() {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    while (piece < pieces.length && pos == pieces[piece].to) {
      piece++;
      pos = piece < pieces.length ? pieces[piece].from : 0;
    }
    if (piece == pieces.length) {
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    Piece p = pieces[piece];
    int n = (int) Math.min(len, p.to - pos);
    fill(p.seed, pos, b, off, n);
    if (p.seed == changedSeed && changes.length > 0) {
      int c = Arrays.binarySearch(changes, pos);
      for (c = c < 0 ? -c - 1 : c; c < changes.length && changes[c] < pos + n; c++) {
        b[off + (int) (changes[c] - pos)] ^= 0x5A;
      }
    }
    pos += n;
    return n;
  }
}
