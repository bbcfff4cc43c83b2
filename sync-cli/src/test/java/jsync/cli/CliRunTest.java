package jsync.cli;

import static jsync.core.testing.TreeFixture.describe;
import static jsync.core.testing.TreeFixture.read;
import static jsync.core.testing.TreeFixture.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link JsyncCli} run in-process on real directories, with its surroundings ({@link Environment}) made up
 * by the test: HOME and JSYNC_HOME under a temp dir, a terminal or not, stdin from a string, a fixed clock.
 */
class CliRunTest {
  /** 10:00:00 UTC; earlier than the test files' mtimes, so every scan re-hashes (racy) and misses nothing. */
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T10:00:00Z"), ZoneOffset.UTC);
  private static final double TIMEOUT_FACTOR = Double.parseDouble(System.getProperty("jsync.test.timeoutFactor",
      "1"));

  @TempDir Path tmp;
  private Path home;
  private Path jsyncHome;
  private Path a;
  private Path b;

  @BeforeEach
  void setUp() throws IOException {
    home = Files.createDirectories(tmp.resolve("home"));
    jsyncHome = Files.createDirectories(tmp.resolve("jsync-home"));
    a = Files.createDirectories(tmp.resolve("A"));
    b = Files.createDirectories(tmp.resolve("B"));
  }

  private record Run(int code, String out, String err) {
    String all() {
      return out + err;
    }
  }

  private Environment env(boolean interactive, InputStream stdin) {
    Map<String, String> vars = new HashMap<>();
    vars.put("HOME", home.toString());
    vars.put("JSYNC_HOME", jsyncHome.toString());
    vars.put("JSYNC_HOSTNAME", "testhost");
    return new Environment(vars, tmp, interactive, CLOCK, stdin, FileSystems.getDefault());
  }

  private Run run(Environment env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new JsyncCli(env, new PrintWriter(out), new PrintWriter(err)).run(args);
    return new Run(code, out.toString(), err.toString());
  }

  /** Not on a terminal, nothing on stdin: cron. */
  private Run batch(String... args) {
    return run(env(false, new ByteArrayInputStream(new byte[0])), args);
  }

