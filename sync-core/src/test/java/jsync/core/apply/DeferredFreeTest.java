package jsync.core.apply;

import static jsync.core.apply.ApplyFixture.fileOf;
import static jsync.core.apply.ApplyFixture.observe;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jsync.core.model.Entry;
import jsync.core.model.Observed;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;
import jsync.core.testing.TestTimeouts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large file replaced or deleted by the applier is freed on the release thread, not in the rename or
 * delete: seen through {@code /proc/self/fd}, where a descriptor of an unlinked file reads "(deleted)".
 */
class DeferredFreeTest {
  @TempDir Path tmp;
  private Path root;
  private final ApplyFixture.MapSource source = new ApplyFixture.MapSource();
  /** Holds the release thread until counted down, so that what it has not closed yet can be seen. */
  private final CountDownLatch releaseHeld = new CountDownLatch(1);

  @BeforeEach
  void setUp() throws IOException {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs Linux's /proc/self/fd");
    // Real path: /proc/self/fd shows it, whatever symbolic links lead to the temporary directory.
    root = Files.createDirectories(tmp.resolve("root")).toRealPath();
    assumeTrue(DeferredFree.localFilesystem(root),
        "a filesystem where files are freed aside: " + Files.getFileStore(root).type());
    DeferredFree.RELEASER.execute(() -> {
      try {
        releaseHeld.await(TestTimeouts.seconds(30).toSeconds(), TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  @AfterEach
  void letGo() throws Exception {
    drainReleases(); // so that the next test starts with nothing held
  }

  private Applier applier() throws IOException {
    return new Applier(root, PropsPolicy.DEFAULT, BackupPolicy.NONE, source, n -> { });
  }

  private static byte[] content(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static StepResult apply(Applier a, Op op) {
    a.add(new Step(1, List.of(op)));
    List<StepResult> results = a.flush();
    assertEquals(1, results.size());
    assertTrue(results.get(0).succeeded(), results.get(0).failure());
    return results.get(0);
  }

  /** The targets of this process's descriptors that name {@code file} after it was unlinked. */
  private static List<String> heldDeleted(Path file) throws IOException {
    return descriptorsNaming(file + " (deleted)");
  }

  /** The targets of this process's descriptors that name {@code file}. */
  private static List<String> heldOpen(Path file) throws IOException {
    return descriptorsNaming(file.toString());
  }

  private static List<String> descriptorsNaming(String target) throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          String link = Files.readSymbolicLink(fd).toString();
          if (link.equals(target)) {
            found.add(link);
          }
        } catch (IOException e) {
          // closed meanwhile (the listing's own descriptor, among others)
        }
      }
    }
    return found;
  }

  /** Lets the release thread go and waits until it closed everything queued before this call. */
  private void drainReleases() throws Exception {
    releaseHeld.countDown();
    DeferredFree.RELEASER.submit(() -> { }).get(TestTimeouts.seconds(30).toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void aLargeFileReplaced_isStillHeldAfterTheRename_andClosedOnTheReleaseThread() throws Exception {
    Path big = root.resolve("big");
    Files.write(big, content((int) DeferredFree.MIN_SIZE, 1));
    byte[] next = content((int) DeferredFree.MIN_SIZE + 5, 2);
    source.content.put(RelPath.parse("big"), next);
    try (Applier a = applier()) {
      apply(a, Op.put(RelPath.parse("big"), fileOf(next), observe(root, "big")));
    }

    assertArrayEquals(next, Files.readAllBytes(big));
    assertEquals(1, heldDeleted(big).size(), "the old version should wait for the release thread");
    drainReleases();
    assertEquals(List.of(), heldDeleted(big));
  }

  @Test
  void aLargeFileDeleted_isClosedOnTheReleaseThread() throws Exception {
    Path big = root.resolve("big");
    Files.write(big, content((int) DeferredFree.MIN_SIZE, 3));
    try (Applier a = applier()) {
      StepResult r = apply(a, Op.remove(RelPath.parse("big"), observe(root, "big")));
      assertEquals(Observed.ABSENT, r.outcomes().get(0).result());
    }

    assertFalse(Files.exists(big));
    assertEquals(1, heldDeleted(big).size());
    drainReleases();
    assertEquals(List.of(), heldDeleted(big));
  }

  @Test
  void aSmallerFile_isFreedByTheRenameItself() throws Exception {
    Path f = root.resolve("f");
    Files.write(f, content((int) DeferredFree.MIN_SIZE - 1, 4));
    byte[] next = content(100, 5);
    source.content.put(RelPath.parse("f"), next);
    try (Applier a = applier()) {
      apply(a, Op.put(RelPath.parse("f"), fileOf(next), observe(root, "f")));
    }

    assertArrayEquals(next, Files.readAllBytes(f));
    assertEquals(List.of(), heldDeleted(f), "nothing held while the release thread is busy");
  }

  /** Deleting many large files holds at most MAX_HELD of them; the others are freed by their delete. */
  @Test
  void atMostMaxHeldFilesAreHeld() throws Exception {
    int files = DeferredFree.MAX_HELD + 5;
    List<Path> paths = new ArrayList<>();
    for (int i = 0; i < files; i++) {
      Path f = root.resolve("big" + i);
      try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
        raf.setLength(DeferredFree.MIN_SIZE); // sparse: no need to write 16 MiB each
      }
      paths.add(f);
    }
    try (Applier a = applier()) {
      for (int i = 0; i < files; i++) {
        a.add(new Step(i, List.of(Op.remove(RelPath.parse("big" + i), observe(root, "big" + i)))));
      }
      for (StepResult r : a.flush()) {
        assertTrue(r.succeeded(), r.failure());
      }
    }
    int held = 0;
    for (Path f : paths) {
      held += heldDeleted(f).size();
    }
    assertEquals(DeferredFree.MAX_HELD, held);
    drainReleases();
    for (Path f : paths) {
      assertEquals(List.of(), heldDeleted(f));
    }
  }

  @Test
  void holdingWhatCannotBeOpened_holdsNothing_andAFailedRenameClosesAtOnce() throws Exception {
    Path missing = root.resolve("missing");
    Entry.File large = new Entry.File(DeferredFree.MIN_SIZE, 0, 0644, jsync.core.model.Fingerprint.of(1));
    try (DeferredFree none = DeferredFree.hold(missing, DeferredFree.large(large))) {
      none.unlinked();   // nothing to hand over
    }

    Path big = root.resolve("big");
    Files.write(big, new byte[16]);
    // Not on a local filesystem (as the caller found): nothing held.
    try (DeferredFree none = DeferredFree.hold(big, false)) {
      assertEquals(List.of(), heldOpen(big));
    }
    try (DeferredFree held = DeferredFree.hold(big, DeferredFree.large(large))) {
      Files.delete(big);
      assertEquals(1, heldDeleted(big).size());
      // no unlinked(): as if the delete had failed, close() closes on this thread
    }
    assertEquals(List.of(), heldDeleted(big));
  }
}
