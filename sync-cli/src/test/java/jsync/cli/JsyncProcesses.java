package jsync.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The checkout's launcher {@code bin/jsync} run as child processes of an integration test, in the test's
 * temporary directory: that directory is their working directory and HOME, {@code jsync-home} below it their
 * JSYNC_HOME, and {@code process-output/N.out} and {@code N.err} hold what the N-th child printed. Registered
 * with {@code @RegisterExtension}, it ends after each test the children still running, and only those it
 * started, by their {@link Process} handles: never by name, which could hit a jsync the machine runs for
 * something else.
 */
final class JsyncProcesses implements AfterEachCallback {
  private static final double TIMEOUT_FACTOR =
      Double.parseDouble(System.getProperty("jsync.test.timeoutFactor", "1"));

  private final Supplier<Path> dir;
  private final List<Process> started = new ArrayList<>();

  /**
   * {@code dir} gives the test's {@code @TempDir}: a supplier, because JUnit injects that directory after
   * the extension field is initialized.
   */
  JsyncProcesses(Supplier<Path> dir) {
    this.dir = dir;
  }

  /**
   * {@code base} seconds scaled by {@code jsync.test.timeoutFactor}, rounded and at least 1 (unlike
   * {@link jsync.core.testing.TestTimeouts}, which truncates: these tests have always rounded).
   */
  static long timeoutSeconds(long base) {
    return Math.max(1, Math.round(base * TIMEOUT_FACTOR));
  }

  /** The checkout holding {@code bin/jsync}, above the working directory; null if there is none. */
  static Path repoRoot() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("bin/jsync")) && Files.isDirectory(p.resolve("sync-cli"))) {
        return p;
      }
    }
    return null;
  }

  /** The checkout's launcher, asserting the jars it runs were built. */
  static Path launcher() {
    Path repo = repoRoot();
    assumeTrue(repo != null, "bin/jsync not found above " + System.getProperty("user.dir"));
    // Runs as an integration test (failsafe, after 'package'), so the jars must be there: a skip here
    // would hide a regression in CI.
    assertTrue(Files.isDirectory(repo.resolve("sync-cli/target/jsync/lib")),
        "launcher tests need 'mvn package' first: sync-cli/target/jsync/lib is missing");
    return repo.resolve("bin/jsync");
  }

  /** The children's JSYNC_HOME, made if need be; in-process runs of the same test may share it. */
  Path home() throws IOException {
    return Files.createDirectories(dir.get().resolve("jsync-home"));
  }

  /** Starts {@code bin/jsync args}. */
  Process start(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(launcher().toString());
    command.addAll(List.of(args));
    return start(command, Map.of());
  }

  /**
   * Starts {@code command} (the launcher with its arguments, perhaps behind a wrapper such as setpriv) with
   * {@code env} set on top of HOME and JSYNC_HOME; a null value there removes the variable.
   */
  Process start(List<String> command, Map<String, String> env) throws IOException {
    Path tmp = dir.get();
    ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile());
    pb.environment().put("HOME", tmp.toString());
    pb.environment().put("JSYNC_HOME", home().toString());
    env.forEach((k, v) -> {
      if (v == null) {
        pb.environment().remove(k);
      } else {
        pb.environment().put(k, v);
      }
    });
    Path logs = Files.createDirectories(tmp.resolve("process-output"));
    int n = started.size();
    pb.redirectOutput(logs.resolve(n + ".out").toFile());
    pb.redirectError(logs.resolve(n + ".err").toFile());
    Process p = pb.start();
    started.add(p);
    return p;
  }

  /** What {@code p}, started here, has written to stdout so far. */
  String out(Process p) throws IOException {
    return output(p, ".out");
  }

  /** What {@code p}, started here, has written to stderr so far. */
  String err(Process p) throws IOException {
    return output(p, ".err");
  }

  private String output(Process p, String suffix) throws IOException {
    return Files.readString(dir.get().resolve("process-output").resolve(started.indexOf(p) + suffix));
  }

  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    // Only the processes this test started, by their handles.
    for (Process p : started) {
      if (p.isAlive()) {
        p.destroyForcibly();
        p.waitFor(timeoutSeconds(10), TimeUnit.SECONDS);
      }
    }
  }
}
