package jsync.core.sync;

import static jsync.core.testing.TreeFixture.describe;
import static jsync.core.testing.TreeFixture.read;
import static jsync.core.testing.TreeFixture.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import jsync.core.apply.BackupPolicy;
import jsync.core.model.PropsPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSyncTest {
  @TempDir Path tmp;

  private SyncReport sync(Path a, Path b) {
    SyncConfig config = SyncConfig.defaults(Clock.systemUTC());
    try (LocalReplica ra = replica(a); LocalReplica rb = replica(b)) {
      return new SyncRun(ra, rb, config, new SyncListener() {}).run();
    }
  }

  private LocalReplica replica(Path root) {
    return new LocalReplica(root, root.toString(), "testhost", tmp.resolve("home"), Clock.systemUTC(),
        PropsPolicy.DEFAULT, BackupPolicy.NONE, n -> {});
  }

  @Test
  void firstSyncCopiesBothWaysThenPropagatesChanges() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    write(a, "x/f1", "one");
    write(b, "y/f2", "two");
    SyncReport r = sync(a, b);
    assertEquals(0, r.exitCode(), r.items().toString());
    assertEquals(describe(a), describe(b));
    assertEquals("two", read(a, "y/f2"));

    SyncReport again = sync(a, b);
    assertTrue(again.plan().isEmpty(), again.plan().toString());

    write(a, "x/f1", "one changed");
    Files.delete(b.resolve("y/f2"));
    SyncReport r3 = sync(a, b);
    assertEquals(0, r3.exitCode(), r3.items().toString());
    assertEquals("one changed", read(b, "x/f1"));
    assertFalse(Files.exists(a.resolve("y/f2")));
    assertEquals(describe(a), describe(b));
  }

  @Test
  void firstSync_comparesFilesBothSidesHave_andRecordsHashesOfFilesItOnlyCopied() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    write(a, "same", "identical");
    write(b, "same", "identical");
    write(a, "differs", "alpha's");
    write(b, "differs", "beta's");
    write(a, "only-a", "copied to b, never hashed by the scan");
    // Old mtimes: files modified within the racy window are hashed by the scan anyway.
    for (Path p : java.util.List.of(a.resolve("same"), b.resolve("same"), a.resolve("differs"),
        b.resolve("differs"), a.resolve("only-a"))) {
      Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(1_600_000_000_000L));
    }

    SyncReport first = sync(a, b);
    assertEquals(1, first.exitCode(), first.items().toString());
    assertEquals(1, first.skipped(), "only the differing file is a conflict");
    assertEquals("copied to b, never hashed by the scan", read(b, "only-a"));

    // Both archives recorded the copied file's hash: an edit on b alone is a one-sided change, not a
    // conflict (which it would be if the two records disagreed).
    write(b, "only-a", "edited on b");
    SyncReport second = sync(a, b);
    assertEquals(1, second.exitCode(), second.items().toString());
    assertEquals("edited on b", read(a, "only-a"));
    assertEquals(1, second.skipped(), "the first conflict is still there: " + second.items());
  }

  @Test
  void aLargeNewTree_isRecordedPartByPart_soARunThatDiesHalfWayKeepsWhatItCopied() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    int dirs = 50;
    int perDir = 82;
    for (int d = 0; d < dirs; d++) {
      for (int f = 0; f < perDir; f++) {
        write(a, String.format("tree/d%02d/f%03d", d, f), d + "/" + f);
      }
    }
    int paths = 1 + dirs + dirs * perDir;
    // The connection to beta "dies" at the run's second flush, the first being the one the staged files
    // (more than 2 * FLUSH_FILES) asked for half-way.
    int[] flushes = {0};
    SyncConfig config = SyncConfig.defaults(Clock.systemUTC());
    try (LocalReplica ra = replica(a); LocalReplica rb = replica(b)) {
      Replica dying = intercepting(rb, "flush", () -> {
        if (++flushes[0] == 2) {
          throw new jsync.core.JsyncException("connection lost");
        }
      });
      jsync.core.JsyncException e = org.junit.jupiter.api.Assertions.assertThrows(jsync.core.JsyncException.class,
          () -> new SyncRun(ra, dying, config, new SyncListener() {}).run());
      assertEquals("connection lost", e.getMessage());
    }
    assertEquals(2, flushes[0]);

    // The parts completed by the first flush are recorded on both sides: the next run neither compares
    // nor copies them again, and finishes the job.
    SyncReport again = sync(a, b);
    assertEquals(0, again.exitCode(), again.items().toString());
    // The dead run's temporary files stay until they are an hour old (see the test below).
    Map<String, String> copied = new java.util.TreeMap<>(describe(b));
    copied.keySet().removeIf(name -> name.contains(jsync.core.apply.Applier.TEMP_PREFIX));
    assertTrue(describe(a).equals(copied), "same trees but for temporary files");
    long planned = again.plan().items().stream().mapToLong(i -> i.states().size()).sum();
    // (Files installed by that flush beyond the parts it completed are compared, and recorded as equal.)
    assertTrue(planned <= paths - 2 * ItemParts.MAX_OPS, planned + " of " + paths + " paths planned again");
    assertTrue(sync(a, b).plan().isEmpty());
  }

  /** {@code replica}, with {@code before} run (and free to throw) ahead of each call of the method named. */
  private static Replica intercepting(Replica replica, String method, Runnable before) {
    return (Replica) java.lang.reflect.Proxy.newProxyInstance(Replica.class.getClassLoader(),
        new Class<?>[] {Replica.class}, (proxy, m, args) -> {
          if (m.getName().equals(method)) {
            before.run();
          }
          try {
            return m.invoke(replica, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /** {@code replica}, counting in {@code steps} the steps applied to it. */
  private static Replica countingSteps(Replica replica, int[] steps) {
    return intercepting(replica, "apply", () -> steps[0]++);
  }

  /** {@code files} small files in one new directory, {@code tree}: more than two parts' worth. */
  private static void writeFlatTree(Path root, int files) throws java.io.IOException {
    for (int f = 0; f < files; f++) {
      write(root, String.format("tree/f%04d", f), "content " + f);
    }
  }

  @Test
  void aLargeNewTree_copiedInParts_isReportedAsOneItem() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    writeFlatTree(a, 2 * ItemParts.MAX_OPS + 10);
    int[] steps = {0};
    SyncReport r;
    try (LocalReplica ra = replica(a); LocalReplica rb = replica(b)) {
      r = new SyncRun(ra, countingSteps(rb, steps), SyncConfig.defaults(Clock.systemUTC()), new SyncListener() {})
          .run();
    }
    assertEquals(3, steps[0], "2,011 ops in parts of " + ItemParts.MAX_OPS);
    assertEquals(0, r.exitCode(), r.items().toString());
    assertEquals(1, r.done(), "one item, the tree, done");
    assertTrue(r.items().isEmpty(), r.items().toString());
    assertTrue(describe(a).equals(describe(b)), "same trees");
    assertTrue(sync(a, b).plan().isEmpty());
  }

  @Test
  void aStopBetweenTheParts_skipsTheRestOfTheItem_andTheNextRunCopiesIt() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    writeFlatTree(a, 2 * ItemParts.MAX_OPS + 10);
    int[] steps = {0};
    SyncReport r;
    try (LocalReplica ra = replica(a); LocalReplica rb = replica(b)) {
      r = new SyncRun(ra, countingSteps(rb, steps), SyncConfig.defaults(Clock.systemUTC()), new SyncListener() {
        @Override
        public boolean stopRequested() {
          return steps[0] > 0; // asked once the first part is on its way
        }
      }).run();
    }
    assertEquals(1, steps[0]);
    assertEquals(1, r.exitCode(), r.items().toString());
    assertEquals(ItemReport.Status.SKIPPED, r.items().get(0).status());
    assertTrue(r.items().get(0).message().contains("next run"), r.items().get(0).message());
    long copied;
    try (var files = Files.list(b.resolve("tree"))) {
      copied = files.count();
    }
    assertEquals(ItemParts.MAX_OPS - 1, copied, "the first part: the directory and 999 files");

    SyncReport again = sync(a, b);
    assertEquals(0, again.exitCode(), again.items().toString());
    assertTrue(describe(a).equals(describe(b)), "same trees");
    assertEquals(2 * ItemParts.MAX_OPS + 10 - (ItemParts.MAX_OPS - 1),
        again.plan().items().stream().mapToLong(i -> i.states().size()).sum(), "only the rest planned");
  }

  @Test
  void largeFileCopied_getsItsBlockSignatureRecordedOnBothSides_aSmallerOneNone() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    byte[] big = writeRandom(a.resolve("big.bin"), (8 << 20) + 600_000, 3);
    Files.setLastModifiedTime(a.resolve("big.bin"), java.nio.file.attribute.FileTime.fromMillis(1_600_000_000_000L));
    // Big enough for a delta, too small to keep a signature for (SignatureBuilder.MIN_STORED_SIZE).
    writeRandom(a.resolve("mid.bin"), (8 << 20) - 1, 5);

    assertEquals(0, sync(a, b).exitCode());

    assertEquals(java.util.Optional.of(signatureOf(big)), storedSignature(a, b, "big.bin"), "signature in a");
    assertEquals(java.util.Optional.of(signatureOf(big)), storedSignature(b, a, "big.bin"), "signature in b");
    assertEquals(java.util.Optional.empty(), storedSignature(a, b, "mid.bin"), "no signature in a");
    assertEquals(java.util.Optional.empty(), storedSignature(b, a, "mid.bin"), "no signature in b");
  }

  private java.util.Optional<jsync.core.delta.Signature> storedSignature(Path self, Path other, String path)
      throws Exception {
    String selfName = "testhost:" + self.toRealPath();
    String otherName = "testhost:" + other.toRealPath();
    Path dir = jsync.core.archive.ArchiveLocation.of(tmp.resolve("home"), selfName, otherName).archiveDir();
    try (jsync.core.archive.Archive archive = jsync.core.archive.Archive.open(dir)) {
      return archive.signature(jsync.core.model.RelPath.parse(path));
    }
  }

  private static byte[] writeRandom(Path file, int size, long seed) throws java.io.IOException {
    byte[] content = new byte[size];
    new java.util.Random(seed).nextBytes(content);
    Files.write(file, content);
    return content;
  }

  private static jsync.core.delta.Signature signatureOf(byte[] content) {
    jsync.core.delta.SignatureBuilder b = new jsync.core.delta.SignatureBuilder(content.length, 0);
    b.update(content, 0, content.length);
    return b.finish();
  }

  @Test
  void laterRuns_recordTheSignatureOfWhatWasCopied_andKeepItWhenOnlyPropertiesChange() throws Exception {
    // A trusted scan computes no block signatures (Scanner#hashFile): the copy's serve both sides.
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    byte[] big = writeRandom(a.resolve("big.bin"), (8 << 20) + 700_000, 4);
    assertEquals(0, sync(a, b).exitCode());

    big[12345] ^= 1;
    Files.write(a.resolve("big.bin"), big);
    SyncReport changed = sync(a, b);
    assertEquals(0, changed.exitCode(), changed.items().toString());
    assertEquals(java.util.Optional.of(signatureOf(big)), storedSignature(a, b, "big.bin"), "source side");
    assertEquals(java.util.Optional.of(signatureOf(big)), storedSignature(b, a, "big.bin"), "receiving side");

    Files.setPosixFilePermissions(a.resolve("big.bin"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    SyncReport chmod = sync(a, b);
    assertEquals(0, chmod.exitCode(), chmod.items().toString());
    assertEquals(java.util.Optional.of(signatureOf(big)), storedSignature(a, b, "big.bin"),
        "a mode change keeps the source's signature");
  }

  @Test
  void renamedFile_isCopiedFromTheOldNameOnTheOtherSide() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    write(a, "old-name", "some content worth not transferring twice");
    assertEquals(0, sync(a, b).exitCode());
    Files.move(a.resolve("old-name"), a.resolve("new-name"));
    // An mtime older than the racy window: the scan leaves the new name unread unless it must compare.
    Files.setLastModifiedTime(a.resolve("new-name"), java.nio.file.attribute.FileTime.fromMillis(1_600_000_000_000L));

    SyncReport r = sync(a, b);

    assertEquals(0, r.exitCode(), r.items().toString());
    assertEquals("some content worth not transferring twice", read(b, "new-name"));
    assertFalse(Files.exists(b.resolve("old-name")));
    assertEquals(0, r.bytes(), "copied locally on b from old-name, nothing transferred");
  }

  @Test
  void readThroughASymlinkedDirectory_isRefused() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    write(outside, "secret", "not below the root");
    Files.createSymbolicLink(a.resolve("link"), outside);
    try (LocalReplica r = replica(a)) {
      java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
          () -> r.read(jsync.core.model.RelPath.parse("link/secret"),
              new jsync.core.model.Entry.File(18, 0, 0644, jsync.core.model.Fingerprint.of(1)),
              jsync.core.model.Stamp.NONE).close());
      assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    }
  }

  @Test
  void leftoverTemporaryFilesOfADeadRun_areRemovedAfterAnHour_freshOnesKept() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    write(a, "f", "x");
    Path stale = write(b, "d/" + jsync.core.apply.Applier.TEMP_PREFIX + "dead", "half a file");
    Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.from(
        java.time.Instant.now().minus(java.time.Duration.ofHours(2))));
    Path fresh = write(b, jsync.core.apply.Applier.TEMP_PREFIX + "live", "another run's transfer");

    SyncReport r = sync(a, b);

    assertEquals(0, r.exitCode(), r.items().toString());
    assertFalse(Files.exists(stale));
    assertTrue(Files.exists(fresh));
    assertFalse(Files.exists(a.resolve(jsync.core.apply.Applier.TEMP_PREFIX + "live")), "never synchronized");
  }

  @Test
  void deletingATreeOfManyDirectoriesSucceeds() throws Exception {
    // More directories than Durability.SYNCFS_THRESHOLD: the removed ones must not be synced afterwards.
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    for (int i = 0; i < 40; i++) {
      write(a, "tree/d" + i + "/sub/f", "x" + i);
    }
    write(a, "keep", "k");
    assertEquals(0, sync(a, b).exitCode());
    deleteTree(a.resolve("tree"));

    SyncReport r = sync(a, b);
    assertEquals(0, r.exitCode(), problems(r));
    assertEquals(1, r.transferred());
    assertFalse(Files.exists(b.resolve("tree")));
    assertEquals(describe(a), describe(b));
  }

  /**
   * What a run killed while propagating a directory's deletion leaves: the directory gone on one side, part
   * of its files already removed on the other (files are removed one by one, deepest first). The next run
   * finishes the deletion instead of calling the removed files changes that conflict with it.
   */
  @Test
  void aDirectoryDeletionInterruptedHalfWay_isFinishedByTheNextRun() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    for (int i = 0; i < 10; i++) {
      write(a, "d/f" + i, "x" + i);
    }
    write(a, "d/sub/z", "z");
    write(a, "keep", "k");
    assertEquals(0, sync(a, b).exitCode());
    deleteTree(b.resolve("d"));
    // The interrupted run had removed these from a before it was killed (and recorded nothing).
    Files.delete(a.resolve("d/sub/z"));
    Files.delete(a.resolve("d/sub"));
    for (int i = 5; i < 10; i++) {
      Files.delete(a.resolve("d/f" + i));
    }

    SyncReport r = sync(a, b);
    assertEquals(0, r.exitCode(), problems(r));
    assertFalse(Files.exists(a.resolve("d")));
    assertEquals(describe(a), describe(b));
    SyncReport again = sync(a, b);
    assertEquals(0, again.exitCode(), problems(again));
    assertEquals(0, again.transferred(), "the archives recorded the deletion");
  }

  /** The same for a directory replaced by a file: the run killed while removing the old tree is finished. */
  @Test
  void aDirectoryReplacedByAFile_interruptedHalfWay_isFinishedByTheNextRun() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    for (int i = 0; i < 10; i++) {
      write(a, "d/f" + i, "x" + i);
    }
    write(a, "keep", "k");
    assertEquals(0, sync(a, b).exitCode());
    deleteTree(a.resolve("d"));
    write(a, "d", "now a file");
    for (int i = 3; i < 10; i++) {
      Files.delete(b.resolve("d/f" + i)); // what the killed run had removed from b
    }

    SyncReport r = sync(a, b);
    assertEquals(0, r.exitCode(), problems(r));
    assertEquals("now a file", Files.readString(b.resolve("d")));
    assertEquals(describe(a), describe(b));
  }

  /** A file changed in a directory the other side deleted still stops the deletion (nothing edited is lost). */
  @Test
  void aDirectoryDeletedOnOneSide_withAFileEditedInItOnTheOther_staysAConflict() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    write(a, "d/f1", "one");
    write(a, "d/f2", "two");
    write(a, "keep", "k"); // so that b is not emptied (confirmbigdel)
    assertEquals(0, sync(a, b).exitCode());
    deleteTree(b.resolve("d"));
    Files.delete(a.resolve("d/f1"));
    write(a, "d/f2", "two, edited");

    SyncReport r = sync(a, b);
    assertEquals(1, r.exitCode(), problems(r));
    assertEquals("two, edited", Files.readString(a.resolve("d/f2")));
  }

  @Test
  void deletingASmallTreeSucceeds() throws Exception {
    // Fewer paths than the threshold: synced one by one with fsync.
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    write(a, "d/sub/f", "x");
    write(a, "keep", "k");
    assertEquals(0, sync(a, b).exitCode());
    deleteTree(a.resolve("d"));

    SyncReport r = sync(a, b);
    assertEquals(0, r.exitCode(), problems(r));
    assertEquals(describe(a), describe(b));
  }

  @Test
  void rootReplacedAfterItsScanIsFatalAndNothingIsWrittenThere() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    write(a, "f", "one");
    assertEquals(0, sync(a, b).exitCode());
    write(a, "g", "new");
    // An unmounted disk's empty mountpoint takes the root's place between scan and apply.
    SyncListener swap = new SyncListener() {
      @Override
      public boolean confirm(jsync.core.reconcile.Plan plan) {
        try {
          Path other = Files.createDirectory(tmp.resolve("b.other"));
          deleteTree(b);
          Files.move(other, b);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        return true;
      }
    };
    jsync.core.JsyncException e = org.junit.jupiter.api.Assertions.assertThrows(jsync.core.JsyncException.class,
        () -> {
          try (LocalReplica ra = replica(a); LocalReplica rb = replica(b)) {
            new SyncRun(ra, rb, SyncConfig.defaults(Clock.systemUTC()), swap).run();
          }
        });
    assertTrue(e.getMessage().contains("replaced"), e.getMessage());
    assertEquals(java.util.Map.of(), describe(b));
  }

  /** The skipped and failed items, short enough for an assertion message. */
  private static String problems(SyncReport r) {
    return r.items().stream().filter(i -> i.status() != ItemReport.Status.DONE)
        .map(i -> i.item().path().display() + ": " + i.message()).toList().toString();
  }

  private static void deleteTree(Path root) throws java.io.IOException {
    try (java.util.stream.Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
