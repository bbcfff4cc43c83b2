package jsync.core.scan;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import jsync.core.model.RelPath;

/**
 * A root's directories listed and stat-ed before anyone asked for a scan: what {@code jsync server} starts
 * the moment its JVM runs, from the root the client names on its command line, while the rest of the
 * set-up (the protocol's classes, the handshake, opening the archive) goes on. Over SSH the remote scan is
 * the last long step of a no-change run and its {@code lstat}s are most of it (docs/benchmarks.md); this
 * moves them off that path.
 *
 * <p>It reads the whole root in the scanner's order ({@link Prefetch}), not knowing the ignore rules yet: a
 * {@link Scanner} that {@linkplain Scanner#readingAhead adopts} it tells it which directories it will
 * descend into, so an ignored tree is read at most until then. A scanner of another root or of only some
 * paths closes it unused. Close it if no scanner takes it.
 */
public final class ReadAhead implements AutoCloseable {
  private final Path root;
  private final long startNanos;
  private final Prefetch prefetch;
  private boolean taken;
  private boolean adopted;

  private ReadAhead(Path root, long startNanos, Prefetch prefetch) {
    this.root = root;
    this.startNanos = startNanos;
    this.prefetch = prefetch;
  }

  /** Starts reading {@code root} (absolute, normalized, as the replica will name it) on a thread of its own. */
  public static ReadAhead start(Path root, Clock clock) {
    Instant start = clock.instant();
    Prefetch p = new Prefetch(root, List.of(RelPath.ROOT), Scanner.tree(root.getFileSystem()),
        Scanner::readable);
    return new ReadAhead(root, start.getEpochSecond() * 1_000_000_000L + start.getNano(), p);
  }

  public Path root() {
    return root;
  }

  /**
   * When the reading started: no stat it hands out is older. A scan that adopts it measures a file's age
   * (for the racy window) from here, never from a later start, which would make a stat look older than it is.
   */
  long startNanos() {
    return startNanos;
  }

  /** Hands the running read to a scanner, which owns it from now on; null if it was taken or closed. */
  synchronized Prefetch take() {
    if (taken) {
      return null;
    }
    taken = true;
    adopted = true;
    return prefetch;
  }

  /** Whether a scan took this read over (rather than closing it unused): for tests and diagnostics. */
  public synchronized boolean adopted() {
    return adopted;
  }

  @Override
  public synchronized void close() {
    if (!taken) {
      taken = true;
      prefetch.close();
    }
  }
}
