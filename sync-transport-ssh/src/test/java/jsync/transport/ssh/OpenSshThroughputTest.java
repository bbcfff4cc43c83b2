package jsync.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import jsync.core.profile.RootSpec;
import jsync.core.testing.TestTimeouts;
import jsync.transport.ssh.testing.OpenSshServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures pipe throughput over loopback to a real sshd, per cipher and client, for docs/ssh.md: the numbers
 * behind the cipher order. Prints, asserts only that the bytes arrived (timings on a shared machine are not
 * a test). Heavy: run with {@code mvn -Pheavy} or {@code -Dsurefire.excludedGroups= -Dtest=OpenSshThroughput*}.
 */
@Tag("openssh")
@Tag("heavy")
class OpenSshThroughputTest {
  static final int MIB = 1024 * 1024;
  static final int TOTAL_MIB = Integer.getInteger("jsync.test.throughputMiB", 256);

  @TempDir
  static Path dir;
  static OpenSshServer sshd;
  static Path home;

  @BeforeAll
  static void start() throws IOException {
    OpenSshServer.requireSshd();
    home = Files.createDirectories(dir.resolve("home"));
    Path ssh = Files.createDirectories(home.resolve(".ssh"));
    Path key = OpenSshServer.keygen(ssh.resolve("id_ed25519"), "ed25519");
    sshd = OpenSshServer.start(dir.resolve("sshd"), List.of(Files.readString(Path.of(key + ".pub")).strip()));
    Files.writeString(ssh.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
  }

  @AfterAll
  static void stop() {
    if (sshd != null) {
      sshd.close();
    }
  }

  @Test
  void measure() throws Exception {
    List<String> report = new ArrayList<>();
    SshOptions base = SshOptions.defaults().withHome(home).withConnectTimeout(TestTimeouts.seconds(20))
        .withCloseTimeout(TestTimeouts.seconds(30));
    row("warm-up (JIT)", base); // not reported: the first run pays for class loading and compilation
    for (String cipher : List.of("", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr",
        "chacha20-poly1305@openssh.com")) {
      SshOptions o = cipher.isEmpty() ? base : base.withSshargs(List.of("-o", "Ciphers=" + cipher));
      report.add(row("built-in " + (cipher.isEmpty() ? "(default order)" : cipher), o));
    }
    List<String> sshArgs = List.of("-F", "/dev/null", "-o", "UserKnownHostsFile=" + home.resolve(".ssh/known_hosts"),
        "-i", home.resolve(".ssh/id_ed25519").toString());
    report.add(row("ssh (OpenSSH default)", base.withSshcmd("ssh").withSshargs(sshArgs)));
    List<String> gcm = new ArrayList<>(sshArgs);
    gcm.addAll(List.of("-c", "aes128-gcm@openssh.com"));
    report.add(row("ssh -c aes128-gcm@openssh.com", base.withSshcmd("ssh").withSshargs(gcm)));
    report.add(latency("built-in", base));
    report.add(latency("ssh", base.withSshcmd("ssh").withSshargs(sshArgs)));
    System.out.println("== throughput over loopback to OpenSSH sshd, " + TOTAL_MIB + " MiB each way");
    report.forEach(System.out::println);
  }

  private String row(String what, SshOptions o) throws Exception {
    RootSpec.Ssh root = new RootSpec.Ssh(Optional.of(sshd.user()), sshd.host(), sshd.port(), "", false, "t");
    byte[] chunk = new byte[MIB];
    new Random(3).nextBytes(chunk);
    long t0 = System.nanoTime();
    try (RemotePipe pipe = new SshConnector().open(root, List.of("sh", "-c", "cat > /dev/null"), o)) {
      for (int i = 0; i < TOTAL_MIB; i++) {
        pipe.out().write(chunk);
      }
      pipe.out().close();
      assertEquals(-1, pipe.in().read());
      assertEquals(OptionalInt.of(0), pipe.exitStatus());
    }
    long up = System.nanoTime() - t0;
    t0 = System.nanoTime();
    long got = 0;
    try (RemotePipe pipe = new SshConnector().open(root,
        List.of("head", "-c", Long.toString((long) TOTAL_MIB * MIB), "/dev/zero"), o)) {
      pipe.out().close();
      InputStream in = pipe.in();
      byte[] buf = new byte[MIB];
      for (int n; (n = in.read(buf)) >= 0; ) {
        got += n;
      }
    }
    long down = System.nanoTime() - t0; // zeros are fine: SSH compression is off, ciphers don't care
    assertEquals((long) TOTAL_MIB * MIB, got);
    return String.format("%-40s upload %6.1f MB/s   download %6.1f MB/s", what, mbps(up), mbps(down));
  }

  /** Connect, log in, run {@code true}, close: the fixed cost of every run (median of 9). */
  private String latency(String what, SshOptions o) throws IOException {
    RootSpec.Ssh root = new RootSpec.Ssh(Optional.of(sshd.user()), sshd.host(), sshd.port(), "", false, "t");
    long[] ms = new long[9];
    for (int i = 0; i < ms.length; i++) {
      long t0 = System.nanoTime();
      try (RemotePipe pipe = new SshConnector().open(root, List.of("true"), o)) {
        pipe.out().close();
        assertEquals(-1, pipe.in().read());
      }
      ms[i] = (System.nanoTime() - t0) / 1_000_000;
    }
    java.util.Arrays.sort(ms);
    return String.format("%-40s open+exit+close %d ms (median of %d, warm JVM)", what, ms[ms.length / 2],
        ms.length);
  }

  private static double mbps(long nanos) {
    return TOTAL_MIB * (double) MIB / 1e6 / (nanos / 1e9);
  }
}
