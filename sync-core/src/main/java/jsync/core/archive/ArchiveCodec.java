package jsync.core.archive;

import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import jsync.core.delta.Signature;
import jsync.core.model.Entry;
import jsync.core.model.Fingerprint;
import jsync.core.model.Observed;
import jsync.core.model.Stamp;

/**
 * The byte encoding of archive values, format version {@link Archive#FORMAT_VERSION}; see
 * {@code docs/archive.md}. Remember to bump the version when anything here changes.
 *
 * <p>Values are hand-encoded rather than Jackson-encoded: a scan decodes one per file of the replica, and
 * a fixed layout with varints is both the smallest and the fastest to decode. Archive bytes are untrusted
 * (a disk can corrupt them): every length is checked before use and errors throw {@link ArchiveException}.
 */
final class ArchiveCodec {
  static final byte FILE = 'F';
  static final byte DIR = 'D';
  static final byte LINK = 'L';
  private static final int MAX_LINK_TARGET = 64 * 1024;

  private ArchiveCodec() {}

  static byte[] encode(Observed o) {
    Out out = new Out();
    Entry e = o.entry();
    switch (e.kind()) {
      case FILE -> {
        Entry.File f = (Entry.File) e;
        out.put(FILE);
        out.varLong(f.size());
        out.fixedLong(f.mtimeNanos());
        out.varLong(f.mode());
        // xxh64() throws for an unknown fingerprint: the archive only records hashed contents.
        out.fixedLong(f.fingerprint().xxh64());
        Stamp s = o.stamp();
        // The stamp's size and mtime are the entry's own; only inode and ctime are extra. A stamp that
        // does not fit (or NONE) is stored as absent, which only means one more hash on the next scan.
        if (s.size() == f.size() && s.mtimeNanos() == f.mtimeNanos()) {
          out.put((byte) 1);
          out.varLong(s.inode());
          out.fixedLong(s.ctimeNanos());
        } else {
          out.put((byte) 0);
        }
      }
      case DIR -> {
        out.put(DIR);
        out.varLong(((Entry.Dir) e).mode());
      }
      case LINK -> {
        out.put(LINK);
        byte[] t = ((Entry.Link) e).target().getBytes(StandardCharsets.UTF_8);
        if (t.length > MAX_LINK_TARGET) {
          // Never write what decode refuses: one such record would make every later scan fail.
          throw new IllegalArgumentException("symlink target of " + t.length + " bytes is longer than the "
              + MAX_LINK_TARGET + " the archive stores");
        }
        out.varLong(t.length);
        out.bytes(t);
      }
      case ABSENT, PROBLEM -> throw new IllegalArgumentException("the archive never records " + e);
    }
    return out.toByteArray();
  }

  /**
   * @param where names the record in an error message; asked for only when the record is corrupt (a scan
   *     decodes every record, and building "path in archive dir" for each was 11% of the archive's
   *     iteration, docs/benchmarks.md)
   */
  static Observed decode(byte[] value, Supplier<String> where) {
    return decode(value, value.length, where);
  }

