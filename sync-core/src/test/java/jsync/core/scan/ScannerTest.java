package jsync.core.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import jsync.core.apply.Applier;
import jsync.core.model.Entry;
import jsync.core.model.Fingerprint;
import jsync.core.model.Observed;
import jsync.core.model.ProblemKind;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;
import jsync.core.model.Stamp;
import jsync.core.testing.FakeClock;
import jsync.core.testing.MemoryArchive;
import jsync.core.testing.TreeFixture;
import net.jpountz.xxhash.XXHashFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The scanner on Jimfs, with a {@link FakeClock} that is also the filesystem's time source, so every
 * file's age relative to the scan is chosen by the test. Three configurations: {@code unix} with the unix
 * attribute view (inode and ctime in the stamp), {@code osX} (case-insensitive, NFC display names, basic
 * view only) and {@code windows} (backslashes, basic view only).
 */
class ScannerTest {
  /** Past the scanner's racy window, so stamps are trusted. */
  private static final Duration SETTLE = Duration.ofSeconds(10);

  enum Fs {
    UNIX, OSX, WINDOWS
  }

  private final FakeClock clock = new FakeClock();
  private FileSystem fs;
  private Path root;

  @AfterEach
  void closeFs() throws IOException {
    if (fs != null) {
      fs.close();
    }
  }

  private Path newRoot(Fs kind) throws IOException {
    Configuration config = switch (kind) {
      case UNIX -> Configuration.unix().toBuilder().setAttributeViews("basic", "owner", "posix", "unix")
          .setFileTimeSource(clock).build();
      case OSX -> Configuration.osX().toBuilder().setFileTimeSource(clock).build();
      case WINDOWS -> Configuration.windows().toBuilder().setFileTimeSource(clock).build();
    };
    fs = Jimfs.newFileSystem(config);
    root = fs.getPath(kind == Fs.WINDOWS ? "C:\\replica" : "/replica");
    Files.createDirectories(root);
    return root;
  }

  // ---- helpers ----------------------------------------------------------------------------------------

  private record Result(List<Update> updates, ScanStats stats) {
    List<String> paths() {
      return updates.stream().map(u -> u.path().toString()).collect(Collectors.toList());
    }

    Update at(String path) {
      return updates.stream().filter(u -> u.path().toString().equals(path)).findFirst()
          .orElseThrow(() -> new AssertionError("no update at " + path + " in " + paths()));
    }
  }

  private Result scan(MemoryArchive archive) throws IOException {
    return scan(archive, ScanOptions.defaults());
  }

  private Result scan(MemoryArchive archive, ScanOptions options) throws IOException {
    List<Update> updates = new ArrayList<>();
    ScanStats stats = new Scanner(root, options, true, clock).scan(archive, updates::add);
    assertEquals(0, archive.openIterators(), "the scan closes every archive iterator it opens");
    assertEquals(updates.size(), stats.updates());
    assertInOrder(updates);
    return new Result(updates, stats);
  }

  /** Scans, records the result in the archive, and lets the clock move past the racy window. */
  private MemoryArchive baseline(ScanOptions options) throws IOException {
    clock.advance(SETTLE);
    MemoryArchive archive = new MemoryArchive();
    archive.record(scan(archive, options).updates());
    return archive;
  }

  private MemoryArchive baseline() throws IOException {
    return baseline(ScanOptions.defaults());
  }

  private static void assertInOrder(List<Update> updates) {
    for (int i = 1; i < updates.size(); i++) {
      RelPath a = updates.get(i - 1).path();
      RelPath b = updates.get(i).path();
      assertTrue(a.compareTo(b) < 0, "updates out of RelPath order: " + a + " then " + b);
      assertTrue(Arrays.compareUnsigned(a.toKeyBytes(), b.toKeyBytes()) < 0,
          "updates out of archive key order: " + a + " then " + b);
    }
  }

  /** xxHash64, seed 0, from lz4-java's pure-Java build: independent of the code under test. */
  private static Fingerprint fp(String content) {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    return Fingerprint.of(XXHashFactory.safeInstance().hash64().hash(b, 0, b.length, 0));
  }

  private static Entry.File file(Update u) {
    return assertInstanceOf(Entry.File.class, u.current().entry(), () -> u.path() + ": " + u.current());
  }

  private static Entry.Problem problem(Update u) {
    return assertInstanceOf(Entry.Problem.class, u.current().entry(), () -> u.path() + ": " + u.current());
  }

  private void setMtime(String rel, FileTime t) throws IOException {
    Files.setLastModifiedTime(root.resolve(rel), t);
  }

  private FileTime mtime(String rel) throws IOException {
    return Files.getLastModifiedTime(root.resolve(rel), LinkOption.NOFOLLOW_LINKS);
  }

