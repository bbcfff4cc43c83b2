package jsync.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import jsync.core.profile.RootSpec;
import jsync.core.testing.TestTimeouts;
import jsync.transport.ssh.testing.ExecHandler;
import jsync.transport.ssh.testing.TestSshHome;
import jsync.transport.ssh.testing.TestSshServer;
import jsync.transport.ssh.testing.TestSshServer.HostKeyType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in client against the embedded server: pipe behaviour, host keys, config, keys, errors. */
class SshConnectorTest {
  /** Copies stdin to stdout. */
  static final ExecHandler ECHO = (in, out, err, argv) -> {
    in.transferTo(out);
    return 0;
  };

  static TestSshServer server;
  @TempDir
  Path tmp;
  TestSshHome home;
  final SshConnector connector = new SshConnector();

  @BeforeAll
  static void startServer() throws IOException {
    server = TestSshServer.start(ECHO, HostKeyType.ED25519, HostKeyType.RSA);
  }

  @AfterAll
  static void stopServer() throws IOException {
    server.close();
  }

  @BeforeEach
  void setUp() throws IOException {
    server.handler(ECHO);
    home = TestSshHome.create(tmp.resolve("home"));
    server.authorize(home.userKey().getPublic());
    home.trust(server.host(), server.port(), server.hostKey(HostKeyType.ED25519));
  }

  RootSpec.Ssh root() {
    return root(server.host(), server.port());
  }

  static RootSpec.Ssh root(String host, int port) {
    return new RootSpec.Ssh(Optional.of("alice"), host, port, "/srv", true, "ssh://alice@" + host + "//srv");
  }

  RemotePipe open(List<String> command) {
    return connector.open(root(), command, home.options());
  }

  static byte[] readAll(InputStream in) throws IOException {
    return in.readAllBytes();
  }

