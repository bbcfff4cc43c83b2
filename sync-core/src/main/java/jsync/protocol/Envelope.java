package jsync.protocol;

import java.util.Objects;

/**
 * A decoded control message with its request id: the id a request was sent with, which every response to
 * it repeats, so the session can match answers to requests while many are in flight. 0 for messages that
 * are not part of an exchange.
 */
public record Envelope(long id, Message message) {
  public Envelope {
    if (id < 0) {
      throw new IllegalArgumentException("negative request id " + id);
    }
    Objects.requireNonNull(message, "message");
  }
}
