package jsync.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import jsync.core.model.RelPath;
import jsync.core.watch.ChangeSink;
import org.junit.jupiter.api.Test;

/** Debouncing: when a batch of changes is due, and what it holds. Real time, in milliseconds. */
class ChangeQueueTest {
  static final long MS = 1_000_000L;
  final ChangeQueue queue = new ChangeQueue();
  final ChangeSink sink = queue.sink("a");

  private long far() {
    return System.nanoTime() + Duration.ofSeconds(30).toNanos();
  }

  @Test
  void aSingleChangeIsDueAfterTheQuietPeriod() throws Exception {
    sink.changed(RelPath.parse("f"));
    long start = System.nanoTime();
    ChangeQueue.Batch b = queue.await(100 * MS, 5000 * MS, far());
    long waited = System.nanoTime() - start;
    assertEquals(Set.of(RelPath.parse("f")), b.paths());
    assertTrue(waited >= 90 * MS && waited < 2000 * MS, "waited " + waited / MS + " ms");
  }

  @Test
  void changesThatKeepComing_areDueAtTheMaximumDelay() throws Exception {
    Thread writer = new Thread(() -> {
      for (int i = 0; i < 100; i++) {
        sink.changed(RelPath.parse("busy"));
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    long start = System.nanoTime();
    writer.start();
    ChangeQueue.Batch b = queue.await(100 * MS, 500 * MS, far());
    long waited = System.nanoTime() - start;
    writer.interrupt();
    writer.join();
    assertEquals(Set.of(RelPath.parse("busy")), b.paths());
    assertTrue(waited >= 450 * MS && waited < 1500 * MS, "waited " + waited / MS + " ms, not about 500");
  }

  @Test
  void nothingPending_returnsEmptyAtTheDeadline() throws Exception {
    long start = System.nanoTime();
    ChangeQueue.Batch b = queue.await(10 * MS, 10 * MS, start + 150 * MS);
    assertTrue(b.isEmpty());
    assertTrue(System.nanoTime() - start >= 140 * MS);
  }

  @Test
  void aRescanReplacesThePaths_andLaterPathsAreNotKept() throws Exception {
    sink.changed(RelPath.parse("x"));
    sink.rescan("overflow");
    sink.changed(RelPath.parse("y"));
    ChangeQueue.Batch b = queue.await(1 * MS, 1 * MS, far());
    assertEquals(Optional.of("a: overflow"), b.rescan());
    assertEquals(Set.of(), b.paths());
    assertTrue(queue.take().isEmpty(), "taken once");
  }

  @Test
  void tooManyPaths_becomeOneRescan_soMemoryStaysBounded() throws Exception {
    for (int i = 0; i <= ChangeQueue.MAX_PATHS; i++) {
      sink.changed(RelPath.parse("f" + i));
    }
    ChangeQueue.Batch b = queue.take();
    assertTrue(b.rescan().isPresent());
    assertTrue(b.paths().isEmpty());
  }

  @Test
  void aStoppedWatcher_endsTheWaitAtOnce() throws Exception {
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
      sink.stopped("watch limit");
    });
    t.start();
    long start = System.nanoTime();
    ChangeQueue.Batch b = queue.await(10 * MS, 10 * MS, far());
    t.join();
    assertEquals(java.util.List.of("watch limit"), b.stopped());
    assertTrue(System.nanoTime() - start < 5000 * MS);
  }

  @Test
  void wake_endsTheWait() throws Exception {
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
      queue.wake();
    });
    t.start();
    long start = System.nanoTime();
    assertTrue(queue.await(10 * MS, 10 * MS, far()).isEmpty());
    t.join();
    assertTrue(System.nanoTime() - start < 5000 * MS);
  }
}
