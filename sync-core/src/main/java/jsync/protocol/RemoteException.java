package jsync.protocol;

import jsync.core.JsyncException;

/** The peer could not do what was asked and said why (an {@link Message.ErrorResponse}). */
public final class RemoteException extends JsyncException {
  private final Message.ErrorResponse.Kind kind;

  public RemoteException(String peer, Message.ErrorResponse error) {
    super(peer + ": " + error.message());
    this.kind = error.kind();
  }

  public Message.ErrorResponse.Kind kind() {
    return kind;
  }
}
