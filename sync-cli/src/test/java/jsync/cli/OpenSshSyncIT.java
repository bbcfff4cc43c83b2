package jsync.cli;

import static jsync.core.testing.TreeFixture.describe;
import static jsync.core.testing.TreeFixture.read;
import static jsync.core.testing.TreeFixture.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jsync.core.apply.Applier;
import jsync.core.testing.TestTimeouts;
import jsync.transport.ssh.testing.OpenSshServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing: {@code bin/jsync} on both ends, a real OpenSSH {@code sshd} on 127.0.0.1 started by the
 * test with its own config, host key and authorized key, and {@code servercmd} pointing at the same
 * launcher. The remote side's {@code JSYNC_HOME} comes from sshd's {@code SetEnv}. In CI sshd is installed
 * (.ci/run), so these always run there; without sshd they fail unless {@code -Djsync.test.openssh=skip}.
 */
@Tag("openssh")
class OpenSshSyncIT {
  @TempDir Path tmp;
  OpenSshServer sshd;
  Path home;
  Path a;
  Path b;
  Path launcher;
  final List<Process> started = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    launcher = JsyncProcesses.launcher();
    home = Files.createDirectories(tmp.resolve("home"));
    Path ssh = Files.createDirectories(home.resolve(".ssh"));
    Path key = OpenSshServer.keygen(ssh.resolve("id_ed25519"), "ed25519");
    sshd = OpenSshServer.start(tmp.resolve("sshd"), List.of(Files.readString(Path.of(key + ".pub")).strip()),
        List.of("SetEnv JSYNC_HOME=" + tmp.resolve("remote-jsync") + " JSYNC_HOSTNAME=remote"));
    Files.writeString(ssh.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
    a = Files.createDirectories(tmp.resolve("a"));
    b = Files.createDirectories(tmp.resolve("b"));
  }

  @AfterEach
  void tearDown() {
    started.forEach(Process::destroyForcibly);
    if (sshd != null) {
      sshd.close();
    }
  }

  private String remote() {
    return "ssh://" + sshd.user() + "@127.0.0.1:" + sshd.port() + "/" + b;
  }

  private record Result(int code, String out, String err) {
    String all() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private Process start(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "-servercmd", launcher.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
    pb.environment().put("HOME", home.toString());
    pb.environment().put("JSYNC_HOME", tmp.resolve("local-jsync").toString());
    pb.environment().put("JSYNC_HOSTNAME", "local");
    pb.redirectOutput(tmp.resolve("out-" + started.size()).toFile());
    pb.redirectError(tmp.resolve("err-" + started.size()).toFile());
    Process p = pb.start();
    started.add(p);
    return p;
  }

  private Result finish(Process p) throws IOException, InterruptedException {
    int n = started.indexOf(p);
    if (!p.waitFor(TestTimeouts.seconds(180).toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("jsync did not finish; sshd log:\n" + sshd.log());
    }
    return new Result(p.exitValue(), Files.readString(tmp.resolve("out-" + n)),
        Files.readString(tmp.resolve("err-" + n)));
  }

  private Result jsync(String... args) throws IOException, InterruptedException {
    return finish(start(args));
  }

  @Test
  void syncsThroughARealSshd_withTheBuiltInClientAndWithOpenSsh() throws Exception {
    write(a, "www/index.html", "<h1>hi</h1>");
    write(b, "uploads/photo.jpg", "jpeg");
    Result r = jsync("-batch", a.toString(), remote());
    assertEquals(0, r.code(), r.all());
    assertEquals(describe(a), describe(b));
    assertTrue(Files.isDirectory(tmp.resolve("remote-jsync/archives")), "the server's own JSYNC_HOME");

    write(b, "uploads/second.jpg", "more");
    Path known = home.resolve(".ssh/known_hosts");
    Result viaSsh = jsync("-batch", "-sshcmd", "ssh", "-sshargs",
        "-i " + home.resolve(".ssh/id_ed25519") + " -o UserKnownHostsFile=" + known, a.toString(), remote());
    assertEquals(0, viaSsh.code(), viaSsh.all());
    assertEquals("more", read(a, "uploads/second.jpg"));

    Result nothing = jsync("-batch", a.toString(), remote());
    assertEquals(0, nothing.code(), nothing.all());
    assertTrue(nothing.err().contains("Nothing to do"), nothing.all());
  }

  @Test
  void connectionKilledMidTransfer_leavesTheGoodFileInPlace_andTheNextRunResumes() throws Exception {
    Random rnd = new Random(1);
    byte[] v1 = new byte[120 << 20];
    rnd.nextBytes(v1);
    Files.write(a.resolve("big.bin"), v1);
    Result first = jsync("-batch", a.toString(), remote());
    assertEquals(0, first.code(), first.all());
    // A new version sharing nothing with the old one: the delta is the whole file, long enough to cut.
    byte[] v2 = new byte[v1.length];
    rnd.nextBytes(v2);
    Files.write(a.resolve("big.bin"), v2);

    Process p = start("-batch", a.toString(), remote());
    long deadline = System.nanoTime() + TestTimeouts.seconds(60).toNanos();
    while (partSize() < (8 << 20) && p.isAlive()) {
      if (System.nanoTime() > deadline) {
        fail("the transfer never started: " + finish(p).all());
      }
      Thread.sleep(10);
    }
    p.destroyForcibly();
    p.waitFor();
    assertTrue(java.util.Arrays.equals(v1, Files.readAllBytes(b.resolve("big.bin"))),
        "the old, good version is still in place");

    Result rerun = jsync("-batch", a.toString(), remote());
    assertEquals(0, rerun.code(), rerun.all());
    assertTrue(java.util.Arrays.equals(v2, Files.readAllBytes(b.resolve("big.bin"))));
    assertEquals(0, partSize(), "the part was used and removed");
    Result nothing = jsync("-batch", a.toString(), remote());
    assertTrue(nothing.err().contains("Nothing to do"), nothing.all());
  }

  private long partSize() throws IOException {
    try (Stream<Path> s = Files.list(b)) {
      return s.filter(p -> p.getFileName().toString().startsWith(Applier.TEMP_PREFIX)).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    }
  }

  @Test
  void unknownHostKey_isFatal_withTheFix() throws Exception {
    Files.writeString(home.resolve(".ssh/known_hosts"), "");
    write(a, "f", "x");
    Result r = jsync("-batch", a.toString(), remote());
    assertEquals(3, r.code(), r.all());
    assertTrue(r.err().contains("ssh-keyscan"), r.all());
    assertFalse(Files.exists(b.resolve("f")));
  }
}
