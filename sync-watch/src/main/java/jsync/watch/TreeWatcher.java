package jsync.watch;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jsync.core.model.RelPath;
import jsync.core.scan.PathFilter;
import jsync.core.watch.ChangeSink;
import jsync.core.watch.WatchFactory;

/**
 * Watches a replica's root with the JDK's {@link WatchService}, which on Linux is inotify: one watch per
 * directory, not recursive, so every directory below the scopes is registered, and new ones as they
 * appear. Each event becomes {@link ChangeSink#changed} of the path it names; the scan of that path then
 * decides what really changed, so the watcher need not (events say "look here", never "this happened").
 *
 * <p>What can go wrong, and what it does instead of missing a change silently:
 * <ul>
 *   <li>the queue overflows (a burst of thousands of events): {@link ChangeSink#rescan};
 *   <li>the kernel's watch limit ({@code fs.inotify.max_user_watches}) is reached: {@link ChangeSink#stopped}
 *       with advice, and the watcher closes (the daemon falls back to periodic full scans);
 *   <li>the root itself is deleted, replaced or its filesystem unmounted: {@link ChangeSink#stopped}; the
 *       daemon then watches again and synchronizes everything, which meets the missing root if it is.
 * </ul>
 *
 * <p>Directories moved within the root keep their inotify watch (it follows the inode), so a moved
 * directory's watch is re-pointed at its new path when its creation event arrives, and the watches of a
 * deleted path are dropped.
 */
public final class TreeWatcher implements Closeable {
  /** The factory the daemon and {@code jsync server} use. */
  public static final WatchFactory FACTORY = TreeWatcher::start;
  /** How often an idle watcher checks that its root is still the directory it watches. */
  static final int ROOT_CHECK_SECONDS = 2;

  private final Path root;
  private final List<RelPath> scopes;
  private final PathFilter filter;
  private final ChangeSink sink;
  private final WatchService service;
  /** Which directory each watch is on, by current path (a moved directory's watch is re-pointed). */
  private final Map<WatchKey, RelPath> dirs = new ConcurrentHashMap<>();
  private final Thread thread;
  private final int maxWatches;
  /** The root's identity when watching started (see {@link #checkRoot}). */
  private final Object rootKey;
  private volatile boolean closed;

  private TreeWatcher(Path root, List<RelPath> scopes, PathFilter filter, ChangeSink sink, int maxWatches)
      throws IOException {
    this.maxWatches = maxWatches;
    this.root = root;
    this.rootKey = fileKey(root);
    this.scopes = List.copyOf(scopes);
    this.filter = filter;
    this.sink = sink;
    this.service = root.getFileSystem().newWatchService();
    this.thread = new Thread(this::run, "jsync-watch");
    this.thread.setDaemon(true);
  }

  /**
   * Registers every directory below {@code scopes} (and each scope's parent, to see the scope itself come
   * and go), then reports changes from a thread of its own until closed.
   *
   * @throws IOException if the root cannot be watched (missing, not a directory)
   */
  public static TreeWatcher start(Path root, List<RelPath> scopes, PathFilter filter, ChangeSink sink)
      throws IOException {
    return start(root, scopes, filter, sink, Integer.MAX_VALUE);
  }

