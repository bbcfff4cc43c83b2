package jsync.cli;

import static jsync.core.testing.TreeFixture.describe;
import static jsync.core.testing.TreeFixture.read;
import static jsync.core.testing.TreeFixture.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import jsync.transport.ssh.testing.TestSshServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jsync -batch LOCAL ssh://host//REMOTE} end to end: the CLI in-process, an embedded MINA SSH server
 * on 127.0.0.1 whose exec requests run {@code jsync server} in-process too (with the remote side's own
 * HOME and JSYNC_HOME). The host key is checked against the test home's known_hosts.
 */
class RemoteCliTest {
  static TestSshServer server;
  @TempDir Path tmp;
  EmbeddedRemote remote;
  Path a;
  Path b;

  @BeforeAll
  static void startServer() throws IOException {
    server = TestSshServer.start((in, out, err, argv) -> 127);
  }

  @AfterAll
  static void stopServer() throws IOException {
    server.close();
  }

  @BeforeEach
  void setUp() throws IOException {
    remote = new EmbeddedRemote(tmp, server);
    a = Files.createDirectories(tmp.resolve("a"));
    b = Files.createDirectories(tmp.resolve("b"));
  }

  private record Run(int code, String out, String err) {}

  private Run jsync(String... args) {
    Environment env = remote.localEnvironment();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new JsyncCli(env, new PrintWriter(out, true), new PrintWriter(err, true)).run(args);
    return new Run(code, out.toString(), err.toString());
  }

  private String remoteRoot() {
    return remote.root(b);
  }

  @Test
  void syncsWithARemoteRootOverSsh_bothWays_andDeltasLargeFiles() throws Exception {
    write(a, "www/index.html", "<h1>local</h1>");
    write(b, "uploads/x.jpg", "remote jpeg");
    byte[] big = new byte[2 << 20];
    new Random(5).nextBytes(big);
    Files.write(a.resolve("big.bin"), big);

    Run first = jsync("-batch", a.toString(), remoteRoot());
    assertEquals(0, first.code(), first.out() + first.err());
    assertEquals(describe(a), describe(b));
    assertEquals("remote jpeg", read(a, "uploads/x.jpg"));
    // The whole root is scanned, so the server is told it at once and reads it while the set-up goes on.
    assertEquals(List.of("jsync", "server", "--scan-ahead=" + b), remote.commands.get(0));
    // The remote side kept its own archive under its own JSYNC_HOME.
    assertTrue(Files.isDirectory(remote.remoteHome().resolve(".jsync/archives")));

    Run again = jsync("-batch", a.toString(), remoteRoot());
    assertEquals(0, again.code(), again.out() + again.err());
    assertTrue(again.err().contains("Nothing to do"), again.err());

    big[100] ^= 1;
    Files.write(a.resolve("big.bin"), big);
    write(b, "uploads/y.jpg", "another");
    Run third = jsync("-batch", a.toString(), remoteRoot());
    assertEquals(0, third.code(), third.out() + third.err());
    assertEquals(describe(a), describe(b));
  }

  /**
   * The key exchange each server agreed on is remembered, so that the next run can generate an sntrup761
   * key pair ahead; a stale memo (the server was upgraded since) costs that generation, never the run.
   */
  @Test
  void theKeyExchangeIsRemembered_andAStaleOneCostsNothing() throws Exception {
    write(a, "f", "1");
    Run first = jsync("-batch", a.toString(), remoteRoot());
    assertEquals(0, first.code(), first.out() + first.err());
    Path memo = tmp.resolve("local-jsync/archives/remote-kex.txt");
    assertEquals(remoteRoot() + "\tmlkem768x25519-sha256\n", Files.readString(memo));

    Files.writeString(memo, remoteRoot() + "\tsntrup761x25519-sha512\n");
    write(a, "g", "2");
    Run stale = jsync("-batch", a.toString(), remoteRoot());
    assertEquals(0, stale.code(), stale.out() + stale.err());
    assertEquals(describe(a), describe(b));
    assertEquals(remoteRoot() + "\tmlkem768x25519-sha256\n", Files.readString(memo));

    // A server that agrees on sntrup761: remembered, and the next run's exchange uses a pair made ahead.
    for (String name : List.of("h", "i")) {
      write(a, name, name);
      Run pq = jsync("-batch", "-sshargs", "-o KexAlgorithms=sntrup761x25519-sha512", a.toString(), remoteRoot());
      assertEquals(0, pq.code(), pq.out() + pq.err());
      assertEquals(describe(a), describe(b));
      assertEquals(remoteRoot() + "\tsntrup761x25519-sha512\n", Files.readString(memo));
    }
  }

