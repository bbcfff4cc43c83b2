package jsync.core.scan;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import jsync.core.model.Stamp;

/**
 * The result of one {@code lstat}: what kind of thing is at a path and the metadata the scanner and the
 * applier compare. Symbolic links are never followed.
 */
public record FileStat(Type type, long size, long mtimeNanos, int mode, long inode, long ctimeNanos) {
  /** What the filesystem holds at a path. */
  public enum Type {
    FILE, DIR, LINK, OTHER
  }

  public Stamp stamp() {
    return new Stamp(size, mtimeNanos, inode, ctimeNanos);
  }

  /** {@code recorded.matches(stamp())}, without making the stamp: the scanner asks it of every file. */
  public boolean hasStamp(Stamp recorded) {
    return recorded.size() >= 0 && recorded.size() == size && recorded.mtimeNanos() == mtimeNanos
        && recorded.inode() == inode && recorded.ctimeNanos() == ctimeNanos;
  }

  /**
   * Reads the metadata of {@code path} without following a final symlink.
   *
   * @throws java.nio.file.NoSuchFileException if nothing is there
   */
  public static FileStat read(Path path) throws IOException {
    return readerFor(path.getFileSystem()).read(path);
  }

  /** How to read a stat on one kind of filesystem; chosen once per filesystem by {@link #readerFor}. */
  public interface Reader {
    FileStat read(Path path) throws IOException;

    /** As {@link #read}, but null if nothing is at {@code path}. */
    default FileStat readIfPresent(Path path) throws IOException {
      try {
        return read(path);
      } catch (java.nio.file.NoSuchFileException e) {
        return null;
      }
    }
  }

  /** {@link NativeStat}'s, which tells absence without an exception. */
  private static final Reader NATIVE = new Reader() {
    @Override
    public FileStat read(Path path) throws IOException {
      return NativeStat.read(path);
    }

    @Override
    public FileStat readIfPresent(Path path) throws IOException {
      return NativeStat.readIfPresent(path);
    }
  };

  private static final String UNIX_ATTRS =
      "unix:mode,ino,ctime,size,lastModifiedTime,isDirectory,isRegularFile,isSymbolicLink";

  /**
   * The "unix" view gives inode and ctime in the same single {@code lstat} call as the rest; without it
   * (Windows, some virtual filesystems) inode and ctime are 0 and the fast check uses size and mtime only.
   */
  public static Reader readerFor(FileSystem fs) {
    Set<String> views = fs.supportedFileAttributeViews();
    if (views.contains("unix") && NativeStat.available() && NativeStat.handles(fs.getPath("/"))) {
      return NATIVE;
    }
    if (views.contains("unix")) {
      return FileStat::readUnix;
    }
    if (views.contains("posix")) {
      return FileStat::readPosix;
    }
    return FileStat::readBasic;
  }

  static FileStat readUnix(Path path) throws IOException {
    Map<String, Object> a = Files.readAttributes(path, UNIX_ATTRS, LinkOption.NOFOLLOW_LINKS);
    Type type = Boolean.TRUE.equals(a.get("isRegularFile")) ? Type.FILE
        : Boolean.TRUE.equals(a.get("isDirectory")) ? Type.DIR
        : Boolean.TRUE.equals(a.get("isSymbolicLink")) ? Type.LINK : Type.OTHER;
    int mode = ((Integer) a.get("mode")) & 07777;
    long inode = ((Number) a.get("ino")).longValue();
    long ctime = nanos((FileTime) a.get("ctime"));
    return new FileStat(type, (Long) a.get("size"), nanos((FileTime) a.get("lastModifiedTime")), mode,
        inode, ctime);
  }

  private static FileStat readPosix(Path path) throws IOException {
    PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    return new FileStat(type(a), a.size(), nanos(a.lastModifiedTime()), mode(a.permissions()), 0, 0);
  }

  private static FileStat readBasic(Path path) throws IOException {
    BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    // No permission bits to read: report what a umask-022 system would create, so both sides agree.
    int mode = a.isDirectory() ? 0755 : 0644;
    return new FileStat(type(a), a.size(), nanos(a.lastModifiedTime()), mode, 0, 0);
  }

  private static Type type(BasicFileAttributes a) {
    return a.isRegularFile() ? Type.FILE : a.isDirectory() ? Type.DIR
        : a.isSymbolicLink() ? Type.LINK : Type.OTHER;
  }

  static long nanos(FileTime t) {
    return t == null ? 0 : t.to(TimeUnit.NANOSECONDS);
  }

  /** Permission bits from their set form (no setuid, setgid or sticky: Java cannot see or set them). */
  public static int mode(Set<PosixFilePermission> perms) {
    int m = 0;
    for (PosixFilePermission p : perms) {
      m |= 0400 >> p.ordinal();
    }
    return m;
  }

  /** The set form of the low nine permission bits. */
  public static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> perms = java.util.EnumSet.noneOf(PosixFilePermission.class);
    for (PosixFilePermission p : PosixFilePermission.values()) {
      if ((mode & (0400 >> p.ordinal())) != 0) {
        perms.add(p);
      }
    }
    return perms;
  }
}
