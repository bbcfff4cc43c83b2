package jsync.protocol;

import java.io.Flushable;
import java.io.IOException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Flushes a stream a moment after it is asked to, on a thread of its own, so that what several producers
 * finish at about the same time leaves in one write instead of one each.
 *
 * <p>Why: a first copy of many small files sent one file per flush, hence one SSH packet per file each way
 * (encrypted, written to the socket, decrypted by sshd, piped, read), a cost per file that rsync, which
 * streams files back to back, does not pay. The session asks for a late flush only where someone else is
 * still writing to the same stream (another file's content), so the latency it adds (at most
 * {@code delayNanos}) never holds up a lone request.
 *
 * <p>Every request is followed by a flush that starts after it: nothing asked for is left unsent.
 */
final class LateFlush implements AutoCloseable {
  private final Flushable out;
  private final long delayNanos;
  private final Consumer<IOException> onFailure;
  /** A flush was asked for and has not started yet. Guarded by this. */
  private boolean due;
  private boolean closed;
  private Thread thread;

  /**
   * @param onFailure told once if a flush fails; the flushing thread then stops (the stream is broken and
   *     its other users learn it from their own writes)
   */
  LateFlush(Flushable out, long delayNanos, Consumer<IOException> onFailure) {
    this.out = out;
    this.delayNanos = delayNanos;
    this.onFailure = onFailure;
  }

  /** Asks for a flush within about {@code delayNanos}. */
  synchronized void request() {
    if (closed || due) {
      return;
    }
    due = true;
    if (thread == null) {
      thread = new Thread(this::run, "jsync-flush");
      thread.setDaemon(true);
      thread.start();
    }
    notifyAll();
  }

  private void run() {
    while (true) {
      synchronized (this) {
        while (!due && !closed) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return; // the owner flushes or closes the stream itself
        }
      }
      // Let the producers finishing now add theirs to the same write.
      LockSupport.parkNanos(delayNanos);
      synchronized (this) {
        due = false; // a request from here on gets a flush of its own
      }
      try {
        out.flush();
      } catch (IOException e) {
        onFailure.accept(e);
        return;
      } catch (RuntimeException e) {
        onFailure.accept(new IOException(e.toString(), e));
        return;
      }
    }
  }

  /** Stops the thread; a flush asked for and not started is the owner's to do (it closes the stream). */
  @Override
  public synchronized void close() {
    closed = true;
    notifyAll();
  }
}
