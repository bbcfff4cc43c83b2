package jsync.protocol;

import static jsync.core.testing.TestTimeouts.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Flushable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link LateFlush}, and the session's use of it for content streams ending while others are written. */
class LateFlushTest {
  /** A stream whose flushes are counted, and each held until the test lets it pass. */
  private static final class GatedFlushes implements Flushable {
    final Semaphore pass = new Semaphore(0);
    final Semaphore started = new Semaphore(0);
    final AtomicInteger done = new AtomicInteger();

    @Override
    public void flush() throws IOException {
      started.release();
      try {
        if (!pass.tryAcquire(seconds(30).toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IOException("flush never let through");
        }
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
      done.incrementAndGet();
    }
  }

  private static void await(Semaphore s) throws InterruptedException {
    assertTrue(s.tryAcquire(seconds(30).toMillis(), TimeUnit.MILLISECONDS), "timed out");
  }

  @Test
  void requestsWhileAFlushRuns_shareOneMoreFlush_andNoneIsLeftOut() throws Exception {
    GatedFlushes out = new GatedFlushes();
    try (LateFlush late = new LateFlush(out, 1000, e -> { })) {
      late.request();
      await(out.started);
      // The first flush is under way: these all come after it started, so one more flush must follow,
      // and one is enough for all of them.
      for (int i = 0; i < 100; i++) {
        late.request();
      }
      out.pass.release();
      await(out.started);
      out.pass.release();
      // Nothing asked since: no third flush. A new request gets one.
      late.request();
      await(out.started);
      out.pass.release();
      for (int i = 0; i < 300 && out.done.get() < 3; i++) {
        Thread.sleep(10);
      }
      assertEquals(3, out.done.get());
      assertEquals(0, out.started.availablePermits(), "no flush beyond those asked for");
    }
  }

  @Test
  void aFailedFlush_isTold_andLaterRequestsReturnAtOnce() throws Exception {
    AtomicReference<IOException> told = new AtomicReference<>();
    CountDownLatch failed = new CountDownLatch(1);
    Flushable broken = () -> {
      throw new IOException("pipe closed");
    };
    try (LateFlush late = new LateFlush(broken, 1000, e -> {
      told.set(e);
      failed.countDown();
    })) {
      late.request();
      assertTrue(failed.await(seconds(30).toMillis(), TimeUnit.MILLISECONDS));
      assertEquals("pipe closed", told.get().getMessage());
      late.request(); // the stream is broken: nothing to wait for
    }
  }

  /** Once the flushing thread has ended (here: a flush failed), a request flushes in the caller's thread. */
  @Test
  void afterTheThreadEnded_requestsFlushInTheCallersThread() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    AtomicReference<String> lastThread = new AtomicReference<>();
    CountDownLatch failed = new CountDownLatch(1);
    Flushable flaky = () -> {
      lastThread.set(Thread.currentThread().getName());
      if (calls.incrementAndGet() == 1) {
        throw new IllegalStateException("first flush fails");
      }
    };
    try (LateFlush late = new LateFlush(flaky, 1000, e -> failed.countDown())) {
      late.request();
      assertTrue(failed.await(seconds(30).toMillis(), TimeUnit.MILLISECONDS));
      assertEquals("jsync-flush", lastThread.get());
      for (int i = 0; i < 300 && calls.get() == 1; i++) {
        late.request(); // the thread may still be ending: then this one is its
        Thread.sleep(10);
      }
      late.request();
      assertEquals(Thread.currentThread().getName(), lastThread.get());
    }
  }

  /**
   * A small file's end, sent while another file's content stream is still open, reaches the peer without
   * that other stream closing (its flush is late, not skipped); and the last stream's end goes at once.
   */
  @Test
  @org.junit.jupiter.api.Timeout(120) // without the late flush the first read waits for ever
  void aContentStreamsEnd_reachesThePeer_whileAnotherIsStillBeingWritten() throws Exception {
    try (SessionPair pair = SessionPair.start((s, id, m) -> { })) {
      InputStream small = pair.server().receive(1);
      InputStream big = pair.server().receive(3);
      OutputStream bigOut = pair.client().send(3);
      bigOut.write("first part".getBytes(StandardCharsets.UTF_8));
      OutputStream smallOut = pair.client().send(1);
      smallOut.write("small file".getBytes(StandardCharsets.UTF_8));
      smallOut.close();

      assertEquals("small file", new String(small.readAllBytes(), StandardCharsets.UTF_8));

      bigOut.write(", rest".getBytes(StandardCharsets.UTF_8));
      bigOut.close();
      assertEquals("first part, rest", new String(big.readAllBytes(), StandardCharsets.UTF_8));
      assertEquals(0, pair.client().contentStreamsOpen());
    }
  }

  /**
   * A stream ended with an error counts as closed: otherwise every later lone stream would wait for a late
   * flush. The peer sees the error, not an end.
   */
  @Test
  @org.junit.jupiter.api.Timeout(120)
  void aFailedContentStream_isNoLongerCountedOpen_andItsPeerSeesTheError() throws Exception {
    try (SessionPair pair = SessionPair.start((s, id, m) -> { })) {
      InputStream failing = pair.server().receive(1);
      InputStream fine = pair.server().receive(3);
      OutputStream failingOut = pair.client().send(1);
      OutputStream fineOut = pair.client().send(3);
      assertEquals(2, pair.client().contentStreamsOpen());
      failingOut.write("part of it".getBytes(StandardCharsets.UTF_8));
      pair.client().fail(failingOut, "the source vanished");
      assertEquals(1, pair.client().contentStreamsOpen());
      failingOut.close(); // already ended: nothing more is sent, nothing counted twice
      assertEquals(1, pair.client().contentStreamsOpen());
      IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, failing::readAllBytes);
      assertTrue(e.getMessage().contains("the source vanished"), e.getMessage());

      fineOut.write("whole".getBytes(StandardCharsets.UTF_8));
      fineOut.close();
      assertEquals(0, pair.client().contentStreamsOpen());
      assertEquals("whole", new String(fine.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
