package jsync.core.apply;

import java.io.IOException;

/**
 * A delta did not rebuild the wanted content (the basis changed meanwhile, or the source did): the applier
 * then asks for the whole file instead.
 */
public final class DeltaMismatchException extends IOException {
  public DeltaMismatchException(String message) {
    super(message);
  }
}
