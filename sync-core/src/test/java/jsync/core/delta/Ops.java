package jsync.core.delta;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import jsync.core.model.Fingerprint;

/**
 * Test helpers for the delta code: a sink that records operations as a script ({@code "C0+4 L100 C5+3"}:
 * copies of block+count, literal lengths, adjacent literals merged since their cut points are not part of
 * any contract), and okio-style streams that trickle bytes.
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
}
