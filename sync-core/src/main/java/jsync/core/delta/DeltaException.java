package jsync.core.delta;

import jsync.core.JsyncException;

/**
 * An encoded delta is malformed: truncated, followed by trailing bytes, of an unknown version, made against
 * a different signature, or naming a length or block outside its limits. The bytes came from the peer, so
 * this means a broken or hostile peer (or a corrupted stream), never a local mistake. The message names the
 * byte offset in the delta where decoding stopped.
 *
 * <p>A delta that decodes cleanly but rebuilds the wrong content is not an exception: {@link Patcher#finish}
 * reports it, and the caller falls back to a full transfer.
 */
public class DeltaException extends JsyncException {
  public DeltaException(String message) {
    super(message);
  }

  public DeltaException(String message, Throwable cause) {
    super(message, cause);
  }
}
