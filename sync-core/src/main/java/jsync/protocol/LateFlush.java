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
  /** The flushing thread could not start or has ended (interrupted, a failed flush, an Error). */
  private boolean dead;
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

  /**
   * Asks for a flush within about {@code delayNanos}; flushes in the caller's thread instead if the
   * flushing thread could not start or has ended (so nothing asked for can stay in the buffer).
   */
  void request() {
    synchronized (this) {
      if (closed || due) {
        return; // due is never set once the thread is dead: run() clears it when it marks it so
      }
      if (!dead && (thread != null || startThread())) {
        due = true;
        notifyAll();
        return;
      }
    }
    flushNow();
  }

  /** Starts the flushing thread; false, and dead, if it cannot be. Guarded by this. */
  private boolean startThread() {
    try {
      Thread t = new Thread(this::run, "jsync-flush");
      t.setDaemon(true);
      t.start();
      thread = t;
      return true;
    } catch (Throwable e) { // OutOfMemoryError: unable to create native thread
      dead = true;
      return false;
    }
  }

  private void flushNow() {
    try {
      out.flush();
    } catch (IOException e) {
      onFailure.accept(e);
    }
  }

  private void run() {
    try {
      loop();
    } finally {
      boolean pending;
      synchronized (this) {
        dead = true;
        pending = due && !closed;
        due = false;
      }
      if (pending) {
        flushNow(); // what was asked for before the thread ended
      }
    }
  }

  private void loop() {
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
        if (closed) {
          return;
        }
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