  private void deleteTree(String rel) throws IOException {
    Path top = root.resolve(rel);
    try (var walk = Files.walk(top)) {
      for (Path p : walk.sorted((x, y) -> y.getNameCount() - x.getNameCount()).toList()) {
        Files.delete(p);
      }
    }
  }

  // ---- first scan and the fast check ------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Fs.class)
  void firstScan_reportsEveryEntryAsCreated(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "D1/F1", "hello");
    TreeFixture.write(root, "F2", "");
    TreeFixture.mkdir(root, "D0");
    TreeFixture.link(root, "L1", "D1/F1");
    FileTime written = mtime("D1/F1");
    clock.advance(SETTLE);

    Result r = scan(new MemoryArchive());

    assertEquals(List.of("D0", "D1", "D1/F1", "F2", "L1"), r.paths());
    for (Update u : r.updates()) {
      assertEquals(Observed.ABSENT, u.archived(), u.path().toString());
      assertTrue(u.isChange(PropsPolicy.DEFAULT));
    }
    Entry.File f1 = file(r.at("D1/F1"));
    assertEquals(5, f1.size());
    assertEquals(fp("hello"), f1.fingerprint());
    assertEquals(written.to(java.util.concurrent.TimeUnit.NANOSECONDS), f1.mtimeNanos());
    Stamp s = r.at("D1/F1").current().stamp();
    assertEquals(5, s.size());
    assertEquals(f1.mtimeNanos(), s.mtimeNanos());
    if (kind == Fs.UNIX) {
      assertNotEquals(0, s.inode(), "the unix view gives inode numbers");
    } else {
      assertEquals(0, s.inode(), "the basic view has no inode numbers");
    }
    assertEquals(fp(""), file(r.at("F2")).fingerprint());
    assertEquals(0, file(r.at("F2")).size());
    assertInstanceOf(Entry.Dir.class, r.at("D0").current().entry());
    assertInstanceOf(Entry.Dir.class, r.at("D1").current().entry());
    // The target as the filesystem spells it: on Windows that is D1\F1, separators and all.
    assertEquals(new Entry.Link(fs.getPath("D1/F1").toString()), r.at("L1").current().entry());
    assertEquals(2, r.stats().hashed());
    assertEquals(5, r.stats().bytesHashed());
    assertEquals(5, r.stats().entries());
    assertEquals(List.of(), r.stats().emptied());
  }

  @Test
  void firstScan_readsPermissionBitsOnUnix() throws IOException {
    newRoot(Fs.UNIX);
    Path f = TreeFixture.write(root, "F1", "x");
    Path d = TreeFixture.mkdir(root, "D1");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx--x---"));
    clock.advance(SETTLE);

    Result r = scan(new MemoryArchive());

    assertEquals(0640, file(r.at("F1")).mode());
    assertEquals(new Entry.Dir(0710), r.at("D1").current().entry());
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void unchangedTree_reportsNothingAndHashesNothing(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "D1/F1", "one");
    TreeFixture.write(root, "D1/D2/F2", "two");
    TreeFixture.write(root, "F3", "three");
    TreeFixture.link(root, "L1", "F3");
    MemoryArchive archive = baseline();
    clock.advance(Duration.ofHours(1));

    Result r = scan(archive);

    assertEquals(List.of(), r.paths());
    assertEquals(0, r.stats().hashed());
    assertEquals(0, r.stats().bytesHashed());
    assertEquals(6, r.stats().entries());
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void fastcheckOff_hashesEveryFileAndReportsNothing(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "D1/F1", "one");
    TreeFixture.write(root, "F2", "two");
    MemoryArchive archive = baseline();

    Result r = scan(archive, ScanOptions.defaults().withFastcheck(false));

    assertEquals(List.of(), r.paths());
    assertEquals(2, r.stats().hashed());
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void sizeChange_isRehashed(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "F1", "short");
    TreeFixture.write(root, "F2", "other");
    MemoryArchive archive = baseline();
    FileTime before = mtime("F1");
    TreeFixture.write(root, "F1", "much longer");
    setMtime("F1", before); // only the size tells
    clock.advance(SETTLE);

    Result r = scan(archive);

    assertEquals(List.of("F1"), r.paths());
    assertEquals(1, r.stats().hashed());
    assertEquals(fp("much longer"), file(r.at("F1")).fingerprint());
    assertEquals(archive.get("F1"), r.at("F1").archived());
    assertTrue(r.at("F1").isChange(PropsPolicy.DEFAULT));
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void touchedFile_isRehashedAndOnlyRestamped(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "F1", "same");
    MemoryArchive archive = baseline();
    setMtime("F1", FileTime.from(clock.instant().minusSeconds(5)));
    clock.advance(SETTLE);

    Result r = scan(archive);

    assertEquals(List.of("F1"), r.paths());
    assertEquals(1, r.stats().hashed());
    Update u = r.at("F1");
    assertEquals(fp("same"), file(u).fingerprint());
    assertNotEquals(u.archived().stamp(), u.current().stamp());
    assertFalse(u.isChange(PropsPolicy.DEFAULT), "without times a new mtime is only a new stamp");
    assertTrue(u.isChange(new PropsPolicy(01777, true)), "with times it is a property change");

    // Recording the re-stamp makes the next scan quiet again.
    archive.record(r.updates());
    assertEquals(List.of(), scan(archive).paths());
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void contentChangeWithSameSizeAndMtime_isTrustedByFastcheck(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "F1", "aaaa");
    MemoryArchive archive = baseline();
    FileTime before = mtime("F1");
    TreeFixture.write(root, "F1", "bbbb");
    setMtime("F1", before);
    clock.advance(SETTLE);

    // Intended fastcheck behaviour (Unison's too): an equal stamp is trusted, the file is not read. Jimfs's
    // "unix:ctime" is the creation time, which a write does not move, so here the stamp really is equal; on
    // a real Linux filesystem the ctime moves on every write and catches this (ScannerOnDiskTest).
    Result fast = scan(archive);
    assertEquals(List.of(), fast.paths());
    assertEquals(0, fast.stats().hashed());

    Result slow = scan(archive, ScanOptions.defaults().withFastcheck(false));
    assertEquals(List.of("F1"), slow.paths());
    assertEquals(fp("bbbb"), file(slow.at("F1")).fingerprint());
  }

  @Test
  void replacedByCopyWithSameMtime_newInodeIsRehashed() throws IOException {
    newRoot(Fs.UNIX);
    Path f = TreeFixture.write(root, "F1", "content");
    MemoryArchive archive = baseline();
    Path tmp = root.resolve("copy");
    Files.copy(f, tmp, StandardCopyOption.COPY_ATTRIBUTES);
    Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
    clock.advance(SETTLE);

    Result r = scan(archive);

    assertEquals(List.of("F1"), r.paths());
    assertEquals(1, r.stats().hashed());
    Update u = r.at("F1");
    Stamp was = u.archived().stamp();
    Stamp now = u.current().stamp();
    assertEquals(was.size(), now.size());
    assertEquals(was.mtimeNanos(), now.mtimeNanos(), "the copy kept the mtime");
    assertNotEquals(was.inode(), now.inode());
    assertFalse(u.isChange(PropsPolicy.DEFAULT));
  }

  @Test
  void modeChangeWithEqualStamp_isStillReportedWithoutHashing() throws IOException {
    newRoot(Fs.UNIX);
    Path f = TreeFixture.write(root, "F1", "x");
    MemoryArchive archive = baseline();
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));

    Result r = scan(archive);

    // Jimfs's ctime does not move on chmod, so the stamp is equal: the fast path must still see the mode.
    assertEquals(List.of("F1"), r.paths());
    assertEquals(0, r.stats().hashed());
    assertEquals(0700, file(r.at("F1")).mode());
    assertTrue(r.at("F1").isChange(PropsPolicy.DEFAULT));
  }

  // ---- racy window -------------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Fs.class)
  void fileModifiedWithinTwoSecondsOfTheScan_getsNoStamp(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "F1", "fresh");
    clock.advance(Duration.ofMillis(1999));
    MemoryArchive archive = new MemoryArchive();

    Result first = scan(archive);
    Update u = first.at("F1");
    assertEquals(Stamp.NONE, u.current().stamp());
    assertEquals(fp("fresh"), file(u).fingerprint(), "the fingerprint is kept, only the stamp is withheld");
    archive.record(first.updates());

    // Still racy: hashed again, and nothing to report.
    Result second = scan(archive);
    assertEquals(1, second.stats().hashed());
    assertEquals(List.of(), second.paths());

    // Out of the window: hashed once more and re-stamped for good.
    clock.advance(Duration.ofMillis(1));
    Result third = scan(archive);
    assertEquals(1, third.stats().hashed());
    assertEquals(List.of("F1"), third.paths());
    assertNotEquals(Stamp.NONE, third.at("F1").current().stamp());
    assertFalse(third.at("F1").isChange(PropsPolicy.DEFAULT));
    archive.record(third.updates());
    Result fourth = scan(archive);
    assertEquals(0, fourth.stats().hashed());
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void fileWithMtimeInTheFuture_getsNoStamp(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "F1", "x");
    setMtime("F1", FileTime.from(clock.instant().plus(Duration.ofDays(1))));
    clock.advance(SETTLE);

    assertEquals(Stamp.NONE, scan(new MemoryArchive()).at("F1").current().stamp());
  }

  // ---- deletions ---------------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Fs.class)
  void deletedFile_isReported(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "F1", "x");
    TreeFixture.write(root, "F2", "y");
    MemoryArchive archive = baseline();
    Files.delete(root.resolve("F1"));

    Result r = scan(archive);

    assertEquals(List.of("F1"), r.paths());
    assertEquals(Observed.ABSENT, r.at("F1").current());
    assertEquals(archive.get("F1"), r.at("F1").archived());
    assertEquals(List.of(), r.stats().emptied());
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void deletedDirectory_reportsEveryArchivedDescendantInOrder(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "A/B/C", "c");
    TreeFixture.write(root, "A/B/D", "d");
    TreeFixture.write(root, "A/E", "e");
    TreeFixture.link(root, "A/L", "E");
    TreeFixture.mkdir(root, "A/M");
    TreeFixture.write(root, "A.txt", "sibling");
    TreeFixture.write(root, "Z", "z");
    MemoryArchive archive = baseline();
    deleteTree("A");

    Result r = scan(archive);

    assertEquals(List.of("A", "A/B", "A/B/C", "A/B/D", "A/E", "A/L", "A/M"), r.paths());
    for (Update u : r.updates()) {
      assertEquals(Observed.ABSENT, u.current(), u.path().toString());
      assertEquals(archive.get(u.path().toString()), u.archived());
    }
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void directoryReplacedByFile_reportsTheFileAndDeletesTheChildren(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "A/B", "b");
    TreeFixture.write(root, "A/C/D", "d");
    MemoryArchive archive = baseline();
    deleteTree("A");
    TreeFixture.write(root, "A", "now a file");
    clock.advance(SETTLE);

    Result r = scan(archive);

    assertEquals(List.of("A", "A/B", "A/C", "A/C/D"), r.paths());
    assertEquals(fp("now a file"), file(r.at("A")).fingerprint());
    assertEquals(Observed.ABSENT, r.at("A/C/D").current());
  }

  // ---- ignore rules and jsync's own files ---------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Fs.class)
  void ignoredDirectory_isNeitherWalkedNorReportedDeleted(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "skip/F1", "archived before the rule");
    TreeFixture.write(root, "keep/F2", "kept");
    MemoryArchive archive = baseline();
    TreeFixture.write(root, "skip/F3", "new under the ignored directory");
    Set<RelPath> asked = new HashSet<>();
    PathFilter filter = p -> {
      asked.add(p);
      return p.toString().equals("skip");
    };
    ScanOptions options = ScanOptions.defaults().withFilter(filter);

    Result present = scan(archive, options);
    assertEquals(List.of(), present.paths());
    assertEquals(2, present.stats().entries(), "keep and keep/F2; neither skip nor anything below it");
    assertTrue(asked.stream().noneMatch(p -> RelPath.parse("skip").isAncestorOf(p)),
        "nothing below an ignored directory is looked at: " + asked);

    deleteTree("skip");
    Result gone = scan(archive, options);
    assertEquals(List.of(), gone.paths(), "an ignored path the archive knows is never reported deleted");
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void ignoredNamesInTheArchiveBelowADeletedDirectory_areNotReportedDeleted(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "D/F.o", "object");
    TreeFixture.write(root, "D/F.c", "source");
    MemoryArchive archive = baseline();
    deleteTree("D");

    Result r = scan(archive, ScanOptions.defaults().withFilter(p -> p.name().endsWith(".o")));

    assertEquals(List.of("D", "D/F.c"), r.paths());
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void ignoredNewNames_areNotReported(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "D/F.c", "source");
    TreeFixture.write(root, "D/F.o", "object");
    TreeFixture.write(root, "G.o", "object");
    TreeFixture.mkdir(root, "H.o");
    TreeFixture.write(root, "H.o/inside", "x");
    clock.advance(SETTLE);

    Result r = scan(new MemoryArchive(), ScanOptions.defaults().withFilter(p -> p.name().endsWith(".o")));

    assertEquals(List.of("D", "D/F.c"), r.paths());
    assertEquals(1, r.stats().hashed());
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void jsyncTempFiles_areNeverReported(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "F1", "x");
    TreeFixture.write(root, Applier.TEMP_PREFIX + "5f3a9c", "a transfer a crash left behind");
    TreeFixture.write(root, "D/" + Applier.TEMP_PREFIX + "0", "another");
    clock.advance(SETTLE);

    Result r = scan(new MemoryArchive());

    assertEquals(List.of("D", "F1"), r.paths());
    assertEquals(1, r.stats().hashed(), "temporary files are not even read");

    // A record for one (it cannot come from jsync, but archives are untrusted) is not reported deleted.
    MemoryArchive archive = new MemoryArchive().record(r.updates())
        .put(Applier.TEMP_PREFIX + "gone", Observed.of(new Entry.File(1, 0, 0644, fp("x"))));
    assertEquals(List.of(), scan(archive).paths());
  }

  @Test
  void hashingOnAPool_givesTheSameUpdatesInTheSameOrder() throws Exception {
    newRoot(Fs.UNIX);
    java.util.Random rnd = new java.util.Random(42);
    for (int i = 0; i < 3000; i++) {
      String dir = "d" + rnd.nextInt(40) + (rnd.nextBoolean() ? "/e" + rnd.nextInt(5) : "");
      TreeFixture.write(root, dir + "/f" + i, "content " + i + " ".repeat(rnd.nextInt(2000)));
      if (i % 97 == 0) {
        TreeFixture.link(root, dir + "/l" + i, "f" + i);
      }
    }
    clock.advance(SETTLE);
    MemoryArchive archive = new MemoryArchive();
    archive.record(scan(archive).updates());
    // Change a third of the files, delete some, add some: a mix of hashed, fast-checked and deleted paths.
    try (var walk = Files.walk(root)) {
      List<Path> files = walk.filter(Files::isRegularFile).sorted().toList();
      for (int i = 0; i < files.size(); i++) {
        if (i % 3 == 0) {
          Files.writeString(files.get(i), "changed " + i);
        } else if (i % 11 == 0) {
          Files.delete(files.get(i));
        }
      }
    }
    TreeFixture.write(root, "d0/new", "new file");
    clock.advance(SETTLE);

    List<Update> serial = scan(archive).updates();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
    try {
      List<Update> parallel = new ArrayList<>();
      ScanStats stats = new Scanner(root, ScanOptions.defaults(), true, clock).hashingOn(pool)
          .scan(archive, parallel::add);
      assertEquals(serial, parallel);
      assertEquals(parallel.size(), stats.updates());
      assertTrue(stats.hashed() > 900, "hashed " + stats.hashed());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void deferringNewFiles_leavesNewFilesUnread_hashesRecordedAndRacyOnes_andHashOnDemand() throws IOException {
    newRoot(Fs.UNIX);
    TreeFixture.write(root, "known", "v1");
    clock.advance(SETTLE);
    MemoryArchive archive = new MemoryArchive();
    archive.record(scan(archive).updates());
    TreeFixture.write(root, "known", "v2 is longer");
    TreeFixture.write(root, "new", "never read by the scan");
    clock.advance(SETTLE);
    TreeFixture.write(root, "racy", "written just now");

    List<Update> updates = new ArrayList<>();
    Scanner scanner = new Scanner(root, ScanOptions.defaults(), true, clock).deferringNewFiles();
    ScanStats stats = scanner.scan(archive, updates::add);

    Result r = new Result(updates, stats);
    assertEquals(Fingerprint.UNKNOWN, ((Entry.File) r.at("new").current().entry()).fingerprint());
    assertEquals(fp("v2 is longer"), ((Entry.File) r.at("known").current().entry()).fingerprint());
    assertEquals(fp("written just now"), ((Entry.File) r.at("racy").current().entry()).fingerprint());
    assertEquals(2, stats.hashed(), "the new file was not read");
    assertEquals(fp("never read by the scan"),
        ((Entry.File) scanner.hash(RelPath.parse("new")).entry()).fingerprint());
    assertTrue(scanner.hash(RelPath.parse("gone")).entry().isAbsent());
  }

  @Test
  void jsyncTempFiles_untouchedForAnHour_areReportedStale_freshOnesAreNot() throws IOException {
    newRoot(Fs.UNIX);
    TreeFixture.write(root, "D/" + Applier.TEMP_PREFIX + "old", "a crash left this");
    clock.advance(Duration.ofMinutes(30));
    TreeFixture.write(root, Applier.TEMP_PREFIX + "live", "a transfer still being written");
    clock.advance(Duration.ofMinutes(31));

    Scanner scanner = new Scanner(root, ScanOptions.defaults(), true, clock);
    scanner.scan(new MemoryArchive(), u -> {});

    assertEquals(List.of(RelPath.parse("D/" + Applier.TEMP_PREFIX + "old")), scanner.staleTemporaries());
  }

  // ---- symlinks -----------------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Fs.class)
  void symlinkToDirectory_isNotFollowed(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "D/F", "x");
    TreeFixture.link(root, "L", "D");
    clock.advance(SETTLE);

    Result r = scan(new MemoryArchive());

    assertEquals(List.of("D", "D/F", "L"), r.paths());
    assertInstanceOf(Entry.Link.class, r.at("L").current().entry());
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void symlinkWithLinksOff_isAnUnsupportedTypeProblem(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "F", "x");
    TreeFixture.link(root, "L", "F");
    clock.advance(SETTLE);

    Result r = scan(new MemoryArchive(), ScanOptions.defaults().withLinks(false));

    assertEquals(List.of("F", "L"), r.paths());
    assertEquals(ProblemKind.UNSUPPORTED_TYPE, problem(r.at("L")).problem());
    assertFalse(ProblemKind.UNSUPPORTED_TYPE.isFailure());
  }

  // ---- scopes --------------------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Fs.class)
  void scopes_onlyThoseSubtreesAreScannedAndNestedOnesOnce(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "a/x", "x");
    TreeFixture.write(root, "a/y/z", "z");
    TreeFixture.write(root, "b/y", "y");
    TreeFixture.write(root, "c", "c");
    TreeFixture.write(root, "a b", "sibling of a, outside the scope");
    clock.advance(SETTLE);
    ScanOptions options = ScanOptions.defaults().withScopes(List.of(
        RelPath.parse("b"), RelPath.parse("a/y"), RelPath.parse("a"), RelPath.parse("a/x")));

    Result r = scan(new MemoryArchive(), options);

    assertEquals(List.of("a", "a/x", "a/y", "a/y/z", "b", "b/y"), r.paths());
    assertEquals(6, r.stats().entries());
    assertEquals(List.of(RelPath.parse("a"), RelPath.parse("b")),
        Scanner.normalize(options.scopes()));
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void scopes_recordsOutsideTheScopesAreLeftAlone(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "a/x", "x");
    TreeFixture.write(root, "c", "c");
    MemoryArchive archive = baseline();
    Files.delete(root.resolve("c"));

    Result r = scan(archive, ScanOptions.defaults().withScopes(List.of(RelPath.parse("a"))));

    assertEquals(List.of(), r.paths(), "c is outside the scope: its deletion waits for a full scan");
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void missingScope_isReportedDeletedAndEmptied(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "gone/z", "z");
    TreeFixture.write(root, "gone/d/w", "w");
    TreeFixture.write(root, "here", "h");
    MemoryArchive archive = baseline();
    deleteTree("gone");
    ScanOptions options = ScanOptions.defaults().withScopes(List.of(RelPath.parse("gone"),
        RelPath.parse("here")));

    Result r = scan(archive, options);

    assertEquals(List.of("gone", "gone/d", "gone/d/w", "gone/z"), r.paths());
    assertEquals(List.of(RelPath.parse("gone")), r.stats().emptied());
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void fileScope_isScannedAlone(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "d/f", "f");
    TreeFixture.write(root, "d/g", "g");
    clock.advance(SETTLE);

    Result r = scan(new MemoryArchive(), ScanOptions.defaults().withScopes(List.of(RelPath.parse("d/f"))));

    assertEquals(List.of("d/f"), r.paths());
    assertEquals(fp("f"), file(r.at("d/f")).fingerprint());
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void ignoredScope_isNeitherWalkedNorReportedDeleted(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "skip/F1", "x");
    TreeFixture.write(root, "other", "y");
    MemoryArchive archive = baseline();
    ScanOptions options = ScanOptions.defaults()
        .withScopes(List.of(RelPath.parse("skip"), RelPath.parse("other")))
        .withFilter(p -> p.toString().equals("skip"));

    Result present = scan(archive, options);
    assertEquals(List.of(), present.paths());
    deleteTree("skip");
    Result gone = scan(archive, options);
    assertEquals(List.of(), gone.paths(), "adding an ignore rule must never cause a deletion");
    assertEquals(List.of(), gone.stats().emptied());
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void scopeInsideAnIgnoredDirectory_isNeitherWalkedNorReportedDeleted(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "skip/inner/F1", "x");
    MemoryArchive archive = baseline();
    deleteTree("skip/inner");
    ScanOptions options = ScanOptions.defaults()
        .withScopes(List.of(RelPath.parse("skip/inner")))
        .withFilter(p -> p.toString().equals("skip"));

    Result r = scan(archive, options);

    assertEquals(List.of(), r.paths());
    assertEquals(0, r.stats().entries());
    assertEquals(List.of(), r.stats().emptied());
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void scopeThroughASymlink_isNotFollowed(Fs kind) throws IOException {
    newRoot(kind);
    Path outside = fs.getPath(kind == Fs.WINDOWS ? "C:\\outside" : "/outside");
    TreeFixture.write(outside, "secret", "not in the replica");
    TreeFixture.link(root, "a", outside.toString());
    TreeFixture.write(root, "d/x", "x");
    TreeFixture.link(root, "l", "d");
    clock.advance(SETTLE);
    ScanOptions options = ScanOptions.defaults()
        .withScopes(List.of(RelPath.parse("a/secret"), RelPath.parse("l/x")));

    Result r = scan(new MemoryArchive(), options);

    // The replica holds two symlinks, a and l; nothing is at a/secret or l/x inside it.
    for (Update u : r.updates()) {
      assertFalse(u.current().entry() instanceof Entry.File, "read through a symlink: " + u);
    }
    assertEquals(ProblemKind.UNSUPPORTED_TYPE, problem(r.at("a/secret")).problem());
    assertTrue(problem(r.at("a/secret")).message().contains("symbolic link a"), r.at("a/secret").toString());
    assertEquals(0, r.stats().hashed());
  }

  // ---- emptied scopes -------------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Fs.class)
  void emptiedRoot_isReported(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "a/x", "x");
    TreeFixture.write(root, "b", "b");
    MemoryArchive archive = baseline();
    deleteTree("a");
    Files.delete(root.resolve("b"));

    Result r = scan(archive);

    assertEquals(List.of(RelPath.ROOT), r.stats().emptied());
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void partlyEmptiedOrNeverPopulatedRoot_isNotEmptied(Fs kind) throws IOException {
    newRoot(kind);
    assertEquals(List.of(), scan(new MemoryArchive()).stats().emptied(), "an empty root never synced");
    TreeFixture.write(root, "a", "x");
    TreeFixture.write(root, "b", "b");
    MemoryArchive archive = baseline();
    Files.delete(root.resolve("b"));

    assertEquals(List.of(), scan(archive).stats().emptied());
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void emptyDirectoryScopeThatStaysEmpty_isNotEmptied(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.mkdir(root, "a");
    ScanOptions options = ScanOptions.defaults().withScopes(List.of(RelPath.parse("a")));
    MemoryArchive archive = baseline(options);
    assertEquals(List.of(RelPath.parse("a")), archive.paths());

    assertEquals(List.of(), scan(archive, options).stats().emptied());
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void directoryScopeWhoseContentsWereAllDeleted_isEmptied(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "a/x", "x");
    TreeFixture.write(root, "a/d/y", "y");
    TreeFixture.write(root, "b/z", "z");
    ScanOptions options = ScanOptions.defaults().withScopes(List.of(RelPath.parse("a"), RelPath.parse("b")));
    MemoryArchive archive = baseline(options);
    // The directory stays, everything in it goes: as much a "whole path deleted" as for the root.
    Files.delete(root.resolve("a/x"));
    deleteTree("a/d");

    Result r = scan(archive, options);

    assertEquals(List.of("a/d", "a/d/y", "a/x"), r.paths());
    assertEquals(List.of(RelPath.parse("a")), r.stats().emptied());
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void emptyDirectoryScopeThatIsRemoved_isNotEmptied(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.mkdir(root, "a");
    ScanOptions options = ScanOptions.defaults().withScopes(List.of(RelPath.parse("a")));
    MemoryArchive archive = baseline(options);
    Files.delete(root.resolve("a"));

    Result r = scan(archive, options);

    assertEquals(List.of("a"), r.paths());
    assertEquals(List.of(), r.stats().emptied(), "it held nothing, so nothing big is deleted");
  }

  @ParameterizedTest
  @EnumSource(Fs.class)
  void fileScopeThatIsRemoved_isEmptied(Fs kind) throws IOException {
    newRoot(kind);
    TreeFixture.write(root, "big.db", "data");
    ScanOptions options = ScanOptions.defaults().withScopes(List.of(RelPath.parse("big.db")));
    MemoryArchive archive = baseline(options);
    Files.delete(root.resolve("big.db"));

    assertEquals(List.of(RelPath.parse("big.db")), scan(archive, options).stats().emptied());
  }

  // ---- names and order ------------------------------------------------------------------------------------

  /**
   * Names whose orders disagree between UTF-16 ({@code String.compareTo}), code points and naive path
   * strings: '/' against ' ' and '.', a supplementary character (UTF-16 surrogates D800-DFFF) against
   * private-use U+E000 and U+F8FF and U+FB01, and a precomposed letter.
   */
  private static final List<String> TRICKY_FILES = List.of("a.b", "a b", "ab", "a-", "a\uE000",
      "a\uD83D\uDE00", "b", "\u00e9", "\uE000x", "\uF8FF", "\uFB01", "\uD83D\uDE00\uE000", "z");

  @ParameterizedTest
  @EnumSource(Fs.class)
  void trickyNames_updatesComeInRelPathAndArchiveKeyOrder(Fs kind) throws IOException {
    newRoot(kind);
    for (String name : TRICKY_FILES) {
      TreeFixture.write(root, name, name);
    }
    TreeFixture.write(root, "a/b", "inside a");
    TreeFixture.write(root, "a/b c", "inside a");
    TreeFixture.write(root, "a/b.c", "inside a");
    TreeFixture.write(root, "\uD83D\uDE00/\uE000", "inside the emoji");
    TreeFixture.write(root, "\uE000/\uD83D\uDE00", "inside the private-use name");
    clock.advance(SETTLE);
    MemoryArchive archive = new MemoryArchive();

    Result first = scan(archive);
    List<RelPath> sorted = first.updates().stream().map(Update::path).sorted().toList();
    assertEquals(sorted, first.updates().stream().map(Update::path).toList());
    archive.record(first.updates());
    assertEquals(archive.paths(), first.updates().stream().map(Update::path).toList());

    // Touch every file: the merge must pair each disk name with its record. A mismatch in order would
    // show as a path reported deleted and created again instead of re-stamped.
    try (var walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        Files.setLastModifiedTime(p, FileTime.from(clock.instant().minusSeconds(5)));
      }
    }
    clock.advance(SETTLE);
    Result second = scan(archive);
    List<RelPath> files = archive.snapshot().entrySet().stream()
        .filter(e -> e.getValue().entry() instanceof Entry.File).map(java.util.Map.Entry::getKey).toList();
    assertEquals(files, second.updates().stream().map(Update::path).toList());
    for (Update u : second.updates()) {
      assertFalse(u.isChange(PropsPolicy.DEFAULT), u.path() + " " + u);
    }

    // And deleting everything reports every record, in archive order.
    for (String name : listNames()) {
      deleteTree(name);
    }
    Result third = scan(archive);
    assertEquals(archive.paths(), third.updates().stream().map(Update::path).toList());
  }

  @Test
  void caseOnlyRenameOnOsx_isADeletionAndACreationInOrder() throws IOException {
    newRoot(Fs.OSX);
    TreeFixture.write(root, "readme", "text");
    TreeFixture.write(root, "B", "b");
    MemoryArchive archive = baseline();
    // Through another name: a case-only move names the same file, which Files.move may treat as nothing to do.
    Files.move(root.resolve("readme"), root.resolve("tmp"));
    Files.move(root.resolve("tmp"), root.resolve("README"));
    assertEquals(Set.of("README", "B"), listNames(), "case-insensitive, case-preserving");
    // Writing through another case reaches the same file.
    Files.writeString(root.resolve("b"), "B!");
    assertEquals(Set.of("README", "B"), listNames());
    clock.advance(SETTLE);

    Result r = scan(archive);

    // Code point order: "B" < "README" < "readme".
    assertEquals(List.of("B", "README", "readme"), r.paths());
    assertEquals(fp("B!"), file(r.at("B")).fingerprint());
    assertEquals(Observed.ABSENT, r.at("README").archived());
    assertEquals(Observed.ABSENT, r.at("readme").current());
  }

  @Test
  void decomposedNameOnOsx_isReportedInItsDisplayForm() throws IOException {
    newRoot(Fs.OSX);
    TreeFixture.write(root, "cafe\u0301", "x");
    clock.advance(SETTLE);
    MemoryArchive archive = new MemoryArchive();

    Result first = scan(archive);
    assertEquals(List.of("caf\u00e9"), first.paths(), "Jimfs's osX configuration displays names as NFC");
    archive.record(first.updates());
    assertEquals(List.of(), scan(archive).paths());
  }

  private Set<String> listNames() throws IOException {
    try (var s = Files.list(root)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
  }

  // ---- an untrusted archive ---------------------------------------------------------------------------------

  @Test
  void untrustedArchive_reportsEverythingCreatedAndNothingDeletedButSparesHashing() throws IOException {
    newRoot(Fs.UNIX);
    TreeFixture.write(root, "F1", "one");
    TreeFixture.write(root, "F2", "two");
    MemoryArchive archive = baseline();
    Files.delete(root.resolve("F2"));

    List<Update> updates = new ArrayList<>();
    ScanStats stats = new Scanner(root, ScanOptions.defaults(), false, clock).scan(archive, updates::add);

    assertEquals(List.of(RelPath.parse("F1")), updates.stream().map(Update::path).toList());
    assertEquals(Observed.ABSENT, updates.get(0).archived());
    assertEquals(fp("one"), file(updates.get(0)).fingerprint());
    assertEquals(0, stats.hashed());
  }
}
