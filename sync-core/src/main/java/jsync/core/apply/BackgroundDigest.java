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
import jsync.core.delta.XxHash;
import net.jpountz.xxhash.StreamingXXHash64;

/**
 * The block signature and the whole-file hash of a large file being written, computed on a thread of their
 * own. The thread that writes a received 1 GiB file was the end of the transfer's critical path: computing
 * the signature there cost 0.75 of its 1.5 CPU s in a delta run, with the other core 40% idle; later, with
 * most of the signature taken from the basis, its xxHash of the bytes was 0.07 s of the ~1 s it spent
 * while the sender had finished (docs/benchmarks.md). The writer copies each chunk into one of a few
 * buffers and goes on; it waits only when the digest thread is that many chunks behind.
 *
 * <p>One writer thread; {@link #close} in a finally (it stops the digest thread if {@link #finish} was not
 * reached).
 */
final class BackgroundDigest implements AutoCloseable {
  /** Files at least this large get their digests computed aside. */
  static final long MIN_SIZE = 64L << 20;
  static final int CHUNK = 128 * 1024;
  private static final int BUFFERS = 8;
  private static final ExecutorService THREADS =
      Executors.newCachedThreadPool(DaemonThreads.named("jsync-signature"));
  private static final Chunk END = new Chunk(new byte[0], 0);

  private record Chunk(byte[] bytes, int length) {}

  /** What the digest thread computed of all the bytes handed over. */
  record Digest(Signature signature, long hash) {}

  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
  /** Never full: there are at most {@code BUFFERS} chunks, plus the end. */
  private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(BUFFERS + 1);
  private final StreamingXXHash64 hash = XxHash.streaming(0);
  private final Future<Digest> result;
  private int allocated;
  /** Bytes handed over, by the writer. */
  private long handed;
  /** Bytes digested, by the digest thread; guarded by {@code this}. */
  private long digested;

  BackgroundDigest(SignatureBuilder builder) {
    this.result = THREADS.submit(() -> {
      try {
        while (true) {
          Chunk c = full.take();
          if (c == END) {
            return new Digest(builder.finish(), hash.getValue());
          }
          builder.update(c.bytes(), 0, c.length());
          hash.update(c.bytes(), 0, c.length());
          free.add(c.bytes());
          synchronized (this) {
            digested += c.length();
            notifyAll();
          }
        }
      } finally {
        synchronized (this) {
          notifyAll(); // a writer waiting in hashSoFar learns that this thread ended
        }
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
            finish(); // the digest thread failed: throws why
          }
          buf = free.poll(100, TimeUnit.MILLISECONDS);
        }
        int n = Math.min(len, CHUNK);
        System.arraycopy(b, off, buf, 0, n);
        full.put(new Chunk(buf, n));
        handed += n;
        off += n;
        len -= n;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while computing a block signature");
    }
  }

  /**
   * The xxHash64 (seed 0) of everything handed over so far, once the digest thread has caught up; more
   * bytes may follow. Called by the writer.
   */
  long hashSoFar() throws IOException {
    synchronized (this) {
      while (digested < handed) {
        if (result.isDone()) {
          finish(); // the digest thread failed or was stopped: throws why
        }
        try {
          wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while hashing");
        }
      }
      // The digest thread is waiting for the next chunk: the hash state is all ours to read.
      return hash.getValue();
    }
  }

  /** Waits for the signature and hash of everything handed over. */
  Digest finish() throws IOException {
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

  /**
   * Stops the digest thread if it is still waiting for bytes, and releases the hash state (lz4-java's
   * streaming hash is synchronized and refuses use once closed, so a digest thread not yet stopped fails
   * instead of touching freed memory).
   */
  @Override
  public void close() {
    result.cancel(true);
    hash.close();
  }
}
