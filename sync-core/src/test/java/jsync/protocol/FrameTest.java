package jsync.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import jsync.core.testing.TestTimeouts;
import org.junit.jupiter.api.Test;

/** Framing: layout, compression, limits, truncation, hostile headers, slow streams, concurrent producers. */
class FrameTest {
  private static final int HEADER = FrameWriter.HEADER_SIZE;

  private static byte[] text(int n) {
    StringBuilder b = new StringBuilder();
    while (b.length() < n) {
      b.append("<p>jsync keeps two replicas in step; ").append(b.length()).append("</p>\n");
    }
    return Arrays.copyOf(b.toString().getBytes(StandardCharsets.US_ASCII), n);
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] encode(boolean compress, Frame... frames) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FrameWriter w = new FrameWriter(out, compress);
    for (Frame f : frames) {
      w.write(f);
    }
    w.flush();
    return out.toByteArray();
  }

  private static List<Frame> decodeAll(byte[] wire) throws IOException {
    FrameReader r = new FrameReader(new ByteArrayInputStream(wire));
    List<Frame> frames = new ArrayList<>();
    Optional<Frame> f;
    while ((f = r.next()).isPresent()) {
      frames.add(f.get());
    }
    return frames;
  }

  /** A header with the given fields, followed by {@code payload}. */
  private static byte[] rawFrame(int type, int flags, int channel, int length, byte[] payload) {
    byte[] b = new byte[HEADER + payload.length];
    b[0] = (byte) type;
    b[1] = (byte) flags;
    FrameWriter.putInt(b, 2, channel);
    FrameWriter.putInt(b, 6, length);
    System.arraycopy(payload, 0, b, HEADER, payload.length);
    return b;
  }

  private static final List<Frame> MIXED = List.of(
      Frame.control("hello".getBytes(StandardCharsets.UTF_8)),
      Frame.data(1, text(5000)),
      Frame.data(3, random(700, 1)),
      Frame.data(1, new byte[0]),
      Frame.end(1),
      Frame.error(3, "www/index.html: changed since the scan"),
      Frame.control(new byte[0]));

  @Test
  void everyFrameType_roundTrips_thenCleanEnd() throws IOException {
    for (boolean compress : new boolean[] {false, true}) {
      byte[] wire = encode(compress, MIXED.toArray(new Frame[0]));
      FrameReader r = new FrameReader(new ByteArrayInputStream(wire));
      for (Frame expected : MIXED) {
        assertEquals(expected, r.read());
      }
      assertEquals(Optional.empty(), r.next());
      PeerClosedException e = assertThrows(PeerClosedException.class, r::read);
      assertEquals("the remote jsync closed the connection", e.getMessage());
    }
  }

  /** A slice of the caller's buffer goes on the wire exactly as the same bytes in a frame of their own. */
  @Test
  void writeData_ofASlice_isTheSameFrame_andTheBufferIsFreeAfterwards() throws IOException {
    for (boolean compress : new boolean[] {false, true}) {
      byte[] buf = new byte[20_000];
      System.arraycopy(text(8000), 0, buf, 100, 8000);
      System.arraycopy(random(5000, 2), 0, buf, 9000, 5000);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      FrameWriter w = new FrameWriter(out, compress);
      w.writeData(7, buf, 100, 8000);
      java.util.Arrays.fill(buf, 100, 8100, (byte) 0); // reused by the caller: the frame must not change
      w.writeData(9, buf, 9000, 5000);
      w.flush();
      byte[] expected = encode(compress, Frame.data(7, text(8000)), Frame.data(9, random(5000, 2)));
      assertArrayEquals(expected, out.toByteArray(), "compress " + compress);
    }
  }

  @Test
  void headerLayout_isTypeFlagsChannelLength_bigEndian() throws IOException {
    byte[] wire = encode(false, Frame.data(0x01020304, new byte[] {9, 8, 7}));
    assertArrayEquals(new byte[] {2, 0, 1, 2, 3, 4, 0, 0, 0, 3, 9, 8, 7}, wire);
    assertArrayEquals(new byte[] {3, 0, 0, 0, 0, 5, 0, 0, 0, 0}, encode(true, Frame.end(5)));
  }

  @Test
  void compressibleData_isCompressed_randomDataIsNot() throws IOException {
    byte[] textWire = encode(true, Frame.data(1, text(100_000)));
    assertEquals(FrameWriter.FLAG_LZ4, textWire[1]);
    assertTrue(textWire.length < 50_000, "text frame took " + textWire.length + " bytes");
    assertEquals(Frame.data(1, text(100_000)), decodeAll(textWire).get(0));

    byte[] randomWire = encode(true, Frame.data(1, random(100_000, 2)));
    assertEquals(0, randomWire[1]);
    assertEquals(HEADER + 100_000, randomWire.length);

    byte[] off = encode(false, Frame.data(1, text(100_000)));
    assertEquals(0, off[1]);
    // Small payloads are not worth it; control messages are compressed like data.
    assertEquals(0, encode(true, Frame.data(1, text(FrameWriter.MIN_COMPRESS - 1)))[1]);
    assertEquals(FrameWriter.FLAG_LZ4, encode(true, Frame.control(text(4096)))[1]);
  }

  @Test
  void maximumPayload_roundTrips_compressedOrNot() throws IOException {
    Frame big = Frame.data(7, text(Frame.MAX_PAYLOAD));
    Frame bigRandom = Frame.data(9, random(Frame.MAX_PAYLOAD, 3));
    assertEquals(List.of(big, bigRandom), decodeAll(encode(true, big, bigRandom)));
    assertThrows(IllegalArgumentException.class, () -> Frame.data(7, new byte[Frame.MAX_PAYLOAD + 1]));
  }

  @Test
  void writer_refusesPayloadsAboveThePeersLimit() throws IOException {
    FrameWriter w = new FrameWriter(new ByteArrayOutputStream(), true);
    w.limitPayload(64 * 1024);
    assertEquals(64 * 1024, w.maxPayload());
    w.write(Frame.data(1, new byte[64 * 1024]));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> w.write(Frame.data(1, new byte[64 * 1024 + 1])));
    assertTrue(e.getMessage().contains("peer's frame limit of 65536"), e.getMessage());
  }

  @Test
  void frameRules_areEnforcedOnConstruction() {
    assertThrows(IllegalArgumentException.class, () -> new Frame(Frame.Type.CONTROL, 1, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> new Frame(Frame.Type.DATA, 0, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> new Frame(Frame.Type.DATA, -1, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> new Frame(Frame.Type.END, 1, new byte[1]));
    assertEquals(Frame.MAX_ERROR, Frame.error(1, "x".repeat(10_000)).payload().length);
  }

  /** Cut a stream of several frames at every byte: a cut between frames is a clean end, any other an error. */
  @Test
  void truncatedAtEveryByte_isProtocolException_unlessBetweenFrames() throws IOException {
    List<Frame> frames = List.of(Frame.control(new byte[] {1, 2, 3}), Frame.data(1, text(600)),
        Frame.error(1, "gone"), Frame.end(3));
    byte[] wire = encode(true, frames.toArray(new Frame[0]));
    assertEquals(FrameWriter.FLAG_LZ4, wire[HEADER + 3 + 1], "the second frame should be compressed");
    List<Integer> boundaries = new ArrayList<>();
    boundaries.add(0);
    for (Frame f : frames) {
      boundaries.add(boundaries.get(boundaries.size() - 1) + encode(true, f).length);
    }
    assertEquals(wire.length, boundaries.get(boundaries.size() - 1));
    for (int cut = 0; cut <= wire.length; cut++) {
      FrameReader r = new FrameReader(new ByteArrayInputStream(Arrays.copyOf(wire, cut)));
      int complete = 0;
      try {
        while (r.next().isPresent()) {
          complete++;
        }
        assertTrue(boundaries.contains(cut), "cut at " + cut + " ended cleanly");
        assertEquals(boundaries.indexOf(cut), complete);
      } catch (ProtocolException e) {
        assertFalse(boundaries.contains(cut), "cut at frame boundary " + cut + ": " + e);
        assertEquals("connection closed in the middle of a frame", e.getMessage());
      }
    }
  }

  @Test
  void oneGibibyteLength_isRefused_quickly_withoutAllocating() {
    FrameReader r = new FrameReader(new ByteArrayInputStream(rawFrame(2, 0, 1, 1 << 30, new byte[0])));
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    long start = System.nanoTime();
    ProtocolException e = assertThrows(ProtocolException.class, r::next);
    long millis = (System.nanoTime() - start) / 1_000_000;
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertEquals("a DATA frame announces 1073741824 bytes, more than the limit of 1048576", e.getMessage());
    // Nothing near the declared size: what is allocated is the exception, its message and first-use class
    // loading (about 200 KiB), a thousandth of the 1 GiB the header asks for.
    assertTrue(allocated < 1 << 20, allocated + " bytes allocated for a refused frame");
    assertTrue(millis < TestTimeouts.seconds(1).toMillis(), "took " + millis + " ms");
    // Just above the limit, and "negative" (above 2 GiB as unsigned).
    assertThrows(ProtocolException.class,
        () -> new FrameReader(new ByteArrayInputStream(rawFrame(1, 0, 0, Frame.MAX_PAYLOAD + 1, new byte[0]))).next());
    ProtocolException negative = assertThrows(ProtocolException.class,
        () -> new FrameReader(new ByteArrayInputStream(rawFrame(2, 0, 1, -1, new byte[0]))).next());
    assertTrue(negative.getMessage().contains("4294967295 bytes"), negative.getMessage());
    // A reader with a smaller limit enforces its own.
    assertThrows(ProtocolException.class, () -> new FrameReader(
        new ByteArrayInputStream(rawFrame(2, 0, 1, 70_000, new byte[70_000])), 65_536).next());
  }

  @Test
  void compressedFrame_declaringAHugeOriginal_isRefused_beforeAllocating() {
    byte[] body = new byte[8];
    FrameWriter.putInt(body, 0, 1 << 30);
    ProtocolException e = assertThrows(ProtocolException.class,
        () -> new FrameReader(new ByteArrayInputStream(rawFrame(2, 1, 1, body.length, body))).next());
    assertTrue(e.getMessage().contains("1073741824 bytes uncompressed"), e.getMessage());
    byte[] zero = new byte[8];
    assertThrows(ProtocolException.class,
        () -> new FrameReader(new ByteArrayInputStream(rawFrame(2, 1, 1, zero.length, zero))).next());
    assertThrows(ProtocolException.class,
        () -> new FrameReader(new ByteArrayInputStream(rawFrame(2, 1, 1, 3, new byte[3]))).next());
  }

  @Test
  void corruptLz4Payload_isProtocolException() throws IOException {
    byte[] wire = encode(true, Frame.data(1, text(10_000)));
    assertEquals(FrameWriter.FLAG_LZ4, wire[1]);
    // The block replaced by 0xFF: literal-length extension bytes running past the end of the input.
    byte[] garbage = wire.clone();
    Arrays.fill(garbage, HEADER + 4, garbage.length, (byte) 0xff);
    ProtocolException e = assertThrows(ProtocolException.class, () -> decodeAll(garbage));
    assertTrue(e.getMessage().startsWith("corrupt LZ4 payload in a DATA frame on channel 1"), e.getMessage());
    // A correct block that inflates to fewer bytes than announced.
    byte[] shorter = wire.clone();
    FrameWriter.putInt(shorter, HEADER, 10_001);
    assertThrows(ProtocolException.class, () -> decodeAll(shorter));
    byte[] longer = wire.clone();
    FrameWriter.putInt(longer, HEADER, 9_999);
    assertThrows(ProtocolException.class, () -> decodeAll(longer));
    // Random corruption of the block: a frame (content is verified by hash later) or a ProtocolException.
    Random random = new Random(7);
    for (int i = 0; i < 2000; i++) {
      byte[] bad = wire.clone();
      bad[HEADER + 4 + random.nextInt(wire.length - HEADER - 4)] = (byte) random.nextInt(256);
      try {
        decodeAll(bad);
      } catch (ProtocolException expected) {
        // Fine: refused.
      } catch (Throwable t) {
        fail("corrupt LZ4 block threw " + t, t);
      }
    }
  }

  @Test
  void hostileHeaders_areProtocolExceptions() {
    assertRefused(rawFrame(0, 0, 0, 0, new byte[0]), "unknown frame type 0x00");
    assertRefused(rawFrame(0x47, 0, 0, 0, new byte[0]), "unknown frame type 0x47");
    assertRefused(rawFrame(2, 2, 1, 0, new byte[0]), "unknown flags 0x02 in a DATA frame");
    assertRefused(rawFrame(1, 0, 5, 0, new byte[0]),
        "invalid frame: CONTROL frame on channel 5 (control frames use channel 0, content frames others)");
    assertRefused(rawFrame(2, 0, 0, 0, new byte[0]),
        "invalid frame: DATA frame on channel 0 (control frames use channel 0, content frames others)");
    assertRefused(rawFrame(2, 0, -3, 0, new byte[0]), "invalid frame: negative channel -3");
    assertRefused(rawFrame(3, 0, 1, 1, new byte[1]), "invalid frame: END frame with a 1-byte payload");
    assertRefused(rawFrame(3, 1, 1, 4, new byte[4]), "a compressed END frame");
    assertRefused(rawFrame(4, 0, 1, 5000, new byte[5000]), "invalid frame: ERROR frame with a 5000-byte reason (at most 4096)");
  }

  private static void assertRefused(byte[] wire, String message) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> decodeAll(wire));
    assertEquals(message, e.getMessage());
  }

  @Test
  void readerOnAStreamGivingOneByteAtATime() throws IOException {
    byte[] wire = encode(true, MIXED.toArray(new Frame[0]));
    FrameReader r = new FrameReader(new OneByteInputStream(new ByteArrayInputStream(wire)));
    for (Frame expected : MIXED) {
      assertEquals(expected, r.read());
    }
    assertEquals(Optional.empty(), r.next());
  }

  @Test
  void failedWrite_breaksTheWriter() throws IOException {
    OutputStream failing = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("broken pipe");
      }
    };
    FrameWriter w = new FrameWriter(failing, false);
    w.write(Frame.data(1, new byte[10]));
    assertThrows(IOException.class, w::flush);
    IOException e = assertThrows(IOException.class, () -> w.write(Frame.end(1)));
    assertEquals("the connection is unusable after an earlier write failed", e.getMessage());
  }

  /**
   * Many producers share one writer, each streaming its own channels, with control frames in between; one
   * reader checks that every frame arrives whole and each channel's frames in order.
   */
  @Test
  void concurrentProducers_onManyChannels_interleaveWholeFrames() throws Exception {
    int producers = 6;
    int channelsPerProducer = 4;
    int framesPerChannel = 120;
    Pipe pipe = new Pipe(256 * 1024);
    FrameWriter writer = new FrameWriter(pipe.out, true);
    FrameReader reader = new FrameReader(pipe.in);
    ExecutorService pool = Executors.newFixedThreadPool(producers + 1);
    try {
      Future<Map<Integer, Integer>> consumer = pool.submit(() -> {
        Map<Integer, Integer> next = new HashMap<>();
        Map<Integer, Boolean> ended = new HashMap<>();
        int controls = 0;
        Optional<Frame> f;
        while ((f = reader.next()).isPresent()) {
          Frame frame = f.get();
          if (frame.type() == Frame.Type.CONTROL) {
            controls++;
            assertEquals(0, frame.payload().length);
            continue;
          }
          int ch = frame.channel();
          assertFalse(ended.getOrDefault(ch, false), "frame after END on channel " + ch);
          if (frame.type() == Frame.Type.END) {
            ended.put(ch, true);
            continue;
          }
          int seq = next.getOrDefault(ch, 0);
          assertArrayEquals(payload(ch, seq, sizeOf(ch, seq)), frame.payload(), "channel " + ch + " frame " + seq);
          next.put(ch, seq + 1);
        }
        assertEquals(producers * channelsPerProducer, ended.size());
        next.put(0, controls);
        return next;
      });
      List<Future<?>> work = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        int producer = p;
        work.add(pool.submit(() -> {
          for (int i = 0; i < framesPerChannel; i++) {
            for (int c = 0; c < channelsPerProducer; c++) {
              int ch = 1 + 2 * (producer * channelsPerProducer + c);
              writer.write(Frame.data(ch, payload(ch, i, sizeOf(ch, i))));
            }
            if (i % 50 == 0) {
              writer.write(Frame.control(new byte[0]));
              writer.flush();
            }
          }
          for (int c = 0; c < channelsPerProducer; c++) {
            writer.write(Frame.end(1 + 2 * (producer * channelsPerProducer + c)));
          }
          return null;
        }));
      }
      for (Future<?> f : work) {
        f.get(TestTimeouts.seconds(60).toMillis(), TimeUnit.MILLISECONDS);
      }
      writer.close();
      Map<Integer, Integer> counts = consumer.get(TestTimeouts.seconds(60).toMillis(), TimeUnit.MILLISECONDS);
      for (int ch = 1; ch < 2 * producers * channelsPerProducer; ch += 2) {
        assertEquals(framesPerChannel, counts.get(ch), "frames on channel " + ch);
      }
      assertEquals(producers * ((framesPerChannel + 49) / 50), counts.get(0));
    } finally {
      pool.shutdownNow();
    }
  }

  /** Sizes from empty to 16 KiB, with an occasional 1 MiB frame. */
  private static int sizeOf(int channel, int seq) {
    int h = (channel * 7919 + seq * 104729) & 0x7fffffff;
    return seq % 97 == 13 ? Frame.MAX_PAYLOAD : h % (16 * 1024);
  }

  /** Content that identifies channel and sequence, half compressible, half not. */
  private static byte[] payload(int channel, int seq, int size) {
    byte[] b = new byte[size];
    if ((channel + seq) % 2 == 0) {
      new Random(channel * 1_000_003L + seq).nextBytes(b);
    } else {
      for (int i = 0; i < size; i++) {
        b[i] = (byte) ('a' + (channel + seq + i / 64) % 26);
      }
    }
    return b;
  }
}