  @Test
  void roundTrip_bytesComeBackUnchanged() throws Exception {
    byte[] data = new byte[3 * 1024 * 1024 + 17];
    new Random(1).nextBytes(data);
    RemotePipe pipe = open(List.of("cat"));
    try {
      CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
        try {
          return readAll(pipe.in());
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      });
      pipe.out().write(data);
      pipe.out().close();
      assertArrayEquals(data, read.get(TestTimeouts.seconds(30).toSeconds(), TimeUnit.SECONDS));
    } finally {
      pipe.close();
    }
    assertEquals(OptionalInt.of(0), pipe.exitStatus());
    assertEquals(List.of("alice"), server.users().subList(server.users().size() - 1, server.users().size()));
  }

  @Test
  void defaultCipher_isAes128Gcm() throws IOException {
    roundTripSmall();
    List<String> ciphers = server.ciphers();
    assertEquals("aes128-gcm@openssh.com", ciphers.get(ciphers.size() - 1));
  }

  @Test
  void defaultKeyExchange_isMlKemHybrid_andKexAlgorithmsChoosesAnother() throws IOException {
    roundTripSmall();
    List<String> kex = server.keyExchanges();
    assertEquals("mlkem768x25519-sha256", kex.get(kex.size() - 1));

    SshOptions chosen = home.options().withSshargs(List.of("-o", "KexAlgorithms=curve25519-sha256"));
    server.handler((in, out, err, argv) -> 0);
    try (RemotePipe pipe = connector.open(root(), List.of("true"), chosen)) {
      assertEquals(-1, pipe.in().read());
    }
    kex = server.keyExchanges();
    assertEquals("curve25519-sha256", kex.get(kex.size() - 1));
  }

  /**
   * sntrup761x25519 (OpenSSH 9's default) with its key pair generated ahead, as a run does when the server
   * agreed on it last time: the first connection takes that pair, the next one makes its own, and both
   * agree with the server and move data. Nothing is generated ahead for another exchange or for the
   * external client.
   */
  @Test
  void sntrup761_withTheKeyPairGeneratedAhead_andWithout() throws Exception {
    SshOptions sntrup = home.options().withSshargs(List.of("-o", "KexAlgorithms=sntrup761x25519-sha512"));
    assertTrue(SshConnector.prepareKeyExchange(sntrup, "mlkem768x25519-sha256").isDone());
    assertTrue(SshConnector.prepareKeyExchange(sntrup.withSshcmd("ssh"), "sntrup761x25519-sha512").isDone());
    assertFalse(Sntrup761KeyAhead.pending());

    SshConnector.prepareKeyExchange(sntrup, "sntrup761x25519-sha512").get(20, TimeUnit.SECONDS);
    assertTrue(Sntrup761KeyAhead.pending());
    for (int i = 0; i < 2; i++) {
      byte[] data = new byte[100_000];
      new Random(i).nextBytes(data);
      try (RemotePipe pipe = connector.open(root(), List.of("echo"), sntrup)) {
        assertFalse(Sntrup761KeyAhead.pending(), "the first key exchange took the pair");
        assertEquals(Optional.of("sntrup761x25519-sha512"), pipe.keyExchange());
        CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> {
          try {
            return pipe.in().readAllBytes();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
        pipe.out().write(data);
        pipe.out().close();
        assertArrayEquals(data, back.get(20, TimeUnit.SECONDS));
      }
      List<String> kex = server.keyExchanges();
      assertEquals("sntrup761x25519-sha512", kex.get(kex.size() - 1));
    }
  }

  @Test
  void exitStatus_nonZeroIsThrownAtEndOfOutput() {
    server.handler((in, out, err, argv) -> {
      out.write("partial".getBytes(StandardCharsets.UTF_8));
      return 3;
    });
    RemotePipe pipe = open(List.of("fail"));
    byte[] got = new byte[7];
    assertTimeoutPreemptively(TestTimeouts.seconds(20), () -> {
      assertEquals(7, pipe.in().readNBytes(got, 0, 7));
      TransportException e = assertThrows(TransportException.class, () -> pipe.in().read());
      assertTrue(e.getMessage().contains("exited with status 3"), e.getMessage());
      pipe.close();
    });
    assertEquals("partial", new String(got, StandardCharsets.UTF_8));
    assertEquals(OptionalInt.of(3), pipe.exitStatus());
  }

  @Test
  void exitStatus_zeroGivesPlainEndOfStream() throws IOException {
    server.handler((in, out, err, argv) -> 0);
    try (RemotePipe pipe = open(List.of("true"))) {
      assertEquals(-1, pipe.in().read());
      assertEquals(OptionalInt.of(0), pipe.exitStatus());
    }
  }

  @Test
  void commandNotFound_status127_namesTheCommandAndStderr() {
    server.handler((in, out, err, argv) -> {
      err.write(("sh: 1: " + argv.get(0) + ": not found\n").getBytes(StandardCharsets.UTF_8));
      return 127;
    });
    try (RemotePipe pipe = open(List.of("/opt/jsync/bin/jsync", "server"))) {
      TransportException e = assertThrows(TransportException.class, () -> pipe.in().read());
      assertTrue(e.getMessage().contains("'/opt/jsync/bin/jsync' was not found"), e.getMessage());
      assertTrue(e.getMessage().contains("not found"), e.getMessage());
      assertTrue(e.getMessage().contains("servercmd"), e.getMessage());
      assertTrue(pipe.stderrTail().endsWith("/opt/jsync/bin/jsync: not found"), pipe.stderrTail());
    }
  }

  @Test
  void handlerSeesEofWhenClientClosesOut() throws Exception {
    server.handler((in, out, err, argv) -> {
      long n = in.transferTo(OutputStream.nullOutputStream());
      out.write(("read " + n + " then EOF").getBytes(StandardCharsets.UTF_8));
      return 0;
    });
    try (RemotePipe pipe = open(List.of("count"))) {
      pipe.out().write(new byte[12345]);
      pipe.out().close();
      String reply = assertTimeoutPreemptively(TestTimeouts.seconds(20),
          () -> new String(readAll(pipe.in()), StandardCharsets.UTF_8));
      assertEquals("read 12345 then EOF", reply);
    }
  }

  @Test
  void stderrTail_keepsTheEndOfALongStderr() {
    server.handler((in, out, err, argv) -> {
      byte[] junk = "x".repeat(1000).getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < 40; i++) {
        err.write(junk);
      }
      err.write("\nthe last line\n".getBytes(StandardCharsets.UTF_8));
      return 1;
    });
    RemotePipe pipe = open(List.of("noisy"));
    TransportException e = assertThrows(TransportException.class, () -> pipe.in().readAllBytes());
    pipe.close();
    String tail = pipe.stderrTail();
    assertTrue(tail.endsWith("the last line"), tail);
    assertTrue(tail.length() <= StderrTail.CAPACITY + 3, "tail length " + tail.length());
    assertTrue(e.getMessage().contains("the last line"), e.getMessage());
    assertTrue(e.getMessage().length() < 2500, "message length " + e.getMessage().length());
  }

  @Test
  void hostileWords_areDeliveredVerbatimAsArgv() throws Exception {
    List<String> hostile = List.of("jsync", "server", "'; rm -rf / #", "$(id)", "`id`", "a b  c", "line1\nline2",
        "it's", "\"dq\"", "back\\slash", "*", "~", "-e", "", "!bang", "$HOME", "semi;colon", "ünï©ødé");
    CompletableFuture<List<String>> seen = new CompletableFuture<>();
    server.handler((in, out, err, argv) -> {
      seen.complete(argv);
      return 0;
    });
    try (RemotePipe pipe = open(hostile)) {
      assertEquals(-1, pipe.in().read());
    }
    assertEquals(hostile, seen.get(10, TimeUnit.SECONDS));
  }

  @Test
  void manySequentialConnections_leakNoThreads() throws Exception {
    roundTripSmall(); // warm up: class loading, the JVM's own lazily started threads
    Thread.sleep(200);
    int before = Thread.activeCount();
    for (int i = 0; i < 25; i++) {
      roundTripSmall();
    }
    long deadline = System.nanoTime() + TestTimeouts.seconds(10).toNanos();
    int after = Thread.activeCount();
    while (after > before + 2 && System.nanoTime() < deadline) {
      Thread.sleep(50); // client I/O threads end shortly after stop()
      after = Thread.activeCount();
    }
    assertTrue(after <= before + 2, "threads before " + before + ", after 25 connections " + after + ": "
        + Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().toList());
  }

  private void roundTripSmall() throws IOException {
    try (RemotePipe pipe = open(List.of("cat"))) {
      pipe.out().write("ping".getBytes(StandardCharsets.UTF_8));
      pipe.out().close();
      assertEquals("ping", new String(readAll(pipe.in()), StandardCharsets.UTF_8));
    }
  }

  @Test
  void handlerThatNeverReads_blockedWriterIsReleasedByClose() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    server.handler((in, out, err, argv) -> {
      started.countDown();
      Thread.sleep(TestTimeouts.seconds(60).toMillis()); // interrupted when the client goes away
      return 0;
    });
    SshOptions opts = home.options().withCloseTimeout(Duration.ofSeconds(1));
    RemotePipe pipe = connector.open(root(), List.of("sleep"), opts);
    assertTrue(started.await(10, TimeUnit.SECONDS));
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      byte[] chunk = new byte[64 * 1024];
      try {
        for (int i = 0; i < 1024; i++) { // 64 MiB: far more than any window
          pipe.out().write(chunk);
        }
        pipe.out().flush();
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    Thread.sleep(500);
    assertFalse(writer.isDone(), "the writer should be blocked by the full window");
    assertTimeoutPreemptively(TestTimeouts.seconds(10), pipe::close);
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> writer.get(TestTimeouts.seconds(10).toSeconds(), TimeUnit.SECONDS));
    assertTrue(e.getCause().getCause() instanceof IOException, String.valueOf(e.getCause()));
    assertEquals(OptionalInt.empty(), pipe.exitStatus());
  }

  // ---- host keys

  @Test
  void unknownHostKey_failsWithFingerprintAndFix() throws IOException {
    Files.delete(home.sshDir().resolve("known_hosts"));
    TransportException e = assertThrows(TransportException.class, () -> open(List.of("cat")));
    String m = e.getMessage();
    assertTrue(m.contains("[127.0.0.1]:" + server.port() + " is not known"), m);
    assertTrue(m.contains("SHA256:"), m);
    assertTrue(m.contains("ssh-keyscan -p " + server.port() + " 127.0.0.1 >> "), m);
    assertTrue(m.contains("ssh -p " + server.port() + " alice@127.0.0.1"), m);
  }

  @Test
  void changedHostKey_failsNamingTheLineAndTheRisk() throws IOException {
    Files.writeString(home.sshDir().resolve("known_hosts"), "# my hosts\n");
    home.trust("other.example", 22, TestSshHome.generate("ssh-ed25519", 256).getPublic());
    home.trust(server.host(), server.port(), TestSshHome.generate("ssh-ed25519", 256).getPublic());
    TransportException e = assertThrows(TransportException.class, () -> open(List.of("cat")));
    String m = e.getMessage();
    assertTrue(m.contains("has CHANGED"), m);
    assertTrue(m.contains("known_hosts line 3"), m);
    assertTrue(m.contains("man-in-the-middle"), m);
    assertTrue(m.contains("ssh-keygen -R '[127.0.0.1]:" + server.port() + "'"), m);
  }

  @Test
  void hashedKnownHostsEntry_isAccepted() throws Exception {
    Files.delete(home.sshDir().resolve("known_hosts"));
    home.trustHashed(server.host(), server.port(), server.hostKey(HostKeyType.ED25519));
    roundTripSmall();
  }

  @Test
  void hostKnownOnlyByItsRsaKey_isAccepted() throws Exception {
    // The server offers ed25519 and RSA; OpenSSH would ask for the RSA key it knows, and so must we.
    Files.delete(home.sshDir().resolve("known_hosts"));
    home.trust(server.host(), server.port(), server.hostKey(HostKeyType.RSA));
    roundTripSmall();
  }

  @Test
  void acceptNew_recordsAnUnknownKeyButStillRefusesAChangedOne() throws Exception {
    Files.delete(home.sshDir().resolve("known_hosts"));
    SshOptions opts = home.options().withSshargs(List.of("-o", "StrictHostKeyChecking=accept-new"));
    try (RemotePipe pipe = connector.open(root(), List.of("true"), opts)) {
      pipe.out().close();
      assertEquals(-1, pipe.in().read());
    }
    String known = Files.readString(home.sshDir().resolve("known_hosts"));
    assertTrue(known.contains("[127.0.0.1]:" + server.port()), known);

    Files.delete(home.sshDir().resolve("known_hosts"));
    home.trust(server.host(), server.port(), TestSshHome.generate("ssh-ed25519", 256).getPublic());
    TransportException e = assertThrows(TransportException.class,
        () -> connector.open(root(), List.of("true"), opts));
    assertTrue(e.getMessage().contains("has CHANGED"), e.getMessage());
  }

  @Test
  void strictHostKeyCheckingNo_isRefusedInSshargs() {
    SshOptions opts = home.options().withSshargs(List.of("-o", "StrictHostKeyChecking=no"));
    TransportException e = assertThrows(TransportException.class,
        () -> connector.open(root(), List.of("true"), opts));
    assertTrue(e.getMessage().contains("never accepts an unknown or changed host key"), e.getMessage());
  }

  @Test
  void strictHostKeyCheckingNoInConfig_staysStrict() throws IOException {
    home.config("Host *\n  StrictHostKeyChecking no\n");
    Files.delete(home.sshDir().resolve("known_hosts"));
    TransportException e = assertThrows(TransportException.class, () -> open(List.of("true")));
    assertTrue(e.getMessage().contains("is not known"), e.getMessage());
  }

  // ---- config, keys, sshargs

  @Test
  void configAlias_hostNamePortUserIdentityFile() throws Exception {
    KeyPair other = TestSshHome.generate("ssh-ed25519", 256);
    home.writeKey("deploy_key", other, null);
    Files.delete(home.sshDir().resolve("id_ed25519")); // only the IdentityFile can log in
    server.authorize(other.getPublic());
    home.config("Host web1\n  HostName 127.0.0.1\n  Port " + server.port() + "\n  User deploy\n"
        + "  IdentityFile ~/.ssh/deploy_key\n");
    RootSpec.Ssh alias = new RootSpec.Ssh(Optional.empty(), "web1", RootSpec.Ssh.DEFAULT_PORT, "/srv", true,
        "ssh://web1//srv");
    try (RemotePipe pipe = connector.open(alias, List.of("cat"), home.options())) {
      pipe.out().write(1);
      pipe.out().close();
      assertEquals(1, readAll(pipe.in()).length);
    }
    assertEquals("deploy", server.users().get(server.users().size() - 1));
  }

  @Test
  void configInclude_isFollowed() throws Exception {
    Files.createDirectories(home.sshDir().resolve("config.d"));
    Files.writeString(home.sshDir().resolve("config.d/web"),
        "Host web2\n  HostName 127.0.0.1\n  Port " + server.port() + "\n");
    home.config("Include config.d/*\n");
    RootSpec.Ssh alias = new RootSpec.Ssh(Optional.empty(), "web2", 0, "", false, "ssh://web2/");
    try (RemotePipe pipe = connector.open(alias, List.of("true"), home.options())) {
      pipe.out().close();
      assertEquals(-1, pipe.in().read());
    }
  }

  @Test
  void configProxyJump_isRefusedWithAdvice() throws IOException {
    home.config("Host 127.0.0.1\n  ProxyJump bastion\n");
    TransportException e = assertThrows(TransportException.class, () -> open(List.of("true")));
    assertTrue(e.getMessage().contains("ProxyJump") && e.getMessage().contains("sshcmd = ssh"), e.getMessage());
  }

  @Test
  void configMatchBlock_isRefusedWithAdvice() throws IOException {
    home.config("Match host foo\n  User x\n");
    TransportException e = assertThrows(TransportException.class, () -> open(List.of("true")));
    assertTrue(e.getMessage().contains("Match") && e.getMessage().contains("sshcmd = ssh"), e.getMessage());
  }

  @Test
  void sshargsPortAndIdentity_areUsed() throws Exception {
    KeyPair other = TestSshHome.generate("ssh-rsa", 2048);
    Path key = home.writeKey("rsa_key", other, null);
    Files.delete(home.sshDir().resolve("id_ed25519"));
    server.authorize(other.getPublic());
    SshOptions opts = home.options().withSshargs(List.of("-p", Integer.toString(server.port()), "-i",
        key.toString()));
    try (RemotePipe pipe = connector.open(root(server.host(), RootSpec.Ssh.DEFAULT_PORT), List.of("true"),
        opts)) {
      pipe.out().close();
      assertEquals(-1, pipe.in().read());
    }
  }

  @Test
  void unsupportedSshargs_areRefusedWithAdvice() {
    for (List<String> args : List.of(List.of("-A"), List.of("-o", "ProxyCommand=nc %h %p"), List.of("-J", "x"))) {
      SshOptions opts = home.options().withSshargs(args);
      TransportException e = assertThrows(TransportException.class,
          () -> connector.open(root(), List.of("true"), opts));
      assertTrue(e.getMessage().contains("sshcmd = ssh"), e.getMessage());
    }
  }

  @Test
  void encryptedKey_isSkippedAndNamedInTheError() throws IOException {
    home.writeKey("id_ed25519", home.userKey(), "secret");
    TransportException e = assertThrows(TransportException.class, () -> open(List.of("true")));
    assertTrue(e.getMessage().contains("id_ed25519: encrypted with a passphrase"), e.getMessage());
  }

  @Test
  void unauthorizedKey_loginRefusedSaysHowToFix() throws IOException {
    home.writeKey("id_ed25519", TestSshHome.generate("ssh-ed25519", 256), null);
    TransportException e = assertThrows(TransportException.class, () -> open(List.of("true")));
    String m = e.getMessage();
    assertTrue(m.contains("login to alice@127.0.0.1:" + server.port() + " was refused"), m);
    assertTrue(m.contains("ssh-copy-id"), m);
  }

  @Test
  void connectionRefused_saysSo() throws IOException {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    TransportException e = assertThrows(TransportException.class,
        () -> connector.open(root("127.0.0.1", closedPort), List.of("true"), home.options()));
    assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
    assertTrue(e.getMessage().contains("127.0.0.1 port " + closedPort), e.getMessage());
  }

  @Test
  void bytesSentAfterOutputClosedByPeer_doNotHang() throws Exception {
    // The handler exits at once without reading: later writes fail instead of blocking forever.
    server.handler((in, out, err, argv) -> 0);
    RemotePipe pipe = open(List.of("true"));
    assertEquals(-1, pipe.in().read());
    assertTimeoutPreemptively(TestTimeouts.seconds(10), () -> {
      ByteArrayOutputStream ignored = new ByteArrayOutputStream();
      try {
        for (int i = 0; i < 1000; i++) {
          pipe.out().write(new byte[64 * 1024]);
        }
        ignored.write(1);
      } catch (IOException expected) {
        // The channel is closed: the write fails, which is what must happen.
      }
      pipe.close();
    });
  }
}
