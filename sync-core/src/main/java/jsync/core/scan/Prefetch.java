package jsync.core.scan;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import jsync.core.DaemonThreads;
import jsync.core.model.RelPath;

/**
 * Reads directories ahead of the {@link Scanner}'s walk, on threads of its own: each listing, sorted, and
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
 *
 * <p>With more than one thread, a thread about to read a directory's subtree hands the next siblings', one
 * each, to helpers that are idle, if any: a helper's listings go to a queue of its own (a segment of the
 * walk order), and where they belong in the walk a handover in the first thread's queue sends the walker
 * there. The first thread, done with its own part, becomes a helper too. Each thread waits only for room in
 * its own queue, which the walker empties in walk order, and a helper takes work only when it can start at
 * once, so no thread ever waits for one that waits for it. A helper gets a task only while the helpers'
 * queues hold fewer than half of {@code maxWaiting} entries in all, and each holds at most a quarter. A
 * helper that fails ends its segment: the walker reads what is missing itself.
 */
final class Prefetch implements AutoCloseable {
  static final int MAX_WAITING = 65_536;
  static final int MAX_STATS = 50_000;
  /**
   * Threads reading a scan's directories: two where there are two cores. With a warm cache the walker is the
   * slower end and a second thread changes little; with a cold one, each lstat may wait for the disk, and
   * two threads waiting at once cut a no-change scan of 100,000 files by ~0.3 s (docs/benchmarks.md).
   */
  static final int THREADS = Math.min(2, Runtime.getRuntime().availableProcessors());

  /**
   * A directory read ahead: its names in {@link RelPath} order and, per name, a {@link FileStat} or the
   * {@link IOException} reading it threw; {@code stats} is null for a directory too large to stat ahead.
   */
  record Listing(RelPath dir, List<String> names, Object[] stats) {}

  /** How the scanner lists a directory and stats a path (the same calls it makes itself). */
  interface Tree {
    List<String> list(Path dir) throws IOException;

    FileStat stat(Path p) throws IOException;

    /**
     * Stats each of {@code names} in {@code dir}: {@code into[i]} gets its {@link FileStat} or the
     * {@link IOException} {@link #stat} throws for it.
     */
    default void statAll(Path dir, List<String> names, Object[] into) {
      for (int i = 0; i < into.length; i++) {
        try {
          into[i] = stat(dir.resolve(names.get(i)));
        } catch (IOException e) {
          into[i] = e;
        }
      }
    }
  }

  private static final Object END = new Object();

  /** In a segment's queue, where the listings of a helper's segment come in the walk order. */
  private record Handover(Segment segment) {}

  /** A directory to read: its path in the walk and on disk. */
  private record Dir(RelPath rel, Path path) {}

  /** A helper's work: a directory whose subtree it reads into {@code segment}. */
  private record Task(Dir dir, Segment segment) {}

  /** A part of the walk order, read by one thread into a queue the walker empties. */
  private final class Segment {
    final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    /** Entries that may still be queued: a listing takes {@link #weight} permits until the walker takes it. */
    final Semaphore room;
    final int bound;
    final boolean helper;

    Segment(int bound, boolean helper) {
      this.bound = bound;
      this.room = new Semaphore(bound);
      this.helper = helper;
    }

    void put(Object o) throws InterruptedException {
      int w = weight(o);
      while (!room.tryAcquire(w, 50, TimeUnit.MILLISECONDS)) {
        if (stopped) {
          throw new InterruptedException("stopped");
        }
      }
      if (helper) {
        helperQueued.addAndGet(w);
      }
      queue.add(o);
    }

    /** The walker took {@code o}. */
    void taken(Object o) {
      int w = weight(o);
      room.release(w);
      if (helper) {
        helperQueued.addAndGet(-w);
      }
    }

    /** The permits a queued item holds: its entries (at least one, at most the bound); none for the rest. */
    int weight(Object o) {
      return o instanceof Listing l ? Math.min(1 + l.names().size(), bound) : 0;
    }
  }

  private final int maxStats;
  private final Segment main;
  private final List<Thread> threads = new ArrayList<>();
  private final BlockingQueue<Task> tasks = new LinkedBlockingQueue<>();
  /** Helpers waiting for a task. */
  private final AtomicInteger idle = new AtomicInteger();
  /**
   * Entries queued in helpers' segments. A helper gets a new task only while they are fewer than
   * {@link #helperBudget}; within its task it waits only for room in its own segment ({@link #helperBound}).
   */
  private final AtomicInteger helperQueued = new AtomicInteger();
  private final int helperBudget;
  private final int helperBound;
  private volatile boolean stopped;
  /** Whether the walker will descend into a directory; {@link #narrow}ed once a read started early learns it. */
  private volatile Predicate<RelPath> descend;
  /** The walker's position: the segment it reads, and those it returns to when that one ends. */
  private Segment current;
  private final Deque<Segment> outer = new ArrayDeque<>();
  /** The head taken from the queue but not yet wanted by the walker (it is further along). */
  private Object pending;

  /**
   * Starts reading {@code scopes} (normalized, as the scanner walks them) below {@code root}.
   *
   * @param descend whether the walker will descend into the directory at a path (not ignored, a valid name)
   */
  Prefetch(Path root, List<RelPath> scopes, Tree tree, Predicate<RelPath> descend) {
    this(root, scopes, tree, descend, MAX_STATS, MAX_WAITING, THREADS);
  }

