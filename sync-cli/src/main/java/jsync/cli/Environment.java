package jsync.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Everything the CLI takes from the process's surroundings, in one place so tests can supply their own:
 * environment variables, working directory, whether a terminal is attached, the clock and standard input.
 *
 * <p>{@code HOME} wins over the JVM's {@code user.home}, which comes from the password database: users and
 * tests set {@code HOME} to move {@code ~/.jsync} (see shared/STACK.md).
 */
public record Environment(Map<String, String> variables, Path cwd, boolean interactive, Clock clock,
    InputStream stdin, FileSystem fs) {

  public static Environment system() {
    FileSystem fs = FileSystems.getDefault();
    return new Environment(System.getenv(), fs.getPath("").toAbsolutePath(), System.console() != null,
        SystemClock.instance(), System.in, fs);
  }

  public Path home() {
    String home = variables.get("HOME");
    return fs.getPath(home != null && !home.isEmpty() ? home : System.getProperty("user.home"));
  }

  /** {@code $JSYNC_HOME}, or {@code ~/.jsync}. */
  public Path jsyncHome() {
    String v = variables.get("JSYNC_HOME");
    return v != null && !v.isEmpty() ? cwd.resolve(v) : home().resolve(".jsync");
  }

  /**
   * This machine's name for canonical root names. {@code JSYNC_HOSTNAME} overrides it (Unison's
   * {@code UNISONLOCALHOSTNAME}), for machines whose name changes (DHCP) and would otherwise lose their
   * archives. Read from the kernel rather than resolved through DNS, which can hang for seconds.
   */
  public String hostName() {
    String v = variables.get("JSYNC_HOSTNAME");
    if (v != null && !v.isEmpty()) {
      return v;
    }
    Path kernel = fs.getPath("/proc/sys/kernel/hostname");
    try {
      // readAllLines, not readString: on JDK 17 readString returns only the first byte of /proc/sys files.
      List<String> lines = Files.readAllLines(kernel);
      if (!lines.isEmpty() && !lines.get(0).isBlank()) {
        return lines.get(0).trim();
      }
    } catch (IOException e) {
      // Not Linux: fall through to the resolver.
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
