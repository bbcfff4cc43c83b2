package jsync.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.function.BooleanSupplier;
import jsync.core.JsyncException;
import jsync.core.apply.BackupPolicy;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;
import jsync.core.profile.Profile;
import jsync.core.reconcile.Side;
import jsync.core.sync.SyncConfig;
import jsync.core.sync.SyncListener;
import jsync.core.sync.SyncReport;
import jsync.watch.ContinuousSync;

/**
 * {@code jsync -repeat watch|watch+N|N PROFILE}: the CLI side of {@link ContinuousSync}. Each
 * synchronization gets its own reporter and opens the log file afresh (so a rotated log is followed without
 * a signal); one that changed nothing prints and logs nothing, so the log holds one line per propagated
 * change. SIGTERM and SIGINT stop the daemon cleanly (exit 0); a second signal exits at once.
 */
final class Daemon {
  private final JsyncCli cli;
  private final Profile profile;
  private final Options options;
  private final String[] args;

  Daemon(JsyncCli cli, Profile profile, Options options, String[] args) {
    this.cli = cli;
    this.profile = profile;
    this.options = options;
    this.args = args;
  }

  /** {@code watch}, {@code watch+N} or {@code N} (validated by the profile). */
  static ContinuousSync.Settings settings(String repeat) {
    if (repeat.equals("watch")) {
      return ContinuousSync.Settings.watch(Duration.ofHours(1));
    }
    if (repeat.startsWith("watch+")) {
      return ContinuousSync.Settings.watch(Duration.ofSeconds(Long.parseLong(repeat.substring(6))));
    }
    return ContinuousSync.Settings.every(Duration.ofSeconds(Long.parseLong(repeat)));
  }

  int run() {
    ContinuousSync.Settings settings = settings(profile.repeat().get());
    PropsPolicy props = new PropsPolicy(profile.perms() & 0777, profile.times());
    BackupPolicy backups = JsyncCli.backupPolicy(profile);
    Reporter.Level level = profile.silent() ? Reporter.Level.SILENT
        : profile.terse() ? Reporter.Level.TERSE : Reporter.Level.NORMAL;
    Path logfile = profile.log() ? profile.logfile() : null;
    SyncConfig config = new SyncConfig(JsyncCli.scopes(profile), JsyncCli.filter(profile, backups),
        JsyncCli.policy(profile, props), profile.fastcheck(), profile.links(), profile.confirmbigdel(),
        profile.mountpoints(), cli.lockHolder(args), cli.env.clock());
    String host = cli.env.hostName();
    ContinuousSync.ReplicaMaker maker = side -> cli.replica(profile.roots().get(side == Side.ALPHA ? 0 : 1),
        profile, host, props, backups, n -> { });
    ContinuousSync daemon = new ContinuousSync(maker, config, settings, new Listener(level, logfile));
    if (cli.stopSignals != null) {
      cli.stopSignals.accept(daemon::stop);
    }
    String what = settings.mode() == ContinuousSync.Mode.WATCH
        ? "watching for changes" + (settings.interval().isZero() ? ""
            : ", everything again every " + settings.interval().toSeconds() + " s")
        : "synchronizing every " + settings.interval().toSeconds() + " s";
    log(logfile, "jsync " + String.join(" ", args) + ": " + profile.roots().get(0).display() + " and "
        + profile.roots().get(1).display() + ", " + what);
    daemon.run();
    log(logfile, "jsync stopped after " + daemon.passes() + " synchronizations");
    return JsyncCli.OK;
  }

  /** One line in the log, outside any synchronization. */
  private void log(Path logfile, String line) {
    try (LogFile log = LogFile.open(logfile, cli.env.clock())) {
      log.line(line);
    } catch (IOException e) {
      throw new JsyncException("cannot open log file " + logfile + ": " + e.getMessage()
          + " (set log = false or logfile to another file)", e);
    }
  }

  /** Reporters per synchronization, and the daemon's own warnings, on stderr and in the log. */
  private final class Listener implements ContinuousSync.Listener {
    private final Reporter.Level level;
    private final jsync.core.watch.IdleCollection idleCollection = new jsync.core.watch.IdleCollection();
    private final Path logfile;

    Listener(Reporter.Level level, Path logfile) {
      this.level = level;
      this.logfile = logfile;
    }

    @Override
    public SyncListener pass(Set<RelPath> changed, BooleanSupplier stop) {
      LogFile log;
      try {
        log = LogFile.open(logfile, cli.env.clock());
      } catch (IOException e) {
        cli.err.println("jsync: warning: cannot open log file " + logfile + ": " + e.getMessage());
        cli.err.flush();
        try {
          log = LogFile.open(null, cli.env.clock());
        } catch (IOException impossible) {
          throw new IllegalStateException(impossible);
        }
      }
      Reporter r = new Reporter(cli.out, cli.err, level, false, cli.env, log,
          new PlanFormatter(new PropsPolicy(profile.perms() & 0777, profile.times())));
      if (options.debug) {
        r.showTimings();
      }
      idleCollection.cancel();
      return new Pass(r, log, stop);
    }

    @Override
    public void passDone(SyncListener pass, SyncReport report) {
      Pass p = (Pass) pass;
      try {
        if (report != null) {
          p.reporter.summaryIfAnything(report);
        } else {
          p.reporter.stopProgress();
        }
      } finally {
        p.close();
      }
      idleCollection.schedule();
    }

    @Override
    public void warning(String message) {
      say("jsync: warning: ", "Warning: ", message);
    }

    @Override
    public void error(String message) {
      say("jsync: error: ", "Error: ", message);
    }

    private void say(String prefix, String logPrefix, String message) {
      if (level != Reporter.Level.SILENT) {
        cli.err.println(prefix + message);
        cli.err.flush();
      }
      try (LogFile log = LogFile.open(logfile, cli.env.clock())) {
        log.line(logPrefix + message);
      } catch (IOException | java.io.UncheckedIOException e) {
        // The message went to stderr; a log that cannot be written must not stop the daemon.
      }
    }
  }

  /** A reporter that also answers the daemon's stop request, and closes its log file when done. */
  private static final class Pass implements SyncListener {
    final Reporter reporter;
    private final LogFile log;
    private final BooleanSupplier stop;

    Pass(Reporter reporter, LogFile log, BooleanSupplier stop) {
      this.reporter = reporter;
      this.log = log;
      this.stop = stop;
    }

    @Override
    public void stage(String description) {
      reporter.stage(description);
    }

    @Override
    public void scanned(Side side, jsync.core.scan.ScanStats stats) {
      reporter.scanned(side, stats);
    }

    @Override
    public boolean confirm(jsync.core.reconcile.Plan plan) {
      return reporter.confirm(plan);
    }

    @Override
    public boolean confirmBigDeletion(String message) {
      return reporter.confirmBigDeletion(message);
    }

    @Override
    public void itemDone(jsync.core.sync.ItemReport report) {
      reporter.itemDone(report);
    }

    @Override
    public void warning(String message) {
      reporter.warning(message);
    }

    @Override
    public boolean stopRequested() {
      return stop.getAsBoolean();
    }

    void close() {
      try {
        log.close();
      } catch (IOException e) {
        // Lines already written are in the file; nothing else to do.
      }
    }
  }
}
