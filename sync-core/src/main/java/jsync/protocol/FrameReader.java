package jsync.protocol;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Reads the {@link Frame}s a {@link FrameWriter} wrote. Everything read is untrusted: the header is checked
 * in full (known type and flags, channel rules, payload length within the limit) before the payload is
 * allocated, and a compressed payload is inflated with LZ4's safe decompressor into a buffer of its declared
 * length, itself bounded by the limit. Any violation is a {@link ProtocolException}; an end of stream in the
 * middle of a frame too. An end of stream between frames is the peer closing: {@link #next()} returns empty,
 * {@link #read()} throws {@link PeerClosedException}.
 *
 * <p>Not thread-safe: one thread reads (the session's demultiplexer) and hands frames on.
 */
public final class FrameReader {
  private static final int BUFFER = 64 * 1024;
  private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4Factory.fastestInstance().safeDecompressor();

  private final InputStream in;
  private final int maxPayload;
  private final byte[] header = new byte[FrameWriter.HEADER_SIZE];

  /** A reader accepting payloads up to {@link Frame#MAX_PAYLOAD}. */
  public FrameReader(InputStream in) {
    this(in, Frame.MAX_PAYLOAD);
  }

  /** A reader accepting payloads up to {@code maxPayload} (at most {@link Frame#MAX_PAYLOAD}). */
  public FrameReader(InputStream in, int maxPayload) {
    if (maxPayload <= 0 || maxPayload > Frame.MAX_PAYLOAD) {
      throw new IllegalArgumentException("frame limit " + maxPayload + " not in 1.." + Frame.MAX_PAYLOAD);
    }
    this.in = new BufferedInputStream(in, BUFFER);
    this.maxPayload = maxPayload;
  }

  /** The largest payload this reader accepts: what this side announces in its hello. */
  public int maxPayload() {
    return maxPayload;
  }

  /**
   * The next frame, or empty if the peer closed the connection cleanly before it.
   *
   * @throws ProtocolException for a malformed, oversized or truncated frame
   * @throws IOException if the stream fails
   */
  public Optional<Frame> next() throws IOException {
    int first = in.read();
    if (first < 0) {
      return Optional.empty();
    }
    header[0] = (byte) first;
    readFully(header, 1, FrameWriter.HEADER_SIZE - 1);
    Frame.Type type = Frame.Type.ofCode(first);
    if (type == null) {
      throw new ProtocolException(String.format("unknown frame type 0x%02x", first));
    }
    int flags = header[1] & 0xff;
    if ((flags & ~FrameWriter.KNOWN_FLAGS) != 0) {
      throw new ProtocolException(String.format("unknown flags 0x%02x in a %s frame", flags, type));
    }
    int channel = getInt(header, 2);
    int length = getInt(header, 6);
    // Checked before allocating: a hostile or confused peer's length never reaches 'new byte[]'.
    if (length < 0 || length > maxPayload) {
      throw new ProtocolException("a " + type + " frame announces " + Integer.toUnsignedString(length)
          + " bytes, more than the limit of " + maxPayload);
    }
    boolean compressed = (flags & FrameWriter.FLAG_LZ4) != 0;
    if (compressed && type != Frame.Type.DATA && type != Frame.Type.CONTROL) {
      throw new ProtocolException("a compressed " + type + " frame");
    }
    String problem = Frame.problem(type, channel, compressed ? 0 : length);
    if (problem != null) {
      throw new ProtocolException("invalid frame: " + problem);
    }
    byte[] payload = new byte[length];
    readFully(payload, 0, length);
    if (compressed) {
      payload = decompress(type, channel, payload);
    }
    return Optional.of(new Frame(type, channel, payload));
  }

  /**
   * The next frame, where the peer must send one.
   *
   * @throws PeerClosedException if the peer closed the connection instead
   */
  public Frame read() throws IOException {
    return next().orElseThrow(() -> new PeerClosedException("the remote jsync closed the connection"));
  }

  /** The underlying (buffered) stream, for the handshake preamble that precedes the frames. */
  InputStream raw() {
    return in;
  }

  private byte[] decompress(Frame.Type type, int channel, byte[] body) {
    if (body.length < 4) {
      throw new ProtocolException("a compressed " + type + " frame on channel " + channel + " of only "
          + body.length + " bytes");
    }
    int original = getInt(body, 0);
    if (original <= 0 || original > maxPayload) {
      throw new ProtocolException("a compressed " + type + " frame on channel " + channel + " announces "
          + Integer.toUnsignedString(original) + " bytes uncompressed, more than the limit of " + maxPayload);
    }
    byte[] out = new byte[original];
    int n;
    try {
      n = DECOMPRESSOR.decompress(body, 4, body.length - 4, out, 0, original);
    } catch (LZ4Exception e) {
      throw new ProtocolException("corrupt LZ4 payload in a " + type + " frame on channel " + channel, e);
    }
    if (n != original) {
      throw new ProtocolException("corrupt LZ4 payload in a " + type + " frame on channel " + channel
          + ": " + n + " bytes instead of the announced " + original);
    }
    return out;
  }

  private void readFully(byte[] b, int off, int len) throws IOException {
    if (in.readNBytes(b, off, len) < len) {
      throw new ProtocolException("connection closed in the middle of a frame");
    }
  }

  static int getInt(byte[] b, int off) {
    return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
  }
}
