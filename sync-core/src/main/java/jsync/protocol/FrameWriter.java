package jsync.protocol;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * Writes {@link Frame}s to an output stream (see docs/protocol.md for the encoding): a 10-byte header
 * (type, flags, channel, payload length, big-endian) and the payload, LZ4-compressed when that saves enough.
 *
 * <p>Thread-safe: any number of producers (the control loop, several content transfers) may write at once,
 * and each frame reaches the stream whole, never interleaved with another. Compression happens outside the
 * lock, so producers compress in parallel.
 *
 * <p>Flush policy: frames are buffered (64 KiB) and reach the peer only when the buffer fills or on
 * {@link #flush()}. Whoever is about to wait for the peer (after sending a request, or the last response of
 * a batch) must flush; content producers do not flush per frame, so bulk data leaves in large writes and
 * many small control messages share one. Forgetting to flush before waiting is a deadlock, so the session
 * layer should flush in one place: before blocking on the reader.
 *
 * <p>After a write fails the stream may hold half a frame, so every later write fails too.
 */
public final class FrameWriter implements Flushable, Closeable {
  /** Bytes of a frame header: type, flags, channel (4), payload length (4). */
  static final int HEADER_SIZE = 10;
  /** Flag bit 0: the payload is {@code original length (4 bytes)} followed by an LZ4 block. */
  static final int FLAG_LZ4 = 1;
  /** Flags a reader of this version understands; any other bit is an error. */
  static final int KNOWN_FLAGS = FLAG_LZ4;

  /**
   * Payloads shorter than this go uncompressed: LZ4 rarely gains on a few hundred bytes, and the 4-byte
   * length that compression adds eats what it does.
   */
  static final int MIN_COMPRESS = 256;

  private static final int BUFFER = 64 * 1024;
  private static final LZ4Compressor COMPRESSOR = LZ4Factory.fastestInstance().fastCompressor();
  /** One compression buffer per producer thread instead of a fresh ~1 MiB array per frame. */
  private static final ThreadLocal<byte[]> SCRATCH =
      ThreadLocal.withInitial(() -> new byte[4 + COMPRESSOR.maxCompressedLength(Frame.MAX_PAYLOAD)]);

  private final OutputStream out;
  private final boolean compress;
  private volatile int maxPayload;
  private final byte[] header = new byte[HEADER_SIZE];
  private boolean broken;

  /**
   * @param compress try LZ4 on control and data payloads (the profile's {@code compress}); off for fast
   *     links or already compressed content
   */
  public FrameWriter(OutputStream out, boolean compress) {
    this.out = new BufferedOutputStream(out, BUFFER);
    this.compress = compress;
    this.maxPayload = Frame.MAX_PAYLOAD;
  }

  /**
   * Lowers the largest payload this writer sends to what the peer said it accepts (its {@link
   * Message.Hello#maxFrameSize()}); the handshake calls it.
   */
  public void limitPayload(int peerMax) {
    if (peerMax <= 0) {
      throw new IllegalArgumentException("frame limit " + peerMax);
    }
    maxPayload = Math.min(maxPayload, peerMax);
  }

  /** The largest payload {@link #write} accepts: content producers cut their chunks to this. */
  public int maxPayload() {
    return maxPayload;
  }

  /**
   * Writes one frame, possibly compressed, into the buffer.
   *
   * @throws IllegalArgumentException if the payload exceeds {@link #maxPayload()} (a caller's bug: content
   *     must be chunked, control messages kept small)
   * @throws IOException if the stream fails, or failed before
   */
  public void write(Frame frame) throws IOException {
    write(frame.type(), frame.channel(), frame.payload(), 0, frame.payload().length);
  }

  /**
   * Writes a DATA frame of {@code b[off, off+len)}: content streams pass their own buffer, which is not
   * kept after this returns, instead of a copy per frame (a 1 GiB file is 8,192 copies of 128 KiB).
   */
  public void writeData(int channel, byte[] b, int off, int len) throws IOException {
    write(Frame.Type.DATA, channel, b, off, len);
  }

  private void write(Frame.Type type, int channel, byte[] payload, int off, int len) throws IOException {
    if (len > maxPayload) {
      throw new IllegalArgumentException("a " + type + " payload of " + len
          + " bytes exceeds the peer's frame limit of " + maxPayload);
    }
    byte[] body = payload;
    int bodyOff = off;
    int bodyLen = len;
    int flags = 0;
    if (compress && len >= MIN_COMPRESS && (type == Frame.Type.DATA || type == Frame.Type.CONTROL)) {
      byte[] scratch = SCRATCH.get();
      int clen = COMPRESSOR.compress(payload, off, len, scratch, 4, scratch.length - 4);
      // Keep it only if it saves at least 1/16: below that the receiver's decompression and the extra copy
      // buy almost nothing. Incompressible input costs little to try: LZ4 skips it at over 10 GB/s
      // (shared/STACK.md), so there is no adaptive give-up.
      if (4 + clen <= len - len / 16) {
        putInt(scratch, 0, len);
        body = scratch;
        bodyOff = 0;
        bodyLen = 4 + clen;
        flags = FLAG_LZ4;
      }
    }
    synchronized (this) {
      if (broken) {
        throw new IOException("the connection is unusable after an earlier write failed");
      }
      header[0] = (byte) type.code();
      header[1] = (byte) flags;
      putInt(header, 2, channel);
      putInt(header, 6, bodyLen);
      try {
        out.write(header, 0, HEADER_SIZE);
        out.write(body, bodyOff, bodyLen);
      } catch (IOException | RuntimeException e) {
        broken = true;
        throw e;
      }
    }
  }

  /** Writes bytes outside any frame: only the handshake preamble. */
  synchronized void writeRaw(byte[] bytes) throws IOException {
    try {
      out.write(bytes);
    } catch (IOException e) {
      broken = true;
      throw e;
    }
  }

  /** Sends everything buffered to the peer. */
  @Override
  public synchronized void flush() throws IOException {
    try {
      out.flush();
    } catch (IOException e) {
      broken = true;
      throw e;
    }
  }

  /** Flushes and closes the stream: the peer's reader sees a clean end after the last frame. */
  @Override
  public synchronized void close() throws IOException {
    broken = true;
    out.close();
  }

  static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }
}
