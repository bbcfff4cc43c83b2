package jsync.core.testing;

import com.google.common.jimfs.FileTimeSource;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that stands still until a test moves it. It is also a Jimfs {@link FileTimeSource}, so a Jimfs
 * filesystem built with it stamps files with the same time the scanner reads from it: a test decides
 * exactly how old each file is (e.g. inside or outside the scanner's racy window).
 */
public final class FakeClock extends Clock implements FileTimeSource {
  /** 2026-11-21T10:00:00.123456789Z: nanoseconds on purpose, so truncation to millis would show. */
  public static final Instant START = Instant.parse("2026-11-21T10:00:00.123456789Z");

  private Instant now;

  public FakeClock() {
    this(START);
  }

  public FakeClock(Instant start) {
    this.now = start;
  }

  public synchronized FakeClock advance(Duration d) {
    now = now.plus(d);
    return this;
  }

  public synchronized FakeClock set(Instant t) {
    now = t;
    return this;
  }

  @Override
  public synchronized Instant instant() {
    return now;
  }

  @Override
  public FileTime now() {
    return FileTime.from(instant());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("a FakeClock is always UTC");
  }
}
