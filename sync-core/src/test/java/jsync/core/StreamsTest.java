package jsync.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StreamsTest {
  /** Copies everything, whatever the expected size says, through short and empty reads, in writes of at most a chunk. */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 8191, 8192, Streams.CHUNK - 1, Streams.CHUNK, Streams.CHUNK + 1, 3 * Streams.CHUNK + 7})
  void copiesEveryByte_inWritesOfAtMostAChunk(int size) throws IOException {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    Random reads = new Random(7);
    InputStream in = new ByteArrayInputStream(data) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        int r = reads.nextInt(4);
        // Short reads and empty ones, as a socket or a pipe gives.
        return super.read(b, off, r == 0 ? 0 : r == 1 ? Math.min(len, 3) : len);
      }
    };
    List<Integer> writes = new ArrayList<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream() {
      @Override
      public synchronized void write(byte[] b, int off, int len) {
        writes.add(len);
        super.write(b, off, len);
      }
    };
    for (long expected : new long[] {size, 0, Long.MAX_VALUE}) {
      out.reset();
      writes.clear();
      in.reset();
      assertEquals(size, Streams.copy(in, out, expected));
      assertArrayEquals(data, out.toByteArray());
      assertEquals(0, writes.stream().filter(w -> w <= 0 || w > Streams.CHUNK).count(), writes.toString());
    }
  }
}
