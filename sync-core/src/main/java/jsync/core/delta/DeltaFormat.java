package jsync.core.delta;

/** Constants of delta operations, shared by the matcher and, later, the byte encoding. */
final class DeltaFormat {
  /**
   * The largest literal in one operation. It bounds what a decoder buffers per operation however hostile
   * the input, and it is large enough that per-operation headers are noise and compression sees enough
   * context.
   */
  static final int MAX_LITERAL = 64 * 1024;

  private DeltaFormat() {}
}
