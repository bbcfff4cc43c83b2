package jsync.core.delta;

import java.io.IOException;
import java.io.InputStream;
import jsync.core.model.Fingerprint;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Reads an encoded delta ({@code docs/delta.md}) and passes its operations to a {@link DeltaSink}, usually
 * a {@link Patcher}. The bytes come from the peer and are treated as hostile: every length and block
 * number is checked against the format's limits and the receiver's own {@link Signature} before anything
 * is allocated or copied, and anything malformed (truncated, trailing bytes, unknown version or operation,
 * a literal over 64 KiB, a block past the basis, LZ4 data that does not
 * decompress to its stated length, an end marker whose length disagrees with the operations) throws
 * {@link DeltaException}. Memory is bounded by one operation (about 130 KiB), whatever the input.
 *
 * <p>Push-style, so a pipelined protocol can feed frames of many files as they arrive: call
 * {@link #update} with each piece, in order and cut anywhere, then {@link #finish}. {@link #decode} does
 * both for a stream that holds exactly one delta. After any exception the decoder is unusable. Not
 * thread-safe.
 */
public final class DeltaDecoder {
  private static final int INCOMPLETE = -1;
  private static final LZ4SafeDecompressor LZ4 = LZ4Factory.fastestInstance().safeDecompressor();

  /** What the end marker says about the new file: what the sender read, as it read it. */
  public record Trailer(long length, Fingerprint fingerprint) {}

  private final Signature basis;
  private final DeltaSink sink;

  /** Bytes of an operation cut by the end of an {@link #update} piece, completed by the next. */
  private byte[] pending;
  private int pendingLen;
  private byte[] unpacked;
  /** Offset in the delta of the operation being parsed: every byte before it is consumed. */
  private long consumed;
  private boolean headerDone;
  private Trailer trailer;
  /** Bytes the operations so far stand for. */
  private long produced;
  // Second result of readVarint: the position after the varint.
  private int after;

  /**
   * @param basis the receiver's own signature of the basis: the delta's header must name the same block
   *     size and basis size, and its copies must stay within its blocks
   * @param sink where the decoded operations go
   */
  public DeltaDecoder(Signature basis, DeltaSink sink) {
    this.basis = basis;
    this.sink = sink;
  }

  /**
   * Decodes all of {@code in}, which must hold exactly one delta and end after it, to {@code sink}. The
   * stream is not closed.
   *
   * @throws DeltaException if the delta is malformed, including bytes after its end
   */
  public static Trailer decode(InputStream in, Signature basis, DeltaSink sink) throws IOException {
    DeltaDecoder d = new DeltaDecoder(basis, sink);
    byte[] b = new byte[64 * 1024];
    for (int n; (n = in.read(b)) >= 0; ) {
      d.update(b, 0, n);
    }
    return d.finish();
  }

  /**
   * Decodes the next piece of the delta: passes on every operation it completes and keeps the bytes of a
   * cut one. The array may be reused once this returns.
   *
   * @throws DeltaException if the bytes so far are malformed
   * @throws IOException from the sink
   */
  public void update(byte[] b, int off, int len) throws IOException {
    if (off < 0 || len < 0 || off > b.length - len) {
      throw new IndexOutOfBoundsException("[" + off + ", +" + len + ") of " + b.length + " bytes");
    }
    while (len > 0) {
      if (pendingLen == 0) {
        int used = parse(b, off, len);
        off += used;
        len -= used;
        if (len > 0) {
          // An operation is cut: it is shorter than MAX_OP, as parse() checked every length it read.
          if (pending == null) {
            pending = new byte[DeltaFormat.MAX_OP];
          }
          System.arraycopy(b, off, pending, 0, len);
          pendingLen = len;
          len = 0;
        }
      } else {
        int n = Math.min(len, pending.length - pendingLen);
        System.arraycopy(b, off, pending, pendingLen, n);
        off += n;
        len -= n;
        pendingLen += n;
        int used = parse(pending, 0, pendingLen);
        System.arraycopy(pending, used, pending, 0, pendingLen - used);
        pendingLen -= used;
        if (pendingLen == pending.length) {
          throw new IllegalStateException("an operation longer than " + DeltaFormat.MAX_OP + " bytes");
        }
      }
    }
  }

  /**
   * Ends decoding.
   *
   * @return what the end marker says about the new file
   * @throws DeltaException if the delta is incomplete
   */
  public Trailer finish() {
    if (trailer == null) {
      throw new DeltaException("delta truncated at byte " + (consumed + pendingLen)
          + (pendingLen > 0 ? ", inside an operation" : ", before its end marker"));
    }
    return trailer;
  }

  /**
   * Consumes the complete operations at the start of {@code b[off, off+len)} and returns how many bytes
   * they took; stops before a cut one. Every length is checked as soon as it is read, before waiting for
   * the bytes it announces, so a cut operation is never longer than {@link DeltaFormat#MAX_OP}.
   */
  private int parse(byte[] b, int off, int len) throws IOException {
    final int lim = off + len;
    int p = off;
    while (p < lim) {
      int q;
      if (!headerDone) {
        q = header(b, p, lim);
      } else if (trailer != null) {
        throw malformed("trailing bytes after the end marker");
      } else {
        int tag = b[p] & 0xff;
        switch (tag) {
          case DeltaFormat.COPY:
            q = copy(b, p, lim);
            break;
          case DeltaFormat.LITERAL:
            q = literal(b, p, lim);
            break;
          case DeltaFormat.LITERAL_LZ4:
            q = packedLiteral(b, p, lim);
            break;
          case DeltaFormat.END:
            q = end(b, p, lim);
            break;
          default:
            throw malformed("unknown operation " + tag);
        }
      }
      if (q == INCOMPLETE) {
        break;
      }
      consumed += q - p;
      p = q;
    }
    return p - off;
  }

  private int header(byte[] b, int p, int lim) {
    int version = b[p] & 0xff;
    if (version != DeltaFormat.VERSION) {
      throw malformed("delta format version " + version + ", expected " + DeltaFormat.VERSION);
    }
    long blockSize = readVarint(b, p + 1, lim, 5);
    if (after == INCOMPLETE) {
      return INCOMPLETE;
    }
    long fileSize = readVarint(b, after, lim, 10);
    if (after == INCOMPLETE) {
      return INCOMPLETE;
    }
    if (blockSize != basis.blockSize() || fileSize != basis.fileSize()) {
      throw malformed("delta made against a basis of " + fileSize + " bytes in blocks of " + blockSize
          + ", but ours is " + basis.fileSize() + " bytes in blocks of " + basis.blockSize());
    }
    headerDone = true;
    return after;
  }

  private int copy(byte[] b, int p, int lim) throws IOException {
    long block = readVarint(b, p + 1, lim, 5);
    if (after == INCOMPLETE) {
      return INCOMPLETE;
    }
    long count = readVarint(b, after, lim, 5);
    if (after == INCOMPLETE) {
      return INCOMPLETE;
    }
    int blocks = basis.blockCount();
    if (count < 1 || block >= blocks || count > blocks - block) {
      throw malformed("copy of blocks " + block + "+" + count + " from a basis of " + blocks
          + " blocks");
    }
    long startByte = block * basis.blockSize();
    produce(Math.min(count * basis.blockSize(), basis.fileSize() - startByte));
    int q = after;
    sink.copy((int) block, (int) count);
    return q;
  }

  private int literal(byte[] b, int p, int lim) throws IOException {
    long n = readVarint(b, p + 1, lim, 5);
    if (after == INCOMPLETE) {
      return INCOMPLETE;
    }
    checkLiteralLength(n);
    if (lim - after < n) {
      return INCOMPLETE;
    }
    int q = after;
    produce(n);
    sink.literal(b, q, (int) n);
    return q + (int) n;
  }

  private int packedLiteral(byte[] b, int p, int lim) throws IOException {
    long n = readVarint(b, p + 1, lim, 5);
    if (after == INCOMPLETE) {
      return INCOMPLETE;
    }
    checkLiteralLength(n);
    long c = readVarint(b, after, lim, 5);
    if (after == INCOMPLETE) {
      return INCOMPLETE;
    }
    int most = DeltaFormat.maxCompressedLength((int) n);
    if (c < 1 || c > most) {
      throw malformed("compressed literal of " + c + " bytes for " + n
          + " bytes; at most " + most + " expected");
    }
    if (lim - after < c) {
      return INCOMPLETE;
    }
    if (unpacked == null) {
      unpacked = new byte[DeltaFormat.MAX_LITERAL];
    }
    int got;
    try {
      got = LZ4.decompress(b, after, (int) c, unpacked, 0, (int) n);
    } catch (LZ4Exception e) {
      throw new DeltaException("malformed delta at byte " + consumed
          + ": compressed literal does not decompress to " + n + " bytes", e);
    }
    if (got != n) {
      throw malformed("compressed literal decompresses to " + got + " bytes, not " + n);
    }
    int q = after + (int) c;
    produce(n);
    sink.literal(unpacked, 0, (int) n);
    return q;
  }

  private int end(byte[] b, int p, int lim) {
    long length = readVarint(b, p + 1, lim, 10);
    if (after == INCOMPLETE) {
      return INCOMPLETE;
    }
    if (lim - after < 8) {
      return INCOMPLETE;
    }
    long h = 0;
    for (int i = 0; i < 8; i++) {
      h |= (b[after + i] & 0xffL) << (8 * i);
    }
    if (length != produced) {
      throw malformed("end marker says " + length + " bytes, the operations make " + produced);
    }
    trailer = new Trailer(length, Fingerprint.of(h));
    return after + 8;
  }

  private void checkLiteralLength(long n) {
    if (n < 1 || n > DeltaFormat.MAX_LITERAL) {
      throw malformed("literal of " + n + " bytes; the limit is " + DeltaFormat.MAX_LITERAL);
    }
  }

  private void produce(long n) {
    if (produced > Long.MAX_VALUE - n) {
      throw malformed("more than " + Long.MAX_VALUE + " bytes of output");
    }
    produced += n;
  }

  /**
   * Reads an unsigned LEB128 of at most {@code maxBytes} bytes at {@code b[p]}, setting {@link #after} to
   * the position after it, or to {@link #INCOMPLETE} if it runs past {@code lim}. Rejects over-long forms
   * (a final zero byte, or too many bytes) and values past {@code Long.MAX_VALUE} or, for 5-byte varints,
   * {@code Integer.MAX_VALUE}.
   */
  private long readVarint(byte[] b, int p, int lim, int maxBytes) {
    long v = 0;
    for (int i = 0; i < maxBytes; i++) {
      if (p + i >= lim) {
        after = INCOMPLETE;
        return 0;
      }
      int x = b[p + i];
      v |= (long) (x & 0x7f) << (7 * i);
      if (x >= 0) { // high bit clear: last byte
        if (x == 0 && i > 0) {
          throw malformed("over-long varint");
        }
        long max = maxBytes == 5 ? Integer.MAX_VALUE : Long.MAX_VALUE;
        if (v < 0 || v > max || (maxBytes == 10 && i == 9 && x > 1)) {
          throw malformed("varint out of range");
        }
        after = p + i + 1;
        return v;
      }
    }
    throw malformed("varint longer than " + maxBytes + " bytes");
  }

  /** An error in the operation that starts at byte {@link #consumed} of the delta. */
  private DeltaException malformed(String what) {
    return new DeltaException("malformed delta at byte " + consumed + ": " + what);
  }
}
