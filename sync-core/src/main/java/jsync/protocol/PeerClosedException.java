package jsync.protocol;

/**
 * The peer closed the connection cleanly, between two frames, where this side still expected one. Thrown
 * by {@link FrameReader#read()}; {@link FrameReader#next()} reports the same situation as an empty result,
 * for a reader to whom a close is a normal end (a server waiting for the next request).
 */
public final class PeerClosedException extends ProtocolException {
  public PeerClosedException(String message) {
    super(message);
  }
}
