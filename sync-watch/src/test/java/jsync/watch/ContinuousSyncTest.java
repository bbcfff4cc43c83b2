package jsync.watch;

import static jsync.core.testing.TreeFixture.describe;
import static jsync.core.testing.TreeFixture.read;
import static jsync.core.testing.TreeFixture.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import jsync.core.JsyncException;
import jsync.core.apply.BackupPolicy;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;
import jsync.core.reconcile.Direction;
import jsync.core.reconcile.Side;
import jsync.core.sync.ItemReport;
import jsync.core.sync.LocalReplica;
import jsync.core.sync.SyncConfig;
import jsync.core.sync.SyncListener;
import jsync.core.sync.SyncReport;
import jsync.core.sync.SyncRun;
import jsync.core.testing.TestTimeouts;
import jsync.core.watch.WatchFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon loop with two local replicas on the real filesystem, real RocksDB archives and real inotify:
 * changes on either side arrive on the other, and the daemon copes with bursts, failures and a stop.
 */
class ContinuousSyncTest {
  @TempDir Path tmp;
  Path a;
  Path b;
  Path home;
  ContinuousSync daemon;
  Thread thread;
  final AtomicReference<Throwable> died = new AtomicReference<>();
  final List<SyncReport> reports = new CopyOnWriteArrayList<>();
  final List<String> warnings = new CopyOnWriteArrayList<>();
  final List<String> errors = new CopyOnWriteArrayList<>();
  WatchFactory watchFactory = TreeWatcher.FACTORY;

  static final ContinuousSync.Settings FAST = new ContinuousSync.Settings(ContinuousSync.Mode.WATCH,
      Duration.ZERO, Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(100),
      Duration.ofMillis(400));

  @BeforeEach
  void roots() throws IOException {
    a = Files.createDirectories(tmp.resolve("a"));
    b = Files.createDirectories(tmp.resolve("b"));
    home = tmp.resolve("home");
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (daemon != null) {
      daemon.stop();
      thread.join(TestTimeouts.seconds(30).toMillis());
      assertFalse(thread.isAlive(), "the daemon did not stop");
    }
  }

  private LocalReplica replica(Path root) {
    return new LocalReplica(root, root.toString(), "testhost", home, Clock.systemUTC(), PropsPolicy.DEFAULT,
        BackupPolicy.NONE, n -> { }).watchingWith(watchFactory);
  }

  private void start(ContinuousSync.Settings settings) throws InterruptedException {
    start(settings, SyncConfig.defaults(Clock.systemUTC()));
  }

  private void start(ContinuousSync.Settings settings, SyncConfig config) throws InterruptedException {
    daemon = new ContinuousSync(side -> replica(side == Side.ALPHA ? a : b), config, settings, new Recorder());
    thread = new Thread(() -> {
      try {
        daemon.run();
      } catch (Throwable t) {
        died.set(t);
      }
    }, "daemon");
    thread.start();
    await("the first synchronization", () -> !reports.isEmpty() || died.get() != null);
  }

  /** Collects what the daemon reports. */
  private final class Recorder implements ContinuousSync.Listener {
    @Override
    public SyncListener pass(Set<RelPath> changed, BooleanSupplier stop) {
      return new SyncListener() {
        @Override
        public boolean stopRequested() {
          return stop.getAsBoolean();
        }

        @Override
        public void warning(String message) {
          warnings.add(message);
        }
      };
    }

    @Override
    public void passDone(SyncListener pass, SyncReport report) {
      if (report != null) {
        reports.add(report);
      }
    }

    @Override
    public void warning(String message) {
      warnings.add(message);
    }

    @Override
    public void error(String message) {
      errors.add(message);
    }
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    awaitFor(what, TestTimeouts.seconds(20), condition);
  }

