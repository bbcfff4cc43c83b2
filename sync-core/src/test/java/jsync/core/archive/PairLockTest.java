package jsync.core.archive;

import static jsync.core.testing.TestTimeouts.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pair lock within one JVM and against another process (a child JVM running {@link PairLockChild}
 * from the test classpath). The kernel's {@code fcntl} lock is what is tested, so these need a real
 * filesystem.
 */
@SuppressWarnings("try") // try-with-resources blocks that only hold the lock
class PairLockTest {
  @TempDir
  Path tmp;

  private final List<Process> children = new ArrayList<>();

  @AfterEach
  void killChildren() throws InterruptedException {
    for (Process p : children) {
      p.destroyForcibly();
      p.waitFor(seconds(10).toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private Path lockFile() {
    return tmp.resolve("pair").resolve("lock");
  }

  private Process child(String mode, String holder) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        PairLockChild.class.getName(), mode, lockFile().toString(), holder)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    children.add(p);
    return p;
  }

  /** The child's first line of output, within a bounded time. */
  private static String firstLine(Process p) throws Exception {
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = CompletableFuture.supplyAsync(() -> {
      try {
        return r.readLine();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }).get(seconds(30).toMillis(), TimeUnit.MILLISECONDS);
    if (line == null) {
      throw new AssertionError("child exited without output, status " + p.waitFor());
    }
    return line;
  }

  /** What another process finds when it tries the lock once: "LOCKED" or "BUSY ...". */
  private String tryFromAnotherProcess() throws Exception {
    Process p = child("try", "the other process");
    String line = firstLine(p);
    assertTrue(p.waitFor(seconds(30).toMillis(), TimeUnit.MILLISECONDS), "the try child did not exit");
    return line;
  }

  @Test
  void secondAcquireInTheSameJvm_failsNamingTheHolder() {
    try (PairLock first = PairLock.acquire(lockFile(), "pid 4242 on web1 (jsync -batch www)")) {
      LockedException e = assertThrows(LockedException.class, () -> PairLock.acquire(lockFile(), "second"));
      assertTrue(e.getMessage().contains("pid 4242 on web1 (jsync -batch www)"), e.getMessage());
      assertTrue(e.getMessage().contains(lockFile().toString()), e.getMessage());
    }
  }

  @Test
  void afterRelease_theLockCanBeTakenAgain() {
    PairLock.acquire(lockFile(), "first").close();
    try (PairLock again = PairLock.acquire(lockFile(), "second")) {
      LockedException e = assertThrows(LockedException.class, () -> PairLock.acquire(lockFile(), "third"));
      assertTrue(e.getMessage().contains("second"), "the holder text is the current holder's: " + e);
    }
  }

  @Test
  void closingTwice_doesNotReleaseTheNextHoldersLock() throws Exception {
    PairLock first = PairLock.acquire(lockFile(), "first");
    first.close();
    try (PairLock second = PairLock.acquire(lockFile(), "second")) {
      first.close();
      LockedException e = assertThrows(LockedException.class, () -> PairLock.acquire(lockFile(), "third"));
      assertTrue(e.getMessage().contains("second"), e.getMessage());
      assertTrue(tryFromAnotherProcess().startsWith("BUSY"));
    }
  }

  @Test
  void lockHeldByAnotherProcess_failsNamingIt_untilThatProcessIsKilled() throws Exception {
    Process holder = child("hold", "pid of the child, cron run");
    assertEquals("LOCKED", firstLine(holder));

    LockedException e = assertThrows(LockedException.class, () -> PairLock.acquire(lockFile(), "parent"));
    assertTrue(e.getMessage().contains("pid of the child, cron run"), e.getMessage());

    // No clean release: the kernel drops the locks of a dead process.
    holder.destroyForcibly();
    assertTrue(holder.waitFor(seconds(30).toMillis(), TimeUnit.MILLISECONDS));
    try (PairLock mine = PairLock.acquire(lockFile(), "parent")) {
      assertTrue(tryFromAnotherProcess().startsWith("BUSY"), "and now the parent holds it");
    }
  }

  @Test
  void lockHeldHere_isBusyForAnotherProcess_andFreeAfterRelease() throws Exception {
    PairLock mine = PairLock.acquire(lockFile(), "the parent's run");
    String seen = tryFromAnotherProcess();
    assertTrue(seen.startsWith("BUSY") && seen.contains("the parent's run"), seen);
    mine.close();
    assertEquals("LOCKED", tryFromAnotherProcess());
  }

  @Test
  void failedSecondAcquireInTheSameJvm_keepsTheFirstLockForOtherProcesses() throws Exception {
    try (PairLock first = PairLock.acquire(lockFile(), "first run")) {
      assertThrows(LockedException.class, () -> PairLock.acquire(lockFile(), "second run in this JVM"));
      // POSIX drops all of a process's fcntl locks on a file when it closes any descriptor of that file:
      // the failed attempt must not have closed one, or another process could now take the lock.
      String seen = tryFromAnotherProcess();
      assertTrue(seen.startsWith("BUSY"), "another process got the lock the first run still holds: " + seen);
    }
  }
}
