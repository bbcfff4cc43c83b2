package jsync.core.apply;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jsync.core.DaemonThreads;

/**
 * Flushes a large file being written to disk as it is written, on a thread of its own, so that the sync
 * that must precede its recording (see {@link Durability}) finds little left to write. Without it, a 1 GiB
 * file received by a delta was written in ~0.8 s and then synced for ~0.4 s with both cores idle, waiting
 * for the disk (docs/benchmarks.md). Doing the same flushes on the writing thread was measured before and
 * gave nothing: the writer then waited for the disk instead of the sync.
 *
 * <p>One flush at a time: each covers what was written up to its start; the next starts at the first write
 * after it ended once {@link #EVERY} more bytes were written since it started. A failed flush fails the file ({@link #close}
 * throws): Linux reports a write-back error to a descriptor once, and a later sync of the file through a
 * descriptor opened afterwards might not see it.
 */
final class EarlyWriteback implements AutoCloseable {
  /** Files at least this large are flushed as they are written. */
  static final long MIN_SIZE = 64L << 20;
  /** Bytes written between flushes. */
  static final long EVERY = 32L << 20;
  private static final ExecutorService THREADS =
      Executors.newCachedThreadPool(DaemonThreads.named("jsync-writeback"));

  private final FileChannel out;
  private long unflushed;
  private Future<?> flushing;

  EarlyWriteback(FileChannel out) {
    this.out = out;
  }

  /** {@code n} more bytes were written to the channel. */
  void wrote(long n) throws IOException {
    unflushed += n;
    if (unflushed >= EVERY && (flushing == null || flushing.isDone())) {
      if (flushing != null) {
        outcome(); // throws if it failed
      }
      unflushed = 0;
      flushing = THREADS.submit(() -> {
        out.force(false);
        return null;
      });
    }
  }

  /** Waits for the flush under way, if any; throws if one failed. Call it before closing the channel. */
  @Override
  public void close() throws IOException {
    if (flushing != null) {
      outcome();
    }
  }

  /** Waits for the last flush and throws what it failed with. */
  private void outcome() throws IOException {
    try {
      flushing.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while flushing to disk");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof IOException io ? new IOException("cannot flush to disk: " + io.getMessage(), io)
          : new IOException("cannot flush to disk: " + cause, cause);
    }
  }
}
