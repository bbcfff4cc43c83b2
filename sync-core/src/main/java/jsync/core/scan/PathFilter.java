package jsync.core.scan;

import jsync.core.model.RelPath;

/**
 * Decides which paths the scanner leaves out: the profile's {@code ignore} rules and jsync's own backup
 * files. jsync's temporary files are left out by the scanner itself, whatever the filter says. An ignored
 * directory is never walked, and an ignored path that the archive knows is neither reported as deleted nor
 * touched, so adding a rule can never cause a deletion.
 */
@FunctionalInterface
public interface PathFilter {
  PathFilter NONE = path -> false;

  boolean isIgnored(RelPath path);

  default PathFilter or(PathFilter other) {
    return path -> isIgnored(path) || other.isIgnored(path);
  }
}
