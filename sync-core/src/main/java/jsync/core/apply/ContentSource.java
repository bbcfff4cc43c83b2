package jsync.core.apply;

import java.io.IOException;
import java.io.InputStream;
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
}
