package jsync.transport.ssh;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the built-in and the external pipe share: the end-of-output check that turns a failed remote command
 * into a {@link TransportException}, the stderr tail, and a close that cannot hang.
 *
 * <p>Closing must not hang whatever the far side does. Sending EOF means flushing what was written, and a
 * flush blocks while the remote command does not read; a writer already blocked in {@code write} holds the
 * stream's lock. So EOF is sent only when no write is in flight, on a helper thread, for at most the close
 * timeout; after that the connection is torn down, which also fails the blocked writer.
 */
abstract class AbstractPipe implements RemotePipe {
  private final InputStream in;
  private final TrackedOutput out;
  private final StderrTail stderr;
  protected final RemoteTarget target;
  protected final Duration closeTimeout;
  private final AtomicBoolean closed = new AtomicBoolean();

  AbstractPipe(InputStream rawIn, OutputStream rawOut, RemoteTarget target, Duration closeTimeout,
      StderrTail stderr) {
    this.stderr = stderr;
    this.in = new EndCheckingInput(rawIn);
    this.out = new TrackedOutput(rawOut);
    this.target = target;
    this.closeTimeout = closeTimeout;
  }

  @Override
  public InputStream in() {
    return in;
  }

  @Override
  public OutputStream out() {
    return out;
  }

  @Override
  public String stderrTail() {
    return stderr.text();
  }

  /** Waits up to {@code timeout} for the remote command to end; returns its status if known by then. */
  abstract OptionalInt awaitExit(Duration timeout);

  /** A description of how the command ended abnormally other than by status (a signal), or null. */
  abstract String abnormalEnd();

  /** Tears the connection down at once: unblocks readers and writers. Idempotent. */
  abstract void forceClose();

  /** Releases what remains once the command ended or was forced to (client, threads). Idempotent. */
  abstract void release();

  @Override
  public final void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    try {
      if (out.inFlight.get() == 0 && !out.closed) {
        sendEofBounded(closeTimeout);
      }
      long left = Math.max(0, deadline - System.nanoTime());
      if (out.inFlight.get() == 0) {
        awaitExit(Duration.ofNanos(left));
      }
    } finally {
      forceClose();
      release();
    }
  }

  private void sendEofBounded(Duration timeout) {
    Thread t = new Thread(() -> {
      try {
        out.close();
      } catch (IOException e) {
        // The connection is already gone: there is nobody left to send EOF to, and close() reports
        // nothing (the exit status tells whether the remote side finished).
      }
    }, "jsync-ssh-eof " + target.display());
    t.setDaemon(true);
    t.start();
    try {
      t.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The exception explaining why the remote command failed, or null if it exited with status 0 or its end is
   * unknown. Waits up to the close timeout for the status: with OpenSSH it arrives just after the output's
   * EOF.
   */
  TransportException failure() {
    OptionalInt status = awaitExit(closeTimeout);
    if (status.isPresent()) {
      return status.getAsInt() == 0 ? null : target.commandFailed(status.getAsInt(), stderrTail());
    }
    String end = abnormalEnd();
    return end == null ? null : target.commandEnded(end, stderrTail());
  }

  /** Throws, at the end of the remote output, the explanation of a failed remote command. */
  private final class EndCheckingInput extends InputStream {
    private final InputStream raw;
    private boolean checked;
    private TransportException failure;

    EndCheckingInput(InputStream raw) {
      this.raw = raw;
    }

    @Override
    public int read() throws IOException {
      int b = raw.read();
      if (b < 0) {
        atEnd();
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = raw.read(b, off, len);
      if (n < 0) {
        atEnd();
      }
      return n;
    }

    @Override
    public int available() throws IOException {
      return raw.available();
    }

    @Override
    public void close() throws IOException {
      raw.close();
    }

    private void atEnd() {
      synchronized (this) {
        if (!checked) {
          checked = true;
          failure = failure();
        }
      }
      if (failure != null) {
        throw failure;
      }
    }
  }

  /** Counts writes in progress so that close() knows whether a writer is blocked. */
  private static final class TrackedOutput extends FilterOutputStream {
    final AtomicInteger inFlight = new AtomicInteger();
    volatile boolean closed;

    TrackedOutput(OutputStream raw) {
      super(raw);
    }

    @Override
    public void write(int b) throws IOException {
      inFlight.incrementAndGet();
      try {
        out.write(b);
      } finally {
        inFlight.decrementAndGet();
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      inFlight.incrementAndGet();
      try {
        out.write(b, off, len);
      } finally {
        inFlight.decrementAndGet();
      }
    }

    @Override
    public void flush() throws IOException {
      inFlight.incrementAndGet();
      try {
        out.flush();
      } finally {
        inFlight.decrementAndGet();
      }
    }

    @Override
    public void close() throws IOException {
      closed = true;
      out.close();
    }
  }
}
