package jsync.core.delta;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Where a file rebuilt by a {@link Patcher} holds blocks of its basis verbatim, so that the new file's
 * {@link SignatureBuilder} takes those blocks' checksums from the basis's signature instead of computing
 * them again. A delta of a large file is mostly copied blocks, and computing the new version's signature
 * (its weak checksum above all) was most of the receiver's CPU in a delta transfer (docs/benchmarks.md).
 *
 * <p>Taking a checksum from the basis's signature is as safe as the match that put the block there: the
 * sender chose the block because its own bytes had that block's strong checksum, and the patcher's
 * whole-file hash then checks that the rebuilt file is the sender's, byte for byte. Should a basis block
 * nevertheless differ from what its signature describes with an equal strong checksum (a 2<sup>-64</sup>
 * collision), the cost is a less effective next delta, never wrong content: every delta's result is checked
 * against the whole-file hash.
 *
 * <p>One thread records (the patcher, in file order, before it writes the copied bytes); another may look
 * up (the signature builder, in file order, after it got those bytes). Runs the builder has passed are
 * dropped, so only the runs between the writer and the builder are held.
 */
public final class CopiedBlocks {
  /** Bytes [start, end) of the new file are blocks block.. of basis. */
  private record Run(long start, long end, Signature basis, int block) {}

  private final Queue<Run> runs = new ConcurrentLinkedQueue<>();

  /**
   * Records that the new file's bytes from {@code offset} on are blocks {@code block .. block+count-1} of
   * the basis that {@code basis} describes. Calls come in increasing {@code offset} order.
   */
  public void copied(long offset, Signature basis, int block, int count) {
    long start = (long) block * basis.blockSize();
    long bytes = Math.min((long) count * basis.blockSize(), basis.fileSize() - start);
    if (bytes > 0) {
      runs.add(new Run(offset, offset + bytes, basis, block));
    }
  }

  /**
   * The checksums of the new file's block at [{@code offset}, {@code offset + length}) if it is exactly one
   * block of a basis signed with {@code blockSize} and {@code seed}: written into {@code into} as
   * {@code {weak, strong}}. Lookups come in increasing {@code offset} order.
   *
   * @return whether it is
   */
  boolean lookUp(long offset, int length, int blockSize, long seed, long[] into) {
    Run r = runs.peek();
    while (r != null && r.end() <= offset) {
      runs.poll();
      r = runs.peek();
    }
    if (r == null || r.start() > offset || offset + length > r.end()) {
      return false;
    }
    Signature b = r.basis();
    long within = offset - r.start();
    if (b.blockSize() != blockSize || b.seed() != seed || within % blockSize != 0) {
      return false;
    }
    int block = r.block() + (int) (within / blockSize);
    if (b.blockLength(block) != length) {
      return false;
    }
    into[0] = b.weak(block);
    into[1] = b.strong(block);
    return true;
  }
}
