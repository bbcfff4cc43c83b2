package jsync.core;

import java.util.concurrent.ThreadFactory;

/** Threads for jsync's worker pools: named for thread dumps, and daemons, so a stuck pool never keeps the JVM up. */
public final class DaemonThreads {
  private DaemonThreads() {}

  public static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
