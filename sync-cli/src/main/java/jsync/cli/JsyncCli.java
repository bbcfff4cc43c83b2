package jsync.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import jsync.core.JsyncException;
import jsync.core.apply.BackupPolicy;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;
import jsync.core.profile.BackupLocation;
import jsync.core.profile.Preference;
import jsync.core.profile.Profile;
import jsync.core.profile.ProfileContext;
import jsync.core.profile.ProfileException;
import jsync.core.profile.ProfileLoader;
import jsync.core.profile.RootSpec;
import jsync.core.profile.Setting;
import jsync.core.reconcile.Policy;
import jsync.core.reconcile.Resolution;
import jsync.core.scan.PathFilter;
import jsync.core.scan.ReadAhead;
import jsync.core.profile.PathSpec;
import jsync.core.sync.LocalReplica;
import jsync.core.sync.Replica;
import jsync.protocol.RemoteReplica;
import jsync.protocol.ReplicaServer;
import jsync.transport.ssh.RemotePipe;
import jsync.transport.ssh.SshConnector;
import jsync.transport.ssh.SshOptions;
import jsync.watch.TreeWatcher;
import jsync.core.sync.SyncConfig;
import jsync.core.sync.SyncReport;
import jsync.core.sync.SyncRun;
import picocli.CommandLine;

/**
 * The {@code jsync} command: parses the command line, reads the profile, runs one synchronization and maps
 * the outcome to Unison's exit codes. The one place that turns exceptions into messages and exit codes:
 * expected failures ({@link JsyncException}, bad arguments) print a sentence; anything else is an internal
 * error, with its stack trace only under {@code -debug}.
 */
public final class JsyncCli {
  public static final String VERSION = "0.1.0";
  static final int OK = 0;
  static final int SKIPPED = 1;
  static final int FAILED = 2;
  static final int FATAL = 3;
  private static final String DEFAULT_PROFILE = "default";

  final Environment env;
  final PrintWriter out;
  final PrintWriter err;
  /** Installs handlers for SIGTERM and SIGINT that call the runnable; set by {@link Main} only. */
  java.util.function.Consumer<Runnable> stopSignals;

  public JsyncCli(Environment env, PrintWriter out, PrintWriter err) {
    this.env = env;
    this.out = out;
    this.err = err;
  }

  /** Parses {@code args}: picocli with Unison's single-dash style, never reading -batch as -b -a -t -c -h. */
  static CommandLine parser(Options options) {
    CommandLine cl = new CommandLine(options.spec());
    cl.setPosixClusteredShortOptionsAllowed(false);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setUnmatchedOptionsArePositionalParams(false);
    return cl;
  }

  public int run(String... args) {
    if (args.length > 0 && args[0].equals("server")) {
      err.println("jsync: 'jsync server' speaks jsync's protocol on its standard input and output; it is what "
          + "a jsync client starts on a remote host over SSH, not a command to run by hand");
      err.flush();
      return FATAL;
    }
    Options options = new Options();
    CommandLine cl = parser(options);
    try {
      cl.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      err.println("jsync: " + e.getMessage());
      err.println("Try 'jsync -help' for usage.");
      err.flush();
      return FATAL;
    }
    if (options.help) {
      cl.usage(out);
      out.flush();
      return OK;
    }
    if (options.version) {
      out.println("jsync version " + VERSION);
      out.flush();
      return OK;
    }
    try {
      return synchronize(options, args);
    } catch (JsyncException e) {
      err.println("jsync: fatal error: " + e.getMessage());
      if (options.debug) {
        e.printStackTrace(err);
      }
      err.flush();
      return FATAL;
    } catch (RuntimeException | Error e) {
      err.println("jsync: internal error, please report: " + e);
      if (options.debug) {
        e.printStackTrace(err);
      } else {
        err.println("(run with -debug for details)");
      }
      err.flush();
      return FATAL;
    } finally {
      out.flush();
    }
  }

  /**
   * {@code jsync server}: the far end of an {@code ssh://} root. Speaks the protocol on {@code in} and
   * {@code out} (the SSH channel), keeps this host's archives under its own {@code JSYNC_HOME}, and ends
   * when the client closes the connection. Messages for the user go to stderr, which the client shows.
   */
  public int serve(java.io.InputStream in, java.io.OutputStream out) {
    return serve(List.of(), in, out);
  }

