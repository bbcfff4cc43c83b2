package jsync.core.apply;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import jsync.core.DaemonThreads;
import jsync.core.delta.Signature;
import jsync.core.delta.SignatureBuilder;

/**
 * A {@link SignatureBuilder} fed on a thread of its own, for a large file being written: the block signature
 * the archive keeps of a received file was computed on the thread that writes it, and for a 1 GiB file that
 * thread was the end of the transfer's critical path (its weak checksums under C1: 0.75 of its 1.5 CPU s in
 * a delta run, with the other core 40% idle; docs/benchmarks.md). The writer copies each chunk into one of
 * a few buffers and goes on; it waits only when the signature thread is that many chunks behind.
 *
 * <p>One writer thread; {@link #close} in a finally (it stops the signature thread if {@link #finish} was
 * not reached).
 */
final class BackgroundSignature implements AutoCloseable {
  /** Files at least this large get their signature computed aside. */
  static final long MIN_SIZE = 64L << 20;
  static final int CHUNK = 128 * 1024;
  private static final int BUFFERS = 8;
  private static final ExecutorService THREADS =
      Executors.newCachedThreadPool(DaemonThreads.named("jsync-signature"));
  private static final Chunk END = new Chunk(new byte[0], 0);

  private record Chunk(byte[] bytes, int length) {}

  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
  /** Never full: there are at most {@code BUFFERS} chunks, plus the end. */
  private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(BUFFERS + 1);
  private final Future<Signature> result;
  private int allocated;

  BackgroundSignature(SignatureBuilder builder) {
    this.result = THREADS.submit(() -> {
      while (true) {
        Chunk c = full.take();
        if (c == END) {
          return builder.finish();
        }
        builder.update(c.bytes(), 0, c.length());
        free.add(c.bytes());
      }
    });
  }

  /** Hands over a copy of {@code len} bytes at {@code off}. */
  void update(byte[] b, int off, int len) throws IOException {
    try {
      while (len > 0) {
        byte[] buf = free.poll();
        if (buf == null && allocated < BUFFERS) {
          buf = new byte[CHUNK];
          allocated++;
        }
        while (buf == null) {
          if (result.isDone()) {
            finish(); // the signature thread failed: throws why
          }
          buf = free.poll(100, TimeUnit.MILLISECONDS);
        }
        int n = Math.min(len, CHUNK);
        System.arraycopy(b, off, buf, 0, n);
        full.put(new Chunk(buf, n));
        off += n;
        len -= n;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while computing a block signature");
    }
  }

  /** Waits for the signature of everything handed over. */
  Signature finish() throws IOException {
    try {
      if (!result.isDone()) {
        full.put(END);
      }
      return result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while computing a block signature");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException("cannot compute a block signature: " + cause, cause);
    }
  }

  /** Stops the signature thread if it is still waiting for bytes. */
  @Override
  public void close() {
    result.cancel(true);
  }
}
