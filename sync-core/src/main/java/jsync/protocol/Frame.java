package jsync.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One unit of the wire protocol: a typed payload on a channel. {@link FrameWriter} writes frames and
 * {@link FrameReader} reads them; the encoding (header, optional LZ4 compression) is theirs, and a
 * {@code Frame} always holds the payload as the sender handed it in, uncompressed.
 *
 * <p>Channel 0 carries the control messages ({@link Type#CONTROL}, encoded by {@link MessageCodec}); every
 * other channel carries one file content stream ({@link Type#DATA} frames, then {@link Type#END} or
 * {@link Type#ERROR}). The side that opens a channel picks its number, odd on the client and even on the
 * server, so both can open channels at once without a round trip (HTTP/2 does the same with stream ids).
 *
 * <p>The payload array is not copied, to keep a bulk transfer at one copy per frame: whoever creates a
 * frame must not modify the array afterwards.
 */
public record Frame(Type type, int channel, byte[] payload) {
  /**
   * Largest payload of one frame, uncompressed: 1 MiB. It bounds the memory a peer can make this side
   * allocate per frame (the reader allocates at most this, or twice it for a compressed frame, before the
   * bytes have arrived), and keeps pipelining fair: a control message waits behind at most one bulk frame,
   * 10 ms of line time at 100 MB/s. It is large enough that the 10-byte header costs nothing (0.001%) and
   * LZ4 sees blocks big enough to compress well. A control message must fit one frame (see
   * docs/protocol.md for what that means for block signatures).
   */
  public static final int MAX_PAYLOAD = 1 << 20;

  /** The control channel. */
  public static final int CONTROL_CHANNEL = 0;

  /** What a frame carries. The codes are part of the wire format. */
  public enum Type {
    /** One control message (request or response), on channel 0. */
    CONTROL(1),
    /** A chunk of a content stream. */
    DATA(2),
    /** The content stream on this channel is complete; empty payload. */
    END(3),
    /** The sender could not produce the content stream on this channel; payload: UTF-8 reason. */
    ERROR(4);

    private final int code;

    Type(int code) {
      this.code = code;
    }

    /** The byte that names this type on the wire. */
    public int code() {
      return code;
    }

    /** The type with wire code {@code code}, or null if there is none (the reader turns that into an error). */
    static Type ofCode(int code) {
      for (Type t : values()) {
        if (t.code == code) {
          return t;
        }
      }
      return null;
    }
  }

  /**
   * Checks the rules every frame obeys on both sides: control frames on channel 0, content frames on
   * another channel, an empty {@code END}, and a payload of at most {@link #MAX_PAYLOAD}.
   *
   * @throws IllegalArgumentException naming the broken rule
   */
  public Frame {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(payload, "payload");
    String problem = problem(type, channel, payload.length);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** A control frame holding one encoded message. */
  public static Frame control(byte[] message) {
    return new Frame(Type.CONTROL, CONTROL_CHANNEL, message);
  }

  /** A chunk of content on {@code channel}. */
  public static Frame data(int channel, byte[] chunk) {
    return new Frame(Type.DATA, channel, chunk);
  }

  /** The end of the content on {@code channel}. */
  public static Frame end(int channel) {
    return new Frame(Type.END, channel, new byte[0]);
  }

  /** The content on {@code channel} failed at its source, for {@code reason}. */
  public static Frame error(int channel, String reason) {
    byte[] b = reason.getBytes(StandardCharsets.UTF_8);
    // A reason names one path and one cause; cut a pathological one rather than fail the session.
    return new Frame(Type.ERROR, channel, b.length <= MAX_ERROR ? b : Arrays.copyOf(b, MAX_ERROR));
  }

  /** Longest {@link Type#ERROR} reason in bytes. */
  static final int MAX_ERROR = 4096;

  /** The reason of an {@link Type#ERROR} frame. */
  public String errorMessage() {
    if (type != Type.ERROR) {
      throw new IllegalStateException("a " + type + " frame has no error message");
    }
    return new String(payload, StandardCharsets.UTF_8);
  }

  /** The broken frame rule, or null if a frame of this shape is valid. */
  static String problem(Type type, int channel, int length) {
    if (length > MAX_PAYLOAD) {
      return "a payload of " + length + " bytes exceeds the frame limit of " + MAX_PAYLOAD;
    }
    if (channel < 0) {
      return "negative channel " + channel;
    }
    if ((type == Type.CONTROL) != (channel == CONTROL_CHANNEL)) {
      return type + " frame on channel " + channel + " (control frames use channel 0, content frames others)";
    }
    if (type == Type.END && length != 0) {
      return "END frame with a " + length + "-byte payload";
    }
    if (type == Type.ERROR && length > MAX_ERROR) {
      return "ERROR frame with a " + length + "-byte reason (at most " + MAX_ERROR + ")";
    }
    return null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Frame f && type == f.type && channel == f.channel && Arrays.equals(payload, f.payload);
  }

  @Override
  public int hashCode() {
    return (type.hashCode() * 31 + channel) * 31 + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "Frame[" + type + " on channel " + channel + ", " + payload.length + " bytes]";
  }
}
