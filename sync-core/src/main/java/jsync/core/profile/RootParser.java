package jsync.core.profile;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code root} values into {@link RootSpec}s. The URI grammar follows Unison's {@code clroot.ml}
 * ({@code protocol://[user@]host[:port]/path}, where a path starting with a second {@code /} is absolute and
 * anything else is relative to the remote home), restricted to what jsync supports: {@code ssh://} and local
 * paths ({@code file:///abs} is accepted as a local path). A local path gets {@code ~} expanded and, if
 * relative, is resolved against the context's working directory.
 */
final class RootParser {
  private static final Pattern PROTOCOL = Pattern.compile("([A-Za-z]+)://(.*)", Pattern.DOTALL);
  /** Unison treats these as protocols even without "//", so "ssh:host" is a typo, not a local directory. */
  private static final Pattern BARE_PROTOCOL = Pattern.compile("(file|ssh|rsh|socket):.*", Pattern.DOTALL);
  private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

  private RootParser() {}

  /** @throws IllegalArgumentException with a message that names the root and what is wrong with it */
  static RootSpec parse(String text, ProfileContext ctx) {
    try {
      return parseUnchecked(text, ctx);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad root '" + text + "': " + e.getMessage(), e);
    }
  }

  private static RootSpec parseUnchecked(String text, ProfileContext ctx) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("empty root");
    }
    Matcher uri = PROTOCOL.matcher(text);
    if (uri.matches()) {
      String protocol = uri.group(1);
      String rest = uri.group(2);
      switch (protocol) {
        case "ssh":
          return ssh(rest, text);
        case "file":
          if (!rest.startsWith("/")) {
            throw new IllegalArgumentException("file:// roots must be local absolute paths (file:///path)");
          }
          return new RootSpec.Local(Values.path(rest, ctx, ctx.cwd()), text);
        case "socket":
        case "rsh":
          throw new IllegalArgumentException(protocol + ":// roots are not supported; use ssh://");
        default:
          throw new IllegalArgumentException("unknown protocol '" + protocol + "://'; use ssh:// or a local path");
      }
    }
    if (BARE_PROTOCOL.matcher(text).matches()) {
      throw new IllegalArgumentException("'" + text.substring(0, text.indexOf(':') + 1) + "' must be followed by //");
    }
    if (text.startsWith("//")) {
      throw new IllegalArgumentException("network paths (//host/path) are not supported; use ssh://host//path");
    }
    return new RootSpec.Local(Values.path(text, ctx, ctx.cwd()), text);
  }

  private static RootSpec.Ssh ssh(String rest, String text) {
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);

    Optional<String> user = Optional.empty();
    int at = authority.indexOf('@');
    if (at >= 0) {
      user = Optional.of(authority.substring(0, at));
      authority = authority.substring(at + 1);
    }

    String host;
    String afterHost;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("unclosed '[' in IPv6 host");
      }
      host = authority.substring(1, close);
      afterHost = authority.substring(close + 1);
    } else {
      int colon = authority.indexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      afterHost = colon < 0 ? "" : authority.substring(colon);
    }

    int port = RootSpec.Ssh.DEFAULT_PORT;
    if (!afterHost.isEmpty()) {
      String digits = afterHost.substring(1);
      if (!afterHost.startsWith(":") || !PORT.matcher(digits).matches()
          || Integer.parseInt(digits) < 1 || Integer.parseInt(digits) > 65535) {
        throw new IllegalArgumentException("invalid port '" + afterHost.substring(1) + "': use 1-65535");
      }
      port = Integer.parseInt(digits);
    }

    // "/rel" is relative to the remote home, "//abs" is absolute, "" or "/" is the home itself.
    boolean absolute = path.startsWith("//");
    String remote = path.isEmpty() ? "" : path.substring(1);
    while (remote.length() > 1 && remote.endsWith("/")) {
      remote = remote.substring(0, remote.length() - 1);
    }
    return new RootSpec.Ssh(user, host, port, remote, absolute, text);
  }
}