  /**
   * @param hints the words after {@code server} on its command line: hints from the client, none of which
   *     changes what the protocol does. {@code --scan-ahead=ROOT} starts reading the root at once, before the
   *     handshake (see {@link ReadAhead}). Words this version does not know are ignored, so that a newer
   *     client's hints never stop an older server.
   */
  public int serve(List<String> hints, java.io.InputStream in, java.io.OutputStream out) {
    ReadAhead ahead = null;
    try {
      String aheadRoot = scanAheadRoot(hints);
      if (aheadRoot != null) {
        ahead = ReadAhead.start(ReplicaServer.rootOf(env.home().toAbsolutePath(), aheadRoot), env.clock());
        jsync.core.archive.ArchiveLibrary.loadAhead(); // a client that hints a root will open an archive
      }
      ReplicaServer server = new ReplicaServer(env.home().toAbsolutePath(), env.jsyncHome().toAbsolutePath(),
          env.hostName(), env.clock(), TreeWatcher.FACTORY).readingAhead(ahead);
      ahead = null; // the server's now
      ReplicaServer.serve(in, out, server, VERSION);
      return OK;
    } catch (IOException | JsyncException e) {
      err.println("jsync server: " + e.getMessage());
      err.flush();
      return FATAL;
    } finally {
      if (ahead != null) {
        ahead.close();
      }
    }
  }

  static final String SCAN_AHEAD = "--scan-ahead=";

  /** The root of the last {@code --scan-ahead=} hint, or null; one that is not a usable path is ignored. */
  static String scanAheadRoot(List<String> hints) {
    String root = null;
    for (String h : hints) {
      if (h.startsWith(SCAN_AHEAD)) {
        root = h.substring(SCAN_AHEAD.length());
      }
    }
    if (root == null || root.indexOf('\0') >= 0) {
      return null;
    }
    try {
      java.nio.file.Path.of(root);
      return root;
    } catch (java.nio.file.InvalidPathException e) {
      return null;
    }
  }

  private int synchronize(Options options, String[] args) {
    Profile profile = readProfile(options);
    if (profile.repeat().isPresent()) {
      warnIfNamesCannotBeDecoded();
      return new Daemon(this, profile, options, args).run();
    }
    boolean batch = profile.batch() || profile.silent();
    if (!batch && !env.interactive()) {
      throw new JsyncException("not running on a terminal, so there is nobody to confirm the plan: use "
          + "-batch (or batch = true in the profile) to synchronize without asking");
    }
    warnIfNamesCannotBeDecoded();

    PropsPolicy props = new PropsPolicy(profile.perms() & 0777, profile.times());
    BackupPolicy backups = backupPolicy(profile);
    Reporter.Level level = profile.silent() ? Reporter.Level.SILENT
        : profile.terse() ? Reporter.Level.TERSE : Reporter.Level.NORMAL;
    try (LogFile log = LogFile.open(profile.log() ? profile.logfile() : null, env.clock())) {
      Reporter reporter = new Reporter(out, err, level, !batch, env, log, new PlanFormatter(props));
      if (options.debug) {
        reporter.showTimings();
      }
      log.line("jsync " + String.join(" ", args) + ": synchronizing " + profile.roots().get(0).display()
          + " and " + profile.roots().get(1).display());
      SyncConfig config = new SyncConfig(scopes(profile), filter(profile, backups), policy(profile, props),
          profile.fastcheck(), profile.links(), profile.confirmbigdel(), profile.mountpoints(),
          lockHolder(args), env.clock());
      SyncReport report;
      String host = env.hostName();
      try (ReplicaPair pair = replicas(profile, host, props, backups, reporter, config)) {
        reporter.startProgress();
        try {
          report = new SyncRun(pair.alpha(), pair.beta(), config, reporter).run();
        } catch (JsyncException e) {
          reporter.stopProgress();
          log.line("Fatal error: " + e.getMessage());
          throw e;
        }
      }
      reporter.summary(report);
      return report.exitCode();
    } catch (IOException e) {
      throw new JsyncException("cannot open log file " + profile.logfile() + ": " + e.getMessage()
          + " (set log = false or logfile to another file)", e);
    } catch (UncheckedIOException e) {
      throw new JsyncException("cannot write log file " + profile.logfile() + ": " + e.getCause().getMessage(), e);
    }
  }

  private Profile readProfile(Options options) {
    List<String> args = options.args;
    String profileName;
    List<Setting> settings = new ArrayList<>();
    Path jsyncHome = env.jsyncHome();
    ProfileLoader loader = new ProfileLoader(jsyncHome);
    switch (args.size()) {
      case 0 -> profileName = DEFAULT_PROFILE;
      case 1, 3 -> profileName = args.get(0);
      default -> profileName = null;
    }
    if (profileName != null) {
      settings.addAll(loader.load(profileName));
    } else if (Files.exists(jsyncHome.resolve(DEFAULT_PROFILE + ".prf"))) {
      // As Unison: two roots and no profile still read default.prf, for site-wide preferences.
      settings.addAll(loader.load(DEFAULT_PROFILE));
    }
    settings.addAll(options.settings());
    if (args.size() >= 2) {
      settings.add(Setting.commandLine("root", args.get(args.size() - 2)));
      settings.add(Setting.commandLine("root", args.get(args.size() - 1)));
    }
    ProfileContext ctx = new ProfileContext(env.fs(), env.home().toAbsolutePath(), jsyncHome.toAbsolutePath(),
        profileName == null ? Setting.COMMAND_LINE : profileName, env.cwd());
    return Profile.from(settings, ctx);
  }

