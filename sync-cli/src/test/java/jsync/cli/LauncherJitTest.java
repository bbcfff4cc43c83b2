package jsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which JIT the launcher {@code bin/jsync} picks for a run (see its comments and docs/benchmarks.md): the
 * launcher is copied into an installed layout whose {@code JAVA_HOME} holds a {@code java} that only prints
 * the options it was given.
 */
class LauncherJitTest {
  private static final String C1 = "-XX:TieredStopAtLevel=1";
  private static final String FULL = "-XX:+TieredCompilation";
  private static final String BULK = "-XX:CompilerDirectivesFile=";

  @TempDir
  Path dir;

  private Path launcher;
  private Path profiles;

  @BeforeEach
  void install() throws IOException {
    Path repo = JsyncProcesses.repoRoot();
    assumeTrue(repo != null, "bin/jsync not found above " + System.getProperty("user.dir"));
    Path bin = Files.createDirectories(dir.resolve("inst/bin"));
    Files.copy(repo.resolve("bin/jsync"), bin.resolve("jsync"));
    Files.copy(repo.resolve("bin/jsync-jit.json"), bin.resolve("jsync-jit.json"));
    Files.writeString(Files.createDirectories(dir.resolve("inst/lib")).resolve("jsync.classpath"), "marker\n");
    Path java = Files.createDirectories(dir.resolve("jdk/bin")).resolve("java");
    Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    launcher = bin.resolve("jsync");
    profiles = Files.createDirectories(dir.resolve("jsync-home"));
  }

  /** The JVM options the launcher gives for {@code args}, up to the main class. */
  private List<String> jvmOptions(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("sh", launcher.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", dir.resolve("jdk").toString());
    pb.environment().put("HOME", dir.toString());
    pb.environment().put("JSYNC_HOME", profiles.toString());
    pb.environment().remove("JSYNC_JIT");
    pb.environment().remove("JSYNC_JAVA_OPTS");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    List<String> lines = out.lines().toList();
    int main = lines.indexOf("jsync.cli.Main");
    assertTrue(main > 0, out);
    return lines.subList(0, main);
  }

  private String jit(String... args) throws Exception {
    List<String> opts = jvmOptions(args);
    boolean c1 = opts.contains(C1);
    boolean full = opts.contains(FULL);
    boolean bulk = opts.stream().anyMatch(o -> o.startsWith(BULK));
    assertEquals(1, (c1 ? 1 : 0) + (full ? 1 : 0) + (bulk ? 1 : 0), opts.toString());
    return c1 ? "c1" : full ? "full" : "bulk";
  }

  @Test
  void localRoots_c1() throws Exception {
    assertEquals("c1", jit("-batch", "/srv/a", "/srv/b"));
  }

  @Test
  void anSshRootThroughTheBuiltInClient_bulk_butThroughSshcmd_c1() throws Exception {
    assertEquals("bulk", jit("-batch", "/srv/a", "ssh://web2//srv/a"));
    assertEquals("c1", jit("-batch", "/srv/a", "ssh://web2//srv/a", "-sshcmd", "ssh"));
    assertEquals("c1", jit("-batch", "/srv/a", "ssh://web2//srv/a", "-sshcmd=/usr/bin/ssh"));
  }

  @Test
  void aProfile_isLookedInto_withTheFilesItIncludes() throws Exception {
    Files.writeString(profiles.resolve("web.prf"), "root = /srv/www\nroot = ssh://web2//srv/www\n");
    Files.writeString(profiles.resolve("web-ossh.prf"),
        "root = /srv/www\nroot = ssh://web2//srv/www\n  sshcmd = ssh\n");
    Files.writeString(profiles.resolve("common.prf"), "sshcmd = /usr/bin/ssh\n");
    Files.writeString(profiles.resolve("web-inc.prf"), "include common\nroot = /srv/www\nroot = ssh://web2//srv/www\n");
    Files.writeString(profiles.resolve("web-empty.prf"), "root = /srv/www\nroot = ssh://web2//srv/www\nsshcmd =\n");
    assertEquals("bulk", jit("-batch", "web"));
    assertEquals("c1", jit("-batch", "web-ossh"));
    assertEquals("c1", jit("-batch", "web-inc"));
    assertEquals("bulk", jit("-batch", "web-empty")); // an empty sshcmd is the built-in client
  }

  @Test
  void theDaemon_full_andTheServer_c1() throws Exception {
    assertEquals("full", jit("-repeat", "watch", "/srv/a", "ssh://web2//srv/a"));
    assertEquals("c1", jit("server", "--scan-ahead=/srv/a"));
  }
}
