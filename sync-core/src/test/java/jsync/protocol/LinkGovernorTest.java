package jsync.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * When file data gets compressed: only on a link that is slow and makes the sender wait. A fake clock plays the
 * link: each write of {@code n} bytes blocks for {@code n / bytesPerSecond}, and the sender spends
 * {@code outsidePerInside} times as long outside the transport between writes.
 */
class LinkGovernorTest {
  private static final int FRAME = 128 * 1024;
  private static final long MIB = 1 << 20;

  /** A sender and a link, in fake time. */
  private static final class Link {
    final LinkGovernor governor;
    long now;
    double bytesPerSecond;
    /** Wall time outside the transport per nanosecond inside it (0: the sender always has data waiting). */
    double outsidePerInside;

    Link(double bytesPerSecond, double outsidePerInside) {
      this.governor = new LinkGovernor(() -> now);
      this.bytesPerSecond = bytesPerSecond;
      this.outsidePerInside = outsidePerInside;
    }

    /** Sends {@code bytes} in frames; returns whether the last one would be compressed. */
    boolean send(long bytes) {
      for (long sent = 0; sent < bytes; sent += FRAME) {
        long inside = (long) (FRAME * 1e9 / bytesPerSecond);
        now += (long) (inside * outsidePerInside);
        long start = governor.now();
        now += inside;
        governor.wrote(FRAME, start);
      }
      return governor.compressing();
    }
  }

  @Test
  void slowLinkThatTheSenderWaitsFor_getsCompression_afterTheFirstWindows() {
    Link gigabit = new Link(117e6, 0.05);
    assertFalse(gigabit.send(LinkGovernor.WINDOW_BYTES * (LinkGovernor.FIRST_DECISION - 1)),
        "no decision before " + LinkGovernor.FIRST_DECISION + " windows");
    assertTrue(gigabit.send(2 * LinkGovernor.WINDOW_BYTES));
    assertTrue(gigabit.send(200 * MIB), "stays on");
    assertEquals(1, gigabit.governor.switches());
  }

  @Test
  void verySlowLink_getsCompression_withinSeconds_notAfter64MiB() {
    // 10 Mbit/s: 8 MiB windows would take 7 s each; windows of at most 250 ms decide after ~2 s.
    Link tenMegabit = new Link(1.25e6, 0.05);
    assertTrue(tenMegabit.send(4 * MIB));
    assertTrue(tenMegabit.now < 4_000_000_000L, "decided after " + tenMegabit.now / 1_000_000 + " ms");
  }

  @Test
  void fastLink_neverCompresses_evenWhenTheSenderWaitsForIt() {
    Link loopback = new Link(400e6, 0.05);
    assertFalse(loopback.send(500 * MIB));
    assertEquals(0, loopback.governor.switches());
  }

  @Test
  void slowLinkThatNeverPushesBack_isNotCompressed() {
    // The sender spends 97% of its time reading files: the link never makes it wait.
    Link idleGigabit = new Link(117e6, 32.0);
    assertFalse(idleGigabit.send(100 * MIB));
  }

  @Test
  void slowLinkThatPushesBackSometimes_isCompressed() {
    // Files requested one round trip at a time over a slow link: the writer waits for it 20% of the time.
    Link wan = new Link(25e6, 4.0);
    assertTrue(wan.send(100 * MIB));
  }

  @Test
  void stallsOfTheReceiver_onAFastLink_doNotPassForASlowLink() {
    Link loopback = new Link(400e6, 0.05);
    loopback.send(100 * MIB);
    // A receiver flushing its disk: the stream crawls for a few windows, the writer blocked all along.
    loopback.bytesPerSecond = 30e6;
    assertFalse(loopback.send(4 * LinkGovernor.WINDOW_BYTES));
    loopback.bytesPerSecond = 400e6;
    assertFalse(loopback.send(100 * MIB));
    assertEquals(0, loopback.governor.switches());
  }