  @Test
  void laterRuns_scanTheLocalRootWhileConnecting_andAStaleHintCostsNothing() throws Exception {
    write(a, "f", "1");
    Run first = jsync("-batch", "-debug", a.toString(), remoteRoot());
    assertEquals(0, first.code(), first.out() + first.err());
    assertFalse(first.err().contains("while connecting"), "nothing remembered yet: " + first.err());
    Path hints = tmp.resolve("local-jsync/archives/remote-roots.txt");
    assertEquals(remoteRoot() + "\tremote:" + b.toRealPath() + "\n", Files.readString(hints));

    // Local changes on either side of the ssh:// root (it may be the first root or the second).
    write(a, "g", "2");
    write(b, "h", "3");
    Run second = jsync("-batch", "-debug", a.toString(), remoteRoot());
    assertEquals(0, second.code(), second.out() + second.err());
    assertTrue(second.err().contains("scanning " + a + " while connecting"), second.err());
    assertEquals(describe(a), describe(b));
    write(a, "i", "4");
    Run swapped = jsync("-batch", "-debug", remoteRoot(), a.toString());
    assertEquals(0, swapped.code(), swapped.out() + swapped.err());
    assertTrue(swapped.err().contains("while connecting"), swapped.err());
    assertEquals(describe(a), describe(b));

    // A hint naming another root (the remote was moved, renamed...): the run is still right, and the hint
    // is corrected for the next one.
    Files.writeString(hints, remoteRoot() + "\tremote:/somewhere/else\n");
    write(a, "j", "5");
    Files.delete(b.resolve("h"));
    Run stale = jsync("-batch", a.toString(), remoteRoot());
    assertEquals(0, stale.code(), stale.out() + stale.err());
    assertEquals(describe(a), describe(b));
    assertFalse(Files.exists(a.resolve("h")));
    assertEquals(remoteRoot() + "\tremote:" + b.toRealPath() + "\n", Files.readString(hints));

    // An unreadable hint file is no hint at all.
    Files.delete(hints);
    Files.createDirectories(hints);
    Run broken = jsync("-batch", a.toString(), remoteRoot());
    assertEquals(0, broken.code(), broken.out() + broken.err());
  }

  @Test
  void relativeRemotePath_isBelowTheRemoteHome() throws Exception {
    write(a, "f", "x");
    Run r = jsync("-batch", a.toString(), "ssh://" + server.host() + ":" + server.port() + "/www");
    assertEquals(0, r.code(), r.out() + r.err());
    assertEquals("x", read(remote.remoteHome().resolve("www"), "f"));
    // The hint names the root as the client wrote it; the server resolves it as it resolves the root.
    assertEquals(List.of("jsync", "server", "--scan-ahead=www"), remote.commands.get(remote.commands.size() - 1));
  }

  @Test
  void aRunOfSomePaths_sendsNoScanAheadHint() throws Exception {
    write(a, "www/f", "x");
    write(a, "other/g", "y");
    Run some = jsync("-batch", "-path", "www", a.toString(), remoteRoot());
    assertEquals(0, some.code(), some.out() + some.err());
    assertEquals(List.of("jsync", "server"), remote.commands.get(remote.commands.size() - 1));
    assertEquals("x", read(b, "www/f"));
    assertFalse(Files.exists(b.resolve("other")));
  }

  @Test
  void unknownHostKey_isFatal_withTheFixInTheMessage() throws Exception {
    Files.writeString(remote.sshHome().sshDir().resolve("known_hosts"), "");
    write(a, "f", "x");
    Run r = jsync("-batch", a.toString(), remoteRoot());
    assertEquals(3, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("ssh-keyscan"), r.err());
    assertFalse(Files.exists(b.resolve("f")));
  }

  @Test
  void wrongServercmd_isFatal_andSaysWhatTheRemoteSaid() throws Exception {
    write(a, "f", "x");
    Run r = jsync("-batch", "-servercmd", "/opt/nowhere/jsync", a.toString(), remoteRoot());
    assertEquals(3, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("servercmd") || r.err().contains("not found"), r.err());
  }
}
