package jsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SystemClockTest {
  @Test
  void tellsTheSystemTime_inTheSystemZone() {
    Clock c = SystemClock.instance();
    Instant before = Instant.now();
    Instant now = c.instant();
    Instant after = Instant.now();
    assertTrue(!now.isBefore(before) && !now.isAfter(after), now + " not within " + before + ".." + after);
    long millis = c.millis();
    assertTrue(Math.abs(millis - System.currentTimeMillis()) < Duration.ofSeconds(5).toMillis());
    assertEquals(ZoneId.systemDefault(), c.getZone());
    assertSame(c.getZone(), c.getZone());
  }

  @Test
  void withZone_isTheSystemClockInThatZone() {
    Clock c = SystemClock.instance().withZone(ZoneOffset.ofHours(5));
    assertEquals(ZoneOffset.ofHours(5), c.getZone());
    assertTrue(Duration.between(c.instant(), Instant.now()).abs().toSeconds() < 5);
  }

  @Test
  void theEnvironmentOfTheProcess_usesIt() {
    assertSame(SystemClock.instance(), Environment.system().clock());
  }
}
