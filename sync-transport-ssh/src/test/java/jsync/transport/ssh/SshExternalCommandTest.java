package jsync.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import jsync.core.profile.RootSpec;
import jsync.core.testing.TestTimeouts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The external-command mode ({@code sshcmd}) with a stand-in for ssh: a script that records its arguments
 * and runs the last one, the remote command line, with {@code sh -c}, as sshd does with the login shell. So
 * the quoting is checked against a real POSIX shell here without an SSH server (the OpenSSH tests do the
 * same through real ssh and sshd).
 */
class SshExternalCommandTest {
  @TempDir
  Path tmp;
  Path fakeSsh;
  final SshConnector connector = new SshConnector();
  static final RootSpec.Ssh ROOT = new RootSpec.Ssh(Optional.of("alice"), "web1", 2222, "/srv", true,
      "ssh://alice@web1:2222//srv");

  @BeforeEach
  void writeFakeSsh() throws IOException {
    fakeSsh = tmp.resolve("fake-ssh");
    Files.writeString(fakeSsh, "#!/bin/sh\n"
        + "printf '%s\\0' \"$@\" > \"$(dirname \"$0\")/args\"\n"
        + "for a; do last=$a; done\n"
        + "exec sh -c \"$last\"\n");
    Files.setPosixFilePermissions(fakeSsh, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  SshOptions options() {
    return SshOptions.defaults().withSshcmd(fakeSsh.toString())
        .withSshargs(List.of("-o", "UserKnownHostsFile=/tmp/kh", "-i", "/tmp/key"))
        .withCloseTimeout(TestTimeouts.seconds(5));
  }

  List<String> recordedArgs() throws IOException {
    String s = Files.readString(tmp.resolve("args"));
    return Arrays.asList(s.substring(0, s.length() - 1).split("\0", -1));
  }

  @Test
  void argv_isSshargsThenFixedOptionsThenHostAndQuotedCommand() throws IOException {
    try (RemotePipe pipe = connector.open(ROOT, List.of("true"), options())) {
      assertEquals(-1, pipe.in().read());
      assertEquals(OptionalInt.of(0), pipe.exitStatus());
    }
    assertEquals(List.of("-o", "UserKnownHostsFile=/tmp/kh", "-i", "/tmp/key", "-e", "none", "-o",
        "BatchMode=yes", "-p", "2222", "-l", "alice", "--", "web1", "true"), recordedArgs());
  }

  @Test
  void hostileWords_reachARealShellVerbatim() throws IOException {
    List<String> hostile = List.of("'; rm -rf / #", "$(id)", "`id`", "a b  c", "line1\nline2", "it's",
        "\"dq\"", "back\\slash", "*", "~", "-e", "", "!bang", "$HOME", "semi;colon", "ünï©ødé", "&&", "|");
    List<String> command = new ArrayList<>(List.of("printf", "%s\\0"));
    command.addAll(hostile);
    byte[] out;
    try (RemotePipe pipe = connector.open(ROOT, command, options())) {
      pipe.out().close();
      out = pipe.in().readAllBytes();
    }
    String s = new String(out, StandardCharsets.UTF_8);
    assertEquals(hostile, Arrays.asList(s.substring(0, s.length() - 1).split("\0", -1)));
  }

  @Test
  void roundTrip_andEofReachesTheCommand() throws Exception {
    try (RemotePipe pipe = connector.open(ROOT, List.of("wc", "-c"), options())) {
      pipe.out().write(new byte[100_000]);
      pipe.out().close();
      assertEquals("100000", new String(pipe.in().readAllBytes(), StandardCharsets.UTF_8).strip());
    }
  }

  @Test
  void commandNotFound_status127_surfacesWithStderr() {
    RemotePipe pipe = connector.open(ROOT, List.of("no-such-jsync-xyz", "server"), options());
    TransportException e = assertThrows(TransportException.class, () -> pipe.in().readAllBytes());
    pipe.close();
    assertTrue(e.getMessage().contains("'no-such-jsync-xyz' was not found on alice@web1:2222"), e.getMessage());
    assertTrue(pipe.stderrTail().contains("not found"), pipe.stderrTail());
    assertEquals(OptionalInt.of(127), pipe.exitStatus());
  }

  @Test
  void sshFailure_status255_saysToRunSshByHand() throws IOException {
    Files.writeString(fakeSsh, "#!/bin/sh\necho 'Host key verification failed.' >&2\nexit 255\n");
    RemotePipe pipe = connector.open(ROOT, List.of("jsync", "server"), options());
    TransportException e = assertThrows(TransportException.class, () -> pipe.in().read());
    pipe.close();
    assertTrue(e.getMessage().contains("ssh to alice@web1:2222 failed (exit status 255): Host key verification"
        + " failed."), e.getMessage());
    assertTrue(e.getMessage().contains("Run the same command by hand to see why: " + fakeSsh + " -o"),
        e.getMessage());
  }

  @Test
  void missingSshcmd_saysWhatToInstall() {
    SshOptions opts = options().withSshcmd(tmp.resolve("no-ssh-here").toString());
    TransportException e = assertThrows(TransportException.class,
        () -> connector.open(ROOT, List.of("true"), opts));
    assertTrue(e.getMessage().contains("cannot run sshcmd") && e.getMessage().contains("openssh-client"),
        e.getMessage());
  }

  @Test
  void commandThatNeverReads_blockedWriterIsReleasedByClose() throws Exception {
    RemotePipe pipe = connector.open(ROOT, List.of("sleep", "60"),
        options().withCloseTimeout(java.time.Duration.ofSeconds(1)));
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      try {
        for (int i = 0; i < 1024; i++) {
          pipe.out().write(new byte[64 * 1024]);
        }
        pipe.out().flush();
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    Thread.sleep(300);
    assertTimeoutPreemptively(TestTimeouts.seconds(10), pipe::close);
    assertThrows(ExecutionException.class, () -> writer.get(TestTimeouts.seconds(10).toSeconds(), TimeUnit.SECONDS));
    assertTrue(pipe.exitStatus().isPresent(), "ssh was ended");
  }
}