  static void awaitFor(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  private static BooleanSupplier holds(Path root, String rel, String content) {
    return () -> {
      try {
        return Files.exists(root.resolve(rel)) && read(root, rel).equals(content);
      } catch (IOException e) {
        return false;
      }
    };
  }

  private BooleanSupplier same() {
    return () -> {
      try {
        return describe(a).equals(describe(b));
      } catch (IOException | RuntimeException e) {
        return false; // a file vanished between listing and reading: not settled yet
      }
    };
  }

  @Test
  void createModifyDeleteAndRename_onEitherSide_arriveOnTheOther() throws Exception {
    write(a, "start", "there before");
    start(FAST);
    assertEquals("there before", read(b, "start"));

    write(a, "docs/new.txt", "from a");
    await("create a -> b", holds(b, "docs/new.txt", "from a"));
    write(b, "docs/new.txt", "edited on b");
    await("modify b -> a", holds(a, "docs/new.txt", "edited on b"));
    Files.move(a.resolve("docs"), a.resolve("papers"));
    await("rename a -> b", () -> Files.exists(b.resolve("papers/new.txt")) && !Files.exists(b.resolve("docs")));
    Files.delete(b.resolve("start"));
    await("delete b -> a", () -> !Files.exists(a.resolve("start")));
    await("same trees", same());
    assertTrue(errors.isEmpty(), errors.toString());
  }

  @Test
  void ownWritesDoNotPingPong() throws Exception {
    start(FAST);
    write(a, "f", "1");
    await("f", holds(b, "f", "1"));
    // Let the echo of jsync's own write come back and settle, then nothing more may happen.
    Thread.sleep(1000);
    int passes = daemon.passes();
    Thread.sleep(1500);
    assertEquals(passes, daemon.passes(), "synchronizations kept running with nothing changed");
    long propagated = reports.stream().mapToLong(SyncReport::transferred).sum();
    assertEquals(1, propagated, "one change, propagated once");
  }

  @Test
  void aBurstOfTenThousandCreates_isFullySynchronized() throws Exception {
    start(FAST);
    Files.createDirectories(a.resolve("burst"));
    for (int i = 0; i < 10_000; i++) {
      Files.writeString(a.resolve("burst/file-" + i), "content " + i);
    }
    awaitFor("10,000 files on b", TestTimeouts.seconds(120), () -> {
      String[] names = b.resolve("burst").toFile().list();
      return names != null && names.length == 10_000;
    });
    await("same trees", same());
  }

  /**
   * A file rewritten in place again and again, never quiet for long (the maximum delay forces synchronizations
   * while it is being written): the other replica only ever holds states the file really had, never a mix of
   * two versions or bytes it never held, and ends with the last version. Each version is a header naming its
   * length and then that many bytes of one letter, written 16 KiB at a time after a truncation.
   *
   * <p>Complete versions are not promised: a forced pass copies the file as it is, and this writer leaves
   * partial states standing for milliseconds (the truncation alone can take that long on ext4), long enough
   * to be read whole and unchanged; see "Half-written files" in docs/continuous.md.
   */
  @Test
  void aFileRewrittenNonstop_arrivesOnlyInStatesItReallyHad() throws Exception {
    start(FAST);
    Path file = a.resolve("busy.dat");
    java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
    List<String> impossible = new CopyOnWriteArrayList<>();
    Thread watcher = new Thread(() -> {
      while (writing.get()) {
        try {
          byte[] seen = Files.readAllBytes(b.resolve("busy.dat"));
          if (!aStateOfSomeVersion(seen)) {
            impossible.add(seen.length + " bytes: "
                + new String(seen, 0, Math.min(40, seen.length), java.nio.charset.StandardCharsets.US_ASCII));
          }
        } catch (IOException e) {
          // not there yet
        }
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "observer");
    watcher.start();
    String last = null;
    long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    int version = 0;
    while (System.nanoTime() < end) {
      version++;
      int length = lengthOf(version);
      last = "v" + version + " " + length + "\n" + String.valueOf(letterOf(version)).repeat(length);
      byte[] bytes = last.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      try (var out = Files.newOutputStream(file)) {
        for (int off = 0; off < bytes.length; off += 16_384) {
          out.write(bytes, off, Math.min(16_384, bytes.length - off));
          out.flush();
        }
      }
      Thread.sleep(3);
    }
    String expected = last;
    await("the last version", holds(b, "busy.dat", expected));
    writing.set(false);
    watcher.join();
    assertTrue(impossible.isEmpty(), "b held content a never had: " + impossible);
  }

  /**
   * True if {@code content} is a prefix of a version the writer above writes: all a's file ever holds, since
   * every version starts with a truncation. The header is at most 16 bytes, so only a prefix shorter than
   * that can lack its newline.
   */
  private static boolean aStateOfSomeVersion(byte[] content) {
    String s = new String(content, java.nio.charset.StandardCharsets.US_ASCII);
    int nl = s.indexOf('\n');
    if (nl < 0) {
      return s.matches("(v(\\d+( \\d*)?)?)?");
    }
    // At most 9 digits each: a longer number is no version of ours, and must not throw in the observer.
    java.util.regex.Matcher header = java.util.regex.Pattern.compile("v(\\d{1,9}) (\\d{1,9})")
        .matcher(s.substring(0, nl));
    if (!header.matches()) {
      return false;
    }
    int version = Integer.parseInt(header.group(1));
    int length = Integer.parseInt(header.group(2));
    char letter = letterOf(version);
    String body = s.substring(nl + 1);
    return length == lengthOf(version) && body.length() <= length && body.chars().allMatch(c -> c == letter);
  }

  private static int lengthOf(int version) {
    return 200_000 + 7919 * (version % 50);
  }

  private static char letterOf(int version) {
    return (char) ('a' + version % 26);
  }

  @Test
  void aNewDeepTree_isWatchedAndSynchronized() throws Exception {
    start(FAST);
    write(a, "l1/l2/l3/l4/l5/leaf", "deep");
    await("deep leaf", holds(b, "l1/l2/l3/l4/l5/leaf", "deep"));
    // The new directories are watched on both sides now: a change deep inside arrives too.
    write(b, "l1/l2/l3/l4/l5/leaf", "changed deep on b");
    await("deep change back", holds(a, "l1/l2/l3/l4/l5/leaf", "changed deep on b"));
  }

  @Test
  void aConflictIsSkippedAndReported_andTheDaemonGoesOn() throws Exception {
    write(a, "both", "original");
    start(FAST);
    Files.writeString(a.resolve("both"), "a's edit");
    Files.writeString(b.resolve("both"), "b's edit");
    await("conflict reported", () -> reports.stream().anyMatch(r -> r.skipped() > 0));
    assertEquals("a's edit", read(a, "both"));
    assertEquals("b's edit", read(b, "both"));
    write(a, "later", "still working");
    await("later change", holds(b, "later", "still working"));
    // When one side changes the file again to match, the conflict resolves itself.
    int before = reports.size();
    Files.writeString(b.resolve("both"), "a's edit");
    await("conflict gone", () -> reports.stream().skip(before).anyMatch(r -> r.plan().items().stream()
        .anyMatch(i -> i.path().equals(RelPath.parse("both")) && i.direction() == Direction.ARCHIVE_ONLY)));
  }

  /**
   * One path that cannot be written (an immutable directory: root ignores permission bits, not that flag)
   * fails that item; the daemon goes on with the others, and the item goes through once it can.
   */
  @Test
  void aFailingPath_isReported_andTheDaemonGoesOn() throws Exception {
    write(a, "locked/old", "1");
    start(FAST);
    await("first sync", holds(b, "locked/old", "1"));
    chattr("+i", b.resolve("locked"));
    try {
      write(a, "locked/new", "blocked");
      await("the failure reported", () -> reports.stream().anyMatch(r -> r.items().stream()
          .anyMatch(i -> i.status() == ItemReport.Status.FAILED)));
      write(a, "elsewhere", "still synchronized");
      await("other changes still arrive", holds(b, "elsewhere", "still synchronized"));
      assertFalse(Files.exists(b.resolve("locked/new")));
    } finally {
      chattr("-i", b.resolve("locked"));
    }
    // The next change to that path goes through.
    write(a, "locked/new", "unblocked");
    await("the path once writable", holds(b, "locked/new", "unblocked"));
    assertTrue(thread.isAlive());
  }

  /** {@code chattr flag path}; skips the test where chattr or the flag is not available. */
  private static void chattr(String flag, Path path) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("chattr", flag, path.toString()).redirectErrorStream(true).start();
    } catch (IOException e) {
      org.junit.jupiter.api.Assumptions.abort("chattr is not available: " + e.getMessage());
      return;
    }
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      org.junit.jupiter.api.Assumptions.abort("chattr " + flag + " not supported here: " + out.trim());
    }
  }

