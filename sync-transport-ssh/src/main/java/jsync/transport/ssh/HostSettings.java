package jsync.transport.ssh;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jsync.core.profile.RootSpec;
import org.apache.sshd.client.config.hosts.HostConfigEntry;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;

/**
 * Everything the built-in client needs to reach one host, resolved from the root, {@code sshargs} and
 * {@code ~/.ssh/config} in that order of precedence (a port in the root beats {@code -p}, which beats the
 * config's {@code Port}).
 *
 * @param alias the host as written in the root (a config alias or a real name)
 * @param hostName where to connect: the config's {@code HostName}, else the alias
 * @param identities private key files to try, in order
 * @param identitiesExplicit whether they were named (-i, IdentityFile) rather than the default files
 * @param knownHosts the known_hosts file to check the host key against
 * @param acceptNew {@code StrictHostKeyChecking=accept-new}: record an unknown host's key instead of failing
 * @param aliveInterval keep-alive interval, zero for none
 * @param ciphers cipher names in order of preference, empty for the default order
 * @param kexAlgorithms key exchange names in order of preference, empty for the default order
 */
record HostSettings(String alias, String hostName, int port, String user, List<Path> identities,
    boolean identitiesExplicit, Path knownHosts, boolean acceptNew, Duration connectTimeout,
    Duration aliveInterval, int aliveCountMax, List<String> ciphers, List<String> kexAlgorithms) {

  /** The keys OpenSSH tries when none is named, minus DSA (removed from OpenSSH) and security keys. */
  static final List<String> DEFAULT_IDENTITIES = List.of("id_ed25519", "id_ecdsa", "id_rsa");
  /**
   * OpenSSH's default is no keep-alive; a cron job would then wait forever on a peer that vanished without a
   * TCP reset. 30 s x 3 unanswered ends such a run in about 2 minutes; a live but busy peer still answers.
   */
  static final Duration DEFAULT_ALIVE_INTERVAL = Duration.ofSeconds(30);
  static final int DEFAULT_ALIVE_COUNT_MAX = 3;
  /** Include nesting as deep as this is a loop; OpenSSH's limit is 16 too. */
  private static final int MAX_INCLUDE_DEPTH = 16;
  private static final Pattern INCLUDE = Pattern.compile("(?i)^\\s*include(?:\\s*=\\s*|\\s+)(.*)$");

  HostSettings {
    identities = List.copyOf(identities);
    ciphers = List.copyOf(ciphers);
    kexAlgorithms = List.copyOf(kexAlgorithms);
  }

  static HostSettings resolve(RootSpec.Ssh root, SshOptions options, ClientArgs args) {
    Path home = options.home();
    Path configFile = args.configFile().map(f -> expand(f, home)).orElse(home.resolve(".ssh/config"));
    HostConfigEntry entry = lookup(configFile, args.configFile().isPresent(), root, args);
    String where = "~/.ssh/config (" + configFile + ")";

    for (String refused : List.of("ProxyJump", "ProxyCommand")) {
      String v = entry == null ? null : entry.getProperty(refused);
      if (v != null && !v.isBlank() && !v.equalsIgnoreCase("none")) {
        throw new TransportException(where + " sets " + refused + " for host " + root.host()
            + ", which jsync's built-in SSH client does not support. Use the system's ssh client instead:"
            + " sshcmd = ssh");
      }
    }

    String hostName = entry != null && entry.getHostName() != null ? entry.getHostName() : root.host();
    int port = entry != null && entry.getPort() > 0 ? entry.getPort() : 22;
    if (root.port() != RootSpec.Ssh.DEFAULT_PORT) {
      port = root.port();
    } else if (args.port().isPresent()) {
      port = args.port().getAsInt();
    }
    String user = root.user().or(args::user)
        .or(() -> Optional.ofNullable(entry == null ? null : entry.getUsername()))
        .orElse(System.getProperty("user.name"));

    List<Path> identities = new ArrayList<>();
    for (String id : args.identities()) {
      identities.add(expand(id, home));
    }
    if (entry != null && entry.getIdentities() != null) {
      for (String id : entry.getIdentities()) {
        identities.add(rehome(id, home));
      }
    }
    boolean explicit = !identities.isEmpty();
    if (!explicit) {
      // As OpenSSH: the default files only when no key was named.
      for (String name : DEFAULT_IDENTITIES) {
        identities.add(home.resolve(".ssh").resolve(name));
      }
    }

    String knownHosts = option("UserKnownHostsFile", args, entry, where);
    String strict = option("StrictHostKeyChecking", args, entry, where);
    String connect = option("ConnectTimeout", args, entry, where);
    String alive = option("ServerAliveInterval", args, entry, where);
    String aliveMax = option("ServerAliveCountMax", args, entry, where);
    String ciphers = args.options().get("Ciphers");
    // As Ciphers, only from sshargs: a config's KexAlgorithms may use OpenSSH's +/-/^ forms meant for ssh.
    String kex = args.options().get("KexAlgorithms");
    return new HostSettings(root.host(), hostName, port, user, identities, explicit,
        knownHosts == null ? home.resolve(".ssh/known_hosts") : expand(firstWord(knownHosts), home),
        strict != null && strict.equalsIgnoreCase("accept-new"),
        connect == null ? options.connectTimeout() : ClientArgs.duration("ConnectTimeout", connect, where, 1),
        alive == null ? DEFAULT_ALIVE_INTERVAL : ClientArgs.duration("ServerAliveInterval", alive, where, 0),
        aliveMax == null ? DEFAULT_ALIVE_COUNT_MAX
            : (int) ClientArgs.seconds("ServerAliveCountMax", aliveMax, where, 1),
        ciphers == null ? List.of() : List.of(ciphers.split(",")),
        kex == null ? List.of() : List.of(kex.strip().split("\\s*,\\s*")));
  }

  /** The option from sshargs, else from the config entry (validated, naming the config file if bad). */
  private static String option(String name, ClientArgs args, HostConfigEntry entry, String where) {
    String v = args.options().get(name);
    if (v != null) {
      return v;
    }
    v = entry == null ? null : entry.getProperty(name);
    if (v == null) {
      return null;
    }
    if (name.equals("StrictHostKeyChecking") && !v.equalsIgnoreCase("accept-new")) {
      // "no" or "ask" in the config is meant for interactive OpenSSH use; jsync stays strict instead of
      // failing on a setting the user may share with other tools. The unknown-host message says so.
      return "yes";
    }
    ClientArgs.validate(name, v, where);
    return v;
  }

  private static HostConfigEntry lookup(Path configFile, boolean named, RootSpec.Ssh root, ClientArgs args) {
    String text;
    try {
      text = readWithIncludes(configFile, configFile.getParent(), 0);
    } catch (NoSuchFileException e) {
      if (named) {
        throw new TransportException("the SSH config file " + configFile + " given with -F in sshargs does not"
            + " exist", e);
      }
      return null;
    } catch (IOException e) {
      throw new TransportException("cannot read the SSH config file " + configFile + ": " + e.getMessage(), e);
    }
    try {
      List<HostConfigEntry> entries = HostConfigEntry.readHostConfigEntries(new StringReader(text), true);
      HostConfigEntryResolver resolver = HostConfigEntry.toHostConfigEntryResolver(entries);
      int port = root.port() != RootSpec.Ssh.DEFAULT_PORT ? root.port() : args.port().orElse(0);
      String user = root.user().or(args::user).orElse(null);
      return resolver.resolveEffectiveHost(root.host(), port, null, user, null, null);
    } catch (IOException | RuntimeException e) {
      // MINA's parser refuses "Match" blocks; OpenSSH features it lacks are better named than ignored.
      throw new TransportException("cannot use the SSH config file " + configFile + ": " + e.getMessage()
          + ". jsync's built-in SSH client understands Host blocks with HostName, Port, User, IdentityFile"
          + " and a few more (see docs/ssh.md), not Match blocks; for a config it cannot read, use the"
          + " system's ssh client: sshcmd = ssh", e);
    }
  }

  /**
   * The config text with each {@code Include} replaced by the included files' text, glob patterns expanded
   * in name order and relative names taken from {@code ~/.ssh}, as OpenSSH does. MINA's parser ignores
   * Include, which would silently drop the hosts defined there. Textual inclusion matches OpenSSH except
   * for an included file that itself starts Host blocks inside an outer Host block: OpenSSH scopes those
   * to the outer block.
   */
  private static String readWithIncludes(Path file, Path sshDir, int depth) throws IOException {
    if (depth > MAX_INCLUDE_DEPTH) {
      throw new IOException("Include nested more than " + MAX_INCLUDE_DEPTH + " deep at " + file);
    }
    StringBuilder out = new StringBuilder();
    for (String line : Files.readAllLines(file)) {
      Matcher m = INCLUDE.matcher(line);
      if (!m.matches()) {
        out.append(line).append('\n');
        continue;
      }
      Path home = sshDir.getParent();
      for (String pattern : m.group(1).strip().split("\\s+")) {
        if (pattern.isEmpty()) {
          continue;
        }
        Path p = pattern.startsWith("~") ? expand(pattern, home) : sshDir.resolve(pattern);
        for (Path inc : glob(p)) {
          out.append(readWithIncludes(inc, sshDir, depth + 1));
        }
      }
    }
    return out.toString();
  }

  private static List<Path> glob(Path pattern) throws IOException {
    String name = pattern.getFileName().toString();
    List<Path> found = new ArrayList<>();
    if (name.indexOf('*') < 0 && name.indexOf('?') < 0 && name.indexOf('[') < 0) {
      if (Files.isRegularFile(pattern)) {
        found.add(pattern);
      }
      return found; // a missing included file is not an error for OpenSSH either
    }
    Path dir = pattern.getParent();
    if (!Files.isDirectory(dir)) {
      return found;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, name)) {
      for (Path p : ds) {
        if (Files.isRegularFile(p)) {
          found.add(p);
        }
      }
    }
    found.sort(null);
    return found;
  }

  /** {@code ~} and {@code ~/x} from {@code home}; other relative paths from the working directory. */
  static Path expand(String path, Path home) {
    if (path.equals("~")) {
      return home;
    }
    if (path.startsWith("~/")) {
      return home.resolve(path.substring(2));
    }
    return Path.of(path).toAbsolutePath();
  }

  /**
   * MINA expands {@code ~} and {@code %d} in IdentityFile with the JVM's {@code user.home}; jsync's home
   * is {@link SshOptions#home()} ({@code $HOME}), which may differ (tests, {@code sudo -E}).
   */
  private static Path rehome(String expanded, Path home) {
    String jvmHome = System.getProperty("user.home", "");
    if (!jvmHome.isEmpty() && !jvmHome.equals("/") && expanded.startsWith(jvmHome + "/")) {
      return home.resolve(expanded.substring(jvmHome.length() + 1));
    }
    return expand(expanded, home);
  }

  private static String firstWord(String s) {
    String t = s.strip();
    int sp = t.indexOf(' ');
    // MINA joins multi-valued properties with commas; OpenSSH separates the files with spaces.
    int comma = t.indexOf(',');
    int cut = sp < 0 ? comma : comma < 0 ? sp : Math.min(sp, comma);
    return cut < 0 ? t : t.substring(0, cut);
  }

  /** How the host is named in known_hosts and in ssh-keyscan: {@code host} on port 22, else {@code [host]:port}. */
  String knownHostsName() {
    return port == 22 ? hostName : "[" + hostName + "]:" + port;
  }

  /** The target for messages: {@code user@alias:port}, with the real host when the alias differs. */
  String display() {
    String where = port == 22 ? "" : ":" + port;
    return alias.equals(hostName) ? user + "@" + alias + where
        : user + "@" + alias + " (" + hostName + where + ")";
  }
}
