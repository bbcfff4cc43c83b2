package jsync.core.apply;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import jsync.core.model.Entry;
import jsync.core.model.RelPath;
import jsync.core.model.Stamp;

/**
 * Where the bytes of a file to write come from: the other replica. The applier verifies size and
 * fingerprint of what it receives against the wanted entry, so a source that changed after its scan is
 * detected rather than propagated.
 */
@FunctionalInterface
public interface ContentSource {
  /**
   * Opens the content of {@code path} on the source replica, expected to be {@code want}. If {@code want}'s
   * fingerprint is unknown, the stream fails with an {@link IOException} unless the file keeps
   * {@code stamp} until the end of the read.
   */
  InputStream open(RelPath path, Entry.File want, Stamp stamp) throws IOException;

  /**
   * Whether the content comes from a peer across a network, where each file costs a round trip: the
   * receiver then keeps more files in flight (see {@link Applier#REMOTE_COPY_THREADS}).
   */
  default boolean remote() {
    return false;
  }

  /**
   * Asks for the whole content of {@code path} now, ahead of reading it, so that a remote source's round
   * trip overlaps other work; the caller later reads the stream to its end, or closes it to give up.
   * Returns null if this source does not ask ahead (a local one has no round trip to hide). What the
   * stream delivers is checked like {@link #open}'s.
   */
  default InputStream askAhead(RelPath path, Entry.File want, Stamp stamp) {
    return null;
  }

  /**
   * Writes the content of {@code path} into {@code sink}. A source across a network sends only what
   * {@code basis} (the receiver's current version) lacks, rsync style; the default copies the whole file.
   *
   * @throws DeltaMismatchException if a delta did not rebuild {@code want}: the caller starts over without
   *     a basis
   */
  default void transfer(RelPath path, Entry.File want, Stamp stamp, Optional<Basis> basis, OutputStream sink)
      throws IOException {
    try (InputStream in = open(path, want, stamp)) {
      jsync.core.Streams.copy(in, sink, want.size());
    }
  }
}