  /** One thread (for tests). */
  Prefetch(Path root, List<RelPath> scopes, Tree tree, Predicate<RelPath> descend, int maxStats,
      int maxWaiting) {
    this(root, scopes, tree, descend, maxStats, maxWaiting, 1);
  }

  /** @param threads how many threads read (1: no helpers) */
  Prefetch(Path root, List<RelPath> scopes, Tree tree, Predicate<RelPath> descend, int maxStats,
      int maxWaiting, int threads) {
    this.maxStats = maxStats;
    this.main = new Segment(maxWaiting, false);
    this.current = main;
    this.descend = descend;
    int helpers = Math.max(0, threads - 1);
    this.helperBudget = Math.max(1, maxWaiting / 2);
    this.helperBound = Math.max(1, maxWaiting / 4);
    this.threads.add(DaemonThreads.named("jsync-prefetch").newThread(() -> run(root, scopes, tree)));
    for (int i = 0; i < helpers; i++) {
      this.threads.add(DaemonThreads.named("jsync-prefetch-" + (i + 2)).newThread(() -> help(tree)));
    }
    this.threads.forEach(Thread::start);
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
      end(main);
    }
    if (threads.size() > 1) {
      help(tree); // then it helps the helpers with the subtrees they still have to read
    }
  }

  /** A helper: takes the tasks handed to it until the read is closed. */
  private void help(Tree tree) {
    while (!stopped) {
      Task task;
      idle.incrementAndGet();
      try {
        task = tasks.take();
      } catch (InterruptedException e) {
        return; // closed
      }
      try {
        readSubtree(task.dir(), tree, task.segment());
      } catch (InterruptedException e) {
        return; // closed
      } catch (RuntimeException e) {
        // as in run(): the walker reads what is missing
      } finally {
        end(task.segment());
      }
    }
  }

  private void end(Segment segment) {
    try {
      segment.put(END);
    } catch (InterruptedException e) {
      // closed: nobody waits
    }
  }

  private void readScopes(Path root, List<RelPath> scopes, Tree tree) throws InterruptedException {
    for (RelPath scope : scopes) {
      if (stopped) {
        return;
      }
      if (scope.isRoot()) {
        read(RelPath.ROOT, root, tree, main);
      } else if (descend.test(scope) && directoriesAbove(root, scope, tree)) {
        Path p = scope.under(root);
        try {
          if (tree.stat(p).type() == FileStat.Type.DIR) {
            read(scope, p, tree, main);
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

  private void read(RelPath dir, Path dirPath, Tree tree, Segment into) throws InterruptedException {
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
      tree.statAll(dirPath, names, stats);
    }
    into.put(new Listing(dir, names, stats));
    List<Dir> children = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      Object st = stats == null ? null : stats[i];
      if (st instanceof FileStat fs && fs.type() == FileStat.Type.DIR) {
        children.add(new Dir(dir.resolve(names.get(i)), dirPath.resolve(names.get(i))));
      }
    }
    readSubtrees(children, tree, into);
  }

  /**
   * Reads sibling directories' subtrees in order. Before each, the next siblings go to helpers that are idle,
   * one subtree each: the threads then work on what the walker needs next, and none runs far ahead of it
   * (a helper given the whole later half would soon fill its queue and wait while the walker reads this
   * thread's half).
   */
  private void readSubtrees(List<Dir> dirs, Tree tree, Segment into) throws InterruptedException {
    int n = dirs.size();
    int i = 0;
    while (i < n) {
      int next = i + 1;
      List<Segment> handed = new ArrayList<>(0);
      while (next < n && reserveHelper()) {
        Segment theirs = new Segment(helperBound, true);
        tasks.add(new Task(dirs.get(next), theirs));
        handed.add(theirs);
        next++;
      }
      readSubtree(dirs.get(i), tree, into);
      for (Segment theirs : handed) {
        into.put(new Handover(theirs));
      }
      i = next;
    }
  }

  private void readSubtree(Dir dir, Tree tree, Segment into) throws InterruptedException {
    // Tested now, not when the parent was listed: narrow() may have come in between.
    if (descend.test(dir.rel())) {
      read(dir.rel(), dir.path(), tree, into);
    }
  }

  /** Claims an idle helper, if there is one and the helpers' queues have room: its task then starts at once. */
  private boolean reserveHelper() {
    if (helperQueued.get() >= helperBudget) {
      return false;
    }
    while (true) {
      int n = idle.get();
      if (n == 0) {
        return false;
      }
      if (idle.compareAndSet(n, n - 1)) {
        return true;
      }
    }
  }

  /**
   * The listing of {@code dir} read ahead, or null if this has none: the walker then reads it itself. Calls
   * must come in {@link RelPath} order, as the walk makes them. Waits while the reading threads are behind.
   */
  Listing take(RelPath dir) {
    while (true) {
      Object head = pending;
      pending = null;
      if (head == null) {
        try {
          head = next();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return null;
        }
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

  /** The next listing in walk order across the segments, or {@link #END} after the last. */
  private Object next() throws InterruptedException {
    while (true) {
      Object o = current.queue.take();
      current.taken(o);
      if (o instanceof Handover h) {
        outer.push(current);
        current = h.segment();
      } else if (o == END && !outer.isEmpty()) {
        current = outer.pop();
      } else {
        return o;
      }
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
    threads.forEach(Thread::interrupt);
    main.queue.clear();
  }
}