  @Test
  void emptyingARoot_isRefusedAsInABatchRun() throws Exception {
    write(a, "one", "1");
    write(a, "two", "2");
    start(FAST);
    Files.delete(a.resolve("one"));
    Files.delete(a.resolve("two"));
    await("refusal", () -> errors.stream().anyMatch(e -> e.contains("emptied")));
    assertEquals("1", read(b, "one"));
    assertEquals("2", read(b, "two"));
  }

  @Test
  void deletingOneOfSeveralFiles_isNotABigDeletion() throws Exception {
    write(a, "one", "1");
    write(a, "two", "2");
    start(FAST);
    Files.delete(a.resolve("one"));
    await("deletion", () -> !Files.exists(b.resolve("one")));
    assertTrue(errors.isEmpty(), errors.toString());
  }

  @Test
  void aVanishedRoot_failsThatSynchronization_andTheDaemonRecoversWhenItIsBack() throws Exception {
    write(a, "f", "1");
    start(FAST);
    Path moved = tmp.resolve("b-unmounted");
    Files.move(b, moved);
    write(a, "trigger", "a change while b is away");
    await("error about the missing root", () -> errors.stream().anyMatch(e -> e.contains("missing")));
    assertEquals("1", read(a, "f"), "nothing deleted on a");
    Files.move(moved, b);
    write(a, "g", "after");
    await("g arrives once b is back", holds(b, "g", "after"));
  }

