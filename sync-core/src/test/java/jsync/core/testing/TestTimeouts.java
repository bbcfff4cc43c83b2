package jsync.core.testing;

import java.time.Duration;

/**
 * Timeouts for tests that wait on the filesystem, threads or processes, scaled by the system property
 * {@code jsync.test.timeoutFactor} (set by the build; raise it on a slow or busy machine). No test waits
 * without a bound.
 */
public final class TestTimeouts {
  private TestTimeouts() {}

  public static double factor() {
    String s = System.getProperty("jsync.test.timeoutFactor", "1");
    try {
      double f = Double.parseDouble(s);
      if (f > 0) {
        return f;
      }
    } catch (NumberFormatException e) {
      // Fall through to the error below, which names the bad value.
    }
    throw new IllegalArgumentException("jsync.test.timeoutFactor must be a positive number, not '" + s + "'");
  }

  public static Duration scaled(Duration d) {
    return Duration.ofNanos((long) (d.toNanos() * factor()));
  }

  public static Duration seconds(long s) {
    return scaled(Duration.ofSeconds(s));
  }
}
