package jsync.protocol;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import jsync.core.DaemonThreads;
import jsync.core.model.RelPath;
import jsync.core.watch.ChangeSink;

/**
 * The server's end of remote watching: sends what its watcher reports to the client as {@link
 * Message.Changes}. Events come in bursts (a file written in many chunks, a tree unpacked), so they are
 * gathered for {@link #GATHER_MILLIS} and sent as one message; more than {@link #MAX_PATHS} pending paths
 * become one rescan, so neither side's memory grows with a burst.
 */
final class ChangeForwarder implements ChangeSink, Closeable {
  static final long GATHER_MILLIS = 10;
  static final int MAX_PATHS = 10_000;
  /** And at most this many characters of paths, so a message always fits a frame. */
  static final int MAX_CHARS = 256 * 1024;

  private final Session session;
  private final ScheduledExecutorService sender =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("jsync-changes"));
  private final Set<RelPath> pending = new LinkedHashSet<>();
  private int pendingChars;
  private String rescan;
  private String stopped;
  private boolean scheduled;

  ChangeForwarder(Session session) {
    this.session = session;
  }

  @Override
  public synchronized void changed(RelPath path) {
    if (rescan == null && pending.add(path)) {
      pendingChars += path.toString().length() + 4;
      if (pending.size() > MAX_PATHS || pendingChars > MAX_CHARS) {
        rescan = "more than " + pending.size() + " paths changed at once";
        pending.clear();
        pendingChars = 0;
      }
    }
    schedule();
  }

  @Override
  public synchronized void rescan(String reason) {
    rescan = reason;
    pending.clear();
    pendingChars = 0;
    schedule();
  }

  @Override
  public synchronized void stopped(String reason) {
    stopped = reason;
    schedule();
  }

  private void schedule() {
    if (!scheduled) {
      scheduled = true;
      sender.schedule(this::send, GATHER_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void send() {
    Message.Changes message;
    synchronized (this) {
      scheduled = false;
      message = new Message.Changes(new ArrayList<>(pending), Optional.ofNullable(rescan),
          Optional.ofNullable(stopped));
      pending.clear();
      pendingChars = 0;
      rescan = null;
      stopped = null;
    }
    try {
      session.send(message);
      session.flush();
    } catch (ProtocolException e) {
      // The connection is gone; the client notices that itself and starts over.
    }
  }

  @Override
  public void close() {
    sender.shutdownNow();
  }
}