  /**
   * A remote replica's connection lost, and lost again right after the reconnection while the watch is
   * being set up (a server restarting just after accepting us): that is a lost connection, not a root that
   * cannot be watched. The daemon reconnects once more and watches again; it does not fall back to polling.
   */
  @Test
  void aConnectionLostWhileStartingTheWatch_isReconnected_notPolled() throws Exception {
    List<Connection> connections = new CopyOnWriteArrayList<>();
    daemon = new ContinuousSync(side -> {
      if (side == Side.ALPHA) {
        return replica(a);
      }
      Connection c = new Connection(replica(b), connections.size() == 1);
      connections.add(c);
      return c.replica();
    }, SyncConfig.defaults(Clock.systemUTC()), FAST, new Recorder());
    thread = new Thread(daemon::run, "daemon");
    thread.start();
    await("the first synchronization", () -> !reports.isEmpty());
    connections.get(0).drop();
    await("a third connection, watched", () -> connections.size() >= 3 && connections.get(2).watched);
    write(b, "after", "seen by the new watch");
    await("the change", holds(a, "after", "seen by the new watch"));
    assertTrue(warnings.stream().noneMatch(w -> w.contains("cannot watch")), warnings.toString());
    assertTrue(warnings.stream().anyMatch(w -> w.contains("connected again")), warnings.toString());
  }

  /**
   * A local replica posing as a remote one whose connection can be lost: then every call but its name fails,
   * as on a broken session, and its watch reports that it stopped.
   */
  private static final class Connection {
    private final LocalReplica local;
    private final boolean dropsWhenWatched;
    private volatile boolean connected = true;
    private volatile boolean watched;
    private volatile jsync.core.watch.ChangeSink sink;

    Connection(LocalReplica local, boolean dropsWhenWatched) {
      this.local = local;
      this.dropsWhenWatched = dropsWhenWatched;
    }

    void drop() {
      connected = false;
      sink.stopped("the remote jsync closed the connection");
    }