  /** As above, with at most {@code maxWatches} directories: the kernel's limit, made small for tests. */
  static TreeWatcher start(Path root, List<RelPath> scopes, PathFilter filter, ChangeSink sink, int maxWatches)
      throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IOException("root " + root + " is not a directory");
    }
    TreeWatcher w = new TreeWatcher(root, scopes, filter, sink, maxWatches);
    try {
      for (RelPath scope : scopes) {
        if (!scope.isRoot()) {
          w.register(scope.parent());
        }
        w.registerTree(scope);
      }
    } catch (WatchLimitException e) {
      w.close();
      sink.stopped(e.getMessage());
      return w;
    } catch (IOException | RuntimeException e) {
      w.close();
      throw e;
    }
    w.thread.start();
    return w;
  }

  /** Directories watched now (for tests and the daemon's status line). */
  public int watchedDirectories() {
    return dirs.size();
  }

  private void run() {
    try {
      while (!closed) {
        WatchKey key = service.poll(ROOT_CHECK_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        if (key == null) {
          checkRoot();
          continue;
        }
        RelPath dir = dirs.get(key);
        for (WatchEvent<?> event : key.pollEvents()) {
          if (dir != null) {
            handle(dir, event);
          }
        }
        if (!key.reset()) {
          lost(key, dir);
        }
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      // Closed: done.
    } catch (WatchLimitException e) {
      sink.stopped(e.getMessage());
      close();
    } catch (IOException | RuntimeException e) {
      sink.stopped("watching " + root + " failed: " + e);
      close();
    }
  }

  private void handle(RelPath dir, WatchEvent<?> event) throws IOException {
    if (event.kind() == OVERFLOW) {
      sink.rescan("too many changes at once" + (dir.isRoot() ? "" : " in " + dir.display())
          + ": the inotify queue overflowed");
      return;
    }
    RelPath path;
    try {
      path = dir.resolve(event.context().toString());
    } catch (IllegalArgumentException e) {
      // A name jsync cannot represent: the scan of its directory reports it.
      path = dir;
    }
    if (!inScopes(path) || filter.isIgnored(path)) {
      return;
    }
    if (event.kind() == ENTRY_DELETE) {
      forgetBelow(path);
    }
    try {
      if (event.kind() == ENTRY_CREATE
          && Files.isDirectory(path.under(root), LinkOption.NOFOLLOW_LINKS)) {
        // Created, or moved here. Anything made inside it before its watch existed is covered by the scan
        // of the directory itself, reported once the watch exists, so that scan comes after it.
        registerTree(path);
      }
    } finally {
      sink.changed(path);
    }
  }

  /** The watch of {@code dir} ended: the directory was deleted, moved away, or its filesystem unmounted. */
  private void lost(WatchKey key, RelPath dir) {
    dirs.remove(key);
    if (dir != null && !closed && dir.isRoot()) {
      // Nothing above reports it, and nothing below can be watched any more.
      stop("the root " + root + " was deleted, moved or unmounted");
    }
  }

  /**
   * inotify follows a directory's inode: if the root is renamed away and another directory takes its
   * name, the watches go on reporting the old one. Checked when idle, since no event says so.
   */
  private void checkRoot() {
    if (!rootKey.equals(fileKey(root))) {
      stop("the root " + root + " was replaced by another directory, moved or unmounted");
    }
  }

  private void stop(String reason) {
    close();
    sink.stopped(reason + "; watching again");
  }

  private static Object fileKey(Path p) {
    try {
      Object key = Files.readAttributes(p, BasicFileAttributes.class).fileKey();
      return key != null ? key : "no key";
    } catch (IOException e) {
      return "missing";
    }
  }

  private boolean inScopes(RelPath path) {
    for (RelPath s : scopes) {
      if (s.contains(path)) {
        return true;
      }
    }
    return false;
  }

  private boolean isScopeOrAbove(RelPath dir) {
    for (RelPath s : scopes) {
      if (dir.contains(s)) {
        return true;
      }
    }
    return false;
  }

  /** Drops the watches at and below a deleted path (a directory moved away keeps its watch otherwise). */
  private void forgetBelow(RelPath path) {
    List<WatchKey> gone = new ArrayList<>();
    for (Map.Entry<WatchKey, RelPath> e : dirs.entrySet()) {
      if (path.contains(e.getValue()) && !isScopeOrAbove(e.getValue())) {
        gone.add(e.getKey());
      }
    }
    for (WatchKey k : gone) {
      dirs.remove(k);
      k.cancel();
    }
  }

  /** Watches a directory and everything below it that is not ignored; the walk never follows links. */
  private void registerTree(RelPath top) throws IOException {
    Path start = top.under(root);
    if (!Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    IOException[] limit = new IOException[1];
    Files.walkFileTree(start, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        RelPath rel;
        try {
          rel = top.resolve(RelPath.parse(start.relativize(dir).toString()));
        } catch (IllegalArgumentException e) {
          return FileVisitResult.SKIP_SUBTREE;
        }
        if (!rel.equals(top) && filter.isIgnored(rel)) {
          return FileVisitResult.SKIP_SUBTREE;
        }
        try {
          register(rel);
        } catch (WatchLimitException e) {
          limit[0] = e;
          return FileVisitResult.TERMINATE;
        } catch (IOException e) {
          // Unreadable or vanished: its scan reports the trouble.
          return FileVisitResult.SKIP_SUBTREE;
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        return FileVisitResult.CONTINUE;
      }
    });
    if (limit[0] != null) {
      throw limit[0];
    }
  }

  private void register(RelPath dir) throws IOException {
    WatchKey key;
    try {
      if (dirs.size() >= maxWatches) {
        throw new IOException("User limit of inotify watches reached");
      }
      key = dir.under(root).register(service, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
    } catch (IOException e) {
      // The JDK maps inotify's ENOSPC to this message; there is no exception type for it.
      String m = String.valueOf(e.getMessage());
      if (m.contains("inotify watches") || m.contains("No space left")) {
        throw new WatchLimitException("cannot watch more directories under " + root + " (" + m + ", after "
            + dirs.size() + " directories): raise fs.inotify.max_user_watches (sysctl); until then changes "
            + "are found by periodic full scans only");
      }
      throw e;
    }
    // Registering a directory watched already returns its key: a moved directory is re-pointed here.
    dirs.put(key, dir);
  }

  @Override
  public void close() {
    closed = true;
    dirs.clear();
    try {
      service.close();
    } catch (IOException e) {
      // Nothing more to release.
    }
  }

  /** The kernel will not give more watches. */
  static final class WatchLimitException extends IOException {
    WatchLimitException(String message) {
      super(message);
    }
  }
}
