package jsync.core.watch;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A full garbage collection once a long-running process (the continuous-mode daemon, or {@code jsync server}
 * serving it) has been idle for {@link #IDLE_SECONDS}. A synchronization grows the heap (a full one holds a
 * whole tree's updates), and the serial collector the launcher picks gives memory back to the system only
 * after a full collection; without one, an idle daemon would keep the high-water mark of its busiest pass.
 * Once per quiet spell, never during a synchronization. A one-shot batch run never uses this.
 */
public final class IdleCollection {
  public static final long IDLE_SECONDS = 10;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "jsync-idle-gc");
    t.setDaemon(true);
    return t;
  });
  private ScheduledFuture<?> pending;

  /** Work just ended: collect if nothing else starts within {@link #IDLE_SECONDS}. */
  public synchronized void schedule() {
    cancel();
    pending = timer.schedule(System::gc, IDLE_SECONDS, TimeUnit.SECONDS);
  }

  /** Work starts: no collection in the middle of it. */
  public synchronized void cancel() {
    if (pending != null) {
      pending.cancel(false);
      pending = null;
    }
  }
}
