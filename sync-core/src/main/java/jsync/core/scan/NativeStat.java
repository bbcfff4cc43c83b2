package jsync.core.scan;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.nio.file.FileSystems;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

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
  /** {@code O_DIRECTORY} of Linux on x86-64 and ARM64. */
  private static final int LINUX_O_DIRECTORY = 0200000;

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

  /**
   * For {@link #readAll}: {@code UnixNativeDispatcher.open}, {@code fstatat}, {@code close}, a new
   * {@code UnixFileAttributes}, and the flags; null handles if this JDK lacks any of them.
   */
  private static final MethodHandle OPEN;
  private static final MethodHandle FSTATAT;
  private static final MethodHandle CLOSE;
  private static final MethodHandle NEW_ATTRS;
  private static final int OPEN_DIR_FLAGS;
  private static final int AT_SYMLINK_NOFOLLOW;

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

  static {
    MethodHandle open = null;
    MethodHandle fstatat = null;
    MethodHandle close = null;
    MethodHandle newAttrs = null;
    int openFlags = 0;
    int atNoFollow = 0;
    // Names are turned back into bytes as UTF-8 here, as the JDK does only when that is its file-name charset.
    // Linux on x86-64 and ARM64 only: O_DIRECTORY is not among the JDK's constants, and its value differs
    // between architectures.
    String arch = System.getProperty("os.arch");
    if (GET != null && "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"))
        && "Linux".equals(System.getProperty("os.name")) && ("amd64".equals(arch) || "aarch64".equals(arch))) {
      try {
        Class<?> attrs = Class.forName("sun.nio.fs.UnixFileAttributes");
        Class<?> dispatcher = Class.forName("sun.nio.fs.UnixNativeDispatcher");
        Class<?> constants = Class.forName("sun.nio.fs.UnixConstants");
        MethodHandles.Lookup l = MethodHandles.privateLookupIn(dispatcher, MethodHandles.lookup());
        open = l.findStatic(dispatcher, "open", MethodType.methodType(int.class, PATH_CLASS, int.class, int.class))
            .asType(MethodType.methodType(int.class, Object.class, int.class, int.class));
        fstatat = l.findStatic(dispatcher, "fstatat",
                MethodType.methodType(void.class, int.class, byte[].class, int.class, attrs))
            .asType(MethodType.methodType(void.class, int.class, byte[].class, int.class, Object.class));
        close = l.findStatic(dispatcher, "close", MethodType.methodType(void.class, int.class));
        newAttrs = MethodHandles.privateLookupIn(attrs, MethodHandles.lookup())
            .findConstructor(attrs, MethodType.methodType(void.class))
            .asType(MethodType.methodType(Object.class));
        MethodHandles.Lookup c = MethodHandles.privateLookupIn(constants, MethodHandles.lookup());
        // O_DIRECTORY: whatever replaced the directory since it was listed is not opened (a FIFO would block
        // the open); O_NOFOLLOW: nor is a symlink followed.
        openFlags = (int) c.findStaticVarHandle(constants, "O_RDONLY", int.class).get()
            | (int) c.findStaticVarHandle(constants, "O_NOFOLLOW", int.class).get() | LINUX_O_DIRECTORY;
        atNoFollow = (int) c.findStaticVarHandle(constants, "AT_SYMLINK_NOFOLLOW", int.class).get();
        boolean supported = (boolean) l.findStatic(dispatcher, "openatSupported",
            MethodType.methodType(boolean.class)).invokeExact();
        if (!supported) {
          open = null;
        }
      } catch (Throwable e) {
        // Another JDK's internals: readAll declines, and each name is stat-ed by its path.
        open = null;
      }
    }
    OPEN = open;
    FSTATAT = open == null ? null : fstatat;
    CLOSE = close;
    NEW_ATTRS = newAttrs;
    OPEN_DIR_FLAGS = openFlags;
    AT_SYMLINK_NOFOLLOW = atNoFollow;
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
    return toFileStat(a);
  }

  /**
   * {@code lstat} of every name in {@code dir}, relative to one descriptor of the directory
   * ({@code fstatat}): {@code into[i]} gets the {@link FileStat} of {@code names[i]}, or the
   * {@link IOException} {@link #read} would throw for that path.
   *
   * <p>Why: {@code lstat} of a full path makes the kernel look up every component of it again (16% of the
   * read-ahead threads' time on a tree 8 levels deep), and the JDK a {@code UnixPath} per name; this
   * looks up one name. A no-change scan's stats of 100,000 files in a fresh JVM: 300 -> 250 ms.
   *
   * @return false, having stored nothing, when this JVM cannot (no fast path, a path of another
   *     filesystem) or the directory cannot be opened (gone, or a symlink now): then stat each path
   */
  static boolean readAll(Path dir, List<String> names, Object[] into) {
    if (FSTATAT == null || !PATH_CLASS.isInstance(dir)) {
      return false;
    }
    int fd;
    try {
      fd = (int) OPEN.invokeExact((Object) dir, OPEN_DIR_FLAGS, 0);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      return false; // a UnixException: gone, not a directory, a symlink (O_NOFOLLOW), no permission
    }
    try {
      // One attributes object for the whole directory: fstatat fills every field, and each result is
      // copied out at once (made through a method handle, a new one per file cost more than the copy).
      Object attrs = NEW_ATTRS.invokeExact();
      for (int i = 0; i < into.length; i++) {
        into[i] = readAt(fd, dir, names.get(i), attrs);
      }
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      // The constructor declares no checked exception; this cannot happen.
      throw new IllegalStateException("cannot make a UnixFileAttributes", t);
    } finally {
      try {
        CLOSE.invokeExact(fd);
      } catch (Throwable t) {
        // UnixNativeDispatcher.close ignores errors itself; nothing else can come from it
      }
    }
    return true;
  }

  private static Object readAt(int fd, Path dir, String name, Object a) {
    if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
      // Not a single name: never from a listing, but not one to look up relative to the directory either.
      try {
        return read(dir.resolve(name));
      } catch (IOException e) {
        return e;
      }
    }
    try {
      FSTATAT.invokeExact(fd, name.getBytes(StandardCharsets.UTF_8), AT_SYMLINK_NOFOLLOW, a);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      Path path = dir.resolve(name);
      return errno(t) == ENOENT ? new NoSuchFileException(path.toString()) : translate(t, path);
    }
    return toFileStat(a);
  }

  private static FileStat toFileStat(Object a) {
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
