// Micro-benchmark (docs/benchmarks.md, 2026-12-07 eighth session): lstat by full path vs fstatat relative to
// the directory, over every entry of a tree, in one fresh JVM. Usage: see bench/micro/run.sh.
import java.lang.invoke.*;
import java.nio.file.*;
import java.util.*;
import java.nio.charset.StandardCharsets;

public class StatBench {
  static MethodHandle GET, FSTATAT, OPEN, CLOSE, NEWATTRS;
  static VarHandle MODE;
  public static void main(String[] a) throws Throwable {
    Class<?> attrs = Class.forName("sun.nio.fs.UnixFileAttributes");
    Class<?> upath = Class.forName("sun.nio.fs.UnixPath");
    Class<?> nd = Class.forName("sun.nio.fs.UnixNativeDispatcher");
    MethodHandles.Lookup l = MethodHandles.privateLookupIn(attrs, MethodHandles.lookup());
    GET = l.findStatic(attrs, "get", MethodType.methodType(attrs, upath, boolean.class)).asType(MethodType.methodType(Object.class, Object.class, boolean.class));
    MODE = l.findVarHandle(attrs, "st_mode", int.class);
    MethodHandles.Lookup ln = MethodHandles.privateLookupIn(nd, MethodHandles.lookup());
    FSTATAT = ln.findStatic(nd, "fstatat", MethodType.methodType(void.class, int.class, byte[].class, int.class, attrs)).asType(MethodType.methodType(void.class, int.class, byte[].class, int.class, Object.class));
    OPEN = ln.findStatic(nd, "open", MethodType.methodType(int.class, upath, int.class, int.class)).asType(MethodType.methodType(int.class, Object.class, int.class, int.class));
    CLOSE = ln.findStatic(nd, "close", MethodType.methodType(void.class, int.class));
    NEWATTRS = l.findConstructor(attrs, MethodType.methodType(void.class)).asType(MethodType.methodType(Object.class));
    Path root = Path.of(a[1]);
    // collect listing first (not timed)
    List<Path> dirs = new ArrayList<>(); List<List<String>> names = new ArrayList<>();
    try (var s = Files.walk(root)) { s.filter(Files::isDirectory).forEach(dirs::add); }
    for (Path d : dirs) { List<String> n = new ArrayList<>(); try (var ds = Files.newDirectoryStream(d)) { for (Path p : ds) n.add(p.getFileName().toString()); } names.add(n); }
    long t0 = System.nanoTime(); long sum = 0;
    if (a[0].equals("lstat")) {
      for (int i = 0; i < dirs.size(); i++) { Path d = dirs.get(i); for (String n : names.get(i)) { Object at = GET.invokeExact((Object) d.resolve(n), false); sum += (int) MODE.get(at); } }
    } else {
      for (int i = 0; i < dirs.size(); i++) {
        int fd = (int) OPEN.invokeExact((Object) dirs.get(i), 131072, 0);
        try { for (String n : names.get(i)) { Object at = (Object) NEWATTRS.invokeExact(); FSTATAT.invokeExact(fd, n.getBytes(StandardCharsets.UTF_8), 256, at); sum += (int) MODE.get(at); } }
        finally { CLOSE.invokeExact(fd); }
      }
    }
    long t1 = System.nanoTime();
    System.out.printf("%s: %d dirs, sum %d, %.1f ms%n", a[0], dirs.size(), sum, (t1 - t0) / 1e6);
  }
}
