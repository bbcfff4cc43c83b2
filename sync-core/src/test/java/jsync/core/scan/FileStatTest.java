package jsync.core.scan;

import static jsync.core.testing.TestTimeouts.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jsync.core.model.Stamp;
import jsync.core.testing.FakeClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One lstat, on each kind of attribute support and on the real filesystem. */
class FileStatTest {
  @TempDir
  Path tmp;

  @Test
  void modeAndPermissions_areInverseForEveryNineBitMode() {
    for (int m = 0; m <= 0777; m++) {
      assertEquals(m, FileStat.mode(FileStat.permissions(m)), Integer.toOctalString(m));
    }
    assertEquals(PosixFilePermissions.fromString("rwxr-x--x"), FileStat.permissions(0751));
  }

  private static FileStat[] fileDirLink(Configuration config) throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(config)) {
      Path root = fs.getRootDirectories().iterator().next();
      Path f = Files.writeString(root.resolve("f"), "12345");
      Path d = Files.createDirectory(root.resolve("d"));
      Path l = Files.createSymbolicLink(root.resolve("l"), fs.getPath("d"));
      if (fs.supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx--x---"));
      }
      Files.setLastModifiedTime(f, FileTime.from(FakeClock.START));
      assertThrows(NoSuchFileException.class, () -> FileStat.read(root.resolve("missing")));
      return new FileStat[] {FileStat.read(f), FileStat.read(d), FileStat.read(l)};
    }
  }

  @Test
  void unixView_givesModeInodeAndCtime_withoutTypeBits() throws IOException {
    FileStat[] s = fileDirLink(Configuration.unix().toBuilder()
        .setAttributeViews("basic", "owner", "posix", "unix").build());
    assertEquals(FileStat.Type.FILE, s[0].type());
    assertEquals(5, s[0].size());
    assertEquals(0640, s[0].mode());
    assertEquals(FakeClock.START.getEpochSecond() * 1_000_000_000L + FakeClock.START.getNano(),
        s[0].mtimeNanos(), "nanoseconds survive");
    assertNotEquals(0, s[0].inode());
    assertNotEquals(0, s[0].ctimeNanos());
    assertEquals(FileStat.Type.DIR, s[1].type());
    assertEquals(0710, s[1].mode());
    assertNotEquals(s[0].inode(), s[1].inode());
    assertEquals(FileStat.Type.LINK, s[2].type(), "a symlink is not followed");
    assertEquals(new Stamp(5, s[0].mtimeNanos(), s[0].inode(), s[0].ctimeNanos()), s[0].stamp());
  }

  @Test
  void posixViewOnly_givesModeButNoInode() throws IOException {
    FileStat[] s = fileDirLink(Configuration.unix().toBuilder().setAttributeViews("basic", "posix").build());
    assertEquals(0640, s[0].mode());
    assertEquals(0710, s[1].mode());
    assertEquals(0, s[0].inode());
    assertEquals(0, s[0].ctimeNanos());
    assertEquals(FileStat.Type.LINK, s[2].type());
  }

  @Test
  void basicViewOnly_reportsUmask022Modes() throws IOException {
    FileStat[] s = fileDirLink(Configuration.windows());
    assertEquals(0644, s[0].mode());
    assertEquals(0755, s[1].mode());
    assertEquals(0, s[0].inode());
    assertEquals(FileStat.Type.LINK, s[2].type());
  }

  @Test
  void realFilesystem_keepsSpecialBitsAndDropsTypeBits() throws Exception {
    Path f = Files.writeString(tmp.resolve("f"), "x");
    Path d = Files.createDirectory(tmp.resolve("d"));
    Path fifo = tmp.resolve("p");
    run("chmod", "4750", f.toString());
    run("chmod", "1777", d.toString());
    run("mkfifo", fifo.toString());

    assertEquals(04750, FileStat.read(f).mode());
    assertEquals(FileStat.Type.FILE, FileStat.read(f).type());
    assertEquals(01777, FileStat.read(d).mode());
    assertEquals(FileStat.Type.DIR, FileStat.read(d).type());
    assertEquals(FileStat.Type.OTHER, FileStat.read(fifo).type());
    assertTrue(FileStat.read(f).inode() > 0);
  }

  @Test
  void nativeStat_isUsedOnTheRealFilesystem_andAgreesWithThePublicApi() throws Exception {
    // The build passes --add-opens as bin/jsync does, so the fast path must be live here.
    assertTrue(NativeStat.available(), "run with --add-opens java.base/sun.nio.fs=ALL-UNNAMED");
    Path f = Files.writeString(tmp.resolve("f"), "some content");
    Path d = Files.createDirectory(tmp.resolve("d"));
    Path l = Files.createSymbolicLink(tmp.resolve("l"), tmp.resolve("nowhere"));
    Path p = tmp.resolve("p");
    run("mkfifo", p.toString());
    run("chmod", "2751", f.toString());
    for (Path x : new Path[] {f, d, l, p}) {
      assertEquals(FileStat.readUnix(x), NativeStat.read(x), x.toString());
    }
    assertThrows(NoSuchFileException.class, () -> NativeStat.read(tmp.resolve("missing")));
    // Errors translate as the JDK's own: the same exception type and reason for a path below a file.
    IOException viaJdk = assertThrows(IOException.class, () -> FileStat.readUnix(f.resolve("below")));
    IOException viaNative = assertThrows(IOException.class, () -> NativeStat.read(f.resolve("below")));
    assertEquals(viaJdk.getClass(), viaNative.getClass());
    assertEquals(viaJdk.getMessage(), viaNative.getMessage());
  }

  /** Absence as null, not an exception; every other failure as {@link FileStat.Reader#read} throws it. */
  @Test
  void readIfPresent_isNullForNothing_andFailsAsReadOtherwise() throws Exception {
    Path f = Files.writeString(tmp.resolve("f"), "some content");
    Path l = Files.createSymbolicLink(tmp.resolve("l"), tmp.resolve("nowhere"));
    FileStat.Reader fast = FileStat.readerFor(tmp.getFileSystem());
    FileStat.Reader publicApi = FileStat::readUnix;
    for (FileStat.Reader r : new FileStat.Reader[] {fast, publicApi}) {
      assertEquals(null, r.readIfPresent(tmp.resolve("missing")));
      assertEquals(null, r.readIfPresent(tmp.resolve("missing/below")));
      assertEquals(FileStat.readUnix(f), r.readIfPresent(f));
      assertEquals(FileStat.Type.LINK, r.readIfPresent(l).type(), "a dangling symlink is something");
      // Below a regular file (ENOTDIR): not absence, the same failure as read's.
      IOException viaRead = assertThrows(IOException.class, () -> r.read(f.resolve("below")));
      IOException viaIfPresent = assertThrows(IOException.class, () -> r.readIfPresent(f.resolve("below")));
      assertEquals(viaRead.getClass(), viaIfPresent.getClass());
      assertEquals(viaRead.getMessage(), viaIfPresent.getMessage());
      assertThrows(NoSuchFileException.class, () -> r.read(tmp.resolve("missing")));
    }
  }

  /** hasStamp is Stamp.matches without the stamp: every field in turn differs, and NONE never matches. */
  @Test
  void hasStamp_isStampMatches() {
    FileStat st = new FileStat(FileStat.Type.FILE, 5, 7_000_000_123L, 0644, 42, 9_000_000_456L);
    Stamp same = st.stamp();
    Stamp[] others = {same, new Stamp(6, 7_000_000_123L, 42, 9_000_000_456L),
        new Stamp(5, 7_000_000_124L, 42, 9_000_000_456L), new Stamp(5, 7_000_000_123L, 43, 9_000_000_456L),
        new Stamp(5, 7_000_000_123L, 42, 9_000_000_457L), Stamp.NONE};
    for (Stamp recorded : others) {
      assertEquals(recorded.matches(st.stamp()), st.hasStamp(recorded), recorded.toString());
    }
    assertTrue(st.hasStamp(same));
    FileStat none = new FileStat(FileStat.Type.FILE, -1, 0, 0644, 0, 0);
    assertFalse(none.hasStamp(Stamp.NONE), "no stamp matches the absent one, as Stamp.matches");
    assertEquals(Stamp.NONE.matches(none.stamp()), none.hasStamp(Stamp.NONE));
  }

  /** One descriptor for a whole directory gives, name by name, what a stat of each path gives. */
  @Test
  void readAll_givesWhatReadGivesForEachName() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("dir"));
    Files.writeString(dir.resolve("f"), "some content");
    run("chmod", "4750", dir.resolve("f").toString());
    Files.createDirectory(dir.resolve("d"));
    Files.createSymbolicLink(dir.resolve("l"), tmp.resolve("nowhere"));
    Files.createSymbolicLink(dir.resolve("ld"), dir.resolve("d"));
    run("mkfifo", dir.resolve("p").toString());
    Files.writeString(dir.resolve("caf\u00e9 \uD83D\uDE00"), "non-ASCII");
    List<String> names = List.of("f", "d", "l", "ld", "p", "caf\u00e9 \uD83D\uDE00", "missing", "f/below",
        "d/nested", "bad\uFFFDname");
    Files.writeString(dir.resolve("d/nested"), "below");
    Object[] into = new Object[names.size()];
    assertTrue(NativeStat.readAll(dir, names, into));
    for (int i = 0; i < names.size(); i++) {
      Path p = dir.resolve(names.get(i));
      Object expected;
      try {
        expected = NativeStat.read(p);
      } catch (IOException e) {
        expected = e;
      }
      if (expected instanceof IOException e) {
        IOException got = assertInstanceOf(IOException.class, into[i], names.get(i));
        assertEquals(e.getClass(), got.getClass(), names.get(i));
        assertEquals(e.getMessage(), got.getMessage(), names.get(i));
      } else {
        assertEquals(expected, into[i], names.get(i));
      }
    }
    assertEquals(FileStat.Type.LINK, ((FileStat) into[3]).type(), "a symlink to a directory is not followed");
    assertInstanceOf(NoSuchFileException.class, into[6]);
    assertEquals(FileStat.Type.FILE, ((FileStat) into[8]).type(), "a path below the directory, by its path");
  }

  /** Nothing but a real directory is opened: the caller then stats each path (and a FIFO never blocks). */
  @Test
  void readAll_declinesAnythingButARealDirectory() throws Exception {
    Path d = Files.createDirectory(tmp.resolve("d"));
    Files.writeString(d.resolve("f"), "x");
    Path link = Files.createSymbolicLink(tmp.resolve("link"), d);
    Path fifo = tmp.resolve("fifo");
    run("mkfifo", fifo.toString());
    Path file = Files.writeString(tmp.resolve("file"), "x");
    List<String> names = List.of("f");
    for (Path p : new Path[] {link, fifo, file, tmp.resolve("missing")}) {
      Object[] into = new Object[1];
      assertTimeoutPreemptively(seconds(10), () -> assertFalse(NativeStat.readAll(p, names, into), p.toString()));
      assertNull(into[0], "nothing stored: " + p);
    }
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path j = Files.createDirectory(fs.getPath("/d"));
      assertFalse(NativeStat.readAll(j, names, new Object[1]), "another filesystem's path");
    }
    Object[] into = new Object[1];
    assertTrue(NativeStat.readAll(d, names, into));
    assertEquals(FileStat.Type.FILE, ((FileStat) into[0]).type());
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertTrue(p.waitFor(seconds(10).toMillis(), TimeUnit.MILLISECONDS), String.join(" ", command));
    assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
  }
}
