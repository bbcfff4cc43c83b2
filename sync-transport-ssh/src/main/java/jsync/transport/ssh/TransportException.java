package jsync.transport.ssh;

import jsync.core.JsyncException;

/**
 * The connection to a remote replica cannot be opened or has failed: host unreachable, host key unknown or
 * changed, login refused, remote command missing or failed. The message names the host and says what to do
 * ("add the key with ssh-keyscan ...", "set servercmd ..."); the cause, when there is one, is the low-level
 * error.
 */
public class TransportException extends JsyncException {
  public TransportException(String message) {
    super(message);
  }

  public TransportException(String message, Throwable cause) {
    super(message, cause);
  }
}
