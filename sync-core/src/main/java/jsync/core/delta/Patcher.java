package jsync.core.delta;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Optional;
import jsync.core.model.Fingerprint;
import net.jpountz.xxhash.StreamingXXHash64;

/**
 * The receiver's half of the rsync algorithm: carries out delta operations, copying blocks from the basis
 * file (the receiver's old version, whose {@link Signature} the sender matched against) and writing
 * literals, to rebuild the new version into {@code out}, usually a temporary file. It computes the
 * output's length and xxHash64 as the bytes go past (or takes the hash from an output that computes it
 * anyway, a {@link HashedOutput}), and {@link #finish} compares them with what the sender said the new
 * version is.
 *
 * <p>A result that does not match is not an error but an outcome: the basis changed since its signature
 * was taken, the sender's file changed while it was read, or (at 2<sup>-64</sup>) a strong checksum
 * collided. The caller then discards the output and falls back to a full transfer. Once the output is known
 * to be wrong (the basis has the wrong size or ends early, or more bytes arrive than expected) the patcher
 * stops reading and writing but keeps accepting operations, so the delta can still be read to its end.
 * A block outside the basis is a malformed delta and throws {@link DeltaException}.
 *
 * <p>Neither channel is closed; {@link #close} (or {@link #finish}) releases the hash state. {@code out}
 * must be blocking; an {@code OutputStream} fits through {@link #channelTo}.
 * Not thread-safe.
 */
public final class Patcher implements DeltaSink, Closeable {
  /** Copy buffer: large enough that copying a long run of blocks costs few system calls. */
  private static final int COPY_BUFFER = 128 * 1024;

  private final Signature basis;
  private final SeekableByteChannel basisChannel;
  private final WritableByteChannel out;
  private final long expectedSize;
  private final Fingerprint expected;
  private final CopiedBlocks copies;
  /** The hash of the output as it is written; null when {@link #hashedOut} computes it. */
  private final StreamingXXHash64 hash;
  private final HashedOutput hashedOut;
  private final ByteBuffer copyBuffer = ByteBuffer.allocate(COPY_BUFFER);
  private long size;
  private Optional<String> mismatch = Optional.empty();
  private boolean closed;

  /**
   * @param basis the signature the sender matched against, describing {@code basisChannel}'s content
   * @param basisChannel the basis file, read at the positions of copied blocks
   * @param out where the new version goes
   * @param expectedSize the new version's size, as the sender announced it
   * @param expected the new version's fingerprint, as the sender announced it; must be known
   * @throws IOException if the basis's size cannot be read
   */
  public Patcher(Signature basis, SeekableByteChannel basisChannel, WritableByteChannel out,
      long expectedSize, Fingerprint expected) throws IOException {
    this(basis, basisChannel, out, expectedSize, expected, null);
  }

  /**
   * As above, and records in {@code copies} (if not null) where the output holds basis blocks, before
   * writing them, for the new version's signature.
   */
  public Patcher(Signature basis, SeekableByteChannel basisChannel, WritableByteChannel out,
      long expectedSize, Fingerprint expected, CopiedBlocks copies) throws IOException {
    this(basis, basisChannel, out, expectedSize, expected, copies, null);
  }

  /**
   * As above, with {@code hashedOut} (if not null) computing the hash of everything {@code out} is given:
   * the same output seen from its hashing side, holding nothing before this patcher writes to it. The
   * patcher then does not hash its output itself, and compares that hash at {@link #finish}.
   */
  public Patcher(Signature basis, SeekableByteChannel basisChannel, WritableByteChannel out,
      long expectedSize, Fingerprint expected, CopiedBlocks copies, HashedOutput hashedOut) throws IOException {
    if (!expected.known() || expectedSize < 0) {
      throw new IllegalArgumentException("expected " + expectedSize + " bytes of " + expected);
    }
    this.basis = basis;
    this.basisChannel = basisChannel;
    this.out = out;
    this.expectedSize = expectedSize;
    this.expected = expected;
    this.copies = copies;
    this.hashedOut = hashedOut;
    this.hash = hashedOut == null ? XxHash.streaming(0) : null;
    long actual = basisChannel.size();
    if (actual != basis.fileSize()) {
      fail("the basis file is " + actual + " bytes, its signature says " + basis.fileSize()
          + ": it changed since the signature was taken");
    }
  }

