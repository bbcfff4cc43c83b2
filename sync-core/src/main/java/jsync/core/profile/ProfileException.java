package jsync.core.profile;

import jsync.core.JsyncException;

/** A profile or a command-line preference that cannot be used: unknown key, bad value, missing include. */
public final class ProfileException extends JsyncException {
  private final String source;
  private final int line;

  /**
   * @param source the profile file (or "command line") the bad setting came from
   * @param line 1-based line number, or 0 when there is none
   */
  public ProfileException(String source, int line, String message) {
    super(line > 0 ? source + ", line " + line + ": " + message : source + ": " + message);
    this.source = source;
    this.line = line;
  }

  /** As {@link #ProfileException(String, int, String)}, keeping the I/O or parse failure behind it. */
  public ProfileException(String source, int line, String message, Throwable cause) {
    super(line > 0 ? source + ", line " + line + ": " + message : source + ": " + message, cause);
    this.source = source;
    this.line = line;
  }

  public ProfileException(String message) {
    super(message);
    this.source = "";
    this.line = 0;
  }

  public String source() {
    return source;
  }

  public int line() {
    return line;
  }
}
