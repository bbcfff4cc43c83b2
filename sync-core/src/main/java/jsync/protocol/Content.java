package jsync.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import jsync.core.model.Entry;
import jsync.core.model.RelPath;
import jsync.core.model.Stamp;

/**
 * File contents over a {@link Session}: the side that needs a file asks with a {@link Message.ReadRequest}
 * naming a fresh channel, the side that has it streams the bytes on that channel. An error while reading
 * ends the channel with an ERROR frame (never a short END, which would pass for a shorter file; the
 * receiver's size and hash check would catch that too).
 */
final class Content {
  private Content() {}

  /** Streams {@code source} on the request's channel, then ends it; closes {@code source}. */
  static void send(Session s, Message.ReadRequest r, InputStream source) throws IOException {
    OutputStream out = s.send(r.channel());
    try (InputStream in = source) {
      in.transferTo(out);
    } catch (IOException | RuntimeException e) {
      s.fail(r.channel(), e.getMessage() != null ? e.getMessage() : e.toString());
      return;
    }
    out.close();
  }

  /** Asks the peer for the content of {@code path} as scanned ({@code want}, {@code stamp}). */
  static InputStream request(Session s, RelPath path, Entry.File want, Stamp stamp) {
    int channel = s.newChannel();
    InputStream in = s.receive(channel);
    s.send(new Message.ReadRequest(channel, path, want, stamp, Optional.empty()));
    s.flush();
    return in;
  }
}
