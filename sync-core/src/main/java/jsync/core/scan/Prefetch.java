package jsync.core.scan;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import jsync.core.DaemonThreads;
import jsync.core.model.RelPath;

/**
 * Reads directories ahead of the {@link Scanner}'s walk, on a thread of its own: each listing, sorted, and
 * an {@code lstat} of every entry. Those system calls are about half of a no-change scan (100,000 files:
 * ~300 of ~600 ms in a fresh JVM); on a second core they overlap with the walk's own work (merging with the
 * archive's records, comparing stamps). The remote side of a run over SSH scans alone while the local one
 * has scanned ahead, so that is where the second core is free.
 *
 * <p>It walks the same depth-first, name-sorted order as the scanner ({@link RelPath} order), so the walker
 * finds the listing it wants at the head of a queue. A listing the walker never asks for (it skipped the
 * directory: a problem, a subtree it does not descend) is dropped when the walker asks for a later one; a
 * directory this thread did not reach (ignored, or not a directory when it looked) is one the walker reads
 * itself. Results may be a moment older than the walker's own would be, as any scan of a live tree is.
 * Memory: listings of at most {@link #MAX_WAITING} entries in all wait for the walker (~130 bytes each with
 * its stat: ~8 MiB), and a directory of more than {@link #MAX_STATS} entries gets its names but not its stats.
 * The bound is on entries rather than listings so that a read started early ({@link ReadAhead}: on the
 * remote side, while the connection is still being set up) can get tens of thousands of entries ahead.
 */
final class Prefetch implements AutoCloseable {
  static final int MAX_WAITING = 65_536;
  static final int MAX_STATS = 50_000;

  /**
   * A directory read ahead: its names in {@link RelPath} order and, per name, a {@link FileStat} or the
   * {@link IOException} reading it threw; {@code stats} is null for a directory too large to stat ahead.
   */
  record Listing(RelPath dir, List<String> names, Object[] stats) {}

  /** How the scanner lists a directory and stats a path (the same calls it makes itself). */
  interface Tree {
    List<String> list(Path dir) throws IOException;

    FileStat stat(Path p) throws IOException;
  }

  private static final Object END = new Object();

  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  /** Entries that may still be queued: a listing takes {@link #weight} permits until the walker takes it. */
  private final Semaphore room;
  private final int maxWaiting;
  private final int maxStats;
  private final Thread thread;
  private volatile boolean stopped;
  /** Whether the walker will descend into a directory; {@link #narrow}ed once a read started early learns it. */
  private volatile Predicate<RelPath> descend;
  /** The head taken from the queue but not yet wanted by the walker (it is further along). */
  private Object pending;

  /**
   * Starts reading {@code scopes} (normalized, as the scanner walks them) below {@code root}.
   *
   * @param descend whether the walker will descend into the directory at a path (not ignored, a valid name)
   */
  Prefetch(Path root, List<RelPath> scopes, Tree tree, Predicate<RelPath> descend) {
    this(root, scopes, tree, descend, MAX_STATS, MAX_WAITING);
  }

  Prefetch(Path root, List<RelPath> scopes, Tree tree, Predicate<RelPath> descend, int maxStats,
      int maxWaiting) {
    this.maxStats = maxStats;
    this.maxWaiting = maxWaiting;
    this.room = new Semaphore(maxWaiting);
    this.descend = descend;
    thread = DaemonThreads.named("jsync-prefetch").newThread(() -> run(root, scopes, tree));
    thread.start();
  }

  /**
   * Replaces the test of which directories to read: a read started before the scan's filter was known
   * learns it here, and from the next directory on skips what the walker will not descend into.
   */
  void narrow(Predicate<RelPath> walkerDescends) {
    this.descend = walkerDescends;
  }

