package jsync.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT for a daemon: the first asks it to stop cleanly (finish the items under way, record
 * them, exit 0, as systemd's {@code systemctl stop} expects); a second one exits at once, as the JVM would
 * have (the archive is consistent either way: every commit is atomic). {@code sun.misc.Signal} is the
 * JDK's supported way (module jdk.unsupported) to handle a signal without starting the JVM's shutdown.
 */
final class StopSignals {
  private StopSignals() {}

  static void install(Runnable stop) {
    AtomicBoolean asked = new AtomicBoolean();
    for (String name : new String[] {"TERM", "INT"}) {
      Signal signal = new Signal(name);
      Signal.handle(signal, s -> {
        if (asked.compareAndSet(false, true)) {
          stop.run();
        } else {
          Runtime.getRuntime().halt(128 + s.getNumber());
        }
      });
    }
  }
}
