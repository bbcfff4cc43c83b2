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
import jsync.core.sync.LocalReplica;
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

  private final Environment env;
  private final PrintWriter out;
  private final PrintWriter err;

  public JsyncCli(Environment env, PrintWriter out, PrintWriter err) {
    this.env = env;
    this.out = out;
    this.err = err;
  }

  /** Parses {@code args}: picocli with Unison's single-dash style, never reading -batch as -b -a -t -c -h. */
  static CommandLine parser(Options options) {
    CommandLine cl = new CommandLine(options);
    cl.setPosixClusteredShortOptionsAllowed(false);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setUnmatchedOptionsArePositionalParams(false);
    return cl;
  }

  public int run(String... args) {
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

  private int synchronize(Options options, String[] args) {
    Profile profile = readProfile(options);
    List<Path> roots = localRoots(profile);
    if (profile.repeat().isPresent()) {
      throw new ProfileException("repeat = " + profile.repeat().get() + ": continuous mode is not available "
          + "yet; run jsync -batch from cron meanwhile");
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
      try (LocalReplica alpha = replica(roots.get(0), profile.roots().get(0), host, props, backups, reporter);
           LocalReplica beta = replica(roots.get(1), profile.roots().get(1), host, props, backups, reporter)) {
        reporter.startProgress();
        try {
          report = new SyncRun(alpha, beta, config, reporter).run();
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

  private static List<Path> localRoots(Profile profile) {
    List<Path> paths = new ArrayList<>();
    for (RootSpec r : profile.roots()) {
      if (r instanceof RootSpec.Local local) {
        paths.add(local.path());
      } else {
        throw new ProfileException("root " + r.display() + ": ssh:// roots are not supported yet; both roots "
            + "must be local directories for now");
      }
    }
    return paths;
  }

  private LocalReplica replica(Path root, RootSpec spec, String host, PropsPolicy props, BackupPolicy backups,
      Reporter reporter) {
    return new LocalReplica(root, spec.display(), host, env.jsyncHome(), env.clock(), props, backups,
        reporter::bytesWritten);
  }

  private static List<RelPath> scopes(Profile profile) {
    return profile.paths().isEmpty() ? List.of(RelPath.ROOT) : profile.paths();
  }

  /**
   * The profile's ignore rules, plus local backup files when backups are on (as Unison adds them to its
   * ignore list). jsync's temporary files the scanner always ignores by itself.
   */
  private static PathFilter filter(Profile profile, BackupPolicy backups) {
    PathFilter ignore = profile.ignoreFilter()::isIgnored;
    if (backups == BackupPolicy.NONE) {
      return ignore;
    }
    Predicate<String> backupName = backups.localBackupName();
    return path -> backupName.test(path.name()) || ignore.isIgnored(path);
  }

  private static BackupPolicy backupPolicy(Profile profile) {
    if (profile.backup().isEmpty()) {
      return BackupPolicy.NONE;
    }
    Optional<Path> central = profile.backuploc() == BackupLocation.CENTRAL
        ? Optional.of(profile.backupDirectory()) : Optional.empty();
    return new BackupPolicy(profile::shouldBackup, central, profile.backupprefix(), profile.backupsuffix(),
        Math.max(1, profile.maxbackups()));
  }

  private static Policy policy(Profile profile, PropsPolicy props) {
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

  private String lockHolder(String[] args) {
    return "pid " + ProcessHandle.current().pid() + " on " + env.hostName() + " since " + Instant.now(env.clock())
        + " (jsync " + String.join(" ", args) + ")";
  }

  /**
   * The JVM decodes file names with the locale's charset; under cron's usual POSIX locale that is ASCII and
   * every non-ASCII name becomes unreadable. bin/jsync switches to C.UTF-8; say so if that did not happen.
   */
  private void warnIfNamesCannotBeDecoded() {
    String jnu = System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name());
    if (!jnu.equalsIgnoreCase("UTF-8")) {
      err.println("jsync: warning: file names are decoded as " + jnu + ", so non-ASCII names cannot be "
          + "synchronized; run under a UTF-8 locale (e.g. LC_ALL=C.UTF-8; bin/jsync does this)");
      err.flush();
    }
  }
}
