package jsync.cli;

import static jsync.cli.JsyncProcesses.timeoutSeconds;
import static jsync.core.testing.TreeFixture.describe;
import static jsync.core.testing.TreeFixture.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import jsync.core.apply.Applier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as an administrator runs it: {@code bin/jsync -repeat watch} as a child process, stopped with
 * SIGTERM ({@link Process#destroy} on Linux). It must exit 0 and leave archives that a batch run afterwards
 * agrees with, even when the signal arrives in the middle of a large synchronization.
 */
class WatchDaemonIT {
  @TempDir Path tmp;
  @RegisterExtension final JsyncProcesses processes = new JsyncProcesses(() -> tmp);
  private Path a;
  private Path b;

  @BeforeEach
  void setUp() throws IOException {
    a = Files.createDirectories(tmp.resolve("A"));
    b = Files.createDirectories(tmp.resolve("B"));
  }

  private Process start(String... args) throws IOException {
    return processes.start(args);
  }

  private String err(Process p) throws IOException {
    return processes.err(p);
  }

  private int finish(Process p) throws InterruptedException, IOException {
    if (!p.waitFor(timeoutSeconds(120), TimeUnit.SECONDS)) {
      fail("bin/jsync did not finish; it said:\n" + err(p));
    }
    return p.exitValue();
  }

  private void await(String what, Process daemon, BooleanSupplier condition)
      throws InterruptedException, IOException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds(60));
    while (!condition.getAsBoolean()) {
      if (!daemon.isAlive()) {
        fail("the daemon ended (exit " + daemon.exitValue() + ") before " + what + ":\n" + err(daemon));
      }
      if (System.nanoTime() > end) {
        fail("timed out waiting for " + what + "; the daemon said:\n" + err(daemon));
      }
      Thread.sleep(20);
    }
  }

  private static long count(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().startsWith(Applier.TEMP_PREFIX)).count();
    } catch (IOException e) {
      return -1;
    }
  }

  private static Map<String, String> contents(Path root) throws IOException {
    Map<String, String> m = new TreeMap<>(describe(root));
    m.keySet().removeIf(k -> k.substring(k.lastIndexOf('/') + 1).startsWith(Applier.TEMP_PREFIX));
    return m;
  }

  @Test
  void sigterm_exits0_holdsTheLockUntilThen_andLeavesArchivesABatchRunAgreesWith() throws Exception {
    write(a, "before", "there at start");
    Path log = tmp.resolve("daemon.log");
    Process daemon = start("-repeat", "watch", "-log", "-logfile", log.toString(), a.toString(), b.toString());
    await("the first synchronization", daemon, () -> Files.exists(b.resolve("before")));

    write(a, "docs/new.txt", "created on A");
    write(b, "uploads/photo.jpg", "created on B");
    await("A -> B", daemon, () -> Files.exists(b.resolve("docs/new.txt")));
    await("B -> A", daemon, () -> Files.exists(a.resolve("uploads/photo.jpg")));

    // A cron job left in place meets the daemon's lock and exits at once.
    Process cron = start("-batch", a.toString(), b.toString());
    assertEquals(3, finish(cron));
    assertTrue(err(cron).contains("lock"), err(cron));

    // SIGTERM in the middle of a burst: what is under way completes, the archive is committed, exit 0.
    for (int i = 0; i < 3000; i++) {
      write(a, "burst/f" + i, "content " + i);
    }
    await("the burst to start arriving", daemon, () -> count(b.resolve("burst")) > 0);
    daemon.destroy();
    assertEquals(0, finish(daemon), err(daemon));

    // A batch run afterwards finishes the job and finds nothing inconsistent: no conflict, no failure.
    Process batch = start("-batch", a.toString(), b.toString());
    assertEquals(0, finish(batch), err(batch));
    assertEquals(contents(a), contents(b));
    assertEquals(3000, count(b.resolve("burst")));
    Process again = start("-batch", a.toString(), b.toString());
    assertEquals(0, finish(again), err(again));
    assertTrue(err(again).contains("Nothing to do"), err(again));

    // One log line per propagated change, no more: nothing echoed back.
    List<String> lines = Files.readAllLines(log);
    assertEquals(1, lines.stream().filter(l -> l.endsWith(" docs/new.txt") || l.endsWith(" docs")).count(),
        String.join("\n", lines));
    assertEquals(1, lines.stream().filter(l -> l.endsWith(" uploads") || l.endsWith(" uploads/photo.jpg"))
        .count(), String.join("\n", lines));
  }
}
