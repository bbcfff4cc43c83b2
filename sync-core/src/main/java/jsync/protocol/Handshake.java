package jsync.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The start of every session, the same on both sides: each writes a preamble (the magic bytes {@code JSYNC}
 * and a NUL, then {@link #PROTOCOL_VERSION} as 4 bytes big-endian) and a {@link Message.Hello} in a control
 * frame, flushes, then reads and checks the peer's. Neither waits for the other before writing, so the
 * exchange costs one round trip and cannot deadlock.
 *
 * <p>The checks give the user a sentence for the usual failures: a remote that answers with anything but
 * the magic (a login banner, {@code bash: jsync: command not found}: a wrong {@code servercmd}) is quoted;
 * a peer of another protocol version is named with both versions; a connection closed before the preamble
 * says so. Only after the version matches is the hello decoded, since its encoding may differ between
 * versions; the preamble itself never changes.
 */
public final class Handshake {
  /**
   * The version of everything on the wire after the preamble: frame header, compression, envelope, every
   * message and model encoding. Bump it whenever any of them changes, even compatibly, and regenerate the
   * golden files under {@code src/test/resources/protocol/} (see {@code ProtocolGoldenTest}); both hosts
   * then need the same jsync version, which the mismatch error tells the user.
   */
  public static final int PROTOCOL_VERSION = 2;

  /** The magic: ASCII {@code JSYNC} and a NUL, which no shell banner or error message starts with. */
  static final byte[] MAGIC = {'J', 'S', 'Y', 'N', 'C', 0};

  /** Bytes of a non-jsync answer quoted in the error: enough for a shell's error line. */
  private static final int QUOTE_LIMIT = 160;

  /** Frame limits a peer may announce: smaller ones cannot carry a control message of useful size. */
  static final int MIN_FRAME = 64 * 1024;

  private Handshake() {}

  /** The hello this side sends: its jsync version and the frame limit of its reader. */
  public static Message.Hello hello(String jsyncVersion, FrameReader reader) {
    return new Message.Hello(jsyncVersion, reader.maxPayload());
  }

  /**
   * Runs the handshake: sends this side's preamble and {@code local} hello, then reads and checks the
   * peer's, and limits {@code writer} to the peer's frame size.
   *
   * @return the peer's hello
   * @throws ProtocolException if the peer is not a jsync of this protocol version, or closed the connection
   * @throws IOException if the streams fail
   */
  public static Message.Hello perform(FrameWriter writer, FrameReader reader, MessageCodec codec,
      Message.Hello local) throws IOException {
    byte[] preamble = Arrays.copyOf(MAGIC, MAGIC.length + 4);
    FrameWriter.putInt(preamble, MAGIC.length, PROTOCOL_VERSION);
    writer.writeRaw(preamble);
    writer.write(codec.frame(0, local));
    writer.flush();

    InputStream in = reader.raw();
    readMagic(in);
    byte[] version = new byte[4];
    if (in.readNBytes(version, 0, 4) < 4) {
      throw new ProtocolException("the remote jsync closed the connection in the middle of the handshake");
    }
    int remoteVersion = FrameReader.getInt(version, 0);
    if (remoteVersion != PROTOCOL_VERSION) {
      throw new ProtocolException("the remote jsync speaks protocol " + remoteVersion + ", this one "
          + PROTOCOL_VERSION + "; install the same jsync version on both hosts");
    }
    Envelope env = codec.decode(reader.read());
    if (!(env.message() instanceof Message.Hello remote)) {
      throw new ProtocolException("the remote jsync sent " + MessageCodec.nameOf(env.message().getClass())
          + " instead of its hello");
    }
    if (remote.maxFrameSize() < MIN_FRAME || remote.maxFrameSize() > Frame.MAX_PAYLOAD) {
      throw new ProtocolException("the remote jsync " + MessageCodec.printable(remote.jsyncVersion())
          + " announces a frame limit of " + remote.maxFrameSize() + " bytes, outside " + MIN_FRAME + ".."
          + Frame.MAX_PAYLOAD);
    }
    writer.limitPayload(remote.maxFrameSize());
    return remote;
  }

  private static void readMagic(InputStream in) throws IOException {
    byte[] got = new byte[QUOTE_LIMIT];
    int n = 0;
    while (n < MAGIC.length) {
      int b = in.read();
      if (b < 0) {
        if (n == 0) {
          throw new ProtocolException("the remote side closed the connection without answering; check that "
              + "the remote jsync program (servercmd) exists and starts");
        }
        throw notJsync(got, n);
      }
      got[n++] = (byte) b;
      if (b != (MAGIC[n - 1] & 0xff)) {
        // Not jsync. Quote the rest of the line if it has already arrived, without blocking on a peer that
        // may send nothing more (a shell waiting for input).
        while (n < QUOTE_LIMIT && b != '\n' && in.available() > 0 && (b = in.read()) >= 0) {
          got[n++] = (byte) b;
        }
        throw notJsync(got, n);
      }
    }
  }

  private static ProtocolException notJsync(byte[] got, int n) {
    return new ProtocolException("the remote side is not a jsync server: it answered \"" + quote(got, n)
        + "\"; check servercmd (the path of jsync on the remote host) and that the remote shell prints "
        + "nothing for non-interactive logins");
  }

  /** Printable ASCII as is, the rest escaped; a final newline dropped. */
  static String quote(byte[] b, int n) {
    int end = n;
    while (end > 0 && (b[end - 1] == '\n' || b[end - 1] == '\r')) {
      end--;
    }
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < end; i++) {
      int c = b[i] & 0xff;
      if (c >= 0x20 && c < 0x7f) {
        s.append((char) c);
      } else if (c == '\n') {
        s.append("\\n");
      } else {
        s.append(String.format("\\x%02x", c));
      }
    }
    return s.toString();
  }
}
