package jsync.core.apply;

import static jsync.core.apply.ApplyFixture.T1;
import static jsync.core.apply.ApplyFixture.T2;
import static jsync.core.apply.ApplyFixture.chattr;
import static jsync.core.apply.ApplyFixture.file;
import static jsync.core.apply.ApplyFixture.mode;
import static jsync.core.apply.ApplyFixture.mtimeNanos;
import static jsync.core.apply.ApplyFixture.observe;
import static jsync.core.apply.ApplyFixture.temps;
import static jsync.core.testing.TreeFixture.describe;
import static jsync.core.testing.TreeFixture.link;
import static jsync.core.testing.TreeFixture.mkdir;
import static jsync.core.testing.TreeFixture.read;
import static jsync.core.testing.TreeFixture.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jsync.core.model.Entry;
import jsync.core.model.Observed;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;
import jsync.core.scan.FileStat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The applier on a real filesystem: each op's effect, its re-checks, and its failures. */
class ApplierTest {
  private static final PropsPolicy TIMES = new PropsPolicy(01777, true);

  @TempDir Path tmp;
  private Path root;
  private Path outside;
  private final ApplyFixture.MapSource source = new ApplyFixture.MapSource();
  private long progressed;
  private final List<Path> immutable = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectories(tmp.resolve("root"));
    outside = Files.createDirectories(tmp.resolve("outside"));
  }

  @AfterEach
  void clearImmutableFlags() throws Exception {
    for (Path p : immutable) {
      chattr("-i", p);
    }
  }

  private Applier applier(PropsPolicy props) throws IOException {
    return new Applier(root, props, BackupPolicy.NONE, source, n -> progressed += n);
  }

  private Applier applier() throws IOException {
    return applier(PropsPolicy.DEFAULT);
  }

  /** Adds one step of {@code ops}, flushes, and returns its result. */
  private static StepResult apply(Applier a, Op... ops) {
    a.add(new Step(7, List.of(ops)));
    List<StepResult> results = a.flush();
    assertEquals(1, results.size());
    assertEquals(7, results.get(0).step().id());
    return results.get(0);
  }

  private static RelPath rel(String s) {
    return RelPath.parse(s);
  }

  private Path p(String rel) {
    return root.resolve(rel);
  }

  private static void assertFailed(StepResult r, String... fragments) {
    assertFalse(r.succeeded(), "expected a failure: " + r);
    for (String f : fragments) {
      assertTrue(r.failure().contains(f), "'" + r.failure() + "' should contain '" + f + "'");
    }
  }

  // ---- files ---------------------------------------------------------------------------------------------

  /** A source used only through {@link ContentSource#transfer}, as the protocol's is for large files. */
  @FunctionalInterface
  private interface TransferOnly extends ContentSource {
    @Override
    default java.io.InputStream open(RelPath path, Entry.File want, jsync.core.model.Stamp stamp) {
      throw new AssertionError("transfer is used");
    }

    @Override
    void transfer(RelPath path, Entry.File want, jsync.core.model.Stamp stamp, java.util.Optional<Basis> basis,
        java.io.OutputStream sink) throws IOException;
  }


  @Test
  void largeTransferCutMidway_leavesItsPart_andTheNextAttemptOffersItAsTheDeltaBasis() throws Exception {
    byte[] content = new byte[600_000];
    new java.util.Random(9).nextBytes(content);
    Entry.File want = ApplyFixture.fileOf(content);
    List<java.util.Optional<Basis>> offered = new ArrayList<>();
    ContentSource cut = (TransferOnly) (path, w, stamp, basis, sink) -> {
      offered.add(basis);
      if (offered.size() == 1) {
        sink.write(content, 0, 400_000);
        throw new IOException("connection lost");
      }
      assertEquals(400_000, Files.size(basis.orElseThrow().file()), "the part received before the cut");
      sink.write(content);
    };
    Applier first = new Applier(root, PropsPolicy.DEFAULT, BackupPolicy.NONE, cut, n -> { });
    first.add(new Step(1, List.of(Op.put(rel("big"), want, Observed.ABSENT))));
    assertFailed(first.flush().get(0), "connection lost");
    assertEquals(1, temps(root).size(), "the part is kept under its stable name");

    Applier second = new Applier(root, PropsPolicy.DEFAULT, BackupPolicy.NONE, cut, n -> { });
    second.add(new Step(2, List.of(Op.put(rel("big"), want, Observed.ABSENT))));
    StepResult r = second.flush().get(0);

    assertTrue(r.succeeded(), r.failure());
    assertTrue(offered.get(0).isEmpty(), "nothing to build on the first time");
    assertArrayEquals(content, Files.readAllBytes(p("big")));
    assertEquals(List.of(), temps(root), "part and basis cleaned up");
  }

  /**
   * A file rebuilt by a delta against its old version (as the protocol's receiver does it): its new
   * signature keeps the basis's block size and takes the copied blocks' checksums from the basis's stored
   * signature, computing only the changed and appended blocks; in line, and from 64 MiB on a thread of its
   * own. To see which were taken over, the stored signature's weak checksums are planted wrong on blocks the
   * matcher finds by their strong checksum alone (those after a match): computed ones would be right. Sizes
   * are whole numbers of blocks (2904 of 2904 bytes: just over 8 MiB, the smallest size with a stored
   * signature; 8193 of 8192), so every old block is a whole one the new version can take over.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(ints = {2904 * 2904, (64 << 20) + 8192})
  void deltaRebuiltFile_takesTheCopiedBlocksChecksumsFromItsBasis(int size) throws Exception {
    byte[] old = new byte[size];
    new java.util.Random(size).nextBytes(old);
    Files.write(p("big"), old);
    Observed expected = observe(root, "big");
    int bs = jsync.core.delta.SignatureBuilder.blockSizeFor(size);
    byte[] updated = java.util.Arrays.copyOf(old, size + 1000);
    for (int i = size; i < size + 1000; i++) {
      updated[i] = (byte) (i * 31);
    }
    updated[3 * bs + 5] ^= 1;                       // block 3 changes; block 4 is found again by its weak checksum
    jsync.core.delta.Signature computedOld = signatureOf(old, bs);
    int blocks = computedOld.blockCount();
    int[] weak = new int[blocks];
    long[] strong = new long[blocks];
    for (int i = 0; i < blocks; i++) {
      weak[i] = computedOld.weak(i) ^ (i == 3 || i == 4 ? 0 : 1);
      strong[i] = computedOld.strong(i);
    }
    jsync.core.delta.Signature planted = new jsync.core.delta.Signature(bs, 0, size, weak, strong);
    ContentSource deltas = (TransferOnly) (path, w, stamp, basis, sink) -> {
      jsync.core.delta.Signature sig = basis.orElseThrow().stored().orElseThrow();
      try (java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(basis.get().file());
           jsync.core.delta.Patcher patcher = new jsync.core.delta.Patcher(sig, in,
               jsync.core.delta.Patcher.channelTo(sink), w.size(), w.fingerprint(), basis.get().copies())) {
        new jsync.core.delta.Matcher(sig).deltify(new java.io.ByteArrayInputStream(updated), patcher);
        assertTrue(patcher.finish().verified());
      }
    };
    Applier a = new Applier(root, PropsPolicy.DEFAULT, BackupPolicy.NONE, deltas, n -> { },
        (path, entry) -> java.util.Optional.of(planted));
    StepResult r = apply(a, Op.put(rel("big"), ApplyFixture.fileOf(updated), expected));
    assertTrue(r.succeeded(), r.failure());
    assertArrayEquals(updated, Files.readAllBytes(p("big")));

    jsync.core.delta.Signature stored = r.outcomes().get(0).signature().orElseThrow();
    jsync.core.delta.Signature computed = signatureOf(updated, bs);
    assertEquals(bs, stored.blockSize(), "the basis's block size is kept");
    assertEquals(computed.blockCount(), stored.blockCount());
    for (int i = 0; i < computed.blockCount(); i++) {
      assertEquals(computed.strong(i), stored.strong(i), "strong checksum of block " + i);
      boolean takenOver = i < blocks && i != 3 && i != 4;
      assertEquals(computed.weak(i) ^ (takenOver ? 1 : 0), stored.weak(i),
          "weak checksum of block " + i + (takenOver ? ", taken from the basis" : ", computed"));
    }
  }

  private static jsync.core.delta.Signature signatureOf(byte[] content, int blockSize) {
    jsync.core.delta.SignatureBuilder b = new jsync.core.delta.SignatureBuilder(content.length, blockSize, 0);
    b.update(content, 0, content.length);
    return b.finish();
  }

  /**
   * A source across the network costs a round trip per file, so the applier keeps
   * {@link Applier#REMOTE_COPY_THREADS} files in flight from it: here each file's stream waits until that
   * many are open at once (with fewer it would wait for ever), and a local source keeps only
   * {@link Applier#COPY_THREADS} open.
   */
  @Test
  void aRemoteSource_hasMoreFilesInFlight() throws Exception {
    class Slow implements ContentSource {
      final boolean remote;
      final int expected;
      final java.util.concurrent.CountDownLatch allOpen;
      final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
      final java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();

      Slow(boolean remote) {
        this.remote = remote;
        this.expected = remote ? Applier.REMOTE_COPY_THREADS : Applier.COPY_THREADS;
        this.allOpen = new java.util.concurrent.CountDownLatch(expected);
      }

      @Override
      public boolean remote() {
        return remote;
      }

      @Override
      public java.io.InputStream open(RelPath path, Entry.File want, jsync.core.model.Stamp stamp)
          throws IOException {
        most.accumulateAndGet(open.incrementAndGet(), Math::max);
        allOpen.countDown();
        try {
          if (!allOpen.await(20, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new IOException("fewer than " + expected + " files in flight");
          }
        } catch (InterruptedException e) {
          throw new java.io.InterruptedIOException();
        }
        open.decrementAndGet();
        return new java.io.ByteArrayInputStream(path.name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    for (boolean remote : List.of(true, false)) {
      Slow source = new Slow(remote);
      Path dir = Files.createDirectories(root.resolve(remote ? "remote" : "local"));
      try (Applier a = new Applier(root, PropsPolicy.DEFAULT, BackupPolicy.NONE, source, x -> { })) {
        for (int i = 0; i < Applier.REMOTE_COPY_THREADS * 2; i++) {
          String name = "f" + i;
          a.add(new Step(i, List.of(Op.put(rel(dir.getFileName() + "/" + name), file(name), Observed.ABSENT))));
        }
        List<StepResult> results = a.flush();
        assertTrue(results.stream().allMatch(StepResult::succeeded), results.toString());
      }
      // Never more than the pool's threads: the latch proves that many were open together.
      assertEquals(source.expected, source.most.get(), remote ? "remote" : "local");
    }
    assertTrue(Applier.REMOTE_COPY_THREADS > Applier.COPY_THREADS);
  }

  @Test
  void flushKeepingFilesInFlight_completesOnlyTheOlderSteps_inOrder() throws Exception {
    Applier a = applier();
    for (String n : List.of("f1", "f2", "f3")) {
      source.put(n, "content of " + n);
      a.add(new Step(n.charAt(1) - '0', List.of(Op.put(rel(n), file("content of " + n), Observed.ABSENT))));
    }
    assertEquals(3, a.stagedFiles());

    List<StepResult> first = a.flush(1);
    assertEquals(List.of(1, 2), first.stream().map(r -> r.step().id()).toList());
    assertTrue(first.stream().allMatch(StepResult::succeeded));
    assertEquals("content of f2", read(root, "f2"));
    assertFalse(Files.exists(p("f3")), "the newest file is still in flight");
    assertEquals(1, a.stagedFiles());
    assertEquals(13, a.stagedBytes());

    List<StepResult> rest = a.flush();
    assertEquals(List.of(3), rest.stream().map(r -> r.step().id()).toList());
    assertEquals("content of f3", read(root, "f3"));
    assertEquals(0, a.stagedFiles());
    assertEquals(0, a.stagedBytes());
  }

  @Test
  void putNewFile_writesContentAndPermissions_notMtimeWithoutTimes() throws Exception {
    source.put("d/f", "hello");
    mkdir(root, "d");
    Entry.File want = file("hello", 0750, T1);

    StepResult r = apply(applier(), Op.put(rel("d/f"), want, Observed.ABSENT));

    assertTrue(r.succeeded(), r.failure());
    assertEquals("hello", read(root, "d/f"));
    // perms 01777 covers all nine permission bits.
    assertEquals(0750, mode(p("d/f")));
    assertNotEquals(T1, mtimeNanos(p("d/f")));
    Outcome o = r.outcomes().get(0);
    assertEquals(5, o.bytes());
    assertEquals(5, progressed);
    FileStat st = FileStat.read(p("d/f"));
    assertEquals(new Entry.File(5, st.mtimeNanos(), 0750, want.fingerprint()), o.result().entry());
    assertEquals(st.stamp(), o.result().stamp());
    assertEquals(List.of(), temps(root));
  }

  /** A hook that runs {@code write} on the file right after the applier renamed it into place. */
  private static java.util.function.Consumer<Path> thenTheyWrite(IoAction write) {
    return p -> {
      try {
        write.run(p);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
  }

  @FunctionalInterface
  private interface IoAction {
    void run(Path p) throws IOException;
  }

  private static void assertRecordedWithoutStamp(StepResult r, String ourContent) {
    assertTrue(r.succeeded(), r.failure());
    Observed recorded = r.outcomes().get(0).result();
    assertEquals(jsync.core.model.Stamp.NONE, recorded.stamp(), "their status must not be recorded");
    Entry.File entry = (Entry.File) recorded.entry();
    assertEquals(file(ourContent).fingerprint(), entry.fingerprint());
    assertEquals(ourContent.length(), entry.size());
  }

  /**
   * Someone writes to a file right after it was renamed into place (an editor, or a program that reacts
   * to the file's arrival): recording their status with our content's fingerprint would make every later
   * scan trust it and never see their change (found by a watch-mode test under load). It is recorded
   * without a stamp, so the next scan reads it.
   */
  @Test
  void fileWrittenRightAfterItsRename_isRecordedWithoutAStamp_soTheNextScanReadsIt() throws Exception {
    source.put("f", "ours");
    Applier a = applier();
    a.at(Applier.Moment.AFTER_PUT_IN_PLACE, thenTheyWrite(p -> Files.writeString(p, "theirs, longer")));
    StepResult r = apply(a, Op.put(rel("f"), file("ours"), Observed.ABSENT));
    assertEquals("theirs, longer", read(root, "f"));
    assertRecordedWithoutStamp(r, "ours");
  }

  @Test
  void fileRewrittenWithTheSameSize_rightAfterItsRename_isRecordedWithoutAStamp() throws Exception {
    source.put("f", "ours");
    Applier a = applier(TIMES);
    a.at(Applier.Moment.AFTER_PUT_IN_PLACE, thenTheyWrite(p -> Files.writeString(p, "THEM")));
    StepResult r = apply(a, Op.put(rel("f"), file("ours", 0644, T1), Observed.ABSENT));
    assertEquals("THEM", read(root, "f"));
    assertRecordedWithoutStamp(r, "ours");
  }

  /** Replaced by another file of the same size and mtime: only the inode tells. */
  @Test
  void fileReplacedRightAfterItsRename_bySameSizeAndMtime_isRecordedWithoutAStamp() throws Exception {
    source.put("f", "ours");
    Applier a = applier(TIMES);
    a.at(Applier.Moment.AFTER_PUT_IN_PLACE, thenTheyWrite(p -> {
      Path theirs = p.resolveSibling("theirs");
      Files.writeString(theirs, "THEM");
      Files.setLastModifiedTime(theirs, java.nio.file.attribute.FileTime.from(T1, java.util.concurrent.TimeUnit.NANOSECONDS));
      Files.move(theirs, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }));
    StepResult r = apply(a, Op.put(rel("f"), file("ours", 0644, T1), Observed.ABSENT));
    assertEquals("THEM", read(root, "f"));
    assertEquals(T1, mtimeNanos(p("f")));
    assertRecordedWithoutStamp(r, "ours");
  }

  /**
   * The re-check of a destination whose status moved hashes it; a write during that hash (here: right at
   * its end, to a part already read, keeping the size) must still count as a change, not be overwritten.
   */
  @Test
  void destinationWrittenWhileTheRecheckHashesIt_isKept() throws Exception {
    write(root, "f", "old!");
    Observed before = observe(root, "f");
    Files.setLastModifiedTime(p("f"), java.nio.file.attribute.FileTime.fromMillis(1_000_000)); // touched: hashed
    source.put("f", "new content");
    Applier a = applier();
    a.at(Applier.Moment.AFTER_RECHECK_HASH, thenTheyWrite(p -> Files.writeString(p, "OLD!")));
    StepResult r = apply(a, Op.put(rel("f"), file("new content"), before));
    assertFailed(r, "modified during synchronization");
    assertEquals("OLD!", read(root, "f"));
  }

  @Test
  void setPropsWithTimes_recordsNoStamp_soAWriteMaskedByItsMtimeIsSeenLater() throws Exception {
    write(root, "f", "same");
    StepResult r = apply(applier(TIMES), Op.setProps(rel("f"), file("same", 0644, T2), observe(root, "f")));
    assertTrue(r.succeeded(), r.failure());
    assertEquals(jsync.core.model.Stamp.NONE, r.outcomes().get(0).result().stamp());
    // Without times, only the mode changes: the status is recorded.
    StepResult r2 = apply(applier(), Op.setProps(rel("f"), file("same", 0600, T2), observe(root, "f")));
    assertTrue(r2.succeeded(), r2.failure());
    assertEquals(FileStat.read(p("f")).stamp(), r2.outcomes().get(0).result().stamp());
  }

  /**
   * A file someone creates where a new one is being put, after the re-check found the name free and just
   * before the new file goes in place: theirs is kept, the op fails (a rename would have replaced it).
   */
  @Test
  void newFile_whoseNameIsTakenRightBeforeItGoesInPlace_keepsTheirs() throws Exception {
    source.put("f", "ours");
    Applier a = applier();
    a.at(Applier.Moment.BEFORE_PLACING_NEW, thenTheyWrite(p -> Files.writeString(p, "theirs")));
    StepResult r = apply(a, Op.put(rel("f"), file("ours"), Observed.ABSENT));
    assertFailed(r, "was created during synchronization");
    assertEquals("theirs", read(root, "f"));
    assertEquals(List.of(), temps(root));
  }

  /** In a directory the same applier created, a new file goes in place by a rename (a first copy's speed). */
  @Test
  void newFile_inADirectoryThisRunCreated_isRenamedIntoPlace() throws Exception {
    source.put("d/f", "ours");
    Applier a = applier();
    List<Path> placedByLink = new ArrayList<>();
    a.at(Applier.Moment.BEFORE_PLACING_NEW, placedByLink::add);
    a.add(new Step(1, List.of(Op.put(rel("d"), new Entry.Dir(0755), Observed.ABSENT),
        Op.put(rel("d/f"), file("ours"), Observed.ABSENT))));
    for (StepResult r : a.flush()) {
      assertTrue(r.succeeded(), r.failure());
    }
    assertEquals("ours", read(root, "d/f"));
    assertEquals(List.of(), placedByLink);
    // In a directory that was there before: by a link.
    source.put("e", "ours too");
    apply(a, Op.put(rel("e"), file("ours too"), Observed.ABSENT));
    assertEquals(List.of(root.resolve("e")), placedByLink);
  }

  @Test
  void newFile_isPutInPlaceAsItsOwnSingleLink() throws Exception {
    source.put("f", "ours");
    StepResult r = apply(applier(), Op.put(rel("f"), file("ours"), Observed.ABSENT));
    assertTrue(r.succeeded(), r.failure());
    assertEquals("ours", read(root, "f"));
    assertEquals(1, Files.getAttribute(p("f"), "unix:nlink"));
    assertEquals(List.of(), temps(root));
    assertEquals(FileStat.read(p("f")).stamp(), r.outcomes().get(0).result().stamp());
  }

  @Test
  void putNewFile_withTimes_setsMtime() throws Exception {
    source.put("f", "hello");
    StepResult r = apply(applier(TIMES), Op.put(rel("f"), file("hello", 0600, T1), Observed.ABSENT));
    assertTrue(r.succeeded(), r.failure());
    assertEquals(T1, mtimeNanos(p("f")));
    assertEquals(0600, mode(p("f")));
  }

  @Test
  void putPrivateFile_tempIsNeverReadableByOthersWhileWritten() throws Exception {
    // The source checks the temporary file's mode after its bytes were handed over, i.e. while the content
    // sits in a file in a directory others may list. A 0600 file must not be readable there at 0644.
    byte[] content = ApplyFixture.utf8("secret key");
    List<Integer> modesSeen = new ArrayList<>();
    ContentSource spying = (path, want, stamp) -> new java.io.InputStream() {
      int pos;

      @Override
      public int read() {
        throw new UnsupportedOperationException();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (pos < content.length) {
          int n = Math.min(len, content.length - pos);
          System.arraycopy(content, pos, b, off, n);
          pos += n;
          return n;
        }
        for (Path t : temps(root)) {
          modesSeen.add(mode(t));
        }
        return -1;
      }
    };
    Applier a = new Applier(root, PropsPolicy.DEFAULT, BackupPolicy.NONE, spying, n -> {});

    StepResult r = apply(a, Op.put(rel("key"), file("secret key", 0600, T1), Observed.ABSENT));

    assertTrue(r.succeeded(), r.failure());
    assertEquals(1, modesSeen.size());
    assertEquals(0, modesSeen.get(0) & 077, "temp mode " + Integer.toOctalString(modesSeen.get(0)));
    assertEquals(0600, mode(p("key")));
  }

  @Test
  void putNewFile_withoutPerms_keepsDefaultCreationMode() throws Exception {
    // perms = 0: permissions are not synchronized, a new file gets what the system would give it.
    source.put("f", "x");
    StepResult r = apply(applier(new PropsPolicy(0, false)), Op.put(rel("f"), file("x", 0600, T1), Observed.ABSENT));
    assertTrue(r.succeeded(), r.failure());
    Path probe = Files.writeString(tmp.resolve("probe"), "x");
    assertEquals(mode(probe), mode(p("f")));
  }

  @Test
  void putEmptyFile() throws Exception {
    source.put("e", "");
    StepResult r = apply(applier(), Op.put(rel("e"), file(""), Observed.ABSENT));
    assertTrue(r.succeeded(), r.failure());
    assertEquals(0, Files.size(p("e")));
  }

  @Test
  void replaceFile_staysOldUntilFlush_thenRenamedAtomically() throws Exception {
    write(root, "f", "old");
    Observed before = observe(root, "f");
    source.put("f", "new content");
    Applier a = applier();

    a.add(new Step(1, List.of(Op.put(rel("f"), file("new content"), before))));

    // Staged: the new bytes go to a temporary file beside the target (written by a copy thread), while
    // readers still see the old file whole.
    assertEquals("old", read(root, "f"));
    long deadline = System.nanoTime() + jsync.core.testing.TestTimeouts.seconds(10).toNanos();
    while (temps(root).isEmpty() || Files.size(temps(root).get(0)) < 11) {
      assertTrue(System.nanoTime() < deadline, "the copy thread never wrote the temporary file");
      Thread.sleep(5);
    }
    assertEquals("old", read(root, "f"));
    List<Path> staged = temps(root);
    assertEquals(1, staged.size());
    assertEquals(root, staged.get(0).getParent());
    assertEquals("new content", Files.readString(staged.get(0)));
    assertEquals(1, a.stagedFiles());
    assertEquals(11, a.stagedBytes());

    List<StepResult> results = a.flush();
    assertTrue(results.get(0).succeeded(), results.get(0).failure());
    assertEquals("new content", read(root, "f"));
    assertEquals(List.of(), temps(root));
    assertEquals(0, a.stagedFiles());
    assertEquals(0, a.stagedBytes());
  }

  @Test
  void sourceChangedAfterScan_sameSize_failsAndLeavesDestination() throws Exception {
    write(root, "f", "old");
    source.put("f", "NEW");
    StepResult r = apply(applier(), Op.put(rel("f"), file("new"), observe(root, "f")));
    assertFailed(r, "f", "changed during synchronization");
    assertEquals("old", read(root, "f"));
    assertEquals(List.of(), temps(root));
  }

  @Test
  void sourceChangedAfterScan_grewOrShrank_failsWithoutTemp() throws Exception {
    source.put("longer", "new plus more").put("shorter", "ne");
    Applier a = applier();
    a.add(new Step(1, List.of(Op.put(rel("longer"), file("new"), Observed.ABSENT))));
    a.add(new Step(2, List.of(Op.put(rel("shorter"), file("new"), Observed.ABSENT))));
    List<StepResult> results = a.flush();
    assertFailed(results.get(0), "longer", "changed during synchronization");
    assertFailed(results.get(1), "shorter", "changed during synchronization");
    assertEquals(Map.of(), describe(root));
  }

  @Test
  void sourceUnreadable_failsNamingThePath() throws Exception {
    StepResult r = apply(applier(), Op.put(rel("missing"), file("x"), Observed.ABSENT));
    assertFailed(r, "cannot write missing");
    assertEquals(Map.of(), describe(root));
  }

  @Test
  void destinationModifiedAfterScan_keepsUsersVersion() throws Exception {
    write(root, "f", "old");
    Observed before = observe(root, "f");
    source.put("f", "new");
    Applier a = applier();
    a.add(new Step(1, List.of(Op.put(rel("f"), file("new"), before))));
    // The user saves between the scan and the rename.
    write(root, "f", "user's edit");

    StepResult r = a.flush().get(0);

    assertFailed(r, "f was modified during synchronization");
    assertEquals("user's edit", read(root, "f"));
    assertEquals(List.of(), temps(root));
  }

  @Test
  void destinationTouchedButSameContent_isReplaced() throws Exception {
    // Only a content change counts, as in Unison: a new stamp with the same bytes is re-hashed and accepted.
    write(root, "f", "old");
    Observed before = observe(root, "f");
    Files.setLastModifiedTime(p("f"), FileTime.from(java.time.Instant.parse("2001-01-01T00:00:00Z")));
    source.put("f", "new");
    StepResult r = apply(applier(), Op.put(rel("f"), file("new"), before));
    assertTrue(r.succeeded(), r.failure());
    assertEquals("new", read(root, "f"));
  }

  @Test
  void destinationDeletedAfterScan_fails() throws Exception {
    write(root, "f", "old");
    Observed before = observe(root, "f");
    Files.delete(p("f"));
    source.put("f", "new");
    StepResult r = apply(applier(), Op.put(rel("f"), file("new"), before));
    assertFailed(r, "f was deleted during synchronization");
    assertFalse(Files.exists(p("f")));
  }

  @Test
  void destinationCreatedMeanwhile_whenExpectedAbsent_fails() throws Exception {
    source.put("f", "ours");
    Applier a = applier();
    a.add(new Step(1, List.of(Op.put(rel("f"), file("ours"), Observed.ABSENT))));
    write(root, "f", "theirs");

    StepResult r = a.flush().get(0);

    assertFailed(r, "f was created during synchronization");
    assertEquals("theirs", read(root, "f"));
    assertEquals(List.of(), temps(root));
  }

  @Test
  void dirOrLinkCreatedMeanwhile_whenExpectedAbsent_fails() throws Exception {
    write(root, "d", "a file");
    link(root, "l", "elsewhere");
    Applier a = applier();
    a.add(new Step(1, List.of(Op.put(rel("d"), new Entry.Dir(0755), Observed.ABSENT))));
    a.add(new Step(2, List.of(Op.put(rel("l"), new Entry.Link("mine"), Observed.ABSENT))));
    List<StepResult> results = a.flush();
    assertFailed(results.get(0), "d was created during synchronization");
    assertFailed(results.get(1), "l was created during synchronization");
    assertEquals(Map.of("d", "file:a file", "l", "link:elsewhere"), describe(root));
  }

  // ---- properties ----------------------------------------------------------------------------------------

  @Test
  void setProps_changesModeOnly_withoutReadingTheSource() throws Exception {
    write(root, "f", "same");
    Files.setPosixFilePermissions(p("f"), FileStat.permissions(0644));
    Observed before = observe(root, "f");
    long mtime = mtimeNanos(p("f"));

    StepResult r = apply(applier(), Op.setProps(rel("f"), file("same", 0600, T1), before));

    assertTrue(r.succeeded(), r.failure());
    assertEquals(0600, mode(p("f")));
    assertEquals(mtime, mtimeNanos(p("f")));
    assertEquals("same", read(root, "f"));
    assertEquals(List.of(), source.opened);
    assertEquals(0600, ((Entry.File) r.outcomes().get(0).result().entry()).mode());
    assertEquals(FileStat.read(p("f")).stamp(), r.outcomes().get(0).result().stamp());
  }

  @Test
  void setProps_withTimes_setsMtime() throws Exception {
    write(root, "f", "same");
    StepResult r = apply(applier(TIMES), Op.setProps(rel("f"), file("same", 0644, T2), observe(root, "f")));
    assertTrue(r.succeeded(), r.failure());
    assertEquals(T2, mtimeNanos(p("f")));
  }

  @Test
  void setProps_onDirectory() throws Exception {
    mkdir(root, "d");
    Files.setPosixFilePermissions(p("d"), FileStat.permissions(0755));
    StepResult r = apply(applier(), Op.setProps(rel("d"), new Entry.Dir(0700), observe(root, "d")));
    assertTrue(r.succeeded(), r.failure());
    assertEquals(0700, mode(p("d")));
  }

  @Test
  void setProps_contentChangedMeanwhile_fails() throws Exception {
    write(root, "f", "same");
    Observed before = observe(root, "f");
    write(root, "f", "edited");
    StepResult r = apply(applier(), Op.setProps(rel("f"), file("same", 0600, T1), before));
    assertFailed(r, "f was modified during synchronization");
    assertEquals("edited", read(root, "f"));
  }

  // ---- directories and links ----------------------------------------------------------------------------

  @Test
  void mkdir_withMode() throws Exception {
    StepResult r = apply(applier(), Op.put(rel("d"), new Entry.Dir(0710), Observed.ABSENT));
    assertTrue(r.succeeded(), r.failure());
    assertTrue(Files.isDirectory(p("d"), LinkOption.NOFOLLOW_LINKS));
    assertEquals(0710, mode(p("d")));
    assertEquals(new Entry.Dir(0710), r.outcomes().get(0).result().entry());
  }

  @Test
  void symlink_putThenReplace() throws Exception {
    Applier a = applier();
    StepResult put = apply(a, Op.put(rel("l"), new Entry.Link("../t1"), Observed.ABSENT));
    assertTrue(put.succeeded(), put.failure());
    assertEquals("../t1", Files.readSymbolicLink(p("l")).toString());

    StepResult replace = apply(a, Op.put(rel("l"), new Entry.Link("t2"), observe(root, "l")));
    assertTrue(replace.succeeded(), replace.failure());
    assertEquals(Map.of("l", "link:t2"), describe(root));
  }

  @Test
  void symlink_replaceRetargetedMeanwhile_fails() throws Exception {
    link(root, "l", "t1");
    Observed before = observe(root, "l");
    Files.delete(p("l"));
    link(root, "l", "theirs");
    StepResult r = apply(applier(), Op.put(rel("l"), new Entry.Link("t2"), before));
    assertFailed(r, "l was modified during synchronization");
    assertEquals(Map.of("l", "link:theirs"), describe(root));
  }

  // ---- removals ------------------------------------------------------------------------------------------

  @Test
  void remove_fileSymlinkAndEmptyDir() throws Exception {
    write(root, "f", "x");
    link(root, "l", "f");
    mkdir(root, "d");
    Applier a = applier();
    a.add(new Step(1, List.of(Op.remove(rel("f"), observe(root, "f")))));
    a.add(new Step(2, List.of(Op.remove(rel("l"), observe(root, "l")))));
    a.add(new Step(3, List.of(Op.remove(rel("d"), observe(root, "d")))));
    for (StepResult r : a.flush()) {
      assertTrue(r.succeeded(), r.failure());
      assertEquals(Observed.ABSENT, r.outcomes().get(0).result());
    }
    assertEquals(Map.of(), describe(root));
  }

  @Test
  void remove_nonEmptyDir_failsAndKeepsIt() throws Exception {
    write(root, "d/unknown", "x");
    StepResult r = apply(applier(), Op.remove(rel("d"), Observed.of(new Entry.Dir(0755))));
    assertFailed(r, "directory d not deleted");
    assertEquals("x", read(root, "d/unknown"));
  }

  @Test
  void remove_fileModifiedMeanwhile_failsAndKeepsIt() throws Exception {
    write(root, "f", "x");
    Observed before = observe(root, "f");
    write(root, "f", "edited");
    StepResult r = apply(applier(), Op.remove(rel("f"), before));
    assertFailed(r, "f was modified during synchronization");
    assertEquals("edited", read(root, "f"));
  }

  @Test
  void remove_alreadyAbsentAsExpected_isDone() throws Exception {
    StepResult r = apply(applier(), Op.remove(rel("gone"), Observed.ABSENT));
    assertTrue(r.succeeded(), r.failure());
  }

  // ---- steps ---------------------------------------------------------------------------------------------

  @Test
  void stepStopsAtFirstFailure() throws Exception {
    write(root, "d/f", "x");
    Observed staleF = observe(root, "d/f");
    write(root, "d/f", "edited");
    source.put("g", "later");
    Op removeF = Op.remove(rel("d/f"), staleF);
    Op removeD = Op.remove(rel("d"), observe(root, "d"));
    Op putG = Op.put(rel("g"), file("later"), Observed.ABSENT);

    StepResult r = apply(applier(), removeF, removeD, putG);

    assertEquals(1, r.outcomes().size());
    assertFalse(r.outcomes().get(0).done());
    assertFalse(r.succeeded());
    assertEquals(List.of(), source.opened);
    assertEquals(Map.of("d", "dir", "d/f", "file:edited"), describe(root));
  }

  @Test
  void dirReplacedByFile_removalsThenPut() throws Exception {
    write(root, "x/a", "a");
    source.put("x", "now a file");
    StepResult r = apply(applier(),
        Op.remove(rel("x/a"), observe(root, "x/a")),
        Op.remove(rel("x"), observe(root, "x")),
        Op.put(rel("x"), file("now a file"), Observed.ABSENT));
    assertTrue(r.succeeded(), r.failure());
    assertEquals(Map.of("x", "file:now a file"), describe(root));
  }

  @Test
  void subtreeCopy_dirThenChildren() throws Exception {
    source.put("d/f", "f").put("d/e/g", "g");
    StepResult r = apply(applier(),
        Op.put(rel("d"), new Entry.Dir(0755), Observed.ABSENT),
        Op.put(rel("d/e"), new Entry.Dir(0700), Observed.ABSENT),
        Op.put(rel("d/e/g"), file("g"), Observed.ABSENT),
        Op.put(rel("d/f"), file("f"), Observed.ABSENT));
    assertTrue(r.succeeded(), r.failure());
    assertEquals(4, r.outcomes().size());
    assertEquals(Map.of("d", "dir", "d/e", "dir", "d/e/g", "file:g", "d/f", "file:f"), describe(root));
  }

  @Test
  void flush_returnsResultsInAddOrder_andInstallsEveryStagedFile() throws Exception {
    write(root, "old", "bye");
    source.put("a", "aaaa").put("d/b", "bb");
    Applier a = applier();
    a.add(new Step(10, List.of(Op.put(rel("a"), file("aaaa"), Observed.ABSENT))));
    a.add(new Step(11, List.of(Op.put(rel("d"), new Entry.Dir(0755), Observed.ABSENT),
        Op.put(rel("d/b"), file("bb"), Observed.ABSENT))));
    a.add(new Step(12, List.of(Op.put(rel("l"), new Entry.Link("a"), Observed.ABSENT))));
    a.add(new Step(13, List.of(Op.remove(rel("old"), observe(root, "old")))));
    assertEquals(2, a.stagedFiles());
    assertEquals(6, a.stagedBytes());
    // Directories, links and removals happen at once; files wait for the flush.
    assertFalse(Files.exists(p("a")));
    assertTrue(Files.isDirectory(p("d")));
    assertFalse(Files.exists(p("old")));

    List<StepResult> results = a.flush();

    assertEquals(List.of(10, 11, 12, 13), results.stream().map(r -> r.step().id()).toList());
    results.forEach(r -> assertTrue(r.succeeded(), r.failure()));
    assertEquals(6, results.stream().mapToLong(StepResult::bytes).sum());
    assertEquals(Map.of("a", "file:aaaa", "d", "dir", "d/b", "file:bb", "l", "link:a"), describe(root));
    assertEquals(0, a.stagedFiles());
    assertEquals(List.of(), a.flush());
  }

  // ---- reuse ---------------------------------------------------------------------------------------------

  @Test
  void reuseFrom_copiesLocalContent_withoutAskingTheSource() throws Exception {
    write(root, "old/name", "moved content");
    mkdir(root, "new");
    StepResult r = apply(applier(), Op.put(rel("new/name"), file("moved content"), Observed.ABSENT).reusing(rel("old/name")));
    assertTrue(r.succeeded(), r.failure());
    assertEquals("moved content", read(root, "new/name"));
    assertEquals("moved content", read(root, "old/name"));
    assertEquals(List.of(), source.opened);
    assertEquals(0, progressed);
  }

  @Test
  void reuseFrom_localDiffers_fallsBackToSource() throws Exception {
    write(root, "old", "edited since the scan");
    source.put("new", "wanted");
    StepResult r = apply(applier(), Op.put(rel("new"), file("wanted"), Observed.ABSENT).reusing(rel("old")));
    assertTrue(r.succeeded(), r.failure());
    assertEquals("wanted", read(root, "new"));
    assertEquals(List.of(rel("new")), source.opened);
    assertEquals(List.of(), temps(root));
  }

  @Test
  void reuseFrom_localMissing_fallsBackToSource() throws Exception {
    source.put("new", "wanted");
    StepResult r = apply(applier(), Op.put(rel("new"), file("wanted"), Observed.ABSENT).reusing(rel("gone")));
    assertTrue(r.succeeded(), r.failure());
    assertEquals("wanted", read(root, "new"));
  }

  // ---- where writes may go, and failure messages ---------------------------------------------------------

  @Test
  void refusesToWriteThroughSymlinkedParent() throws Exception {
    write(outside, "victim", "keep me");
    Files.createSymbolicLink(p("d"), outside);
    source.put("d/f", "x");
    Applier a = applier();
    a.add(new Step(1, List.of(Op.put(rel("d/f"), file("x"), Observed.ABSENT))));
    a.add(new Step(2, List.of(Op.put(rel("d/sub"), new Entry.Dir(0755), Observed.ABSENT))));
    a.add(new Step(3, List.of(Op.put(rel("d/l"), new Entry.Link("t"), Observed.ABSENT))));
    a.add(new Step(4, List.of(Op.remove(rel("d/victim"), observe(outside, "victim")))));
    List<StepResult> results = a.flush();
    for (StepResult r : results) {
      assertFailed(r, "refusing to write through a symbolic link", p("d").toString());
    }
    assertEquals(Map.of("victim", "file:keep me"), describe(outside));
    assertEquals(List.of(), source.opened);
  }

  @Test
  void refusesToWriteThroughParentReplacedBySymlinkAfterAnEarlierStep() throws Exception {
    // The parent was a real directory when a first step wrote into it; then someone moved it away and put a
    // symlink to a directory outside the root in its place (while a long run goes on).
    mkdir(root, "d");
    source.put("d/a", "a").put("d/b", "b").put("d/c", "c");
    Applier a = applier();
    StepResult first = apply(a, Op.put(rel("d/a"), file("a"), Observed.ABSENT));
    assertTrue(first.succeeded(), first.failure());
    Files.move(p("d"), tmp.resolve("d.moved"));
    Files.createSymbolicLink(p("d"), outside);

    a.add(new Step(2, List.of(Op.put(rel("d/b"), file("b"), Observed.ABSENT))));
    a.add(new Step(3, List.of(Op.put(rel("d/sub"), new Entry.Dir(0755), Observed.ABSENT))));
    List<StepResult> results = a.flush();

    results.forEach(r -> assertFailed(r, "refusing to write through a symbolic link"));
    assertEquals(Map.of(), describe(outside));
  }

  @Test
  void refusesToInstallThroughParentReplacedBySymlinkBeforeFlush() throws Exception {
    // Between staging and the flush (up to thousands of files later), the directory holding the staged
    // temporary file is moved outside the root and a symlink to it put in its place.
    mkdir(root, "d");
    source.put("d/b", "b");
    Applier a = applier();
    a.add(new Step(1, List.of(Op.put(rel("d/b"), file("b"), Observed.ABSENT))));
    // Staged = written to its temporary name by a copy thread: wait for that before the swap.
    long deadline = System.nanoTime() + jsync.core.testing.TestTimeouts.seconds(10).toNanos();
    while (temps(p("d")).isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "the copy thread never wrote the temporary file");
      Thread.sleep(5);
    }
    Files.move(p("d"), outside.resolve("d"));
    Files.createSymbolicLink(p("d"), outside.resolve("d"));

    StepResult r = a.flush().get(0);

    assertFailed(r, "refusing to write through a symbolic link");
    assertEquals(Map.of("d", "dir"), describe(outside));
  }

  @Test
  void nameTooLong_failsNamingPathAndCause() throws Exception {
    String longName = "n".repeat(300);
    source.put(longName, "x");
    Applier a = applier();
    a.add(new Step(1, List.of(Op.put(rel(longName), file("x"), Observed.ABSENT))));
    a.add(new Step(2, List.of(Op.put(rel("d" + longName), new Entry.Dir(0755), Observed.ABSENT))));
    List<StepResult> results = a.flush();
    assertFailed(results.get(0), "cannot write " + longName + ": File name too long");
    assertFailed(results.get(1), "cannot write d" + longName + ": File name too long");
    assertEquals(Map.of(), describe(root));
  }

  @Test
  void parentReplacedByFile_failsNamingPathAndCause() throws Exception {
    write(root, "d", "I was a directory");
    source.put("d/f", "x");
    Applier a = applier();
    a.add(new Step(1, List.of(Op.put(rel("d/f"), file("x"), Observed.ABSENT))));
    a.add(new Step(2, List.of(Op.put(rel("d/e"), new Entry.Dir(0755), Observed.ABSENT))));
    List<StepResult> results = a.flush();
    assertFailed(results.get(0), "cannot write d/f: Not a directory");
    assertFailed(results.get(1), "cannot write d/e: Not a directory");
    assertEquals(Map.of("d", "file:I was a directory"), describe(root));
  }

  @Test
  void parentRemoved_failsNamingTheDirectory() throws Exception {
    source.put("gone/f", "x");
    StepResult r = apply(applier(), Op.put(rel("gone/f"), file("x"), Observed.ABSENT));
    assertFailed(r, "directory gone is missing");
  }

  @Test
  void immutableDirectory_failsNamingPathAndCause() throws Exception {
    write(root, "d/g", "keep");
    Observed g = observe(root, "d/g");
    source.put("d/f", "x");
    chattr("+i", p("d"));
    immutable.add(p("d"));
    Applier a = applier();
    a.add(new Step(1, List.of(Op.put(rel("d/f"), file("x"), Observed.ABSENT))));
    a.add(new Step(2, List.of(Op.remove(rel("d/g"), g))));
    a.add(new Step(3, List.of(Op.put(rel("d/e"), new Entry.Dir(0755), Observed.ABSENT))));
    List<StepResult> results = a.flush();
    assertFailed(results.get(0), "cannot write d/f: Operation not permitted");
    assertFailed(results.get(1), "cannot delete d/g: Operation not permitted");
    assertFailed(results.get(2), "cannot write d/e: Operation not permitted");
    assertEquals(Map.of("d", "dir", "d/g", "file:keep"), describe(root));
  }
}
