package jsync.core;

/**
 * Base of every whole-run failure: the run cannot go on. The message is a sentence the user can act on and
 * names the file, line, host or path involved. Per-path trouble is never an exception but a
 * {@link jsync.core.model.Entry.Problem} or a failed item in the run's report.
 *
 * <p>All of them are fatal in Unison's sense (exit code 3); the CLI maps them in one place.
 */
public class JsyncException extends RuntimeException {
  public JsyncException(String message) {
    super(message);
  }

  public JsyncException(String message, Throwable cause) {
    super(message, cause);
  }
}
