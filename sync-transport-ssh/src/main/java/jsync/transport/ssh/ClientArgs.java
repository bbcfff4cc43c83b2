package jsync.transport.ssh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.sshd.common.cipher.BuiltinCiphers;

/**
 * The {@code sshargs} the built-in client understands: the OpenSSH client options that make sense without a
 * terminal, an agent or proxies. Anything else is refused with a message pointing to {@code sshcmd = ssh},
 * rather than ignored: an ignored option would connect somewhere or somehow the user did not ask for.
 *
 * <p>As OpenSSH does for {@code -o} options, the first value given wins (over later ones and over
 * {@code ~/.ssh/config}), except identities, which accumulate.
 */
record ClientArgs(OptionalInt port, Optional<String> user, List<String> identities, Optional<String> configFile,
    Map<String, String> options) {

  static final String SUPPORTED = "-p PORT, -i IDENTITY, -l USER, -F CONFIG, and -o with Port, User,"
      + " IdentityFile, UserKnownHostsFile, StrictHostKeyChecking (yes or accept-new), ConnectTimeout,"
      + " ServerAliveInterval, ServerAliveCountMax, Ciphers, KexAlgorithms, BatchMode";

  /** The -o options accepted, by lower-case name, as OpenSSH spells them. */
  private static final Map<String, String> OPTION_NAMES = Map.ofEntries(
      Map.entry("port", "Port"),
      Map.entry("user", "User"),
      Map.entry("identityfile", "IdentityFile"),
      Map.entry("userknownhostsfile", "UserKnownHostsFile"),
      Map.entry("stricthostkeychecking", "StrictHostKeyChecking"),
      Map.entry("connecttimeout", "ConnectTimeout"),
      Map.entry("serveraliveinterval", "ServerAliveInterval"),
      Map.entry("serveralivecountmax", "ServerAliveCountMax"),
      Map.entry("ciphers", "Ciphers"),
      Map.entry("kexalgorithms", "KexAlgorithms"),
      Map.entry("batchmode", "BatchMode"));

  ClientArgs {
    identities = List.copyOf(identities);
    options = Map.copyOf(options);
  }

  /** Parses {@code args}; throws {@link TransportException} naming the first argument it cannot honour. */
  static ClientArgs parse(List<String> args) {
    OptionalInt port = OptionalInt.empty();
    Optional<String> user = Optional.empty();
    Optional<String> config = Optional.empty();
    List<String> identities = new ArrayList<>();
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.length() < 2 || a.charAt(0) != '-') {
        throw unsupported("'" + a + "' is not an option");
      }
      char flag = a.charAt(1);
      if (flag == 'T' && a.length() == 2 || flag == 'q' && a.length() == 2) {
        continue; // no terminal is ever requested, and the built-in client prints nothing: no-ops
      }
      if ("pilFo".indexOf(flag) < 0) {
        throw unsupported("option '" + a + "' is not supported");
      }
      String value;
      if (a.length() > 2) {
        value = a.substring(2);
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        throw unsupported("option '" + a + "' needs a value");
      }
      switch (flag) {
        case 'p' -> {
          if (port.isEmpty()) {
            port = OptionalInt.of(parsePort(value));
          }
        }
        case 'i' -> identities.add(value);
        case 'l' -> user = user.or(() -> Optional.of(value));
        case 'F' -> config = config.or(() -> Optional.of(value));
        case 'o' -> option(value, options, identities);
        default -> throw new IllegalStateException("flag " + flag);
      }
    }
    if (options.containsKey("Port") && port.isEmpty()) {
      port = OptionalInt.of(parsePort(options.get("Port")));
    }
    if (options.containsKey("User") && user.isEmpty()) {
      user = Optional.of(options.get("User"));
    }
    return new ClientArgs(port, user, identities, config, options);
  }

  private static void option(String text, Map<String, String> options, List<String> identities) {
    // OpenSSH accepts both "Key=Value" and "Key Value".
    int eq = text.indexOf('=');
    int sp = text.indexOf(' ');
    int cut = eq >= 0 && (sp < 0 || eq < sp) ? eq : sp;
    if (cut <= 0) {
      throw unsupported("'-o " + text + "' has no value (write -o Option=value)");
    }
    String key = text.substring(0, cut).strip();
    String value = text.substring(cut + 1).strip();
    String name = OPTION_NAMES.get(key.toLowerCase(Locale.ROOT));
    if (name == null) {
      throw unsupported("option '-o " + text + "' is not supported");
    }
    if (name.equals("IdentityFile")) {
      identities.add(value);
      return;
    }
    validate(name, value, "sshargs");
    options.putIfAbsent(name, value);
  }

  /** Checks an option value from sshargs or ~/.ssh/config; {@code where} names the source in messages. */
  static void validate(String name, String value, String where) {
    switch (name) {
      case "StrictHostKeyChecking" -> {
        String v = value.toLowerCase(Locale.ROOT);
        if (!v.equals("yes") && !v.equals("accept-new")) {
          throw new TransportException("StrictHostKeyChecking=" + value + " in " + where + " is not supported:"
              + " jsync never accepts an unknown or changed host key silently. Add the host's key to"
              + " ~/.ssh/known_hosts (ssh-keyscan HOST >> ~/.ssh/known_hosts), or use"
              + " StrictHostKeyChecking=accept-new to record a first-seen key.");
        }
      }
      case "ConnectTimeout" -> seconds(name, value, where, 1);
      case "ServerAliveInterval" -> seconds(name, value, where, 0);
      case "ServerAliveCountMax" -> seconds(name, value, where, 1);
      case "Ciphers" -> {
        for (String c : value.split(",")) {
          BuiltinCiphers cipher = BuiltinCiphers.fromFactoryName(c.strip());
          // Only the default set: CBC modes and "none" are weak, and OpenSSH no longer offers them either.
          if (cipher == null || !cipher.isSupported() || !SshClientFactory.DEFAULT_CIPHERS.contains(cipher)) {
            throw new TransportException("cipher '" + c + "' in " + where + " is not supported by jsync's"
                + " built-in SSH client; supported: " + SshClientFactory.DEFAULT_CIPHERS_TEXT
                + " (no '+', '-' or '^' prefixes)");
          }
        }
      }
      case "KexAlgorithms" -> {
        for (String k : value.split(",")) {
          if (!SshClientFactory.KEX_NAMES.contains(k.strip())) {
            throw new TransportException("key exchange '" + k + "' in " + where + " is not supported by"
                + " jsync's built-in SSH client; supported: " + String.join(",", SshClientFactory.KEX_NAMES)
                + " (no '+', '-' or '^' prefixes)");
          }
        }
      }
      case "BatchMode" -> {
        // Accepted for compatibility with OpenSSH command lines: the built-in client never prompts.
      }
      default -> {
        // Paths and names are checked where they are used.
      }
    }
  }

  static long seconds(String name, String value, String where, long min) {
    try {
      long n = Long.parseLong(value.strip());
      if (n >= min) {
        return n;
      }
    } catch (NumberFormatException e) {
      // Reported below with the option's name.
    }
    throw new TransportException(name + "=" + value + " in " + where + " must be a whole number of seconds"
        + (min > 0 ? ", at least " + min : ""));
  }

  static Duration duration(String name, String value, String where, long min) {
    return Duration.ofSeconds(seconds(name, value, where, min));
  }

  private static int parsePort(String value) {
    try {
      int p = Integer.parseInt(value.strip());
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new TransportException("port '" + value + "' in sshargs is not a number from 1 to 65535");
  }

  private static TransportException unsupported(String what) {
    return new TransportException("sshargs: " + what + " by jsync's built-in SSH client. It supports "
        + SUPPORTED + ". To pass other options, use the system's ssh client: sshcmd = ssh.");
  }
}
