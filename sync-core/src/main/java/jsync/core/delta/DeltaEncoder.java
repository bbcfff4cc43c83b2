package jsync.core.delta;

import java.io.IOException;
import java.io.OutputStream;
import jsync.core.model.Fingerprint;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * Writes delta operations as bytes, in the self-delimiting format of {@code docs/delta.md} (version
 * 1): a header naming the basis signature's block size and file size, one tagged
 * operation per {@link #copy} or {@link #literal} call, and an end marker carrying the new file's length
 * and fingerprint, written by {@link #finish}. The protocol cuts the bytes into frames; the decoder needs
 * no framing of its own.
 *
 * <p>With compression on, each literal piece is LZ4-compressed and sent compressed only if that makes it
 * smaller (incompressible data costs almost nothing: LZ4 skips it at GB/s). Small operations are gathered
 * in a buffer; large literal bodies go straight to the stream. The stream is flushed by {@link #finish},
 * never closed. Not thread-safe.
 */
public final class DeltaEncoder implements DeltaSink {
  /** Literals shorter than this are not worth an LZ4 call: at best a few bytes saved. */
  private static final int MIN_COMPRESS = 64;

  private final Signature basis;
  private final OutputStream out;
  private final LZ4Compressor compressor;
  private final byte[] ob = new byte[8 * 1024];
  private int on;
  private byte[] packed;
  private long written;
  private boolean started;
  private boolean finished;

  /**
   * @param basis the signature the operations refer to (the receiver's), for the header and for checks
   * @param out where the encoded delta goes
   * @param compress whether to try LZ4 on literals (the {@code compress} preference)
   */
  public DeltaEncoder(Signature basis, OutputStream out, boolean compress) {
    this.basis = basis;
    this.out = out;
    this.compressor = compress ? LZ4Factory.fastestInstance().fastCompressor() : null;
  }

  @Override
  public void copy(int block, int count) throws IOException {
    if (block < 0 || count < 1 || (long) block + count > basis.blockCount()) {
      throw new IllegalArgumentException("copy of blocks " + block + "+" + count + " from a basis of "
          + basis.blockCount() + " blocks");
    }
    begin(1 + 5 + 5);
    ob[on++] = DeltaFormat.COPY;
    on = DeltaFormat.putVarint(ob, on, block);
    on = DeltaFormat.putVarint(ob, on, count);
  }

  @Override
  public void literal(byte[] b, int off, int len) throws IOException {
    if (off < 0 || len < 0 || off > b.length - len) {
      throw new IndexOutOfBoundsException("literal [" + off + ", +" + len + ") of " + b.length + " bytes");
    }
    while (len > 0) {
      int n = Math.min(len, DeltaFormat.MAX_LITERAL);
      piece(b, off, n);
      off += n;
      len -= n;
    }
  }

  private void piece(byte[] b, int off, int len) throws IOException {
    if (compressor != null && len >= MIN_COMPRESS) {
      if (packed == null) {
        packed = new byte[compressor.maxCompressedLength(DeltaFormat.MAX_LITERAL)];
      }
      int c = compressor.compress(b, off, len, packed, 0, packed.length);
      if (c + DeltaFormat.varintSize(c) < len) {
        begin(1 + 5 + 5);
        ob[on++] = DeltaFormat.LITERAL_LZ4;
        on = DeltaFormat.putVarint(ob, on, len);
        on = DeltaFormat.putVarint(ob, on, c);
        body(packed, 0, c);
        return;
      }
    }
    begin(1 + 5);
    ob[on++] = DeltaFormat.LITERAL;
    on = DeltaFormat.putVarint(ob, on, len);
    body(b, off, len);
  }

  /**
   * Ends the delta with the new file's length and fingerprint (from {@link Matcher.Result}) and flushes the
   * stream. No operation may follow.
   */
  public void finish(long length, Fingerprint fingerprint) throws IOException {
    if (length < 0) {
      throw new IllegalArgumentException("length " + length);
    }
    begin(1 + 10 + 8);
    ob[on++] = DeltaFormat.END;
    on = DeltaFormat.putVarint(ob, on, length);
    long h = fingerprint.xxh64();
    for (int i = 0; i < 8; i++) {
      ob[on++] = (byte) (h >>> (8 * i));
    }
    finished = true;
    drain();
    out.flush();
  }

  /** Bytes of encoded delta so far, counting what is still buffered. */
  public long bytesWritten() {
    return written + on;
  }

  /** Makes room for {@code need} bytes in the buffer, after writing the header if it is not out yet. */
  private void begin(int need) throws IOException {
    if (finished) {
      throw new IllegalStateException("delta already finished");
    }
    if (!started) {
      started = true;
      ob[on++] = (byte) DeltaFormat.VERSION;
      on = DeltaFormat.putVarint(ob, on, basis.blockSize());
      on = DeltaFormat.putVarint(ob, on, basis.fileSize());
    }
    if (ob.length - on < need) {
      drain();
    }
  }

  /** Appends an operation's body: small ones are buffered, large ones written through. */
  private void body(byte[] b, int off, int len) throws IOException {
    if (len <= ob.length - on) {
      System.arraycopy(b, off, ob, on, len);
      on += len;
    } else {
      drain();
      out.write(b, off, len);
      written += len;
    }
  }

  private void drain() throws IOException {
    if (on > 0) {
      out.write(ob, 0, on);
      written += on;
      on = 0;
    }
  }
}