  @Test
  void compressionStops_whenTheLinkTurnsOutFast_orNoLongerLimits() {
    Link link = new Link(100e6, 0.05);
    assertTrue(link.send(100 * MIB));
    link.bytesPerSecond = 500e6;
    assertFalse(link.send(2 * LinkGovernor.WINDOW_BYTES), "a fast link-bound window shows the link is fast");

    Link other = new Link(100e6, 0.05);
    assertTrue(other.send(100 * MIB));
    other.outsidePerInside = 32.0;   // the sender became the bottleneck (e.g. reading a slow disk)
    assertFalse(other.send(LinkGovernor.RECENT * LinkGovernor.WINDOW_BYTES + 1));
  }

  @Test
  void atTheBoundaries() {
    // Just under the rate that turns compression on, and just over it.
    assertTrue(new Link(LinkGovernor.ON_RATE * 0.95, 0.05).send(100 * MIB));
    assertFalse(new Link(LinkGovernor.ON_RATE * 1.1, 0.05).send(100 * MIB));
    // Pushing back means the writer blocked at least ON_BLOCKED of the time: 1 / (1 + outside).
    assertTrue(new Link(50e6, 8.5).send(100 * MIB));    // blocked 10.5%
    assertFalse(new Link(50e6, 9.5).send(100 * MIB));   // blocked 9.5%
  }

  // ---- through a FrameWriter ------------------------------------------------------------------------

  /** A transport that takes {@code bytesPerSecond} of the fake clock and remembers what it got when told. */
  private static final class SlowStream extends OutputStream {
    long now;
    final double bytesPerSecond;
    boolean recording;
    final ByteArrayOutputStream recorded = new ByteArrayOutputStream();

    SlowStream(double bytesPerSecond) {
      this.bytesPerSecond = bytesPerSecond;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      now += (long) (len * 1e9 / bytesPerSecond);
      if (recording) {
        recorded.write(b, off, len);
      }
    }
  }

  private static byte[] text(int n) {
    byte[] line = "<li>a line of an html page that compresses well</li>\n".getBytes(StandardCharsets.US_ASCII);
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = line[i % line.length];
    }
    return b;
  }

  private static byte[] compressionFlagOfNextFrame(SlowStream link, FrameWriter w, Frame f) throws IOException {
    w.flush();
    link.recording = true;
    link.recorded.reset();
    w.write(f);
    w.flush();
    link.recording = false;
    return Arrays.copyOfRange(link.recorded.toByteArray(), 0, 2);
  }

  @Test
  void frameWriter_compressesData_onlyOnceTheLinkProvesSlow_controlAlways() throws IOException {
    SlowStream link = new SlowStream(50e6);
    FrameWriter w = new FrameWriter(link, FrameWriter.Compression.WHEN_LINK_SLOW, () -> link.now);
    assertEquals(FrameWriter.FLAG_LZ4,
        compressionFlagOfNextFrame(link, w, Frame.control(text(4096)))[1], "control messages from the start");
    assertEquals(0, compressionFlagOfNextFrame(link, w, Frame.data(3, text(FRAME)))[1], "data: not yet");

    byte[] random = new byte[FRAME];
    new Random(7).nextBytes(random);
    for (long sent = 0; sent < 100 * MIB; sent += FRAME) {
      w.writeData(3, random, 0, FRAME);
    }
    assertTrue(w.compressingData());
    assertEquals(FrameWriter.FLAG_LZ4, compressionFlagOfNextFrame(link, w, Frame.data(3, text(FRAME)))[1]);
    assertEquals(1, w.compressionSwitches());
  }

  @Test
  void frameWriter_onAFastLink_sendsDataRaw() throws IOException {
    SlowStream link = new SlowStream(2e9);
    FrameWriter w = new FrameWriter(link, FrameWriter.Compression.WHEN_LINK_SLOW, () -> link.now);
    byte[] page = text(FRAME);
    for (long sent = 0; sent < 100 * MIB; sent += FRAME) {
      w.writeData(3, page, 0, FRAME);
    }
    assertFalse(w.compressingData());
    assertEquals(0, compressionFlagOfNextFrame(link, w, Frame.data(3, page))[1]);
    assertEquals(FrameWriter.FLAG_LZ4, compressionFlagOfNextFrame(link, w, Frame.control(text(4096)))[1]);
  }
}
