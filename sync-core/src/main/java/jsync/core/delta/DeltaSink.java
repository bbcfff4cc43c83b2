package jsync.core.delta;

import java.io.IOException;

/**
 * Receives a delta as operations, in order: the new file is the concatenation of what each operation stands
 * for. The {@link Matcher} produces them, {@link DeltaEncoder} writes them to bytes, {@link DeltaDecoder}
 * reads them back and {@link Patcher} carries them out against the receiver's basis file. Like rsync's
 * {@code send_token}, with the transport left out.
 */
public interface DeltaSink {
  /**
   * Blocks {@code block .. block+count-1} of the basis file, in order ({@code count >= 1}). Every block is
   * {@link Signature#blockSize()} long except the basis file's last block, which may be shorter.
   */
  void copy(int block, int count) throws IOException;

  /**
   * Bytes {@code b[off, off+len)} of the new file ({@code len >= 1}). The array belongs to the caller and is
   * reused as soon as this returns: a sink that keeps bytes copies them.
   */
  void literal(byte[] b, int off, int len) throws IOException;
}