  /**
   * The two replicas of a run; closing the pair closes both. Each then writes its archive to disk: a remote
   * replica over there while this side does its own, not after it (at the end of a run that changed a large
   * file the two flushes took 0.13 and 0.02 s one after the other; between two machines they overlap, on
   * one they share a disk journal; docs/benchmarks.md).
   */
  record ReplicaPair(Replica alpha, Replica beta) implements AutoCloseable {
    @Override
    public void close() {
      Replica remote = isRemote(beta) ? beta : isRemote(alpha) ? alpha : null;
      Replica local = remote == beta ? alpha : beta;
      if (remote == null || isRemote(local)) {
        try {
          alpha.close();
        } finally {
          beta.close();
        }
        return;
      }
      Throwable[] remoteFailure = new Throwable[1];
      Thread closing = new Thread(() -> {
        try {
          remote.close();
        } catch (Throwable e) {
          remoteFailure[0] = e;
        }
      }, "jsync-close-remote");
      closing.setDaemon(true);
      closing.start();
      try {
        local.close();
      } catch (RuntimeException | Error e) {
        joinUninterruptibly(closing);
        if (remoteFailure[0] != null) {
          e.addSuppressed(remoteFailure[0]);
        }
        throw e;
      }
      joinUninterruptibly(closing);
      if (remoteFailure[0] instanceof RuntimeException r) {
        throw r;
      }
      if (remoteFailure[0] instanceof Error err) {
        throw err;
      }
    }

    private static boolean isRemote(Replica r) {
      return r.contentSource().remote();
    }

