package jsync.core.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code jsync server} loads RocksDB's native library while it answers the handshake, not before: the load
 * happens on the loading thread, never on the caller's. Checked in a fresh JVM (in this one other tests have
 * loaded it long ago).
 */
class ArchiveLibraryTest {
  @Test
  void loadAhead_loadsOnItsOwnThread_notOnTheCallers() throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ArchiveLibraryProbe.class.getName())
        .redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe did not finish");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals("jsync-load-archive", out);
  }
}
