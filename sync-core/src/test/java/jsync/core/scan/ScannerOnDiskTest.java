package jsync.core.scan;

import static jsync.core.testing.TestTimeouts.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import jsync.core.delta.Signature;
import jsync.core.delta.SignatureBuilder;
import jsync.core.model.Entry;
import jsync.core.model.Fingerprint;
import jsync.core.model.Observed;
import jsync.core.model.ProblemKind;
import jsync.core.testing.FakeClock;
import jsync.core.testing.MemoryArchive;
import jsync.core.testing.TreeFixture;
import net.jpountz.xxhash.XXHashFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scanner on the real filesystem, for what Jimfs cannot model: FIFOs, a file written while it is
 * hashed, real ctimes, and large files read in several buffers.
 */
class ScannerOnDiskTest {
  @TempDir
  Path root;

  /** An hour ahead of the files' real mtimes: nothing is in the racy window unless a test wants it. */
  private final FakeClock clock = new FakeClock(Instant.now().plus(Duration.ofHours(1)));

  private record Result(List<Update> updates, ScanStats stats) {
    Update at(String path) {
      return updates.stream().filter(u -> u.path().toString().equals(path)).findFirst()
          .orElseThrow(() -> new AssertionError("no update at " + path + " in " + updates));
    }
  }

  private Result scan(MemoryArchive archive, ScanOptions options) throws IOException {
    return scan(archive, options, true);
  }

  private Result scan(MemoryArchive archive, ScanOptions options, boolean trusted) throws IOException {
    List<Update> updates = new ArrayList<>();
    ScanStats stats = new Scanner(root, options, trusted, clock).scan(archive, updates::add);
    return new Result(updates, stats);
  }

  private static Fingerprint fp(byte[] b) {
    return Fingerprint.of(XXHashFactory.safeInstance().hash64().hash(b, 0, b.length, 0));
  }

  @Test
  void fifo_isAnUnsupportedTypeProblemNeitherOpenedNorWalked() throws Exception {
    TreeFixture.write(root, "F", "x");
    Path fifo = root.resolve("P");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
    assertTrue(mkfifo.waitFor(seconds(10).toMillis(), TimeUnit.MILLISECONDS), "mkfifo did not finish");
    assertEquals(0, mkfifo.exitValue(), new String(mkfifo.getInputStream().readAllBytes()));
    // The archive remembers P as a directory with a file in it (it was replaced by the FIFO).
    MemoryArchive archive = new MemoryArchive()
        .put("P", Observed.of(new Entry.Dir(0755)))
        .put("P/x", Observed.of(new Entry.File(1, 0, 0644, fp(new byte[] {1}))));

    // Opening a FIFO for reading blocks until a writer comes: a hang here means the scanner opened it.
    Result r = assertTimeoutPreemptively(seconds(30), () -> scan(archive, ScanOptions.defaults()));

    assertEquals(List.of("F", "P"), r.updates().stream().map(u -> u.path().toString()).toList(),
        "P/x is below a problem: left alone, not reported deleted");
    Entry.Problem p = assertInstanceOf(Entry.Problem.class, r.at("P").current().entry());
    assertEquals(ProblemKind.UNSUPPORTED_TYPE, p.problem());
    assertEquals(archive.get("P"), r.at("P").archived());
    assertEquals(1, r.stats().hashed());
  }

