package jsync.core.delta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import jsync.core.model.Fingerprint;
import net.jpountz.xxhash.StreamingXXHash64;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark case of issue 3 without the network: a 1 GiB incompressible file changed at 100 places
 * plus a 1 MiB insertion in the middle, streamed from files through matcher, encoder, a delta file,
 * decoder and patcher. Checks the delta's size, the rebuilt file's fingerprint and that memory stays
 * bounded (the file never sits in memory), and prints times and throughput. About 3 GiB of disk under
 * {@code @TempDir}. Run with {@code mvn -Pheavy -pl sync-core test -Dtest=DeltaHeavyTest}.
 */
@Tag("heavy")
class DeltaHeavyTest {
  /** 1 GiB; a smaller size (system property {@code jsync.test.heavySize}) is handy while tuning. */
  private static final long SIZE = Long.getLong("jsync.test.heavySize", 1L << 30);
  private static final int IO = 1 << 20;

  /** Writes {@code in} to {@code file}; returns its fingerprint, computed on the way. */
  private static Fingerprint write(InputStream in, Path file) throws IOException {
    byte[] b = new byte[IO];
    try (OutputStream out = Files.newOutputStream(file); StreamingXXHash64 h = XxHash.streaming(0)) {
      for (int n; (n = in.readNBytes(b, 0, b.length)) > 0; ) {
        h.update(b, 0, n);
        out.write(b, 0, n);
      }
      return Fingerprint.of(h.getValue());
    }
  }

  private static Signature signature(Path file) throws IOException {
    SignatureBuilder sb = new SignatureBuilder(Files.size(file), 77);
    byte[] b = new byte[IO];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(b)) > 0; ) {
        sb.update(b, 0, n);
      }
    }
    return sb.finish();
  }

  private static void resetPeakHeap() {
    System.gc();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
  }

  /** Sum of the heap pools' peaks since {@link #resetPeakHeap}: an upper bound on live data. */
  private static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  private static String rate(long bytes, long nanos) {
    return String.format("%.2f s, %.0f MB/s", nanos / 1e9, bytes / 1e6 / (nanos / 1e9));
  }

  @Test
  void oneGiB_100ChangesAnd1MiBInsertion(@TempDir Path dir) throws IOException {
    Path f1 = dir.resolve("F1");
    Path f2 = dir.resolve("F2");
    Path delta = dir.resolve("delta");
    Path rebuilt = dir.resolve("F2.rebuilt");
    long t0 = System.nanoTime();
    write(Generated.file(1, SIZE), f1);
    Fingerprint expected = write(Generated.edited(1, SIZE, 100, 2, SIZE / 2 + 12_345, 1 << 20), f2);
    long t1 = System.nanoTime();
    Signature sig = signature(f1);
    long t2 = System.nanoTime();
    resetPeakHeap();

    Matcher.Result m;
    long deltaBytes;
    try (InputStream in = Files.newInputStream(f2);
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(delta), IO)) {
      DeltaEncoder enc = new DeltaEncoder(sig, out, true);
      m = new Matcher(sig).deltify(in, enc);
      enc.finish(m.length(), m.fingerprint());
      deltaBytes = enc.bytesWritten();
    }
    long t3 = System.nanoTime();
    Patcher.Result r;
    try (InputStream in = Files.newInputStream(delta);
        FileChannel basis = FileChannel.open(f1);
        FileChannel out = FileChannel.open(rebuilt, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Patcher p = new Patcher(sig, basis, out, m.length(), m.fingerprint())) {
      DeltaDecoder.decode(in, sig, p);
      r = p.finish();
    }
    long t4 = System.nanoTime();
    long peak = peakHeap();

    long newSize = SIZE + (1 << 20);
    System.out.printf("1 GiB heavy test, block %d, %d blocks%n", sig.blockSize(), sig.blockCount());
    System.out.printf("  generate and write F1, F2: %.2f s; signature of F1: %s%n", (t1 - t0) / 1e9,
        rate(SIZE, t2 - t1));
    System.out.printf("  matcher + encoder:  %s; %d literal bytes, %d false alarms%n", rate(newSize, t3 - t2),
        m.literalBytes(), m.falseAlarms());
    System.out.printf("  decoder + patcher:  %s%n", rate(newSize, t4 - t3));
    System.out.printf("  delta: %d bytes (%.3f MiB); peak heap %d MiB%n", deltaBytes, deltaBytes / 1048576.0,
        peak >> 20);

    assertTrue(r.verified(), () -> r.mismatch().get());
    assertEquals(expected, m.fingerprint());
    assertEquals(expected, r.fingerprint());
    assertEquals(newSize, Files.size(rebuilt));
    // As in DeltaSizeTest: each changed byte spoils its block, the insertion spoils one more, and the
    // encoding adds under 4 KiB. With 32 KiB blocks: 101 x 32 KiB + 1 MiB = 4.16 MiB.
    long maxDelta = 101L * sig.blockSize() + (1 << 20) + 4096;
    assertTrue(deltaBytes <= maxDelta, deltaBytes + " > " + maxDelta);
    // The matcher's buffer is ~128 KiB and the index ~1 MiB; a file held in memory would show as 1 GiB.
    assertTrue(peak < 256L << 20, "peak heap " + (peak >> 20) + " MiB");
  }

  /**
   * The matcher's worst case for speed: nothing matches, so every byte costs a roll and a probe. 1 GiB of
   * one generated file against the signature of another, straight from the generator.
   */
  @Test
  void matcherThroughput_whenNothingMatches() throws IOException {
    SignatureBuilder sb = new SignatureBuilder(SIZE, 77);
    byte[] b = new byte[IO];
    try (InputStream in = Generated.file(3, SIZE)) {
      for (int n; (n = in.read(b)) > 0; ) {
        sb.update(b, 0, n);
      }
    }
    Signature sig = sb.finish();
    long[] literal = {0};
    DeltaSink counting = new DeltaSink() {
      @Override
      public void copy(int block, int count) {
        throw new AssertionError("unexpected match of block " + block);
      }

      @Override
      public void literal(byte[] bytes, int off, int len) {
        literal[0] += len;
      }
    };
    long t0 = System.nanoTime();
    try (InputStream in = Generated.file(4, SIZE)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    long t1 = System.nanoTime();
    Matcher.Result m;
    try (InputStream in = Generated.file(4, SIZE)) {
      m = new Matcher(sig).deltify(in, counting);
    }
    long t2 = System.nanoTime();
    System.out.printf("no-match 1 GiB: generator alone %s; generator + matcher %s; matcher alone ~%.0f MB/s;"
            + " %d false alarms%n", rate(SIZE, t1 - t0), rate(SIZE, t2 - t1),
        SIZE / 1e6 / (((t2 - t1) - (t1 - t0)) / 1e9), m.falseAlarms());
    assertEquals(SIZE, literal[0]);
    assertEquals(SIZE, m.literalBytes());
  }
}
