package jsync.core.delta;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.util.Random;
import jsync.core.model.Fingerprint;

/**
 * Test helpers for the delta code: a sink that records operations as a script ({@code "C0+4 L100 C5+3"}:
 * copies of block+count, literal lengths, adjacent literals merged since their cut points are not part of
 * any contract), the whole pipeline in memory, and okio-style streams that trickle bytes.
 */
final class Ops implements DeltaSink {
  private final StringBuilder script = new StringBuilder();
  private final ByteArrayOutputStream literalBytes = new ByteArrayOutputStream();
  private long pendingLiteral;
  int copyCalls;
  int literalCalls;
  int largestLiteral;

  @Override
  public void copy(int block, int count) {
    flushLiteral();
    script.append(script.length() == 0 ? "" : " ").append('C').append(block).append('+').append(count);
    copyCalls++;
  }

  @Override
  public void literal(byte[] b, int off, int len) {
    literalBytes.write(b, off, len);
    pendingLiteral += len;
    literalCalls++;
    largestLiteral = Math.max(largestLiteral, len);
  }

  private void flushLiteral() {
    if (pendingLiteral > 0) {
      script.append(script.length() == 0 ? "" : " ").append('L').append(pendingLiteral);
      pendingLiteral = 0;
    }
  }

  String script() {
    flushLiteral();
    return script.toString();
  }

  byte[] literals() {
    return literalBytes.toByteArray();
  }

  /** One operation for a hand-written delta; returns the bytes it stands for. */
  interface Step {
    long apply(DeltaSink sink, Signature basis) throws IOException;
  }

  static Step copyStep(int block, int count) {
    return (sink, basis) -> {
      sink.copy(block, count);
      long from = (long) block * basis.blockSize();
      return Math.min((long) count * basis.blockSize(), basis.fileSize() - from);
    };
  }

  static Step literalStep(byte[] b) {
    return (sink, basis) -> {
      sink.literal(b, 0, b.length);
      return b.length;
    };
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static Signature signature(byte[] data, int blockSize, long seed) {
    SignatureBuilder b = new SignatureBuilder(data.length, blockSize, seed);
    b.update(data, 0, data.length);
    return b.finish();
  }

  static Fingerprint fingerprint(byte[] data) {
    return Fingerprint.of(XxHash.hash(data, 0, data.length, 0));
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] slice(byte[] b, int from, int to) {
    return java.util.Arrays.copyOfRange(b, from, to);
  }

  /** Runs the matcher alone and returns the script. */
  static String script(byte[] oldData, byte[] newData, int blockSize) throws IOException {
    Ops ops = new Ops();
    new Matcher(signature(oldData, blockSize, 42)).deltify(new ByteArrayInputStream(newData), ops);
    return ops.script();
  }

  /** How the bytes of each stage are fed. */
  enum Feed {
    BULK,
    /** The new file to the matcher one byte per read. */
    NEW_ONE_BYTE,
    /** The encoded delta to the decoder one byte per read. */
    DELTA_ONE_BYTE
  }

  /** What {@link #roundTrip} saw. */
  record Trip(byte[] rebuilt, Patcher.Result patched, Matcher.Result matched, byte[] delta, int copyOps) {}

  /** old, new → signature → matcher → encoder → bytes → decoder → patcher; all in memory. */
  static Trip roundTrip(byte[] oldData, byte[] newData, int blockSize, boolean compress, Feed feed)
      throws IOException {
    Signature sig = signature(oldData, blockSize, 0x5EED);
    ByteArrayOutputStream delta = new ByteArrayOutputStream();
    DeltaEncoder enc = new DeltaEncoder(sig, delta, compress);
    InputStream in = new ByteArrayInputStream(newData);
    int[] copyOps = {0};
    DeltaSink counting = new DeltaSink() {
      @Override
      public void copy(int block, int count) throws IOException {
        copyOps[0]++;
        enc.copy(block, count);
      }

      @Override
      public void literal(byte[] b, int off, int len) throws IOException {
        enc.literal(b, off, len);
      }
    };
    Matcher.Result m = new Matcher(sig).deltify(feed == Feed.NEW_ONE_BYTE ? new OneByte(in) : in, counting);
    enc.finish(m.length(), m.fingerprint());
    if (enc.bytesWritten() != delta.size()) {
      throw new AssertionError("encoder counted " + enc.bytesWritten() + " bytes, wrote " + delta.size());
    }
    byte[] encoded = delta.toByteArray();

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Patcher.Result r;
    try (Patcher p = new Patcher(sig, new BytesChannel(oldData), Channels.newChannel(out), m.length(),
        m.fingerprint())) {
      InputStream d = new ByteArrayInputStream(encoded);
      DeltaDecoder.Trailer t =
          DeltaDecoder.decode(feed == Feed.DELTA_ONE_BYTE ? new OneByte(d) : d, sig, p);
      if (t.length() != m.length() || !t.fingerprint().equals(m.fingerprint())) {
        throw new AssertionError("trailer " + t + " differs from " + m);
      }
      r = p.finish();
    }
    return new Trip(out.toByteArray(), r, m, encoded, copyOps[0]);
  }

  /** Returns one byte per read, whatever is asked (okio's BufferedSourceTest idea). */
  static final class OneByte extends FilterInputStream {
    OneByte(InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return super.read(b, off, Math.min(len, 1));
    }
  }

  /** A read-only in-memory basis file that is not a FileChannel. */
  static class BytesChannel implements SeekableByteChannel {
    private final byte[] data;
    private long position;

    BytesChannel(byte[] data) {
      this.data = data;
    }

    @Override
    public int read(ByteBuffer dst) {
      if (position >= data.length) {
        return -1;
      }
      int n = (int) Math.min(dst.remaining(), data.length - position);
      dst.put(data, (int) position, n);
      position += n;
      return n;
    }

    @Override
    public int write(ByteBuffer src) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long position() {
      return position;
    }

    @Override
    public SeekableByteChannel position(long p) {
      position = p;
      return this;
    }

    @Override
    public long size() {
      return data.length;
    }

    @Override
    public SeekableByteChannel truncate(long size) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
