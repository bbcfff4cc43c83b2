package jsync.core.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One {@code key = value} preference and where it came from, so that a bad value can be reported with its
 * file and line. Settings are interpreted in order by {@link Profile#from}: later single-valued settings
 * override earlier ones, which is how command-line settings (appended after the profile's) win.
 *
 * @param key the preference name, trimmed
 * @param value the value, trimmed; may be empty
 * @param source the profile file it was read from, or {@link #COMMAND_LINE}
 * @param line 1-based line number in {@code source}, or 0 when there is none
 */
public record Setting(String key, String value, String source, int line) {
  /** The {@link #source} of settings given on the command line. */
  public static final String COMMAND_LINE = "command line";

  public Setting {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(source, "source");
    if (line < 0) {
      throw new IllegalArgumentException("line must be 0 or more, not " + line);
    }
  }

  /** A setting given on the command line ({@code -key value} or {@code key=value}). */
  public static Setting commandLine(String key, String value) {
    return new Setting(key.trim(), value.trim(), COMMAND_LINE, 0);
  }

  /**
   * Command-line settings from {@code key=value} strings, split at the first {@code =} and trimmed as in a
   * profile line.
   *
   * @throws ProfileException naming the argument that has no {@code =}
   */
  public static List<Setting> settingsFrom(List<String> keyEqualsValue) {
    List<Setting> settings = new ArrayList<>(keyEqualsValue.size());
    for (String arg : keyEqualsValue) {
      int eq = arg.indexOf('=');
      if (eq <= 0) {
        throw new ProfileException(COMMAND_LINE, 0, "expected key=value, not '" + arg + "'");
      }
      settings.add(commandLine(arg.substring(0, eq), arg.substring(eq + 1)));
    }
    return List.copyOf(settings);
  }

  public boolean fromCommandLine() {
    return COMMAND_LINE.equals(source);
  }

  /** A ProfileException located at this setting. */
  ProfileException error(String message) {
    return new ProfileException(source, line, message);
  }
}
