package jsync.cli;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;

/**
 * The system clock in the system's time zone, the zone looked up only when first asked for.
 *
 * <p>Why: {@code Clock.systemDefaultZone()} resolves the zone at once, and the first resolution reads the
 * JDK's time-zone database and looks for zone-rule providers on the class path (opening every jar): ~25 ms
 * of a fresh JVM, measured with {@code -Xlog:class+load}. {@code jsync server} never needs the zone (it
 * logs nothing with local times), and that lookup ran before its read-ahead of the root started. (A no-change
 * run over SSH got no faster from this: part of that work, opening the class path's jars, only moved to
 * the next class loaded from them; docs/benchmarks.md.) The client needs the zone for its log file's lines
 * and pays it there. (Not looked up on another thread meanwhile: the lookup scans the
 * class path's jars for zone-rule providers while other threads load classes from a signed jar, Bouncy
 * Castle's, and such concurrent first uses have deadlocked JDKs before; a hang is worse than 25 ms.)
 */
final class SystemClock extends Clock {
  private static final SystemClock INSTANCE = new SystemClock();
  private volatile ZoneId zone;

  private SystemClock() {}

  static SystemClock instance() {
    return INSTANCE;
  }

  @Override
  public ZoneId getZone() {
    ZoneId z = zone;
    if (z == null) {
      z = ZoneId.systemDefault();
      zone = z;
    }
    return z;
  }

  @Override
  public Clock withZone(ZoneId z) {
    return Clock.system(z);
  }

  @Override
  public Instant instant() {
    return Instant.now();
  }

  @Override
  public long millis() {
    return System.currentTimeMillis();
  }
}
