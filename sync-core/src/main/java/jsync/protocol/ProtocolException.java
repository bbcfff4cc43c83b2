package jsync.protocol;

import jsync.core.JsyncException;

/**
 * The peer broke the protocol: a malformed, truncated or oversized frame, an unknown message, an invalid
 * value in a message (such as a path escaping the root), a wrong handshake. The session cannot go on; the
 * message says what was received, so a user can tell a wrong {@code servercmd} from a version mismatch from
 * a corrupted connection.
 */
public class ProtocolException extends JsyncException {
  public ProtocolException(String message) {
    super(message);
  }

  public ProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
