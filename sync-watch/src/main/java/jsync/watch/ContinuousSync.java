package jsync.watch;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import jsync.core.JsyncException;
import jsync.core.model.RelPath;
import jsync.core.reconcile.Side;
import jsync.core.sync.Replica;
import jsync.core.sync.SyncConfig;
import jsync.core.sync.SyncListener;
import jsync.core.sync.SyncReport;
import jsync.core.sync.SyncRun;
import jsync.core.watch.ChangeSink;

/**
 * Continuous mode: {@code -repeat watch} (a daemon that synchronizes what changed, within a second) and
 * {@code -repeat N} (a full synchronization every N seconds). Every synchronization is an ordinary
 * {@link SyncRun}, with the same rules, guards and archive commits as a batch run; watch mode only narrows
 * it to the paths the watchers reported.
 *
 * <p>The loop, in watch mode: make both replicas (the lock is then held until the daemon ends), watch
 * both roots, synchronize everything once, then wait for changes and synchronize them, with a full
 * synchronization now and then as a safety net. What it does when things go wrong:
 * <ul>
 *   <li>events lost (queue overflow): a full synchronization;
 *   <li>a watcher gave up (watch limit): a warning, and full synchronizations every {@code pollInterval};
 *   <li>the connection to a remote replica is lost: reconnect with backoff, then a full synchronization;
 *   <li>a synchronization fails as a whole (a root vanished, a big deletion refused): logged, and a full
 *       synchronization is tried again after a backoff. Per-path failures and conflicts are only reported:
 *       the next change of the path tries again.
 * </ul>
 * Anything that fails before the first synchronization completes is fatal (a wrong host, a held lock):
 * a daemon should not start half-configured. {@link #stop} (SIGTERM) ends the loop after the items under
 * way (or, of a large item, the parts under way) are completed and recorded.
 *
 * <p>jsync's own writes are seen by the watchers too; the synchronization they trigger finds the replicas
 * in step with the archive and does nothing, so changes never ping-pong.
 */
public final class ContinuousSync {
  /** Makes one side's replica: opens a local root, or connects to a remote one. */
  @FunctionalInterface
  public interface ReplicaMaker {
    /** @throws JsyncException if the replica cannot be reached */
    Replica make(Side side);
  }

  /** What the daemon tells its caller (the CLI's reporter and log). */
  public interface Listener {
    /**
     * A listener for one synchronization.
     *
     * @param changed the paths it is narrowed to, or empty for a full one
     * @param stop what {@link SyncListener#stopRequested} must answer
     */
    SyncListener pass(Set<RelPath> changed, BooleanSupplier stop);

    /** The synchronization ended: {@code report} is null if it failed (an exception follows). */
    void passDone(SyncListener pass, SyncReport report);

    /** Something the user should know (a rescan, a lost connection); the daemon goes on. */
    void warning(String message);

    /** A synchronization failed as a whole; the daemon goes on. */
    void error(String message);
  }

  /** How the daemon runs. */
  public enum Mode {
    WATCH, INTERVAL
  }

  /**
   * @param interval {@code INTERVAL}: time between synchronizations; {@code WATCH}: time between safety-net
   *     full synchronizations ({@link Duration#ZERO}: never)
   * @param quiet a change is synchronized once no other change came for this long...
   * @param maxDelay ...or this long after it, whichever is first
   * @param pollInterval full synchronizations this often while a root cannot be watched
   * @param retryMin first wait before reconnecting or retrying a failed synchronization; doubles up to
   *     {@code retryMax}
   */
  public record Settings(Mode mode, Duration interval, Duration quiet, Duration maxDelay, Duration pollInterval,
      Duration retryMin, Duration retryMax) {
    public Settings {
      Objects.requireNonNull(mode, "mode");
      if (mode == Mode.INTERVAL && interval.isZero()) {
        throw new IllegalArgumentException("repeat interval must be positive");
      }
    }

    /** {@code repeat = watch}: 0.2 s quiet, 2 s at most, a full synchronization every hour. */
    public static Settings watch(Duration fullEvery) {
      return new Settings(Mode.WATCH, fullEvery, Duration.ofMillis(200), Duration.ofSeconds(2),
          Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofMinutes(5));
    }

    /** {@code repeat = N}. */
    public static Settings every(Duration interval) {
      return new Settings(Mode.INTERVAL, interval, Duration.ZERO, Duration.ZERO, interval, Duration.ofSeconds(1),
          Duration.ofMinutes(5));
    }
  }

  private final ReplicaMaker maker;
  private final SyncConfig config;
  private final Settings settings;
  private final Listener listener;
  private final ChangeQueue queue = new ChangeQueue();
  private final Object pause = new Object();
  private volatile boolean stopping;

