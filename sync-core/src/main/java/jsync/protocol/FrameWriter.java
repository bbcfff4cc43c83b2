package jsync.protocol;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.LongSupplier;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * Writes {@link Frame}s to an output stream (see docs/protocol.md for the encoding): a 10-byte header
 * (type, flags, channel, payload length, big-endian) and the payload, LZ4-compressed when that saves enough.
 * With {@link Compression#WHEN_LINK_SLOW} (the {@code compress} preference) file data is compressed only
 * while the link is slow and makes the writer wait ({@link LinkGovernor}); control messages always.
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

  /** When payloads are LZ4-compressed. */
  public enum Compression {
    /** Never. */
    OFF,
    /** Every data and control payload of {@link #MIN_COMPRESS} bytes or more, kept when it saves enough. */
    ON,
    /** Control payloads as {@link #ON}; data payloads only while {@link LinkGovernor} says it pays. */
    WHEN_LINK_SLOW
  }

  private final OutputStream out;
  private final Compression compression;
  /** Null unless {@link Compression#WHEN_LINK_SLOW}. */
  private final LinkGovernor governor;
  private volatile int maxPayload;
  private final byte[] header = new byte[HEADER_SIZE];
  private boolean broken;

  /**
   * @param compress try LZ4 on every control and data payload ({@link Compression#ON}), or never
   */
  public FrameWriter(OutputStream out, boolean compress) {
    this(out, compress ? Compression.ON : Compression.OFF, System::nanoTime);
  }

  /** @param nanoClock times writes to the transport, for {@link Compression#WHEN_LINK_SLOW} */
  public FrameWriter(OutputStream out, Compression compression, LongSupplier nanoClock) {
    this.out = new BufferedOutputStream(out, BUFFER);
    this.compression = compression;
    this.governor = compression == Compression.WHEN_LINK_SLOW ? new LinkGovernor(nanoClock) : null;
    this.maxPayload = Frame.MAX_PAYLOAD;
  }

  /** Whether data frames are being compressed now. */
  public boolean compressingData() {
    return compression == Compression.ON || (governor != null && governor.compressing());
  }

  /** How often the compression of data frames was switched on or off; 0 unless {@link Compression#WHEN_LINK_SLOW}. */
  public int compressionSwitches() {
    return governor == null ? 0 : governor.switches();
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
    if (len >= MIN_COMPRESS && (type == Frame.Type.CONTROL ? compression != Compression.OFF
        : type == Frame.Type.DATA && compressingData())) {
      byte[] scratch = SCRATCH.get();
      int clen = COMPRESSOR.compress(payload, off, len, scratch, 4, scratch.length - 4);
      // Keep it only if it saves at least 1/16: below that the receiver's decompression and the extra copy
      // buy almost nothing. Incompressible input costs little to try: LZ4 skips it at over 10 GB/s
      // (shared/STACK.md); whether text is worth it is the governor's question.
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
      long start = governor == null ? 0 : governor.now();
      try {
        out.write(header, 0, HEADER_SIZE);
        out.write(body, bodyOff, bodyLen);
        if (governor != null) {
          governor.wrote(HEADER_SIZE + bodyLen, start);
        }
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
    long start = governor == null ? 0 : governor.now();
    try {
      out.flush();
      if (governor != null) {
        governor.wrote(0, start);
      }
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
