package jsync.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jsync.core.profile.RootSpec;
import jsync.core.testing.TestTimeouts;
import jsync.transport.ssh.testing.OpenSshServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both clients against a real OpenSSH sshd on 127.0.0.1, with keys made by ssh-keygen and commands run by
 * the real login shell: what users will meet, beyond what the embedded server can show.
 */
@Tag("openssh")
class OpenSshTest {
  @TempDir
  static Path serverDir;
  static OpenSshServer sshd;
  static Path userKey;
  static Path rsaKey;

  @TempDir
  Path home;
  Path sshDir;
  final SshConnector connector = new SshConnector();

  @BeforeAll
  static void startSshd() throws IOException {
    OpenSshServer.requireSshd();
    userKey = OpenSshServer.keygen(serverDir.resolve("id_ed25519"), "ed25519");
    rsaKey = OpenSshServer.keygen(serverDir.resolve("id_rsa_other"), "rsa");
    sshd = OpenSshServer.start(serverDir.resolve("sshd"), List.of(
        Files.readString(Path.of(userKey + ".pub")).strip(),
        Files.readString(Path.of(rsaKey + ".pub")).strip()));
  }

  @AfterAll
  static void stopSshd() {
    if (sshd != null) {
      sshd.close();
    }
  }

  /** A home whose ~/.ssh has the ed25519 key as id_ed25519 and the server in known_hosts. */
  @BeforeEach
  void setUpHome() throws IOException {
    sshDir = Files.createDirectories(home.resolve(".ssh"));
    Files.copy(userKey, sshDir.resolve("id_ed25519"));
    Files.writeString(sshDir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
  }

  SshOptions options() {
    return SshOptions.defaults().withHome(home).withConnectTimeout(TestTimeouts.seconds(20))
        .withCloseTimeout(TestTimeouts.seconds(10));
  }

  RootSpec.Ssh root() {
    return new RootSpec.Ssh(Optional.of(sshd.user()), sshd.host(), sshd.port(), "/tmp", true, "ssh://test//tmp");
  }

  /** Writes data, closes, reads everything back concurrently. */
  static byte[] pump(RemotePipe pipe, byte[] data) throws Exception {
    CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
      try (InputStream in = pipe.in()) {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    pipe.out().write(data);
    pipe.out().close();
    return read.get(TestTimeouts.seconds(60).toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void cat_roundTripsTenMebibytes() throws Exception {
    byte[] data = new byte[10 * 1024 * 1024];
    new Random(42).nextBytes(data);
    RemotePipe pipe = connector.open(root(), List.of("cat"), options());
    try {
      assertArrayEquals(data, pump(pipe, data));
    } finally {
      pipe.close();
    }
    assertEquals(OptionalInt.of(0), pipe.exitStatus());
  }

  @Test
  void exitStatus_isReported() {
    RemotePipe pipe = connector.open(root(), List.of("sh", "-c", "echo oops >&2; exit 3"), options());
    TransportException e = assertThrows(TransportException.class, () -> pipe.in().read());
    pipe.close();
    assertEquals(OptionalInt.of(3), pipe.exitStatus());
    assertTrue(e.getMessage().contains("exited with status 3: oops"), e.getMessage());
    assertEquals("oops", pipe.stderrTail());
  }

  @Test
  void commandNotFound_status127_andStderrAreSurfaced() {
    RemotePipe pipe = connector.open(root(), List.of("/opt/no-such-jsync/bin/jsync", "server"), options());
    TransportException e = assertThrows(TransportException.class, () -> pipe.in().read());
    pipe.close();
    assertEquals(OptionalInt.of(127), pipe.exitStatus());
    assertTrue(pipe.stderrTail().contains("No such file or directory"), pipe.stderrTail());
    assertTrue(e.getMessage().contains("'/opt/no-such-jsync/bin/jsync' was not found"), e.getMessage());
    assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
  }

  @Test
  void hostileWords_reachTheRemoteProgramVerbatim() throws Exception {
    List<String> hostile = List.of("'; rm -rf / #", "$(id)", "`id`", "a b  c", "line1\nline2", "it's",
        "\"dq\"", "back\\slash", "*", "~", "-e", "", "!bang", "$HOME", "semi;colon", "ünï©ødé", "&&", "|");
    List<String> command = new ArrayList<>(List.of("printf", "%s\\0"));
    command.addAll(hostile);
    try (RemotePipe pipe = connector.open(root(), command, options())) {
      String s = new String(pump(pipe, new byte[0]), StandardCharsets.UTF_8);
      assertEquals(hostile, Arrays.asList(s.substring(0, s.length() - 1).split("\0", -1)));
    }
  }

  @Test
  void rsaKeyFromSshKeygen_logsIn() throws Exception {
    // OpenSSH 8.8+ refuses ssh-rsa (SHA-1) signatures: this checks that rsa-sha2 is used.
    Files.delete(sshDir.resolve("id_ed25519"));
    Files.copy(rsaKey, sshDir.resolve("id_rsa"));
    try (RemotePipe pipe = connector.open(root(), List.of("cat"), options())) {
      assertEquals("x", new String(pump(pipe, new byte[] {'x'}), StandardCharsets.UTF_8));
    }
  }

  @Test
  void unknownHostKey_failsWithAFixThatWorks() throws Exception {
    Files.delete(sshDir.resolve("known_hosts"));
    TransportException e = assertThrows(TransportException.class,
        () -> connector.open(root(), List.of("true"), options()));
    String m = e.getMessage();
    assertTrue(m.contains("[127.0.0.1]:" + sshd.port() + " is not known"), m);
    assertTrue(m.contains("ED25519") || m.contains("ssh-ed25519"), m);
    Matcher fp = Pattern.compile("SHA256:[A-Za-z0-9+/]+").matcher(m);
    assertTrue(fp.find(), m);
    assertTrue(OpenSshServer.run(List.of("ssh-keygen", "-lf", serverDir.resolve("sshd/host_ed25519.pub")
        .toString())).contains(fp.group()), "the fingerprint in the message is the server's");

    // Follow the advice: ssh-keyscan -p PORT 127.0.0.1 >> known_hosts, then it connects.
    Matcher keyscan = Pattern.compile("ssh-keyscan -p (\\d+) (\\S+) >> (\\S+)").matcher(m);
    assertTrue(keyscan.find(), m);
    String scanned = OpenSshServer.run(List.of("ssh-keyscan", "-p", keyscan.group(1),
        keyscan.group(2)));
    Files.writeString(Path.of(keyscan.group(3)), scanned, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    try (RemotePipe pipe = connector.open(root(), List.of("true"), options())) {
      assertEquals(-1, pipe.in().read());
    }
  }

  @Test
  void changedHostKey_isRefusedAsAPossibleAttack() throws IOException {
    Path other = OpenSshServer.keygen(home.resolve("other_host_key"), "ed25519");
    String[] pub = Files.readString(Path.of(other + ".pub")).strip().split(" ");
    Files.writeString(sshDir.resolve("known_hosts"), "[127.0.0.1]:" + sshd.port() + " " + pub[0] + " " + pub[1]
        + "\n");
    TransportException e = assertThrows(TransportException.class,
        () -> connector.open(root(), List.of("true"), options()));
    assertTrue(e.getMessage().contains("has CHANGED"), e.getMessage());
    assertTrue(e.getMessage().contains("known_hosts line 1"), e.getMessage());
    assertTrue(e.getMessage().contains("man-in-the-middle"), e.getMessage());
  }

  @Test
  void configAlias_hostNamePortUserIdentityFile() throws Exception {
    Files.delete(sshDir.resolve("id_ed25519"));
    Files.copy(rsaKey, sshDir.resolve("deploy_key"));
    Files.writeString(sshDir.resolve("config"), "Host web1\n  HostName 127.0.0.1\n  Port " + sshd.port()
        + "\n  User " + sshd.user() + "\n  IdentityFile ~/.ssh/deploy_key\n");
    RootSpec.Ssh alias = new RootSpec.Ssh(Optional.empty(), "web1", RootSpec.Ssh.DEFAULT_PORT, "/srv", true,
        "ssh://web1//srv");
    try (RemotePipe pipe = connector.open(alias, List.of("id", "-un"), options())) {
      assertEquals(sshd.user(), new String(pump(pipe, new byte[0]), StandardCharsets.UTF_8).strip());
    }
  }

  @Test
  void connectionRefused_isAClearError() throws IOException {
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    RootSpec.Ssh nowhere = new RootSpec.Ssh(Optional.empty(), "127.0.0.1", closed, "", false, "ssh://x/");
    TransportException e = assertThrows(TransportException.class,
        () -> connector.open(nowhere, List.of("true"), options()));
    assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
  }

  // ---- the external client: OpenSSH's own ssh, with the same files passed explicitly

  SshOptions externalOptions() {
    return options().withSshcmd("ssh").withSshargs(List.of("-F", "/dev/null", "-o",
        "UserKnownHostsFile=" + sshDir.resolve("known_hosts"), "-o", "GlobalKnownHostsFile=/dev/null",
        "-o", "IdentitiesOnly=yes", "-i", sshDir.resolve("id_ed25519").toString()));
  }

  @Test
  void externalSsh_roundTripsAndReportsExitStatus() throws Exception {
    byte[] data = new byte[2 * 1024 * 1024];
    new Random(7).nextBytes(data);
    RemotePipe pipe = connector.open(root(), List.of("cat"), externalOptions());
    try {
      assertArrayEquals(data, pump(pipe, data));
    } finally {
      pipe.close();
    }
    assertEquals(OptionalInt.of(0), pipe.exitStatus());
    RemotePipe failing = connector.open(root(), List.of("sh", "-c", "exit 3"), externalOptions());
    assertThrows(TransportException.class, () -> failing.in().read());
    failing.close();
    assertEquals(OptionalInt.of(3), failing.exitStatus());
  }

  @Test
  void externalSsh_unknownHostKey_failsInBatchMode() throws IOException {
    Files.writeString(sshDir.resolve("known_hosts"), "");
    RemotePipe pipe = connector.open(root(), List.of("true"), externalOptions());
    TransportException e = assertThrows(TransportException.class, () -> pipe.in().read());
    pipe.close();
    assertEquals(OptionalInt.of(255), pipe.exitStatus());
    assertTrue(e.getMessage().contains("Host key verification failed"), e.getMessage());
    assertTrue(e.getMessage().contains("Run the same command by hand"), e.getMessage());
  }
}
