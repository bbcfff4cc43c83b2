package jsync.core.delta;

/**
 * An output that hashes every byte written to it (xxHash64, seed 0), such as the applier's sink into a
 * temporary file. A {@link Patcher} writing into one that held nothing before takes the hash of its
 * output from it instead of computing the same hash a second time (1 GiB: ~0.08 s of the receiver's copy
 * thread, the busiest thread of a large delta; docs/benchmarks.md).
 */
public interface HashedOutput {
  /** The xxHash64 (seed 0) of all bytes written so far. */
  long hashSoFar();
}
