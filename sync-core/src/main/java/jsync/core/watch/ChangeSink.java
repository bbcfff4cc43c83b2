package jsync.core.watch;

import jsync.core.model.RelPath;

/**
 * Where a watcher reports what changed in a replica (continuous mode). Called from the watcher's own
 * thread; implementations only record and return.
 */
public interface ChangeSink {
  /** Something at {@code path}, or below it if it is a directory, may have changed. */
  void changed(RelPath path);

  /** Events were lost (an inotify queue overflow): anything may have changed, so rescan everything. */
  void rescan(String reason);

  /**
   * The watcher has stopped and will report nothing more (a watch limit was reached, the connection to a
   * remote watcher was lost): changes are no longer noticed until watching starts again.
   */
  void stopped(String reason);
}
