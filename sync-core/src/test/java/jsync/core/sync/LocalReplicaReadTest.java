package jsync.core.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import jsync.core.apply.BackupPolicy;
import jsync.core.model.Entry;
import jsync.core.model.Fingerprint;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;
import jsync.core.model.Stamp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a peer may read from a local replica: files in real directories below the root only, also after a
 * directory already read from was swapped for a symlink (the check remembers directories it found real,
 * by identity).
 */
class LocalReplicaReadTest {
  @TempDir Path tmp;
  private Path root;
  private Path outside;
  private LocalReplica replica;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectories(tmp.resolve("root"));
    outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("f"), "outside the root");
    replica = new LocalReplica(root, root.toString(), "localhost-test", tmp.resolve("home"), Clock.systemUTC(),
        PropsPolicy.DEFAULT, BackupPolicy.NONE, n -> { });
  }

  private String read(String path) throws IOException {
    // A known fingerprint: no stamp check, only the path's.
    Entry.File any = new Entry.File(1, 0, 0644, Fingerprint.of(1));
    try (InputStream in = replica.read(RelPath.parse(path), any, Stamp.NONE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Writes {@code path} below the root (with its directories) and reads it once, so its directory is known. */
  private void placeAndRead(String path, String content) throws IOException {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
    assertEquals(content, read(path));
  }

  private void assertRefused(String path) {
    IOException e = assertThrows(IOException.class, () -> read(path));
    assertTrue(e.getMessage().contains("through a symbolic link"), e.getMessage());
  }

  /** A file the scan did not hash: its status after the last byte must be the scanned one. */
  private String readUnhashed(String path, Stamp scanned, Runnable afterFirstByte) throws IOException {
    Entry.File unhashed = new Entry.File(1, 0, 0644, Fingerprint.UNKNOWN);
    try (InputStream in = replica.read(RelPath.parse(path), unhashed, scanned)) {
      StringBuilder b = new StringBuilder();
      int c = in.read();
      afterFirstByte.run();
      for (; c >= 0; c = in.read()) {
        b.append((char) c);
      }
      return b.toString();
    }
  }

  @Test
  void anUnhashedFile_changedSinceTheScanOrWhileRead_failsAtItsEnd() throws Exception {
    Path f = Files.writeString(root.resolve("f"), "as scanned");
    Stamp scanned = jsync.core.scan.FileStat.read(f).stamp();
    assertEquals("as scanned", readUnhashed("f", scanned, () -> { }));

    // Changed before the read (same size; the mtime put back): the ctime gives it away.
    java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(f);
    Thread.sleep(10);
    Files.writeString(f, "as changed");
    Files.setLastModifiedTime(f, mtime);
    IOException before = assertThrows(IOException.class, () -> readUnhashed("f", scanned, () -> { }));
    assertTrue(before.getMessage().contains("changed since it was scanned"), before.getMessage());

    // Changed while it was read.
    Stamp rescanned = jsync.core.scan.FileStat.read(f).stamp();
    IOException during = assertThrows(IOException.class, () -> readUnhashed("f", rescanned, () -> {
      try {
        Files.writeString(f, "once more", java.nio.file.StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }));
    assertTrue(during.getMessage().contains("changed since it was scanned"), during.getMessage());
  }

  @Test
  void aFileBehindASymlinkedDirectory_isRefused() throws IOException {
    Files.createSymbolicLink(root.resolve("link"), outside);
    assertRefused("link/f");
  }

  @Test
  void aDirectoryReadFromBefore_thenSwappedForASymlink_isRefused() throws IOException {
    placeAndRead("d/f", "inside");
    placeAndRead("d/e/f", "deeper");

    Files.move(root.resolve("d"), tmp.resolve("d-moved"));
    Files.createSymbolicLink(root.resolve("d"), outside);
    assertRefused("d/f");

    // A symlink on the way to a deeper directory read from before.
    Files.createDirectories(outside.resolve("e"));
    Files.writeString(outside.resolve("e/f"), "outside, deeper");
    assertRefused("d/e/f");
  }

  /** The same directory (same inode), moved out of the root and reached through a symlinked parent. */
  @Test
  void aDirectoryMovedOutOfTheRoot_andReachedThroughASymlink_isRefused() throws IOException {
    placeAndRead("x/d/f", "inside");

    Path moved = Files.createDirectories(tmp.resolve("elsewhere"));
    Files.move(root.resolve("x/d"), moved.resolve("d"));
    Files.writeString(moved.resolve("d/f"), "now outside the root");
    Files.delete(root.resolve("x"));
    Files.createSymbolicLink(root.resolve("x"), moved);
    assertRefused("x/d/f");
  }

  @Test
  void aDirectoryReplacedByAnotherRealOne_isCheckedAgainAndRead() throws IOException {
    placeAndRead("d/f", "first");

    Files.move(root.resolve("d"), tmp.resolve("d-old"));
    Files.createDirectories(root.resolve("d"));
    Files.writeString(root.resolve("d/f"), "second");
    assertEquals("second", read("d/f"));
  }

  @Test
  void theRootSwappedForASymlink_afterReads_isRefused() throws IOException {
    placeAndRead("d/f", "inside");

    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere/d"));
    Files.writeString(elsewhere.resolve("f"), "elsewhere");
    Files.move(root, tmp.resolve("root-old"));
    Files.createSymbolicLink(root, tmp.resolve("elsewhere"));
    assertRefused("d/f");
  }
}