  private Run interactive(String stdin, String... args) {
    return run(env(true, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8))), args);
  }

  private void profile(String name, String text) throws IOException {
    Files.writeString(jsyncHome.resolve(name + ".prf"), text);
  }

  private String roots() {
    return "root = " + a + "\nroot = " + b + "\n";
  }

  private boolean archivesExist() {
    return Files.exists(jsyncHome.resolve("archives"));
  }

  // ---- profiles ---------------------------------------------------------------------------------------

  @Test
  void profileInJsyncHomeIsUsed() throws IOException {
    write(a, "www/index.html", "hello");
    profile("web", roots() + "batch = true\nignore = Name *.tmp\n");
    write(a, "www/junk.tmp", "junk");
    Run r = batch("web");
    assertEquals(0, r.code(), r.all());
    assertEquals("hello", read(b, "www/index.html"));
    assertFalse(Files.exists(b.resolve("www/junk.tmp")), "the profile's ignore applies");
    assertTrue(r.err().contains("Synchronization complete at 10:00:00  (1 item transferred, 0 skipped, 0 failed)"),
        r.err());
  }

  @Test
  void commandLineOverridesProfile() throws IOException {
    FileTime old = FileTime.from(Instant.parse("2001-02-03T04:05:06Z"));
    Files.setLastModifiedTime(write(a, "f", "one"), old);
    profile("web", roots() + "batch = true\ntimes = true\n");

    // Control: the profile's times = true copies the mtime.
    Run r = batch("web");
    assertEquals(0, r.code(), r.all());
    assertEquals(old, Files.getLastModifiedTime(b.resolve("f")));

    // -times=false on the command line wins: a new copy gets its own mtime.
    Files.setLastModifiedTime(write(a, "g", "two"), old);
    Run r2 = batch("-times=false", "web");
    assertEquals(0, r2.code(), r2.all());
    assertEquals("two", read(b, "g"));
    assertNotEquals(old, Files.getLastModifiedTime(b.resolve("g")));
  }

  @Test
  void commandLineRootsReplaceTheProfiles() throws IOException {
    Path c = Files.createDirectories(tmp.resolve("C"));
    write(a, "f", "x");
    profile("web", "root = " + tmp.resolve("nowhere1") + "\nroot = " + tmp.resolve("nowhere2") + "\n");
    Run r = batch("-batch", "web", a.toString(), c.toString());
    assertEquals(0, r.code(), r.all());
    assertEquals("x", read(c, "f"));
    assertFalse(Files.exists(tmp.resolve("nowhere1")));
  }

  @Test
  void missingProfileExits3NamingTheFile() {
    Run r = batch("-batch", "nosuch");
    assertEquals(3, r.code());
    assertTrue(r.err().contains(jsyncHome.resolve("nosuch.prf").toString()), r.err());
  }

  @Test
  void malformedProfileExits3NamingFileAndLineAndTouchesNothing() throws IOException {
    write(a, "f", "x");
    profile("web", roots() + "batch = true\n# a comment\nthis line has no equals sign\n");
    Run r = batch("web");
    assertEquals(3, r.code(), r.all());
    assertTrue(r.err().contains(jsyncHome.resolve("web.prf") + ", line 5"), r.err());
    assertEquals("", r.out());
    assertEquals(Map.of(), describe(b));
    assertEquals(Map.of("f", "file:x"), describe(a));
    assertFalse(archivesExist());
  }

  @Test
  void unknownKeyExits3() throws IOException {
    write(a, "f", "x");
    profile("web", roots() + "batch = true\nfrobnicate = yes\n");
    Run r = batch("web");
    assertEquals(3, r.code(), r.all());
    assertTrue(r.err().contains("line 4"), r.err());
    assertTrue(r.err().contains("unknown preference 'frobnicate'"), r.err());
    assertEquals(Map.of(), describe(b));
  }

  @Test
  void unknownKeyOnCommandLineIsAParseError() {
    Run r = batch("-frobnicate", a.toString(), b.toString());
    assertEquals(3, r.code());
    assertTrue(r.err().contains("-frobnicate"), r.err());
  }

  @Test
  void badValueOnCommandLineExits3NamingTheCommandLine() {
    Run r = batch("-batch", "-prefer", "sideways", a.toString(), b.toString());
    assertEquals(3, r.code(), r.all());
    assertTrue(r.err().contains("command line"), r.err());
    assertTrue(r.err().contains("sideways"), r.err());
  }

  // ---- roots ------------------------------------------------------------------------------------------

  @Test
  void sshRootOnAnUnknownHost_exits3NamingTheHost_beforeTouchingAnything() throws IOException {
    write(a, "f", "x");
    Run r = batch("-batch", a.toString(), "ssh://no-such-host.invalid//srv/b");
    assertEquals(3, r.code(), r.all());
    assertTrue(r.err().contains("no-such-host.invalid"), r.err());
    assertFalse(archivesExist());
  }

  @Test
  void rootThatIsAFileExits3() throws IOException {
    Path file = write(tmp, "plain", "not a dir");
    write(a, "f", "x");
    Run r = batch("-batch", a.toString(), file.toString());
    assertEquals(3, r.code(), r.all());
    assertTrue(r.err().contains(file + " is not a directory"), r.err());
    assertEquals("not a dir", Files.readString(file));
    assertFalse(archivesExist());
  }

  @Test
  void missingMountpointExits3AndChangesNothing() throws IOException {
    Files.createDirectories(a.resolve("mnt"));
    Files.createDirectories(b.resolve("mnt"));
    write(a, "mnt/f", "x");
    assertEquals(0, batch("-batch", "-mountpoint", "mnt", a.toString(), b.toString()).code());
    Files.delete(b.resolve("mnt/f"));
    Files.delete(b.resolve("mnt"));
    write(a, "top", "new");

    Run r = batch("-batch", "-mountpoint", "mnt", a.toString(), b.toString());
    assertEquals(3, r.code(), r.all());
    assertTrue(r.err().contains("mountpoint mnt is missing in root " + b), r.err());
    assertEquals(Map.of(), describe(b), "the unrelated new file is not propagated either");
    assertEquals("x", read(a, "mnt/f"));
  }

  // ---- batch, interactive -----------------------------------------------------------------------------

  @Test
  void notInteractiveWithoutBatchExits3AskingForBatch() throws IOException {
    write(a, "f", "x");
    Run r = batch(a.toString(), b.toString());
    assertEquals(3, r.code(), r.all());
    assertTrue(r.err().contains("use -batch"), r.err());
    assertEquals(Map.of(), describe(b));
    assertFalse(archivesExist());
  }

  @Test
  void interactiveShowsThePlanAndNoChangesNothing() throws IOException {
    write(a, "new.txt", "x");
    Run r = interactive("n\n", a.toString(), b.toString());
    assertTrue(r.out().contains("new.txt"), r.out());
    assertTrue(r.out().contains("Proceed? [y/N]"), r.out());
    assertTrue(r.err().contains("Nothing propagated"), r.err());
    assertEquals(Map.of(), describe(b));
    // SyncReport.exitCode: a declined non-empty plan counts as skipped.
    assertEquals(1, r.code(), r.all());
  }

  @Test
  void interactiveEndOfInputMeansNo() throws IOException {
    write(a, "new.txt", "x");
    Run r = interactive("", a.toString(), b.toString());
    assertEquals(1, r.code(), r.all());
    assertEquals(Map.of(), describe(b));
  }

  @Test
  void interactiveYesApplies() throws IOException {
    write(a, "new.txt", "x");
    write(b, "other.txt", "y");
    Run r = interactive("y\n", a.toString(), b.toString());
    assertEquals(0, r.code(), r.all());
    assertEquals(describe(a), describe(b));
    assertEquals("y", read(a, "other.txt"));
  }

  @Test
  void interactiveWithNothingToDoAsksNothing() throws IOException {
    write(a, "f", "x");
    assertEquals(0, batch("-batch", a.toString(), b.toString()).code());
    Run r = interactive("", a.toString(), b.toString());
    assertEquals(0, r.code(), r.all());
    assertFalse(r.out().contains("Proceed?"), r.out());
    assertTrue(r.err().contains("Nothing to do"), r.err());
  }

  // ---- outcomes -----------------------------------------------------------------------------------------

  @Test
  void conflictInBatchExits1AndIsListedInTheSummary() throws IOException {
    write(a, "f", "base");
    assertEquals(0, batch("-batch", a.toString(), b.toString()).code());
    write(a, "f", "alpha's edit");
    write(b, "f", "beta's other edit");
    write(a, "g", "unrelated");
    Run r = batch("-batch", a.toString(), b.toString());
    assertEquals(1, r.code(), r.all());
    assertTrue(r.out().contains("<-?->"), r.out());
    assertTrue(r.err().contains("(1 item transferred, 1 skipped, 0 failed)"), r.err());
    assertTrue(r.err().contains("  skipped: f (contents changed on both sides)"), r.err());
    assertEquals("alpha's edit", read(a, "f"));
    assertEquals("beta's other edit", read(b, "f"));
    assertEquals("unrelated", read(b, "g"));
  }

  @Test
  void identicalChangesOnBothSidesSayNothingToDo() throws IOException {
    write(a, "f", "v1");
    assertEquals(0, batch("-batch", a.toString(), b.toString()).code());
    write(a, "f", "same edit");
    write(b, "f", "same edit");
    write(a, "both/new", "same");
    write(b, "both/new", "same");
    Run r = batch("-batch", a.toString(), b.toString());
    assertEquals(0, r.code(), r.all());
    // Unison's words, not "Synchronization complete (0 items transferred, ...)".
    assertEquals("Nothing to do: replicas have been changed only in identical ways since last sync.",
        r.err().strip());
    assertEquals("", r.out());

    write(a, "f", "again");
    write(b, "f", "again");
    Run terse = batch("-batch", "-terse", a.toString(), b.toString());
    assertEquals(0, terse.code(), terse.all());
    assertEquals("", terse.out() + terse.err(), "-terse is silent when there is nothing to do, as in Unison");
  }

  @Test
  void logTrueWritesActionsToTheLogFile() throws IOException {
    Path logfile = tmp.resolve("logs/sync.log");
    write(a, "d/new.txt", "x");
    profile("web", roots() + "batch = true\nlog = true\nlogfile = " + logfile + "\n");
    Run r = batch("web");
    assertEquals(0, r.code(), r.all());
    String log = Files.readString(logfile);
    assertTrue(log.contains("[2026-01-02 10:00:00] "), log);
    assertTrue(log.lines().anyMatch(l -> l.matches("\\[2026-01-02 10:00:00\\] new dir +----> +d")), log);
    assertTrue(log.contains("Synchronization complete at 10:00:00"), log);
  }

  @Test
  void logFalseWritesNoLog() throws IOException {
    write(a, "f", "x");
    Run r = batch("-batch", "-log=false", a.toString(), b.toString());
    assertEquals(0, r.code(), r.all());
    assertFalse(Files.exists(jsyncHome.resolve("jsync.log")));
  }

  @Test
  void silentPrintsNothingOnSuccess() throws IOException {
    write(a, "f", "x");
    write(b, "g", "y");
    Run r = batch("-silent", a.toString(), b.toString());
    assertEquals(0, r.code(), r.all());
    assertEquals("", r.out());
    assertEquals("", r.err());
    assertEquals(describe(a), describe(b));
  }

  @Test
  void silentStillReportsAFatalError() throws IOException {
    Run r = batch("-silent", a.toString(), write(tmp, "plain", "").toString());
    assertEquals(3, r.code());
    assertTrue(r.err().contains("is not a directory"), r.err());
  }

  // ---- confirmbigdel ------------------------------------------------------------------------------------

  @Test
  void emptiedRootExits3AndLeavesTheOtherAlone() throws IOException {
    write(a, "f1", "1");
    write(a, "d/f2", "2");
    assertEquals(0, batch("-batch", a.toString(), b.toString()).code());
    Map<String, String> before = describe(b);
    Files.delete(a.resolve("d/f2"));
    Files.delete(a.resolve("d"));
    Files.delete(a.resolve("f1"));

    Run r = batch("-batch", a.toString(), b.toString());
    assertEquals(3, r.code(), r.all());
    assertTrue(r.err().contains("root " + a + " has been completely emptied"), r.err());
    assertTrue(r.err().contains("-confirmbigdel=false"), r.err());
    assertEquals(before, describe(b));

    Run again = batch("-batch", "-confirmbigdel=false", a.toString(), b.toString());
    assertEquals(0, again.code(), again.all());
    assertEquals(Map.of(), describe(b));
  }

  // ---- the pair lock ----------------------------------------------------------------------------------

  @Test
  void secondRunWhileTheFirstHoldsTheLockExits3NamingTheHolder() throws Exception {
    write(a, "f", "x");
    PipedOutputStream answer = new PipedOutputStream();
    PipedInputStream stdin = new PipedInputStream(answer);
    StringWriter firstOut = new StringWriter();
    StringWriter firstErr = new StringWriter();
    // The first run stops at the plan's question, after taking the lock, until the test answers.
    CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> new JsyncCli(env(true, stdin),
        new PrintWriter(firstOut), new PrintWriter(firstErr)).run(a.toString(), b.toString()));
    try {
      await(() -> firstOut.toString().contains("Proceed?") || first.isDone(), "the first run's question");
      assertFalse(first.isDone(), firstOut + "\n" + firstErr);

      Run second = batch("-batch", a.toString(), b.toString());
      assertEquals(3, second.code(), second.all());
      assertTrue(second.err().contains("another jsync run is synchronizing these replicas"), second.err());
      assertTrue(second.err().contains("pid " + ProcessHandle.current().pid() + " on testhost"), second.err());
      assertEquals(Map.of(), describe(b));
    } finally {
      answer.write("y\n".getBytes(StandardCharsets.UTF_8));
      answer.flush();
    }
    assertEquals(0, first.get((long) (30 * TIMEOUT_FACTOR), TimeUnit.SECONDS), firstOut + "\n" + firstErr);
    answer.close();
    assertEquals("x", read(b, "f"));
    // And the lock is released: a third run goes through.
    assertEquals(0, batch("-batch", a.toString(), b.toString()).code());
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + (long) (30e9 * TIMEOUT_FACTOR);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }
}
