package jsync.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jsync.core.testing.TestTimeouts;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code jsync server}'s stdout is the protocol channel: the JVM's own messages must not reach it. By
 * default the JVM prints its unified-logging warnings (a heap size it had to adjust, a CDS archive it could
 * not map) on stdout, ahead of the protocol's magic bytes, and the client then took the server for a login
 * shell's banner ("the remote side is not a jsync server"). The launcher sends them to stderr for the server,
 * whatever {@code JSYNC_JAVA_OPTS} the remote user set.
 */
class ServerOutputIT {
  @TempDir Path tmp;

  @ParameterizedTest(name = "JSYNC_JIT={0}")
  @ValueSource(strings = {"", "bulk"})
  void theJvmsWarnings_goToStderr_andStdoutStartsWithTheProtocol(String jit) throws Exception {
    Path launcher = JsyncProcesses.launcher();
    ProcessBuilder pb = new ProcessBuilder(List.of(launcher.toString(), "server"));
    pb.environment().put("HOME", tmp.toString());
    pb.environment().put("JSYNC_HOME", tmp.resolve("jsync-home").toString());
    // -Xmn larger than the launcher's initial heap: the JVM warns ("NewSize was set larger than initial heap
    // size") through unified logging, whose default output is stdout.
    pb.environment().put("JSYNC_JAVA_OPTS", "-Xmn128m");
    pb.environment().put("JSYNC_JIT", jit);
    pb.redirectInput(ProcessBuilder.Redirect.from(Files.createFile(tmp.resolve("empty-stdin")).toFile()));
    pb.redirectOutput(tmp.resolve("out").toFile());
    pb.redirectError(tmp.resolve("err").toFile());
    Process p = pb.start();
    try {
      assertTrue(p.waitFor(TestTimeouts.seconds(60).toSeconds(), TimeUnit.SECONDS), "the server did not end");
    } finally {
      p.destroyForcibly();
    }
    byte[] out = Files.readAllBytes(tmp.resolve("out"));
    String err = Files.readString(tmp.resolve("err"), StandardCharsets.UTF_8);
    // The option did make the JVM warn (else this test would prove nothing), on stderr.
    assertTrue(err.contains("NewSize"), "stderr:\n" + err);
    byte[] magic = {'J', 'S', 'Y', 'N', 'C', 0};
    assertTrue(out.length >= magic.length, "stdout: " + new String(out, StandardCharsets.UTF_8));
    assertArrayEquals(magic, Arrays.copyOf(out, magic.length), new String(out, StandardCharsets.UTF_8));
  }
}