    private static void joinUninterruptibly(Thread t) {
      boolean interrupted = false;
      while (true) {
        try {
          t.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Opens both replicas, the local one first when the other is remote: it opens its archive and scans
   * while SSH connects, if the remote root's canonical name is remembered from an earlier run.
   */
  private ReplicaPair replicas(Profile profile, String host, PropsPolicy props, BackupPolicy backups,
      Reporter reporter, SyncConfig config) {
    RootSpec a = profile.roots().get(0);
    RootSpec b = profile.roots().get(1);
    boolean swap = a instanceof RootSpec.Ssh && b instanceof RootSpec.Local;
    RootSpec firstSpec = swap ? b : a;
    RootSpec secondSpec = swap ? a : b;
    RememberedRoots remembered = new RememberedRoots(env.jsyncHome());
    Replica first = replica(firstSpec, profile, host, props, backups, reporter);
    Replica second;
    try {
      if (first instanceof LocalReplica local && secondSpec instanceof RootSpec.Ssh ssh) {
        // A key pair the connection will need is generated first; the scan follows on the other core.
        Optional<String> other = remembered.get(ssh.display());
        CompletableFuture<?> keys = RememberedRoots.keyExchangeToPrepare(
                RememberedRoots.keyExchanges(env.jsyncHome()).get(ssh.display()), other.isPresent())
            .map(kex -> SshConnector.prepareKeyExchange(sshOptions(profile), kex))
            .orElse(CompletableFuture.completedFuture(null));
        if (other.isPresent()) {
          reporter.stage("scanning " + local.root() + " while connecting to " + ssh.host());
          local.scanAhead(other.get(), config.lockHolder(), SyncRun.scanOptions(config), keys);
        }
      }
      second = replica(secondSpec, profile, host, props, backups, reporter);
    } catch (RuntimeException e) {
      first.close();
      throw e;
    }
    for (Replica r : List.of(first, second)) {
      if (r instanceof RemoteReplica remote) {
        remembered.put((r == first ? firstSpec : secondSpec).display(), remote.canonicalRoot());
      }
    }
    return swap ? new ReplicaPair(second, first) : new ReplicaPair(first, second);
  }

  /** A local replica, or, for an {@code ssh://} root, a connection to {@code jsync server} on that host. */
  private Replica replica(RootSpec spec, Profile profile, String host, PropsPolicy props, BackupPolicy backups,
      Reporter reporter) {
    return replica(spec, profile, host, props, backups, reporter::bytesWritten);
  }

  Replica replica(RootSpec spec, Profile profile, String host, PropsPolicy props, BackupPolicy backups,
      java.util.function.LongConsumer bytesWritten) {
    if (spec instanceof RootSpec.Local local) {
      return new LocalReplica(local.path(), spec.display(), host, env.jsyncHome(), env.clock(), props, backups,
          bytesWritten).watchingWith(TreeWatcher.FACTORY);
    }
    RootSpec.Ssh ssh = (RootSpec.Ssh) spec;
    RemotePipe pipe = new SshConnector().open(ssh, serverCommand(profile, ssh), sshOptions(profile));
    RemoteReplica.Rules rules = new RemoteReplica.Rules(
        profile.ignore().stream().map(PathSpec::toString).toList(),
        profile.ignorenot().stream().map(PathSpec::toString).toList(),
        props,
        profile.backup().stream().map(PathSpec::toString).toList(),
        profile.backupnot().stream().map(PathSpec::toString).toList(),
        profile.backupprefix(), profile.backupsuffix(), Math.max(1, profile.maxbackups()),
        profile.backuploc() == BackupLocation.CENTRAL ? profile.backupdir().map(Path::toString) : Optional.empty());
    try {
      RemoteReplica remote = new RemoteReplica(ssh.display(), ssh.path(), rules, pipe)
          .connect(pipe.in(), pipe.out(), VERSION, profile.compress());
      pipe.keyExchange().ifPresent(kex -> RememberedRoots.keyExchanges(env.jsyncHome()).put(ssh.display(), kex));
      return remote;
    } catch (IOException | RuntimeException e) {
      pipe.close();
      String tail = pipe.stderrTail().strip();
      String why = e instanceof JsyncException ? e.getMessage() : "cannot talk to jsync on " + ssh.host() + ": " + e;
      throw new JsyncException(why + (tail.isEmpty() ? "" : " (remote said: " + tail + ")"), e);
    }
  }

  private SshOptions sshOptions(Profile profile) {
    return SshOptions.defaults().withHome(env.home()).withSshcmd(profile.sshcmd())
        .withSshargs(SshOptions.splitSshargs(profile.sshargs()));
  }

  /**
   * The remote command: {@code servercmd server}, and, when the run scans the whole root, the root as a hint
   * ({@code --scan-ahead=ROOT}) so that the server reads it while the rest of the set-up goes on. The words
   * reach the remote shell quoted (ShellQuote): a root cannot inject anything.
   */
  static List<String> serverCommand(Profile profile, RootSpec.Ssh ssh) {
    if (!profile.paths().isEmpty()) {
      return List.of(profile.servercmd(), "server");
    }
    return List.of(profile.servercmd(), "server", SCAN_AHEAD + ssh.path());
  }

  static List<RelPath> scopes(Profile profile) {
    return profile.paths().isEmpty() ? List.of(RelPath.ROOT) : profile.paths();
  }

  /**
   * The profile's ignore rules, plus local backup files when backups are on (as Unison adds them to its
   * ignore list). jsync's temporary files the scanner always ignores by itself.
   */
  static PathFilter filter(Profile profile, BackupPolicy backups) {
    PathFilter ignore = profile.ignoreFilter()::isIgnored;
    if (backups == BackupPolicy.NONE) {
      return ignore;
    }
    Predicate<String> backupName = backups.localBackupName();
    return path -> backupName.test(path.name()) || ignore.isIgnored(path);
  }

  static BackupPolicy backupPolicy(Profile profile) {
    if (profile.backup().isEmpty()) {
      return BackupPolicy.NONE;
    }
    Optional<Path> central = profile.backuploc() == BackupLocation.CENTRAL
        ? Optional.of(profile.backupDirectory()) : Optional.empty();
    return new BackupPolicy(profile::shouldBackup, central, profile.backupprefix(), profile.backupsuffix(),
        Math.max(1, profile.maxbackups()));
  }

  static Policy policy(Profile profile, PropsPolicy props) {
    return new Policy(props, profile.prefer().map(JsyncCli::resolution), profile.force().map(JsyncCli::resolution));
  }

  private static Resolution resolution(Preference p) {
    return switch (p) {
      case ALPHA -> Resolution.ALPHA;
      case BETA -> Resolution.BETA;
      case NEWER -> Resolution.NEWER;
      case OLDER -> Resolution.OLDER;
    };
  }

  String lockHolder(String[] args) {
    return "pid " + ProcessHandle.current().pid() + " on " + env.hostName() + " since " + Instant.now(env.clock())
        + " (jsync " + String.join(" ", args) + ")";
  }

  /**
   * The JVM decodes file names with the locale's charset; under cron's usual POSIX locale that is ASCII and
   * every non-ASCII name becomes unreadable. bin/jsync switches to C.UTF-8; say so if that did not happen.
   */
  void warnIfNamesCannotBeDecoded() {
    String jnu = System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name());
    if (!jnu.equalsIgnoreCase("UTF-8")) {
      err.println("jsync: warning: file names are decoded as " + jnu + ", so non-ASCII names cannot be "
          + "synchronized; run under a UTF-8 locale (e.g. LC_ALL=C.UTF-8; bin/jsync does this)");
      err.flush();
    }
  }
}
