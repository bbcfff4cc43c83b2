package jsync.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The log file ({@code log = true}, {@code logfile}): one timestamped line per action, conflict, failure
 * and summary, appended, so a cron job leaves a trail. Opened per run and closed at its end, so log
 * rotation needs no signal. A log that cannot be written is reported once and otherwise ignored: it must
 * never stop a synchronization.
 */
final class LogFile implements AutoCloseable {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private final BufferedWriter writer;
  private final Clock clock;

  private LogFile(BufferedWriter writer, Clock clock) {
    this.writer = writer;
    this.clock = clock;
  }

  /** Opens {@code file} for appending, or returns a log that writes nothing if {@code file} is null. */
  static LogFile open(Path file, Clock clock) throws IOException {
    if (file == null) {
      return new LogFile(null, clock);
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    return new LogFile(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND, StandardOpenOption.WRITE), clock);
  }

  void line(String text) {
    if (writer == null) {
      return;
    }
    try {
      String stamp = LocalDateTime.now(clock).format(STAMP);
      for (String l : text.split("\n", -1)) {
        writer.write("[" + stamp + "] " + l);
        writer.newLine();
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot write log file", e);
    }
  }

  @Override
  public void close() throws IOException {
    if (writer != null) {
      writer.close();
    }
  }
}
