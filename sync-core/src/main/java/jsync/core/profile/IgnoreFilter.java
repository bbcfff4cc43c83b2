package jsync.core.profile;

import java.util.List;
import jsync.core.model.RelPath;

/**
 * Decides which paths the scanner skips: a path is ignored when some {@code ignore} spec matches it and no
 * {@code ignorenot} spec does (Unison's {@code Globals.shouldIgnore}).
 *
 * <p>The filter looks at one path only. The scanner asks for each path as it walks depth-first and never
 * descends below an ignored directory, so an ignored parent wins even when a child matches {@code ignorenot},
 * as in Unison: {@code ignore = Path *} cannot be undone below the top level by {@code ignorenot}.
 */
public final class IgnoreFilter {
  /** Ignores nothing. */
  public static final IgnoreFilter NONE = new IgnoreFilter(List.of(), List.of());

  private final List<PathSpec> ignore;
  private final List<PathSpec> ignorenot;

  private IgnoreFilter(List<PathSpec> ignore, List<PathSpec> ignorenot) {
    this.ignore = ignore;
    this.ignorenot = ignorenot;
  }

  public static IgnoreFilter of(List<PathSpec> ignore, List<PathSpec> ignorenot) {
    if (ignore.isEmpty()) {
      // ignorenot only ever un-ignores, so without ignore specs it has nothing to do.
      return NONE;
    }
    return new IgnoreFilter(List.copyOf(ignore), List.copyOf(ignorenot));
  }

  /** Whether the scanner should skip {@code path} (and, if it is a directory, everything below it). */
  public boolean isIgnored(RelPath path) {
    if (ignore.isEmpty()) {
      return false;
    }
    for (PathSpec spec : ignore) {
      if (spec.matches(path)) {
        return !matchesAny(ignorenot, path);
      }
    }
    return false;
  }

  private static boolean matchesAny(List<PathSpec> specs, RelPath path) {
    for (PathSpec spec : specs) {
      if (spec.matches(path)) {
        return true;
      }
    }
    return false;
  }

  public List<PathSpec> ignore() {
    return ignore;
  }

  public List<PathSpec> ignorenot() {
    return ignorenot;
  }

  @Override
  public String toString() {
    return "IgnoreFilter[ignore=" + ignore + ", ignorenot=" + ignorenot + "]";
  }
}
