package jsync.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The codec needs only jackson-core and Smile (databind's set-up was a cost at every start of either side:
 * docs/benchmarks.md). Checked in a JVM whose class path lacks databind, where touching it fails.
 */
class MessageCodecWithoutDatabindTest {
  @Test
  void everySampleRoundTrips_withoutDatabindOnTheClassPath() throws Exception {
    String[] entries = System.getProperty("java.class.path").split(File.pathSeparator);
    String without = Arrays.stream(entries).filter(e -> !e.contains("jackson-databind"))
        .collect(Collectors.joining(File.pathSeparator));
    assertTrue(entries.length > without.split(File.pathSeparator).length, "databind was on the class path");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", without, MessageCodecProbe.class.getName())
        .redirectErrorStream(true).start();
    // Its output is a line or a stack trace, well within a pipe's buffer: wait first, so a hang times out.
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe did not finish");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals("ok " + ProtocolFixtures.samples().size(), out);
  }
}