  private Replica alpha;
  private Replica beta;
  private Closeable alphaWatch;
  private Closeable betaWatch;
  private volatile boolean alphaWatching;
  private volatile boolean betaWatching;
  private long retryNanos;
  private long rewatchNanos;
  /** When the next full synchronization is due (a safety net, polling, or a retry after a failure). */
  private long nextFullNanos;
  /** Passes completed; read by other threads (tests, status). */
  private volatile int passes;

  public ContinuousSync(ReplicaMaker maker, SyncConfig config, Settings settings, Listener listener) {
    this.maker = maker;
    this.config = config;
    this.settings = settings;
    this.listener = listener;
    this.retryNanos = settings.retryMin().toNanos();
    this.rewatchNanos = settings.retryMin().toNanos();
  }

  /**
   * Runs until {@link #stop}.
   *
   * @throws JsyncException if the replicas cannot be made or the first synchronization fails
   */
  public void run() {
    try {
      alpha = maker.make(Side.ALPHA);
      beta = maker.make(Side.BETA);
      if (settings.mode() == Mode.WATCH) {
        startWatching(false);
      }
      synchronize(Set.of());
      if (settings.mode() == Mode.WATCH && !(alphaWatching && betaWatching) && startWatching(true)) {
        // A root the first synchronization created can only be watched now; what changed in between
        // is found by one more full synchronization.
        synchronize(Set.of());
      }
      scheduleFull(false);
      while (!stopping) {
        if (settings.mode() == Mode.INTERVAL) {
          sleep(nextFullNanos - System.nanoTime());
          if (!stopping) {
            passOrRecover(Set.of());
          }
          continue;
        }
        ChangeQueue.Batch batch = queue.await(settings.quiet().toNanos(), settings.maxDelay().toNanos(),
            nextFullNanos);
        if (stopping) {
          break;
        }
        batch.stopped().forEach(listener::warning);
        if (!alpha.connected() || !beta.connected()) {
          reconnect();
          continue;
        }
        if (!batch.stopped().isEmpty()) {
          // Watch again soon (the full synchronization that follows restarts the watcher); if it keeps
          // stopping (a watch limit), ever less often, but at least every poll interval.
          long soon = System.nanoTime() + rewatchNanos;
          if (soon - nextFullNanos < 0) {
            nextFullNanos = soon;
          }
          rewatchNanos = Math.min(rewatchNanos * 2, settings.pollInterval().toNanos());
        }
        boolean full = batch.rescan().isPresent() || System.nanoTime() - nextFullNanos >= 0;
        if (batch.rescan().isPresent()) {
          listener.warning("rescanning everything: " + batch.rescan().get());
        }
        if (full) {
          if (!(alphaWatching && betaWatching)) {
            startWatching(true);
          }
          passOrRecover(Set.of());
        } else if (!batch.paths().isEmpty()) {
          passOrRecover(batch.paths());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      close();
    }
  }

  /** Ends {@link #run}: the synchronization under way completes the items begun, records them and stops. */
  public void stop() {
    stopping = true;
    queue.wake();
    synchronized (pause) {
      pause.notifyAll();
    }
  }

  /** Synchronizations run so far (for tests and the status line). */
  public int passes() {
    return passes;
  }

  /**
   * One synchronization; a whole-run failure is reported and retried later (or the connection remade).
   */
  private void passOrRecover(Set<RelPath> changed) throws InterruptedException {
    try {
      synchronize(changed);
      retryNanos = settings.retryMin().toNanos();
      if (changed.isEmpty()) {
        scheduleFull(false);
        if (alphaWatching && betaWatching) {
          rewatchNanos = settings.retryMin().toNanos();
        }
      }
    } catch (RuntimeException e) {
      // A JsyncException says what went wrong; anything else is a bug, which must not end the daemon.
      listener.error(e instanceof JsyncException ? e.getMessage() : "internal error, please report: " + e);
      if (!alpha.connected() || !beta.connected()) {
        reconnect();
      } else {
        scheduleFull(true);
      }
    }
  }

  /** Runs one {@link SyncRun}: everything if {@code changed} is empty, else only those paths. */
  private SyncReport synchronize(Set<RelPath> changed) {
    SyncConfig c = config;
    if (!changed.isEmpty()) {
      List<RelPath> scopes = narrow(changed, config.scopes());
      if (scopes.isEmpty()) {
        return null;
      }
      c = config.narrowedTo(scopes);
    }
    SyncListener pass = listener.pass(changed, () -> stopping);
    SyncReport report = null;
    try {
      report = new SyncRun(alpha, beta, c, pass).run();
      passes++;
    } finally {
      listener.passDone(pass, report);
    }
    return report;
  }

  /**
   * The changed paths within the configured scopes: a path inside a scope stays; a path above one (a
   * directory holding a {@code path} was replaced) becomes that scope.
   */
  static List<RelPath> narrow(Set<RelPath> changed, List<RelPath> scopes) {
    List<RelPath> out = new ArrayList<>();
    for (RelPath p : changed) {
      for (RelPath s : scopes) {
        if (s.contains(p)) {
          out.add(p);
          break;
        } else if (p.contains(s)) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /**
   * The next full synchronization: after a failure, once the backoff has passed; while a root cannot be
   * watched, after the poll interval; otherwise after the safety-net interval (or never).
   */
  private void scheduleFull(boolean afterFailure) {
    long now = System.nanoTime();
    if (afterFailure) {
      nextFullNanos = now + retryNanos;
      retryNanos = Math.min(retryNanos * 2, settings.retryMax().toNanos());
      return;
    }
    Duration d = settings.interval();
    if (settings.mode() == Mode.WATCH && !(alphaWatching && betaWatching)) {
      d = d.isZero() ? settings.pollInterval() : min(d, settings.pollInterval());
    }
    // "Never" is a century: far enough, and nanoTime arithmetic stays clear of overflow.
    nextFullNanos = now + (d.isZero() ? Duration.ofDays(36500).toNanos() : d.toNanos());
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /**
   * Starts the watchers that are not running. Watching starts before the synchronization that follows, so
   * nothing changed in between is missed.
   *
   * @return true if both sides are now watched
   */
  private boolean startWatching(boolean warn) {
    if (!alphaWatching) {
      alphaWatch = closeQuietly(alphaWatch);
      alphaWatch = startWatch(alpha, Side.ALPHA, warn);
    }
    if (!betaWatching) {
      betaWatch = closeQuietly(betaWatch);
      betaWatch = startWatch(beta, Side.BETA, warn);
    }
    return alphaWatching && betaWatching;
  }

  /** @param warn false before the first synchronization, which may create a missing root */
  private Closeable startWatch(Replica r, Side side, boolean warn) {
    setWatching(side, true);
    ChangeSink q = queue.sink(r.root());
    ChangeSink sink = new ChangeSink() {
      @Override
      public void changed(RelPath path) {
        q.changed(path);
      }

      @Override
      public void rescan(String reason) {
        q.rescan(reason);
      }

      @Override
      public void stopped(String reason) {
        setWatching(side, false);
        q.stopped(reason);
      }
    };
    try {
      return r.watch(config.scopes(), config.filter(), sink);
    } catch (IOException | JsyncException | UnsupportedOperationException e) {
      setWatching(side, false);
      // A connection lost while the watch was being set up (a server restarting just after accepting
      // us) is no reason to poll: the synchronization that follows fails on it too, and the reconnection
      // watches again. Only a replica still connected truly cannot be watched.
      if (warn && r.connected()) {
        listener.warning("cannot watch " + r.root() + " for changes (" + e.getMessage() + "); synchronizing "
            + "everything every " + settings.pollInterval().toSeconds() + " s instead");
      }
      return null;
    }
  }

  private void setWatching(Side side, boolean on) {
    if (side == Side.ALPHA) {
      alphaWatching = on;
    } else {
      betaWatching = on;
    }
  }

  /**
   * Remakes the replicas whose connection was lost, waiting longer after each failed attempt, then
   * watches again and synchronizes everything (what changed while disconnected was not seen).
   */
  private void reconnect() throws InterruptedException {
    long wait = settings.retryMin().toNanos();
    while (!stopping) {
      if (alpha != null && !alpha.connected()) {
        alphaWatch = closeQuietly(alphaWatch);
        alphaWatching = false;
        closeQuietly(alpha);
        alpha = null;
      }
      if (beta != null && !beta.connected()) {
        betaWatch = closeQuietly(betaWatch);
        betaWatching = false;
        closeQuietly(beta);
        beta = null;
      }
      try {
        if (alpha == null) {
          alpha = maker.make(Side.ALPHA);
        }
        if (beta == null) {
          beta = maker.make(Side.BETA);
        }
        listener.warning("connected again; synchronizing everything");
        if (settings.mode() == Mode.WATCH) {
          startWatching(true);
        }
        queue.take();
        synchronize(Set.of());
        scheduleFull(false);
        retryNanos = settings.retryMin().toNanos();
        return;
      } catch (JsyncException e) {
        listener.warning("reconnecting failed: " + e.getMessage() + "; trying again in "
            + Duration.ofNanos(wait).toSeconds() + " s");
        sleep(wait);
        wait = Math.min(wait * 2, settings.retryMax().toNanos());
      }
    }
  }

  private void sleep(long nanos) throws InterruptedException {
    long end = System.nanoTime() + nanos;
    synchronized (pause) {
      long left;
      while (!stopping && (left = end - System.nanoTime()) > 0) {
        pause.wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  private void close() {
    alphaWatch = closeQuietly(alphaWatch);
    betaWatch = closeQuietly(betaWatch);
    if (alpha != null) {
      closeQuietly(alpha);
    }
    if (beta != null) {
      closeQuietly(beta);
    }
  }

  private static Closeable closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        // Closing after the work is done or lost: nothing to add.
      }
    }
    return null;
  }
}
