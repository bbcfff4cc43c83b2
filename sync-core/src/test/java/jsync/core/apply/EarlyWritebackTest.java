package jsync.core.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Flushes of a large file being written: aside, one at a time, waited for, and never a lost error. */
class EarlyWritebackTest {
  /** A channel that only counts (and may delay or fail) its flushes. */
  private static class Flushes extends FileChannel {
    final List<String> threads = new CopyOnWriteArrayList<>();
    final AtomicInteger running = new AtomicInteger();
    volatile int mostAtOnce;
    volatile CountDownLatch hold = new CountDownLatch(0);
    volatile IOException failure;

    @Override
    public void force(boolean metaData) throws IOException {
      mostAtOnce = Math.max(mostAtOnce, running.incrementAndGet());
      try {
        threads.add(Thread.currentThread().getName());
        if (!hold.await(30, TimeUnit.SECONDS)) {
          throw new IOException("held too long");
        }
        if (failure != null) {
          throw failure;
        }
      } catch (InterruptedException e) {
        throw new IOException(e);
      } finally {
        running.decrementAndGet();
      }
    }

    // Nothing else is used.
    @Override public int read(ByteBuffer dst) { throw new UnsupportedOperationException(); }
    @Override public long read(ByteBuffer[] dsts, int offset, int length) { throw new UnsupportedOperationException(); }
    @Override public int write(ByteBuffer src) { throw new UnsupportedOperationException(); }
    @Override public long write(ByteBuffer[] srcs, int offset, int length) { throw new UnsupportedOperationException(); }
    @Override public long position() { throw new UnsupportedOperationException(); }
    @Override public FileChannel position(long newPosition) { throw new UnsupportedOperationException(); }
    @Override public long size() { throw new UnsupportedOperationException(); }
    @Override public FileChannel truncate(long size) { throw new UnsupportedOperationException(); }
    @Override public long transferTo(long position, long count, WritableByteChannel target) { throw new UnsupportedOperationException(); }
    @Override public long transferFrom(ReadableByteChannel src, long position, long count) { throw new UnsupportedOperationException(); }
    @Override public int read(ByteBuffer dst, long position) { throw new UnsupportedOperationException(); }
    @Override public int write(ByteBuffer src, long position) { throw new UnsupportedOperationException(); }
    @Override public MappedByteBuffer map(MapMode mode, long position, long size) { throw new UnsupportedOperationException(); }
    @Override public FileLock lock(long position, long size, boolean shared) { throw new UnsupportedOperationException(); }
    @Override public FileLock tryLock(long position, long size, boolean shared) { throw new UnsupportedOperationException(); }
    @Override protected void implCloseChannel() { }
  }

  @Test
  void flushesAside_everyFewMegabytes_oneAtATime_andCloseWaitsForTheLast() throws Exception {
    Flushes ch = new Flushes();
    try (EarlyWriteback w = new EarlyWriteback(ch)) {
      w.wrote(EarlyWriteback.EVERY - 1);
      assertEquals(List.of(), ch.threads, "not yet");
      ch.hold = new CountDownLatch(1);
      w.wrote(1);
      // A flush is under way: however much is written meanwhile, no second one starts.
      for (int i = 0; i < 10; i++) {
        w.wrote(EarlyWriteback.EVERY);
      }
      ch.hold.countDown();
      awaitIdle(ch, 1);
      // Counted since that flush started: the next one starts at once, and is not held.
      w.wrote(EarlyWriteback.EVERY);
      awaitIdle(ch, 2);
      ch.hold = new CountDownLatch(1);
      w.wrote(EarlyWriteback.EVERY);
      Thread release = new Thread(() -> {
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
        ch.hold.countDown();
      });
      release.start();
    }
    // close() returned only after the held flush finished.
    assertEquals(0, ch.running.get());
    assertEquals(1, ch.mostAtOnce);
    assertEquals(3, ch.threads.size(), ch.threads.toString());
    assertTrue(ch.threads.stream().allMatch(t -> t.startsWith("jsync-writeback")), ch.threads.toString());
  }

  @Test
  void aFailedFlush_failsTheFile() throws Exception {
    Flushes ch = new Flushes();
    ch.failure = new IOException("Input/output error");
    EarlyWriteback w = new EarlyWriteback(ch);
    w.wrote(EarlyWriteback.EVERY);
    IOException e = assertThrows(IOException.class, w::close);
    assertTrue(e.getMessage().contains("cannot flush to disk: Input/output error"), e.getMessage());

    // Reported at the next write too, not only at the end: at the first write after the failed flush is
    // over. Its force() returns (awaitIdle sees it) a moment before its Future is done, so writes are
    // repeated until one throws; one that never does fails the test after 30 s.
    EarlyWriteback again = new EarlyWriteback(ch);
    again.wrote(EarlyWriteback.EVERY);
    awaitIdle(ch, 2);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    assertThrows(IOException.class, () -> {
      while (System.nanoTime() < deadline) {
        again.wrote(EarlyWriteback.EVERY);
        Thread.sleep(1);
      }
    });
  }

  /** Waits until {@code flushes} flushes have started and none is running. */
  private static void awaitIdle(Flushes ch, int flushes) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while ((ch.threads.size() < flushes || ch.running.get() > 0) && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertEquals(flushes, ch.threads.size(), ch.threads.toString());
  }
}
