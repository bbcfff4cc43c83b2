package jsync.transport.ssh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * How {@link SshConnector} reaches a host: which client, extra client arguments, where the user's
 * {@code ~/.ssh} is, and time limits.
 *
 * @param sshcmd empty for the built-in client (Apache MINA SSHD); otherwise the program to run instead, e.g.
 *     {@code ssh} or {@code /usr/bin/ssh}, as Unison's {@code sshcmd} (one program, not a command line)
 * @param sshargs extra arguments, as Unison's {@code sshargs}: passed before the host to the external
 *     program; the built-in client accepts a subset ({@code -p}, {@code -i}, {@code -l}, {@code -F} and some
 *     {@code -o} options, see {@code docs/ssh.md}) and refuses the rest
 * @param home the user's home directory, whose {@code .ssh} holds config, keys and known_hosts for the
 *     built-in client (the external {@code ssh} finds its own files)
 * @param connectTimeout the limit for connecting, key exchange, login and starting the remote command
 * @param closeTimeout how long {@link RemotePipe#close()} waits for the remote command to exit
 */
public record SshOptions(String sshcmd, List<String> sshargs, Path home, Duration connectTimeout,
    Duration closeTimeout) {
  /** OpenSSH has no connect limit by default; a cron job hanging on a dead host is worse than a late error. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
  /** The remote side normally exits at once after EOF; this only bounds a stuck one. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

  public SshOptions {
    Objects.requireNonNull(sshcmd, "sshcmd");
    sshargs = List.copyOf(sshargs);
    if (!home.isAbsolute()) {
      throw new IllegalArgumentException("home directory must be absolute: " + home);
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connect timeout must be positive: " + connectTimeout);
    }
    if (closeTimeout.isNegative()) {
      throw new IllegalArgumentException("close timeout must not be negative: " + closeTimeout);
    }
  }

  /**
   * The built-in client, no extra arguments, default time limits, and the home directory from {@code $HOME}
   * (falling back to {@code user.home}): the JVM's {@code user.home} comes from the password database, but
   * users and tests set {@code HOME}, as OpenSSH tools' users expect.
   */
  public static SshOptions defaults() {
    String env = System.getenv("HOME");
    Path home = Path.of(env != null && !env.isEmpty() ? env : System.getProperty("user.home"));
    return new SshOptions("", List.of(), home.toAbsolutePath(), DEFAULT_CONNECT_TIMEOUT, DEFAULT_CLOSE_TIMEOUT);
  }

  /**
   * Splits a Unison-style {@code sshargs} string at whitespace. Like Unison there is no quoting: an argument
   * cannot contain a space.
   */
  public static List<String> splitSshargs(String sshargs) {
    String s = sshargs.strip();
    return s.isEmpty() ? List.of() : Arrays.asList(s.split("\\s+"));
  }

  /** Whether the built-in client is used (no {@link #sshcmd}). */
  public boolean builtin() {
    return sshcmd.isEmpty();
  }

  public SshOptions withSshcmd(String sshcmd) {
    return new SshOptions(sshcmd, sshargs, home, connectTimeout, closeTimeout);
  }

  public SshOptions withSshargs(List<String> sshargs) {
    return new SshOptions(sshcmd, sshargs, home, connectTimeout, closeTimeout);
  }

  public SshOptions withHome(Path home) {
    return new SshOptions(sshcmd, sshargs, home, connectTimeout, closeTimeout);
  }

  public SshOptions withConnectTimeout(Duration connectTimeout) {
    return new SshOptions(sshcmd, sshargs, home, connectTimeout, closeTimeout);
  }

  public SshOptions withCloseTimeout(Duration closeTimeout) {
    return new SshOptions(sshcmd, sshargs, home, connectTimeout, closeTimeout);
  }
}
