package jsync.core.apply;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import jsync.core.DaemonThreads;
import jsync.core.model.Entry;

/**
 * Frees the storage of a large file that a rename replaces, or a delete removes, on a thread of its own.
 *
 * <p>Dropping a file's last link frees its blocks and drops its pages from the cache in the call that drops
 * it: renaming a received 1 GiB file over its old version spent 0.21 s inside {@code rename(2)} (ext4,
 * docs/benchmarks.md), at the very end of a run, with nothing else left to do. While a descriptor of the
 * old file is open, the rename or delete only removes the name, and the freeing waits for the last close.
 * So the old file is opened just before, and closed afterwards on {@code jsync-release}, while the run goes
 * on with its commit. Only an optimisation: if the file cannot be opened, nothing is held and the rename
 * frees it as before. A process that exits first closes the descriptor (and frees the file) at its exit.
 */
final class DeferredFree implements AutoCloseable {
  /** Files at least this large are freed aside; freeing 16 MiB costs ~3 ms, a hand-over a few µs. */
  static final long MIN_SIZE = 16L << 20;

  /** One thread, started when needed: the frees are sequential work in the kernel anyway. */
  static final ExecutorService RELEASER = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS,
      new LinkedBlockingQueue<>(), DaemonThreads.named("jsync-release"));

  private FileChannel held;

  private DeferredFree(FileChannel held) {
    this.held = held;
  }

  /**
   * Holds the file at {@code target} open if the caller expects it to be a regular file of at least
   * {@link #MIN_SIZE} (what it re-checked it to be); holds nothing otherwise, or if it cannot be opened.
   */
  static DeferredFree hold(Path target, Entry expected) {
    if (!(expected instanceof Entry.File f) || f.size() < MIN_SIZE) {
      return new DeferredFree(null);
    }
    try {
      return new DeferredFree(FileChannel.open(target, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
    } catch (IOException | UnsupportedOperationException e) {
      return new DeferredFree(null);
    }
  }

  /** The held file's name is gone (renamed over or deleted): its descriptor is closed on the release thread. */
  void unlinked() {
    FileChannel ch = held;
    held = null;
    if (ch != null) {
      RELEASER.execute(() -> closeQuietly(ch));
    }
  }

  /** Closes what is still held here (the rename or delete failed, so closing frees nothing). */
  @Override
  public void close() {
    if (held != null) {
      closeQuietly(held);
      held = null;
    }
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      // A read-only descriptor: nothing was written through it that a failed close could lose.
    }
  }
}