  /**
   * How the rebuilt file compares with what was expected.
   *
   * @param size bytes written (up to the point where the patcher gave up, if it did)
   * @param fingerprint their xxHash64
   * @param mismatch why the output is not the expected new version; empty when it is
   */
  public record Result(long size, Fingerprint fingerprint, Optional<String> mismatch) {
    /** The output is the expected new version, byte for byte (up to xxHash64). */
    public boolean verified() {
      return mismatch.isEmpty();
    }
  }

  @Override
  public void copy(int block, int count) throws IOException {
    int blocks = basis.blockCount();
    if (block < 0 || count < 1 || count > blocks - block) {
      throw new DeltaException("copy of blocks " + block + "+" + count + " from a basis of " + blocks
          + " blocks");
    }
    checkOpen();
    long position = (long) block * basis.blockSize();
    long remaining = Math.min((long) count * basis.blockSize(), basis.fileSize() - position);
    if (copies != null && mismatch.isEmpty()) {
      copies.copied(size, basis, block, count);
    }
    while (remaining > 0 && mismatch.isEmpty()) {
      ByteBuffer bb = copyBuffer.clear().limit((int) Math.min(remaining, COPY_BUFFER));
      while (bb.hasRemaining()) {
        int n = basisChannel instanceof FileChannel fc
            ? fc.read(bb, position + bb.position())
            : basisChannel.position(position + bb.position()).read(bb);
        if (n < 0) {
          fail("the basis file ended at byte " + (position + bb.position()) + ", before block " + block
              + "+" + count + ": it changed since the signature was taken");
          return;
        }
      }
      emit(bb.array(), 0, bb.position());
      position += bb.position();
      remaining -= bb.position();
    }
  }

  @Override
  public void literal(byte[] b, int off, int len) throws IOException {
    checkOpen();
    if (mismatch.isEmpty()) {
      emit(b, off, len);
    }
  }

  /**
   * Compares the output with the expected size and fingerprint, then releases the hash state. Call it
   * after the last operation; {@code out} may then be flushed and closed.
   */
  public Result finish() {
    checkOpen();
    Fingerprint actual = Fingerprint.of(hash != null ? hash.getValue() : hashedOut.hashSoFar());
    close();
    if (mismatch.isEmpty() && size != expectedSize) {
      fail("rebuilt " + size + " bytes, expected " + expectedSize);
    }
    if (mismatch.isEmpty() && !actual.equals(expected)) {
      fail("rebuilt content has fingerprint " + actual + ", expected " + expected);
    }
    return new Result(size, actual, mismatch);
  }

  /** Releases the hash state; idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (hash != null) {
        hash.close();
      }
    }
  }

  private void emit(byte[] b, int off, int len) throws IOException {
    if (len > expectedSize - size) {
      // Stop at the expected size: a sender (or an impostor) cannot make us fill the disk.
      fail("more than the expected " + expectedSize + " bytes");
      return;
    }
    if (hash != null) {
      hash.update(b, off, len);
    }
    size += len;
    ByteBuffer bb = ByteBuffer.wrap(b, off, len);
    while (bb.hasRemaining()) {
      out.write(bb);
    }
  }

  /**
   * {@code out} as a channel that hands each buffer to one {@code write} call. Not
   * {@link java.nio.channels.Channels#newChannel(OutputStream)}: that copies through an 8 KiB array, so a
   * file rebuilt into a stream over a file took one {@code write(2)} per 8 KiB (131,000 for 1 GiB).
   */
  public static WritableByteChannel channelTo(OutputStream out) {
    return new WritableByteChannel() {
      private boolean open = true;

      @Override
      public int write(ByteBuffer src) throws IOException {
        if (!open) {
          throw new ClosedChannelException();
        }
        int n = src.remaining();
        if (src.hasArray()) {
          out.write(src.array(), src.arrayOffset() + src.position(), n);
          src.position(src.limit());
        } else {
          byte[] copy = new byte[n];
          src.get(copy);
          out.write(copy, 0, n);
        }
        return n;
      }

      @Override
      public boolean isOpen() {
        return open;
      }

      @Override
      public void close() {
        open = false; // the stream is the caller's, as with the channel's other uses here
      }
    };
  }

  private void fail(String why) {
    if (mismatch.isEmpty()) {
      mismatch = Optional.of(why);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("patcher already finished or closed");
    }
  }
}
