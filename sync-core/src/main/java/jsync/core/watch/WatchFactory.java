package jsync.core.watch;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import jsync.core.model.RelPath;
import jsync.core.scan.PathFilter;

/**
 * Starts watching a replica's root for changes (continuous mode). The implementation lives in
 * {@code sync-watch} (Linux inotify through {@link java.nio.file.WatchService}); the core only needs to
 * start one, locally or inside {@code jsync server}.
 */
@FunctionalInterface
public interface WatchFactory {
  /**
   * Watches {@code root} below {@code scopes} (the profile's paths, or the root), leaving out what
   * {@code filter} ignores, and reports to {@code sink} until the returned handle is closed.
   *
   * @throws IOException if the root cannot be watched at all
   */
  Closeable watch(Path root, List<RelPath> scopes, PathFilter filter, ChangeSink sink) throws IOException;
}
