package jsync.core.profile;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One replica root from a {@code root} setting: a local directory or a directory on an SSH host. Keeps the
 * text it was written as ({@link #display()}) for messages; {@link #sameRoot} compares what it denotes.
 */
public sealed interface RootSpec {
  /** The root as written in the profile or on the command line. */
  String display();

  /**
   * Whether both name the same place, ignoring spelling: a trailing {@code /}, {@code ~} versus the home
   * path, a relative versus an absolute local path, the case of a host name.
   */
  boolean sameRoot(RootSpec other);

  /** A local directory; {@code path} is absolute and normalized ({@code ~} expanded, relative resolved). */
  record Local(Path path, String display) implements RootSpec {
    public Local {
      Objects.requireNonNull(display, "display");
      if (!path.isAbsolute() || !path.equals(path.normalize())) {
        throw new IllegalArgumentException("local root path must be absolute and normalized: " + path);
      }
    }

    @Override
    public boolean sameRoot(RootSpec other) {
      return other instanceof Local local && path.equals(local.path);
    }

    @Override
    public String toString() {
      return display;
    }
  }

  /**
   * A directory on an SSH host, from {@code ssh://[user@]host[:port]//absolute/path} or
   * {@code ssh://[user@]host[:port]/path/relative/to/remote/home}.
   *
   * @param user the login name, or empty for the SSH default
   * @param host a host name, IPv4 address or IPv6 literal (without brackets)
   * @param port 1 to 65535, or {@link #DEFAULT_PORT}
   * @param path the remote path without trailing {@code /}: starts with {@code /} when {@code absolute},
   *     else relative to the remote home ({@code ""} is the home itself)
   * @param absolute whether the root was written with {@code //}
   */
  record Ssh(Optional<String> user, String host, int port, String path, boolean absolute, String display)
      implements RootSpec {
    /** Port value meaning "whatever the SSH configuration says", normally 22. */
    public static final int DEFAULT_PORT = 0;

    // A leading '-' is refused in user and host: passed to an ssh command line it would be read as an option
    // (e.g. -oProxyCommand=...), the classic injection through a URL's host part.
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._][A-Za-z0-9._-]*");
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9._~-]+)?");

    public Ssh {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(display, "display");
      if (user.isPresent() && !USER.matcher(user.get()).matches()) {
        throw new IllegalArgumentException("invalid user name '" + user.get()
            + "': use letters, digits, '.', '_' and '-', not starting with '-'");
      }
      if (host.isEmpty()) {
        throw new IllegalArgumentException("missing host name");
      }
      if (!HOST_NAME.matcher(host).matches() && !IPV6.matcher(host).matches()) {
        throw new IllegalArgumentException("invalid host '" + host
            + "': use a host name or address of letters, digits, '.', '_' and '-', not starting with '-'");
      }
      if (port != DEFAULT_PORT && (port < 1 || port > 65535)) {
        throw new IllegalArgumentException("port " + port + " is out of range 1-65535");
      }
      if (absolute != path.startsWith("/") || path.length() > 1 && path.endsWith("/")
          || path.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("invalid remote path '" + path.replace("\0", "\\0") + "'");
      }
    }

    @Override
    public boolean sameRoot(RootSpec other) {
      return other instanceof Ssh ssh && user.equals(ssh.user) && host.equalsIgnoreCase(ssh.host)
          && port == ssh.port && path.equals(ssh.path) && absolute == ssh.absolute;
    }

    @Override
    public String toString() {
      return display;
    }
  }
}
