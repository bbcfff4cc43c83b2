package jsync.core.scan;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.nio.file.FileSystems;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The fast way to {@code lstat} on the JDK's own Unix filesystem: {@code sun.nio.fs.UnixFileAttributes},
 * whose fields hold everything the scanner needs, read directly.
 *
 * <p>Why: the public API gives inode and ctime only through {@code Files.readAttributes(path, "unix:...")},
 * which parses the attribute list and fills a map on every call. Measured on 100,000 files in a fresh JVM
 * (what a cron run is): walking and stat-ing the tree took 740 ms that way and 300 ms this way, most of a
 * no-change run's scan. It needs {@code --add-opens java.base/sun.nio.fs=ALL-UNNAMED}, which bin/jsync
 * passes; without it, or on a JDK whose internals differ, {@link #available()} is false and
 * {@link FileStat} uses the public API. Both give the same values (FileStatTest compares them).
 */
final class NativeStat {
  private static final int S_IFMT = 0170000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFLNK = 0120000;

  private static final Class<?> PATH_CLASS;
  private static final MethodHandle GET;
  private static final VarHandle MODE;
  private static final VarHandle INO;
  private static final VarHandle SIZE;
  private static final VarHandle MTIME_SEC;
  private static final VarHandle MTIME_NSEC;
  private static final VarHandle CTIME_SEC;
  private static final VarHandle CTIME_NSEC;

  /** {@code ENOENT} on Linux and the BSDs. */
  private static final int ENOENT = 2;
  private static final Class<?> ERRNO_CLASS;
  private static final MethodHandle ERRNO;
  private static final MethodHandle TRANSLATE;

  static {
    Class<?> exception = null;
    MethodHandle errno = null;
    MethodHandle translate = null;
    try {
      exception = Class.forName("sun.nio.fs.UnixException");
      MethodHandles.Lookup l = MethodHandles.privateLookupIn(exception, MethodHandles.lookup());
      errno = l.findVirtual(exception, "errno", MethodType.methodType(int.class))
          .asType(MethodType.methodType(int.class, Object.class));
      translate = l.findVirtual(exception, "translateToIOException",
              MethodType.methodType(IOException.class, String.class, String.class))
          .asType(MethodType.methodType(IOException.class, Object.class, String.class, String.class));
    } catch (ReflectiveOperationException | RuntimeException e) {
      // Then every failure is a plain IOException, and absence is told by the exception (FileStat.Reader).
      errno = null;
      translate = null;
    }
    ERRNO_CLASS = exception;
    ERRNO = errno;
    TRANSLATE = translate;
  }

  static {
    Class<?> pathClass = null;
    MethodHandle get = null;
    VarHandle[] v = new VarHandle[7];
    try {
      Class<?> attrs = Class.forName("sun.nio.fs.UnixFileAttributes");
      pathClass = Class.forName("sun.nio.fs.UnixPath");
      MethodHandles.Lookup l = MethodHandles.privateLookupIn(attrs, MethodHandles.lookup());
      get = l.findStatic(attrs, "get", MethodType.methodType(attrs, pathClass, boolean.class))
          .asType(MethodType.methodType(Object.class, Object.class, boolean.class));
      v[0] = l.findVarHandle(attrs, "st_mode", int.class);
      v[1] = l.findVarHandle(attrs, "st_ino", long.class);
      v[2] = l.findVarHandle(attrs, "st_size", long.class);
      v[3] = l.findVarHandle(attrs, "st_mtime_sec", long.class);
      v[4] = l.findVarHandle(attrs, "st_mtime_nsec", long.class);
      v[5] = l.findVarHandle(attrs, "st_ctime_sec", long.class);
      v[6] = l.findVarHandle(attrs, "st_ctime_nsec", long.class);
      if (!pathClass.isInstance(FileSystems.getDefault().getPath("/")) || ERRNO == null || TRANSLATE == null) {
        get = null;
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      // Not opened to us (no --add-opens), or another JDK's layout: the public API will do.
      get = null;
    }
    PATH_CLASS = pathClass;
    GET = get;
    MODE = v[0];
    INO = v[1];
    SIZE = v[2];
    MTIME_SEC = v[3];
    MTIME_NSEC = v[4];
    CTIME_SEC = v[5];
    CTIME_NSEC = v[6];
  }

  private NativeStat() {}

  /** True if the fast path works in this JVM. */
  static boolean available() {
    return GET != null;
  }

  /** True if {@code path} can take the fast path (a path of the JDK's Unix filesystem). */
  static boolean handles(Path path) {
    return GET != null && PATH_CLASS.isInstance(path);
  }

  /** {@code lstat(path)}; throws the same exceptions as {@code Files.readAttributes}. */
  static FileStat read(Path path) throws IOException {
    FileStat st = readIfPresent(path);
    if (st == null) {
      throw new NoSuchFileException(path.toString());
    }
    return st;
  }

  /**
   * As {@link #read}, but null when nothing is at {@code path} ({@code ENOENT}), without making an exception:
   * the applier's re-check expects nothing at the name of every new file, and the exception (two, with the
   * reflective translation) cost a first copy of 100,000 files ~0.3 s of CPU.
   */
  static FileStat readIfPresent(Path path) throws IOException {
    Object a;
    try {
      a = GET.invokeExact((Object) path, false);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      // UnixFileAttributes.get throws UnixException (checked, not an IOException); translate as the JDK does.
      if (errno(t) == ENOENT) {
        return null;
      }
      throw translate(t, path);
    }
    int mode = (int) MODE.get(a);
    FileStat.Type type = switch (mode & S_IFMT) {
      case S_IFREG -> FileStat.Type.FILE;
      case S_IFDIR -> FileStat.Type.DIR;
      case S_IFLNK -> FileStat.Type.LINK;
      default -> FileStat.Type.OTHER;
    };
    long mtime = (long) MTIME_SEC.get(a) * 1_000_000_000L + (long) MTIME_NSEC.get(a);
    long ctime = (long) CTIME_SEC.get(a) * 1_000_000_000L + (long) CTIME_NSEC.get(a);
    return new FileStat(type, (long) SIZE.get(a), mtime, mode & 07777, (long) INO.get(a), ctime);
  }

  private static int errno(Throwable t) {
    if (ERRNO == null || !ERRNO_CLASS.isInstance(t)) {
      return -1;
    }
    try {
      return (int) ERRNO.invokeExact((Object) t);
    } catch (Throwable e) {
      return -1;
    }
  }

  private static IOException translate(Throwable t, Path path) {
    if (TRANSLATE != null && ERRNO_CLASS.isInstance(t)) {
      try {
        // sun.nio.fs.UnixException#translateToIOException(String, String), as the JDK's own views call it.
        return (IOException) TRANSLATE.invokeExact((Object) t, path.toString(), (String) null);
      } catch (Throwable e) {
        // fall through
      }
    }
    return new IOException(path + ": " + t.getMessage(), t);
  }
}
