package jsync.watch;

import static jsync.core.testing.TreeFixture.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import jsync.core.model.RelPath;
import jsync.core.scan.PathFilter;
import jsync.core.testing.TestTimeouts;
import jsync.core.watch.ChangeSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inotify watcher on a real directory tree: what it reports, and what it does when it cannot keep up. */
class TreeWatcherTest {
  @TempDir Path root;
  final Recorder sink = new Recorder();
  TreeWatcher watcher;

  /** Everything a watcher reported. */
  static class Recorder implements ChangeSink {
    final Set<RelPath> changed = ConcurrentHashMap.newKeySet();
    final List<String> rescans = new CopyOnWriteArrayList<>();
    final List<String> stops = new CopyOnWriteArrayList<>();

    @Override
    public void changed(RelPath path) {
      changed.add(path);
    }

    @Override
    public void rescan(String reason) {
      rescans.add(reason);
    }

    @Override
    public void stopped(String reason) {
      stops.add(reason);
    }

    boolean saw(String path) {
      return changed.contains(RelPath.parse(path));
    }
  }

  @AfterEach
  void close() {
    if (watcher != null) {
      watcher.close();
    }
  }

  private void watch(PathFilter filter, RelPath... scopes) throws IOException {
    watcher = TreeWatcher.start(root, scopes.length == 0 ? List.of(RelPath.ROOT) : List.of(scopes), filter, sink);
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TestTimeouts.seconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void reportsCreateModifyDeleteAndRenameAnywhereInTheTree() throws Exception {
    write(root, "a/b/old", "1");
    watch(PathFilter.NONE);
    write(root, "top", "x");
    await("top", () -> sink.saw("top"));
    write(root, "a/b/old", "2");
    await("a/b/old", () -> sink.saw("a/b/old"));
    Files.move(root.resolve("a/b/old"), root.resolve("a/new"));
    await("rename", () -> sink.saw("a/new"));
    Files.delete(root.resolve("top"));
    sink.changed.clear();
    Files.delete(root.resolve("a/new"));
    await("delete", () -> sink.saw("a/new"));
    assertTrue(sink.rescans.isEmpty(), sink.rescans.toString());
  }

  @Test
  void watchesNewDirectories_evenDeepTreesMadeAtOnce() throws Exception {
    watch(PathFilter.NONE);
    Files.createDirectories(root.resolve("n1/n2/n3/n4"));
    await("n1", () -> sink.saw("n1"));
    // Whatever was made before the new directories were watched is below n1, which the daemon scans.
    await("all four watched", () -> watcher.watchedDirectories() == 5);
    sink.changed.clear();
    write(root, "n1/n2/n3/n4/deep", "d");
    await("deep file", () -> sink.saw("n1/n2/n3/n4/deep"));
  }

  @Test
  void aMovedDirectoryIsReportedAtItsNewPath() throws Exception {
    write(root, "from/sub/f", "1");
    Files.createDirectories(root.resolve("to"));
    watch(PathFilter.NONE);
    Files.move(root.resolve("from/sub"), root.resolve("to/sub"));
    await("move", () -> sink.saw("to/sub") && sink.saw("from/sub"));
    Thread.sleep(100);
    sink.changed.clear();
    write(root, "to/sub/f", "2");
    await("change in the moved directory", () -> sink.saw("to/sub/f"));
    assertFalse(sink.saw("from/sub/f"), "reported at its old path: " + sink.changed);
  }

  @Test
  void ignoredDirectoriesAreNotWatched_andTheirEventsNotReported() throws Exception {
    Files.createDirectories(root.resolve("logs/deep"));
    Files.createDirectories(root.resolve("keep"));
    watch(p -> p.name().equals("logs"));
    assertEquals(2, watcher.watchedDirectories(), "root and keep");
    write(root, "logs/deep/noise", "x");
    write(root, "keep/f", "y");
    await("keep/f", () -> sink.saw("keep/f"));
    Thread.sleep(100);
    assertFalse(sink.changed.stream().anyMatch(p -> p.toString().startsWith("logs")), sink.changed.toString());
  }

  @Test
  void onlyTheScopes_andEachScopeComingAndGoing() throws Exception {
    write(root, "www/index.html", "1");
    write(root, "other/file", "1");
    watch(PathFilter.NONE, RelPath.parse("www"));
    write(root, "other/file", "2");
    write(root, "sibling", "2");
    write(root, "www/index.html", "2");
    await("www/index.html", () -> sink.saw("www/index.html"));
    Thread.sleep(100);
    assertEquals(Set.of(RelPath.parse("www/index.html")), sink.changed);
    Files.move(root.resolve("www"), root.resolve("www-old"));
    await("scope moved away", () -> sink.saw("www"));
  }

  @Test
  void aBurstBeyondTheQueue_asksForARescan_neverMissesSilently() throws Exception {
    Files.createDirectories(root.resolve("burst"));
    watch(PathFilter.NONE);
    for (int i = 0; i < 10_000; i++) {
      Files.writeString(root.resolve("burst/f" + i), "x");
    }
    // Either every file was reported, or the watcher said it lost events.
    await("every file or a rescan", () -> !sink.rescans.isEmpty()
        || sink.changed.stream().filter(p -> p.parent().equals(RelPath.parse("burst"))).count() == 10_000);
    if (!sink.rescans.isEmpty()) {
      assertTrue(sink.rescans.get(0).contains("overflow"), sink.rescans.toString());
    }
  }

  /**
   * A watcher that falls behind (here: its consumer blocked while 2,000 files appear) loses events in the
   * JDK's queue of 512 per directory, which the JDK signals as OVERFLOW: the watcher must ask for a rescan.
   */
  @Test
  void aWatcherThatFallsBehind_asksForARescan() throws Exception {
    Files.createDirectories(root.resolve("burst"));
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Recorder slow = new Recorder() {
      @Override
      public void changed(RelPath path) {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        super.changed(path);
      }
    };
    watcher = TreeWatcher.start(root, List.of(RelPath.ROOT), PathFilter.NONE, slow);
    Files.writeString(root.resolve("burst/first"), "x");
    Thread.sleep(200);
    for (int i = 0; i < 2000; i++) {
      Files.writeString(root.resolve("burst/f" + i), "x");
    }
    Thread.sleep(200);
    release.countDown();
    await("a rescan", () -> !slow.rescans.isEmpty());
    assertTrue(slow.rescans.get(0).contains("overflow"), slow.rescans.toString());
  }

  @Test
  void theRootGoingAway_stopsTheWatcher() throws Exception {
    Path sub = Files.createDirectories(root.resolve("r"));
    write(sub, "f", "1");
    watcher = TreeWatcher.start(sub, List.of(RelPath.ROOT), PathFilter.NONE, sink);
    Files.delete(sub.resolve("f"));
    Files.delete(sub);
    await("stopped", () -> !sink.stops.isEmpty());
    assertTrue(sink.stops.get(0).contains("the root"), sink.stops.toString());
  }

  @Test
  void theRootReplacedByAnotherDirectory_stopsTheWatcher() throws Exception {
    Path sub = Files.createDirectories(root.resolve("r"));
    watcher = TreeWatcher.start(sub, List.of(RelPath.ROOT), PathFilter.NONE, sink);
    Files.move(sub, root.resolve("r-old"));
    Files.createDirectories(sub);
    await("stopped", () -> !sink.stops.isEmpty());
    assertTrue(sink.stops.get(0).contains("replaced"), sink.stops.toString());
  }

  @Test
  void aMissingRootCannotBeWatched() {
    assertThrows(IOException.class,
        () -> TreeWatcher.start(root.resolve("missing"), List.of(RelPath.ROOT), PathFilter.NONE, sink));
  }

  @Test
  void reachingTheWatchLimit_stopsWithAdvice_insteadOfWatchingPartly() throws Exception {
    for (int i = 0; i < 5; i++) {
      Files.createDirectories(root.resolve("d" + i));
    }
    watcher = TreeWatcher.start(root, List.of(RelPath.ROOT), PathFilter.NONE, sink, 3);
    assertEquals(1, sink.stops.size(), sink.changed.toString());
    assertTrue(sink.stops.get(0).contains("max_user_watches"), sink.stops.get(0));
    assertEquals(0, watcher.watchedDirectories());
  }

  @Test
  void reachingTheWatchLimitLater_stopsToo() throws Exception {
    watcher = TreeWatcher.start(root, List.of(RelPath.ROOT), PathFilter.NONE, sink, 3);
    Files.createDirectories(root.resolve("d1/d2/d3"));
    await("stopped", () -> !sink.stops.isEmpty());
    assertTrue(sink.stops.get(0).contains("max_user_watches"), sink.stops.get(0));
  }

  @Test
  void closingEndsReports() throws Exception {
    watch(PathFilter.NONE);
    watcher.close();
    write(root, "after", "x");
    Thread.sleep(Duration.ofMillis(200).toMillis());
    assertFalse(sink.saw("after"));
  }
}