    jsync.core.sync.Replica replica() {
      return (jsync.core.sync.Replica) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {jsync.core.sync.Replica.class}, (proxy, method, args) -> {
            switch (method.getName()) {
              case "connected":
                return connected;
              case "root":
                return local.root();
              case "close":
                local.close();
                return null;
              case "watch":
                if (dropsWhenWatched) {
                  connected = false;
                }
                if (!connected) {
                  throw new IOException("the remote jsync closed the connection");
                }
                sink = (jsync.core.watch.ChangeSink) args[2];
                java.io.Closeable handle = (java.io.Closeable) method.invoke(local, args);
                watched = true;
                return handle;
              default:
                if (!connected) {
                  throw new JsyncException("the remote jsync closed the connection");
                }
                try {
                  return method.invoke(local, args);
                } catch (java.lang.reflect.InvocationTargetException e) {
                  throw e.getCause();
                }
            }
          });
    }
  }

  @Test
  void aWatchLimit_fallsBackToPeriodicFullSynchronizations() throws Exception {
    Files.createDirectories(a.resolve("d1/d2"));
    watchFactory = (root, scopes, filter, sink) -> TreeWatcher.start(root, scopes, filter, sink, 1);
    start(FAST);
    await("warning", () -> warnings.stream().anyMatch(w -> w.contains("max_user_watches")));
    write(a, "d1/d2/f", "found by polling");
    await("polled", holds(b, "d1/d2/f", "found by polling"));
  }

  @Test
  void repeatN_synchronizesEverythingEveryNSeconds() throws Exception {
    start(new ContinuousSync.Settings(ContinuousSync.Mode.INTERVAL, Duration.ofSeconds(1), Duration.ZERO,
        Duration.ZERO, Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofMillis(400)));
    write(a, "f", "periodic");
    await("f", holds(b, "f", "periodic"));
    // The file is in place before the pass that copied it ends and is counted.
    await("a second pass", () -> daemon.passes() >= 2);
  }

  @Test
  void stop_completesWhatIsUnderWay_andLeavesAConsistentArchive() throws Exception {
    start(FAST);
    for (int i = 0; i < 3000; i++) {
      write(a, "many/f" + i, "x".repeat(1000) + i);
    }
    await("some copied", () -> {
      String[] names = b.resolve("many").toFile().list();
      return names != null && names.length > 0;
    });
    daemon.stop();
    thread.join(TestTimeouts.seconds(30).toMillis());
    assertFalse(thread.isAlive());
    assertEquals(null, died.get());
    daemon = null;

    // The archives agree with the disks: a batch run finds only the files not yet copied, no conflict,
    // and afterwards the replicas are equal.
    try (LocalReplica ra = replica(a); LocalReplica rb = replica(b)) {
      SyncReport r = new SyncRun(ra, rb, SyncConfig.defaults(Clock.systemUTC()), new SyncListener() { }).run();
      assertEquals(0, r.exitCode(), r.items().toString());
    }
    assertEquals(describe(a), describe(b));
  }

  @Test
  void theLockIsHeldForTheDaemonsLifetime() throws Exception {
    start(FAST);
    try (LocalReplica ra = replica(a); LocalReplica rb = replica(b)) {
      SyncRun other = new SyncRun(ra, rb, SyncConfig.defaults(Clock.systemUTC()), new SyncListener() { });
      assertThrows(JsyncException.class, other::run);
    }
  }

  @Test
  void aFailingFirstSynchronization_isFatal() {
    a = tmp.resolve("no-such-a");
    b = tmp.resolve("no-such-b");
    ContinuousSync d = new ContinuousSync(side -> replica(side == Side.ALPHA ? a : b),
        SyncConfig.defaults(Clock.systemUTC()), FAST, new Recorder());
    JsyncException e = assertThrows(JsyncException.class, d::run);
    assertTrue(e.getMessage().contains("neither root exists"), e.getMessage());
  }

  @Test
  void narrow_keepsChangesInsideTheScopes_andWidensChangesAboveThem() {
    List<RelPath> scopes = List.of(RelPath.parse("www"), RelPath.parse("etc/app"));
    List<RelPath> got = ContinuousSync.narrow(
        Set.of(RelPath.parse("www/index.html"), RelPath.parse("tmp/x"), RelPath.parse("etc")), scopes);
    assertEquals(Set.of(RelPath.parse("www/index.html"), RelPath.parse("etc/app")), Set.copyOf(got));
    assertEquals(List.of(RelPath.parse("a/b")), ContinuousSync.narrow(Set.of(RelPath.parse("a/b")),
        List.of(RelPath.ROOT)));
  }
}
