package jsync.core.scan;

import java.util.List;
import jsync.core.model.RelPath;

/**
 * Counters of one scan, for the summary and the benchmarks.
 *
 * @param entries paths looked at (files, directories, links, others)
 * @param hashed files read and hashed (the rest passed the fast check)
 * @param bytesHashed bytes read to hash them
 * @param updates paths reported as differing from the archive
 * @param emptied scanned scopes (the root, or the profile's {@code path}s) that the archive knew populated
 *     and that now hold nothing: the trigger of {@code confirmbigdel}
 */
public record ScanStats(long entries, long hashed, long bytesHashed, long updates, List<RelPath> emptied) {
  public ScanStats {
    emptied = List.copyOf(emptied);
  }
}
