package jsync.transport.ssh.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jsync.core.testing.TestTimeouts;
import org.junit.jupiter.api.Assumptions;

/**
 * A real OpenSSH {@code sshd} for loopback tests: {@code /usr/sbin/sshd -D -e -f CONFIG} on 127.0.0.1 and a
 * free port, with its own ed25519 host key, an absolute {@code AuthorizedKeysFile}, no PAM and no strict
 * modes (temp directories are not root-owned 0755), root login by key only. Everything lives in one temp
 * directory; {@link #close()} ends the daemon by its PID.
 *
 * <p>Without {@code /usr/sbin/sshd}, {@link #requireSshd()} fails the test: CI installs openssh-server
 * ({@code .ci/run}), and a skip there would hide a regression. Set {@code -Djsync.test.openssh=skip} to skip
 * on a machine without it.
 */
public final class OpenSshServer implements AutoCloseable {
  public static final Path SSHD = Path.of("/usr/sbin/sshd");
  public static final String SKIP_PROPERTY = "jsync.test.openssh";
  private static final int START_ATTEMPTS = 5;

  private final Process process;
  private final Path dir;
  private final int port;

  private OpenSshServer(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
  }

  /** Fails (or, with {@code -Djsync.test.openssh=skip}, skips) the calling test if sshd is not installed. */
  public static void requireSshd() {
    if (Files.isExecutable(SSHD) && Files.isExecutable(Path.of("/usr/bin/ssh-keygen"))) {
      return;
    }
    if ("skip".equals(System.getProperty(SKIP_PROPERTY))) {
      Assumptions.abort(SSHD + " is not installed and " + SKIP_PROPERTY + "=skip is set");
    }
    fail(SSHD + " (or ssh-keygen) is not installed, so the loopback tests against OpenSSH cannot run. Install"
        + " it (Debian: apt-get install openssh-server; .ci/run does this), or run with -D" + SKIP_PROPERTY
        + "=skip to skip them on this machine.");
  }

  /**
   * Starts sshd in {@code dir} (created if needed), letting in the holders of the given public keys
   * ({@code authorized_keys} lines, e.g. the contents of a {@code .pub} file).
   */
  public static OpenSshServer start(Path dir, List<String> authorizedKeys) throws IOException {
    return start(dir, authorizedKeys, List.of());
  }

  /** As {@link #start(Path, List)}, with extra sshd_config lines (e.g. {@code SetEnv JSYNC_HOME=...}). */
  public static OpenSshServer start(Path dir, List<String> authorizedKeys, List<String> extraConfig)
      throws IOException {
    requireSshd();
    Files.createDirectories(dir);
    // sshd's privilege separation needs this directory; systemd creates it on a real system.
    Files.createDirectories(Path.of("/run/sshd"));
    Path hostKey = dir.resolve("host_ed25519");
    if (!Files.exists(hostKey)) {
      keygen(hostKey, "ed25519");
    }
    Files.writeString(dir.resolve("authorized_keys"), String.join("\n", authorizedKeys) + "\n");
    String lastLog = "";
    for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      int port = freePort();
      Path config = dir.resolve("sshd_config");
      Files.writeString(config, String.join("\n",
          "Port " + port,
          "ListenAddress 127.0.0.1",
          "HostKey " + hostKey,
          "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
          "PidFile " + dir.resolve("sshd.pid"),
          "UsePAM no",
          "StrictModes no",
          "PermitRootLogin prohibit-password",
          "PubkeyAuthentication yes",
          "PasswordAuthentication no",
          "KbdInteractiveAuthentication no",
          "PrintMotd no",
          "AcceptEnv none",
          "MaxStartups 100",
          "LogLevel INFO",
          String.join("\n", extraConfig),
          ""));
      Path log = dir.resolve("sshd.log");
      Process p = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (waitForPort(p, port)) {
        return new OpenSshServer(p, dir, port);
      }
      destroy(p);
      lastLog = Files.exists(log) ? Files.readString(log) : "";
      if (!lastLog.contains("Address already in use")) {
        break; // not a port race: retrying will not help
      }
    }
    throw new IOException("sshd did not start; its log:\n" + lastLog);
  }

  /** Makes an unencrypted key pair with ssh-keygen ({@code file} and {@code file.pub}). */
  public static Path keygen(Path file, String type) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ssh-keygen", "-q", "-t", type, "-N", "", "-C", "jsync-test",
        "-f", file.toString()));
    if (type.equals("rsa")) {
      cmd.addAll(List.of("-b", "2048"));
    }
    run(cmd);
    return file;
  }

  /** Runs a short command, failing with its output if it fails. Returns its stdout. */
  public static String run(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(TestTimeouts.seconds(30).toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(String.join(" ", cmd) + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return out;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static boolean waitForPort(Process p, int port) {
    long deadline = System.nanoTime() + TestTimeouts.seconds(15).toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        return false;
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return true;
      } catch (IOException e) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return false;
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return port;
  }

  /** The login name: sshd runs as the test's user and can only let that user in. */
  public String user() {
    return System.getProperty("user.name");
  }

  /** The host key as a known_hosts line for {@code [127.0.0.1]:port}. */
  public String knownHostsLine() throws IOException {
    String pub = Files.readString(dir.resolve("host_ed25519.pub")).strip();
    String[] parts = pub.split(" ");
    return "[" + host() + "]:" + port + " " + parts[0] + " " + parts[1];
  }

  /** sshd's own log (-e), for failure messages. */
  public String log() throws IOException {
    Path log = dir.resolve("sshd.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  public long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    destroy(process);
  }

  private static void destroy(Process p) {
    // Only the daemon we started, by its PID; its per-connection children end with their connections.
    p.destroy();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
