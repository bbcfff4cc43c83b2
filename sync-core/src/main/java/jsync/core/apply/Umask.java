package jsync.core.apply;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The process's umask, read once from {@code /proc/self/status} (Linux 4.7+). Java has no call for it; the
 * applier uses it to skip a {@code chmod} per file when creating a file with its mode already gave the
 * right one (the common case: mode 0644, umask 022).
 */
final class Umask {
  private static final int CURRENT = read();

  private Umask() {}

  /** The umask, or -1 if it cannot be known (then every file gets its explicit chmod). */
  static int current() {
    return CURRENT;
  }

  private static int read() {
    try {
      // readAllLines, not readString: see shared/STACK.md on /proc files and JDK 17.
      List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
      for (String l : lines) {
        if (l.startsWith("Umask:")) {
          return Integer.parseInt(l.substring(6).trim(), 8);
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or an old kernel.
    }
    return -1;
  }
}
