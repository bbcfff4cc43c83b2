package jsync.core.archive;

import jsync.core.JsyncException;

/** The archive cannot be opened, read or written: corrupt, of an unknown format version, or locked. */
public class ArchiveException extends JsyncException {
  public ArchiveException(String message) {
    super(message);
  }

  public ArchiveException(String message, Throwable cause) {
    super(message, cause);
  }
}
