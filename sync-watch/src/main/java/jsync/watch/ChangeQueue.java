package jsync.watch;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import jsync.core.model.RelPath;
import jsync.core.watch.ChangeSink;

/**
 * What the watchers of both replicas reported since the last synchronization, and when it is time for the
 * next: after a quiet period with no new change (a file being written produces a stream of events; one
 * synchronization after it ends is enough), but no later than a maximum delay after the first change (so
 * a file written without pause is still synchronized now and then).
 *
 * <p>Memory stays bounded: beyond {@link #MAX_PATHS} paths the set collapses into one full rescan.
 */
public final class ChangeQueue {
  static final int MAX_PATHS = 100_000;

  /** One synchronization's worth of changes. */
  public record Batch(Set<RelPath> paths, Optional<String> rescan, List<String> stopped) {
    public boolean isEmpty() {
      return paths.isEmpty() && rescan.isEmpty() && stopped.isEmpty();
    }
  }

  private final LongSupplier nanoTime;
  private Set<RelPath> paths = new HashSet<>();
  private String rescan;
  private List<String> stopped = new ArrayList<>();
  private long firstNanos;
  private long lastNanos;
  private boolean woken;

  public ChangeQueue() {
    this(System::nanoTime);
  }

  ChangeQueue(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** A sink that feeds this queue: give one to each replica's watcher. */
  public ChangeSink sink(String side) {
    return new ChangeSink() {
      @Override
      public void changed(RelPath path) {
        add(path);
      }

      @Override
      public void rescan(String reason) {
        rescanAll(side + ": " + reason);
      }

      @Override
      public void stopped(String reason) {
        stop(reason);
      }
    };
  }

  synchronized void add(RelPath path) {
    touched();
    if (rescan == null && paths.add(path) && paths.size() > MAX_PATHS) {
      rescanAll("more than " + MAX_PATHS + " paths changed");
    }
    notifyAll();
  }

  synchronized void rescanAll(String reason) {
    touched();
    rescan = reason;
    paths = new HashSet<>();
    notifyAll();
  }

  synchronized void stop(String reason) {
    stopped.add(reason);
    woken = true;
    notifyAll();
  }

  /** Ends a wait at once (the daemon is told to stop). */
  public synchronized void wake() {
    woken = true;
    notifyAll();
  }

  private void touched() {
    long now = nanoTime.getAsLong();
    if (!pending()) {
      firstNanos = now;
    }
    lastNanos = now;
  }

  private boolean pending() {
    return !paths.isEmpty() || rescan != null;
  }

  /**
   * Waits until changes are due (quiet for {@code quietNanos} since the last, or {@code maxDelayNanos}
   * since the first), a watcher stopped, {@link #wake} is called, or {@code deadlineNanos} (in
   * {@link System#nanoTime} terms) passes; then takes what is pending, perhaps nothing.
   */
  public synchronized Batch await(long quietNanos, long maxDelayNanos, long deadlineNanos)
      throws InterruptedException {
    while (true) {
      long now = nanoTime.getAsLong();
      if (woken || !stopped.isEmpty() || now - deadlineNanos >= 0) {
        break;
      }
      long wait = deadlineNanos - now;
      if (pending()) {
        long due = Math.min(lastNanos + quietNanos, firstNanos + maxDelayNanos);
        if (now - due >= 0) {
          break;
        }
        wait = Math.min(wait, due - now);
      }
      long millis = Math.max(1, (wait + 999_999) / 1_000_000);
      wait(millis);
    }
    woken = false;
    return take();
  }

  /** Takes what is pending without waiting. */
  public synchronized Batch take() {
    Batch b = new Batch(Set.copyOf(paths), Optional.ofNullable(rescan), List.copyOf(stopped));
    paths = new HashSet<>();
    rescan = null;
    stopped = new ArrayList<>();
    return b;
  }
}