  @Test
  void fileThatKeepsChanging_becomesAProblemAfterBoundedAttempts() throws Exception {
    Path f = root.resolve("growing.log");
    byte[] start = new byte[4 << 20];
    new Random(11).nextBytes(start);
    Files.write(f, start);

    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> writerFailure = new AtomicReference<>();
    CountDownLatch writing = new CountDownLatch(1);
    Thread writer = new Thread(() -> {
      byte[] chunk = new byte[512];
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        while (!stop.get()) {
          ch.write(ByteBuffer.wrap(chunk));
          writing.countDown();
          if (ch.size() > (32 << 20)) {
            ch.truncate(start.length); // keep the disk use bounded; a truncation is a change too
          }
        }
      } catch (Throwable t) {
        writerFailure.set(t);
        writing.countDown();
      }
    }, "appender");
    writer.setDaemon(true);
    writer.start();
    try {
      assertTrue(writing.await(seconds(10).toMillis(), TimeUnit.MILLISECONDS), "the writer never wrote");
      // The writer appends without pause, but a busy machine can leave it unscheduled for a whole hash;
      // then the scan rightly sees a stable file. Try again until a scan sees it change every time.
      long deadline = System.nanoTime() + seconds(60).toNanos();
      int scans = 0;
      while (true) {
        assertEquals(null, writerFailure.get());
        Result r = assertTimeoutPreemptively(seconds(30), () -> scan(new MemoryArchive(), ScanOptions.defaults()));
        scans++;
        Update u = r.at("growing.log");
        if (u.current().entry() instanceof Entry.Problem p) {
          assertEquals(ProblemKind.CHANGED_WHILE_HASHING, p.problem());
          assertEquals(Scanner.HASH_ATTEMPTS, r.stats().hashed(), "one hash per attempt, then give up");
          assertTrue(r.stats().bytesHashed() >= (long) Scanner.HASH_ATTEMPTS * start.length);
          assertEquals(Optional.empty(), u.signature());
          return;
        }
        assertInstanceOf(Entry.File.class, u.current().entry());
        if (System.nanoTime() > deadline) {
          fail("no scan in " + scans + " saw the file change while hashing it");
        }
      }
    } finally {
      stop.set(true);
      writer.join(seconds(10).toMillis());
    }
  }

  /**
   * Around the hasher's 1 MiB buffer and the 8 MiB threshold of stored signatures. A first synchronization's
   * scan (records not trusted) computes the signature; a trusted scan hashes only (see Scanner#hashFile).
   */
  @ParameterizedTest
  @ValueSource(ints = {256 * 1024, 1 << 20, (1 << 20) + 1, (8 << 20) - 1, 8 << 20, (8 << 20) + 300_001,
      9 * (1 << 20) + 17})
  void largeFile_getsTheSignatureOfItsBytes_inAFirstSyncScanOnly(int size) throws IOException {
    byte[] content = new byte[size];
    new Random(size).nextBytes(content);
    Files.write(root.resolve("big"), content);
    long seed = 0x5eed;
    ScanOptions options = new ScanOptions(List.of(jsync.core.model.RelPath.ROOT),
        PathFilter.NONE, jsync.core.model.PropsPolicy.DEFAULT, true, true, seed);

    Result trusted = scan(new MemoryArchive().put("big", Observed.of(new Entry.File(1, 0, 0644,
        Fingerprint.of(1)))), options, true);
    Update changed = trusted.at("big");
    assertEquals(fp(content), assertInstanceOf(Entry.File.class, changed.current().entry()).fingerprint());
    assertEquals(Optional.empty(), changed.signature());

    Result r = scan(new MemoryArchive(), options, false);

    Update u = r.at("big");
    Entry.File file = assertInstanceOf(Entry.File.class, u.current().entry());
    assertEquals(size, file.size());
    assertEquals(fp(content), file.fingerprint());
    assertEquals(size, r.stats().bytesHashed());
    if (size < SignatureBuilder.MIN_STORED_SIZE) {
      assertEquals(Optional.empty(), u.signature());
      return;
    }
    SignatureBuilder b = new SignatureBuilder(size, seed);
    b.update(content, 0, size);
    Signature expected = b.finish();
    Signature actual = u.signature().orElseThrow(() -> new AssertionError("no signature for " + size));
    assertEquals(expected, actual);
    assertEquals(SignatureBuilder.blockSizeFor(size), actual.blockSize());
    assertEquals(seed, actual.seed());
    assertEquals((size + actual.blockSize() - 1) / actual.blockSize(), actual.blockCount());
  }

  @Test
  void contentChangeWithSameSizeAndMtime_isCaughtByTheRealCtime() throws Exception {
    Path f = TreeFixture.write(root, "F1", "aaaa");
    MemoryArchive archive = new MemoryArchive();
    archive.record(scan(archive, ScanOptions.defaults()).updates());
    FileTime mtime = Files.getLastModifiedTime(f);
    long ctimeBefore = FileStat.read(f).ctimeNanos();
    // Filesystem timestamps tick coarsely (a jiffy on ext4): wait for the ctime to be able to move.
    Thread.sleep(50);
    Files.writeString(f, "bbbb");
    Files.setLastModifiedTime(f, mtime);
    assertNotEquals(ctimeBefore, FileStat.read(f).ctimeNanos(), "precondition: the write moved the ctime");

    Result r = scan(archive, ScanOptions.defaults());

    assertEquals(1, r.stats().hashed());
    assertEquals(fp("bbbb".getBytes()), ((Entry.File) r.at("F1").current().entry()).fingerprint());
  }
}