  /** {@link #decode(byte[], Supplier)} of the first {@code length} bytes of {@code value}. */
  static Observed decode(byte[] value, int length, Supplier<String> where) {
    In in = new In(value, length);
    try {
      byte tag = in.get();
      Observed result;
      switch (tag) {
        case FILE -> {
          long size = in.varLong();
          long mtime = in.getLong();
          int mode = mode(in.varLong());
          Fingerprint fp = Fingerprint.of(in.getLong());
          Stamp stamp = Stamp.NONE;
          byte hasStamp = in.get();
          if (hasStamp == 1) {
            long inode = in.varLong();
            long ctime = in.getLong();
            stamp = new Stamp(size, mtime, inode, ctime);
          } else if (hasStamp != 0) {
            throw new ArchiveException("corrupt archive record at " + where.get() + ": stamp flag " + hasStamp);
          }
          result = new Observed(new Entry.File(size, mtime, mode, fp), stamp);
        }
        case DIR -> result = Observed.of(new Entry.Dir(mode(in.varLong())));
        case LINK -> {
          long len = in.varLong();
          if (len <= 0 || len > MAX_LINK_TARGET || len > in.remaining()) {
            throw new ArchiveException("corrupt archive record at " + where.get() + ": link target length " + len);
          }
          byte[] t = in.bytes((int) len);
          String target = StandardCharsets.UTF_8.newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(t)).toString();
          result = Observed.of(new Entry.Link(target));
        }
        default -> throw new ArchiveException("corrupt archive record at " + where.get() + ": unknown tag " + tag);
      }
      if (in.hasRemaining()) {
        throw new ArchiveException("corrupt archive record at " + where.get() + ": " + in.remaining()
            + " trailing bytes");
      }
      return result;
    } catch (BufferUnderflowException | IllegalArgumentException | CharacterCodingException e) {
      throw new ArchiveException("corrupt archive record at " + where.get() + ": " + e, e);
    }
  }

  static byte[] encode(Signature s) {
    Out out = new Out(24 + 12 * s.blockCount());
    out.varLong(s.blockSize());
    out.fixedLong(s.seed());
    out.varLong(s.fileSize());
    for (int i = 0; i < s.blockCount(); i++) {
      out.fixedInt(s.weak(i));
      out.fixedLong(s.strong(i));
    }
    return out.toByteArray();
  }

  /** @param where as for {@link #decode} */
  static Signature decodeSignature(byte[] value, Supplier<String> where) {
    In in = new In(value, value.length);
    try {
      long blockSize = in.varLong();
      long seed = in.getLong();
      long fileSize = in.varLong();
      if (blockSize <= 0 || blockSize > Integer.MAX_VALUE || fileSize < 0) {
        throw new ArchiveException("corrupt signature at " + where.get() + ": block size " + blockSize);
      }
      long blocks = (fileSize + blockSize - 1) / blockSize;
      if (blocks * 12 != in.remaining()) {
        throw new ArchiveException("corrupt signature at " + where.get() + ": " + blocks + " blocks but "
            + in.remaining() + " bytes");
      }
      int n = (int) blocks;
      int[] weak = new int[n];
      long[] strong = new long[n];
      for (int i = 0; i < n; i++) {
        weak[i] = in.getInt();
        strong[i] = in.getLong();
      }
      return new Signature((int) blockSize, seed, fileSize, weak, strong);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new ArchiveException("corrupt signature at " + where.get() + ": " + e, e);
    }
  }

  private static int mode(long m) {
    if (m < 0 || m > 07777) {
      throw new IllegalArgumentException("mode " + m);
    }
    return (int) m;
  }

  /**
   * Reads what {@link Out} writes, big-endian, throwing {@link BufferUnderflowException} past the end as a
   * ByteBuffer would. Not a ByteBuffer: a scan decodes a record per file in a fresh JVM, where a heap
   * buffer's checked, virtual accessors (not yet compiled or inlined) cost more than the decoding itself.
   */
  private static final class In {
    private final byte[] buf;
    private final int limit;
    private int pos;

    /** Reads {@code buf[0..limit)}. */
    In(byte[] buf, int limit) {
      if (limit < 0 || limit > buf.length) {
        throw new IllegalArgumentException("limit " + limit + " of " + buf.length + " bytes");
      }
      this.buf = buf;
      this.limit = limit;
    }

    private void need(int n) {
      if (limit - pos < n) {
        throw new BufferUnderflowException();
      }
    }

    byte get() {
      need(1);
      return buf[pos++];
    }

    long getLong() {
      need(8);
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (buf[pos++] & 0xff);
      }
      return v;
    }

    int getInt() {
      need(4);
      int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8)
          | (buf[pos + 3] & 0xff);
      pos += 4;
      return v;
    }

    byte[] bytes(int n) {
      need(n);
      byte[] b = java.util.Arrays.copyOfRange(buf, pos, pos + n);
      pos += n;
      return b;
    }

    /** Unsigned LEB128, at most 10 bytes. */
    long varLong() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        byte b = get();
        v |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          return v;
        }
      }
      throw new IllegalArgumentException("varint longer than 10 bytes");
    }

    int remaining() {
      return limit - pos;
    }

    boolean hasRemaining() {
      return pos < limit;
    }
  }

  /**
   * A growable byte array, written big-endian. Not a ByteArrayOutputStream: its synchronized write per
   * byte made encoding the block signatures of large files (12 bytes a block, a 1 GiB file has ~90,000
   * blocks) a visible part of recording a run's results.
   */
  private static final class Out {
    private byte[] buf;
    private int n;

    Out() {
      this(48);
    }

    Out(int capacity) {
      buf = new byte[capacity];
    }

    private void room(int more) {
      if (n + more > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
      }
    }

    void put(byte b) {
      room(1);
      buf[n++] = b;
    }

    void bytes(byte[] b) {
      room(b.length);
      System.arraycopy(b, 0, buf, n, b.length);
      n += b.length;
    }

    void varLong(long v) {
      room(10);
      while ((v & ~0x7fL) != 0) {
        buf[n++] = (byte) ((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      buf[n++] = (byte) v;
    }

    void fixedLong(long v) {
      room(8);
      for (int i = 56; i >= 0; i -= 8) {
        buf[n++] = (byte) (v >>> i);
      }
    }

    void fixedInt(int v) {
      room(4);
      buf[n++] = (byte) (v >>> 24);
      buf[n++] = (byte) (v >>> 16);
      buf[n++] = (byte) (v >>> 8);
      buf[n++] = (byte) v;
    }

    byte[] toByteArray() {
      return java.util.Arrays.copyOf(buf, n);
    }
  }
}
