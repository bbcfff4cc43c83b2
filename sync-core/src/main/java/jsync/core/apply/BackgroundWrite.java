package jsync.core.apply;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
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
 * A large file's bytes written to its temporary file and signed (its block signature) on a thread of their
 * own, so that the thread producing them (a delta's patcher reading blocks of the basis, or a transfer)
 * only hashes them and hands them over. That thread was the end of the critical path of a 1 GiB delta: with
 * the signature in line it spent 0.75 of its 1.5 CPU s on it, with the other core 40% idle; later, with the
 * signature on a thread of its own and mostly taken from the basis, it still worked 0.4-0.5 s after the
 * sender had finished, reading the basis, hashing, and writing (the kernel's copy into the page cache), one
 * after the other (docs/benchmarks.md). The producer copies each chunk into one of a few buffers and goes
 * on; it waits only when this thread is that many chunks behind.
 *
 * <p>One producer thread. {@link #finish} waits for everything handed over to be written; {@link #close}
 * in a finally stops the thread after the chunk it is writing, if {@link #finish} was not reached.
 */
final class BackgroundWrite implements AutoCloseable {
  /** Files at least this large are written aside. */
  static final long MIN_SIZE = 64L << 20;
  static final int CHUNK = 128 * 1024;
  private static final int BUFFERS = 8;
  private static final ExecutorService THREADS =
      Executors.newCachedThreadPool(DaemonThreads.named("jsync-write"));
  private static final Chunk END = new Chunk(new byte[0], 0);
  private static final Chunk ABORT = new Chunk(new byte[0], 0);

  private record Chunk(byte[] bytes, int length) {}

  /** After each chunk written, so that a file's early write-back follows the writes it covers. */
  @FunctionalInterface
  interface AfterWrite {
    void wrote(int bytes) throws IOException;
  }

  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
  /** Never full: there are at most {@code BUFFERS} chunks, plus the end or abort. */
  private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(BUFFERS + 1);
  private final Future<Signature> result;
  private int allocated;

  /**
   * @param out the temporary file, written only by this thread from now on
   * @param afterWrite told of each chunk once written, on this thread
   * @param builder the signature of the bytes
   */
  BackgroundWrite(WritableByteChannel out, AfterWrite afterWrite, SignatureBuilder builder) {
    this.result = THREADS.submit(() -> {
      while (true) {
        Chunk c = full.take();
        if (c == END) {
          return builder.finish();
        }
        if (c == ABORT) {
          return null;
        }
        ByteBuffer bb = ByteBuffer.wrap(c.bytes(), 0, c.length());
        while (bb.hasRemaining()) {
          out.write(bb);
        }
        afterWrite.wrote(c.length());
        builder.update(c.bytes(), 0, c.length());
        free.add(c.bytes());
      }
    });
  }

  /** Hands over a copy of {@code len} bytes at {@code off}. */
  void write(byte[] b, int off, int len) throws IOException {
    try {
      while (len > 0) {
        byte[] buf = free.poll();
        if (buf == null && allocated < BUFFERS) {
          buf = new byte[CHUNK];
          allocated++;
        }
        while (buf == null) {
          if (result.isDone()) {
            finish(); // the write thread failed: throws why
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
      throw new InterruptedIOException("interrupted while writing");
    }
  }

  /** Waits until everything handed over is written; its signature. */
  Signature finish() throws IOException {
    try {
      if (!result.isDone()) {
        full.put(END);
      }
      Signature w = result.get();
      if (w == null) {
        throw new IllegalStateException("finish after close");
      }
      return w;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException("cannot write: " + cause, cause);
    }
  }

  /**
   * Stops the write thread after the chunk it is writing, if {@link #finish} was not reached (not by an
   * interrupt, which would close the file under it), and waits for it.
   */
  @Override
  public void close() {
    if (!result.isDone()) {
      full.clear();
      full.offer(ABORT);
      // Waited for even if this thread is interrupted (an applier shutting down): the file and its
      // write-back are closed after this, and must not be in use then. At most one chunk's write.
      boolean interrupted = false;
      while (true) {
        try {
          result.get();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
          break; // it failed; the producer has its own error, or learns this one from finish
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