  private void run(Path root, List<RelPath> scopes, Tree tree) {
    try {
      readScopes(root, scopes, tree);
    } catch (InterruptedException e) {
      return; // closed
    } catch (RuntimeException e) {
      // A bug here must not break scans: the walker reads whatever this did not.
    } finally {
      // Whatever ended this thread (an Error too: a tree deep enough to overflow its stack), the walker must
      // learn that nothing more comes, or it would wait for the next listing forever.
      try {
        put(END);
      } catch (InterruptedException e) {
        // closed: nobody waits
      }
    }
  }

  private void readScopes(Path root, List<RelPath> scopes, Tree tree) throws InterruptedException {
    for (RelPath scope : scopes) {
      if (stopped) {
        return;
      }
      if (scope.isRoot()) {
        read(RelPath.ROOT, root, tree);
      } else if (descend.test(scope) && directoriesAbove(root, scope, tree)) {
        Path p = scope.under(root);
        try {
          if (tree.stat(p).type() == FileStat.Type.DIR) {
            read(scope, p, tree);
          }
        } catch (IOException e) {
          // the walker meets the same trouble and reports it
        }
      }
    }
  }

  /** Whether every directory above a scope is a real directory: never read through a symlink out of the root. */
  private static boolean directoriesAbove(Path root, RelPath scope, Tree tree) {
    for (RelPath p = scope.parent(); !p.isRoot(); p = p.parent()) {
      try {
        if (tree.stat(p.under(root)).type() != FileStat.Type.DIR) {
          return false;
        }
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  private void read(RelPath dir, Path dirPath, Tree tree) throws InterruptedException {
    if (stopped) {
      throw new InterruptedException("stopped");
    }
    List<String> names;
    try {
      names = tree.list(dirPath);
    } catch (IOException e) {
      return; // the walker lists it again and reports the error
    }
    Object[] stats = names.size() > maxStats ? null : new Object[names.size()];
    if (stats != null) {
      for (int i = 0; i < stats.length; i++) {
        try {
          stats[i] = tree.stat(dirPath.resolve(names.get(i)));
        } catch (IOException e) {
          stats[i] = e;
        }
      }
    }
    put(new Listing(dir, names, stats));
    for (int i = 0; i < names.size(); i++) {
      Object st = stats == null ? null : stats[i];
      if (st instanceof FileStat fs && fs.type() == FileStat.Type.DIR) {
        RelPath child = dir.resolve(names.get(i));
        if (descend.test(child)) {
          read(child, dirPath.resolve(names.get(i)), tree);
        }
      }
    }
  }

  private void put(Object o) throws InterruptedException {
    int w = weight(o);
    while (!room.tryAcquire(w, 50, TimeUnit.MILLISECONDS)) {
      if (stopped) {
        throw new InterruptedException("stopped");
      }
    }
    queue.add(o);
  }

  /** The permits a queued item holds: its entries (at least one, at most all there are); none for the end. */
  private int weight(Object o) {
    return o instanceof Listing l ? Math.min(1 + l.names().size(), maxWaiting) : 0;
  }

  /**
   * The listing of {@code dir} read ahead, or null if this has none: the walker then reads it itself. Calls
   * must come in {@link RelPath} order, as the walk makes them. Waits while this thread is behind.
   */
  Listing take(RelPath dir) {
    while (true) {
      Object head = pending;
      pending = null;
      if (head == null) {
        try {
          head = queue.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return null;
        }
        room.release(weight(head));
      }
      if (head == END) {
        pending = END;
        return null;
      }
      Listing l = (Listing) head;
      int c = l.dir().compareTo(dir);
      if (c == 0) {
        return l;
      }
      if (c > 0) {
        pending = l; // read ahead past dir, which it did not reach
        return null;
      }
      // c < 0: a directory the walk skipped
    }
  }

  /** The stat read ahead for entry {@code i} of a listing, or rethrows the exception reading it threw. */
  static FileStat stat(Object result) throws IOException {
    if (result instanceof IOException e) {
      throw e;
    }
    return (FileStat) result;
  }

  @Override
  public void close() {
    stopped = true;
    thread.interrupt();
    queue.clear();
  }
}
