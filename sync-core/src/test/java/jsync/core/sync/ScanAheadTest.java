package jsync.core.sync;

import static jsync.core.testing.TreeFixture.describe;
import static jsync.core.testing.TreeFixture.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import jsync.core.apply.BackupPolicy;
import jsync.core.archive.LockedException;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;
import jsync.core.scan.ScanOptions;
import jsync.core.scan.Update;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LocalReplica#scanAhead}: the scan a run starts while the other replica connects is used only when
 * the guess about the other replica, the scan options and the trust in the archives all hold.
 */
class ScanAheadTest {
  @TempDir Path tmp;
  Path a;
  Path b;
  String bName;
  final SyncConfig config = SyncConfig.defaults(Clock.systemUTC());
  final ScanOptions options = SyncRun.scanOptions(config);

  @BeforeEach
  void syncedPair() throws Exception {
    a = Files.createDirectories(tmp.resolve("a"));
    b = Files.createDirectories(tmp.resolve("b"));
    write(a, "d/one", "1");
    write(a, "two", "2");
    try (LocalReplica ra = replica(a); LocalReplica rb = replica(b)) {
      assertEquals(0, new SyncRun(ra, rb, config, new SyncListener() {}).run().exitCode());
    }
    bName = replica(b).canonicalRoot();
  }

  private LocalReplica replica(Path root) {
    return new LocalReplica(root, root.toString(), "testhost", tmp.resolve("home"), Clock.systemUTC(),
        PropsPolicy.DEFAULT, BackupPolicy.NONE, n -> {});
  }

  private static List<String> paths(ScanResult r) {
    return r.updates().stream().map(Update::path).map(RelPath::toString).toList();
  }

  @Test
  void rightGuess_theRunTakesTheScanMadeAhead() throws Exception {
    try (LocalReplica ra = replica(a)) {
      ra.scanAhead(bName, "test", options);
      ScanResult early = ra.awaitScanAhead();
      assertNotNull(early);
      // Written after the scan ahead: the run's scan is that earlier snapshot, so it does not see it.
      write(a, "late", "x");
      ra.open(bName, "test");
      assertSame(early, ra.scan(options, true));
      assertEquals(List.of(), paths(early));
    }
  }

  /** The scan waits for what it was told to wait for (a key pair for the connection): it sees what came before. */
  @Test
  void aScanAheadHeldBack_startsOnlyOnceItsGateCompletes() throws Exception {
    try (LocalReplica ra = replica(a)) {
      java.util.concurrent.CompletableFuture<Void> gate = new java.util.concurrent.CompletableFuture<>();
      ra.scanAhead(bName, "test", options, gate);
      Thread.sleep(300);
      write(a, "while-held", "x");
      gate.completeExceptionally(new IllegalStateException("a gate's failure does not matter"));
      ScanResult early = ra.awaitScanAhead();
      assertNotNull(early);
      assertEquals(List.of("while-held"), paths(early));
    }
  }

  @Test
  void rightGuess_wholeRunThroughSyncRun_propagatesWhatTheScanAheadSaw() throws Exception {
    write(a, "new", "n");
    try (LocalReplica ra = replica(a); LocalReplica rb = replica(b)) {
      ra.scanAhead(bName, "test", options);
      SyncReport r = new SyncRun(ra, rb, config, new SyncListener() {}).run();
      assertEquals(0, r.exitCode(), r.items().toString());
    }
    assertEquals(describe(a), describe(b));
  }

  @Test
  void untrustedArchives_orOtherOptions_scanAfresh() throws Exception {
    for (boolean trusted : new boolean[] {false, true}) {
      try (LocalReplica ra = replica(a)) {
        ra.scanAhead(bName, "test", options);
        assertNotNull(ra.awaitScanAhead());
        write(a, "late-" + trusted, "x");
        ra.open(bName, "test");
        ScanOptions asked = trusted ? options.withFastcheck(!options.fastcheck()) : options;
        ScanResult r = ra.scan(asked, trusted);
        assertTrue(paths(r).contains("late-" + trusted), paths(r).toString());
      }
    }
  }

  @Test
  void wrongGuess_isDropped_itsLockReleased_andTheRightArchiveUsed() throws Exception {
    String elsewhere = "testhost:" + tmp.resolve("elsewhere");
    try (LocalReplica ra = replica(a)) {
      ra.scanAhead(elsewhere, "test", options);
      assertNull(ra.awaitScanAhead(), "a pair never synchronized has nothing to scan against");
      write(a, "late", "x");
      ra.open(bName, "test");
      assertEquals(List.of("late"), paths(ra.scan(options, true)));
      // The guessed pair's lock is free again.
      try (LocalReplica again = replica(a)) {
        again.open(elsewhere, "another run");
      }
    }
  }

  @Test
  void staleGuess_anotherSyncedPair_isScannedButNotUsed() throws Exception {
    Path c = Files.createDirectories(tmp.resolve("c"));
    try (LocalReplica ra = replica(a); LocalReplica rc = replica(c)) {
      assertEquals(0, new SyncRun(ra, rc, config, new SyncListener() {}).run().exitCode());
    }
    write(b, "from-b", "b");
    try (LocalReplica ra = replica(a); LocalReplica rb = replica(b)) {
      ra.scanAhead(replica(c).canonicalRoot(), "test", options);
      assertNotNull(ra.awaitScanAhead());
      write(a, "late", "x");
      SyncReport r = new SyncRun(ra, rb, config, new SyncListener() {}).run();
      assertEquals(0, r.exitCode(), r.items().toString());
    }
    assertEquals(describe(a), describe(b));
    assertTrue(Files.exists(b.resolve("late")));
  }

  @Test
  void lockHeldByAnotherRun_theRunStillSaysSo() {
    try (LocalReplica other = replica(a)) {
      other.open(bName, "the other run");
      try (LocalReplica ra = replica(a)) {
        ra.scanAhead(bName, "test", options);
        assertNull(ra.awaitScanAhead());
        LockedException e = assertThrows(LockedException.class, () -> ra.open(bName, "test"));
        assertTrue(e.getMessage().contains("the other run"), e.getMessage());
      }
    }
  }

  @Test
  void closeWhileScanningAhead_waitsForTheScan() throws Exception {
    for (int i = 0; i < 300; i++) {
      write(a, "many/f" + i, "x" + i);
    }
    for (int i = 0; i < 5; i++) {
      LocalReplica ra = replica(a);
      ra.scanAhead(bName, "test", options);
      ra.close(); // must not close the archive under the running scan (RocksDB would crash the JVM)
    }
    try (LocalReplica ra = replica(a)) {
      ra.open(bName, "test");
      assertEquals(301, ra.scan(options, true).updates().size()); // many/ and its 300 files
    }
  }

  @Test
  void missingRoot_scansNothingAhead() throws Exception {
    Path gone = tmp.resolve("gone");
    try (LocalReplica r = replica(gone)) {
      r.scanAhead(bName, "test", options);
      assertNull(r.awaitScanAhead());
    }
  }
}
