package jsync.protocol;

import java.util.function.LongSupplier;

/**
 * Decides whether LZ4 on file data pays off, from how the link takes what a {@link FrameWriter} gives it.
 *
 * <p>Compression only shortens a transfer that waits for the link. It costs CPU on both ends (~1 GB/s of
 * LZ4 for text), which a fast link does not repay: over a loopback or a 10 Gbit/s network the sender and the
 * receiver are the bottleneck, and a first copy of 1 GiB of mixed files took 0.9 s longer compressed
 * (docs/benchmarks.md). Over a 1 Gbit/s link text crosses twice as fast compressed.
 *
 * <p>So the writer measures each {@link #WINDOW_BYTES} it sends (or {@link #WINDOW_NANOS}, if shorter): the
 * rate at which the transport took the bytes, and the share of wall time it spent inside writes to the
 * transport (blocked on a full SSH window or pipe). A slow window alone proves little: a receiver busy
 * flushing its disk, or a run of small files each waiting for its round trip, slows the stream as a slow link
 * would. What a slow link cannot do is go fast, so the link's speed is taken as the best rate of the recent
 * {@link #HISTORY} windows. Compression goes on while that speed is below {@link #ON_RATE} and the link pushes
 * back (the writer blocked at least {@link #ON_BLOCKED} of the time), and off when the link proves faster
 * than {@link #OFF_RATE} or stops pushing back. Below 150 MB/s LZ4 costs at most ~12% of a core, so a wrong
 * "on" (a stream slowed by latency rather than by the link) is cheap, while a slow link gains up to 2x on text.
 * Measured over a loopback shaped to 200 Mbit/s (docs/benchmarks.md): 124 MB of text in 8.0 s raw, 6.7 s
 * with this governor, 5.7-6.3 s always compressed. Control messages are small and always compressed; this only
 * governs {@code DATA} frames.
 *
 * <p>Not thread-safe: the writer calls {@link #wrote} under its lock; {@link #compressing} may be read by
 * any thread.
 */
final class LinkGovernor {
  /** Bytes per measurement: ~70 ms at 1 Gbit/s, long enough that socket buffers do not flatter the rate... */
  static final long WINDOW_BYTES = 8L << 20;
  /**
   * ...or at most this long (ns), whichever comes first: on a 10 Mbit/s link 8 MiB take 7 s, and the first
   * decision would come only after a minute of raw text, where compression matters most.
   */
  static final long WINDOW_NANOS = 250_000_000L;
  /** The link's speed is the best rate among this many recent windows. */
  static final int HISTORY = 16;
  /** Whether the link pushes back: the median of this many recent windows' blocked shares. */
  static final int RECENT = 3;
  /**
   * Windows seen before compression may go on (64 MiB or 2 s): one stall at the start must not pass for the
   * link's speed.
   */
  static final int FIRST_DECISION = 8;
  /** Compression goes on below this link speed (bytes/s): about 1.2 Gbit/s... */
  static final double ON_RATE = 150e6;
  /** ...and off above this one: a little wider than ON_RATE, so that it does not flap. */
  static final double OFF_RATE = 200e6;
  /**
   * The link pushes back when the writer spends at least this share of the time blocked in the transport
   * (median of the recent windows)...
   */
  static final double ON_BLOCKED = 0.1;
  /** ...and has stopped pushing back below this one. */
  static final double OFF_BLOCKED = 0.05;

  private final LongSupplier nanoClock;
  private volatile boolean compressing;
  private final double[] blockedShare = new double[HISTORY];
  private final double[] rate = new double[HISTORY];
  private int windows;
  private long windowStart = Long.MIN_VALUE;
  private long windowBytes;
  private long blockedNanos;
  private int switches;

  LinkGovernor(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  /** Starts uncompressed: a fast link pays nothing, a slow one a few windows of raw bytes. */
  boolean compressing() {
    return compressing;
  }

  /** How many times the decision changed; for tests and {@code -debug}. */
  int switches() {
    return switches;
  }

  /** The current time of the governor's clock, for timing a write. */
  long now() {
    return nanoClock.getAsLong();
  }

  /**
   * Records one write to the transport of {@code bytes} that began at {@code startNanos} (from {@link #now})
   * and ended now.
   */
  void wrote(long bytes, long startNanos) {
    long end = nanoClock.getAsLong();
    if (windowStart == Long.MIN_VALUE) {
      windowStart = startNanos;
    }
    windowBytes += bytes;
    blockedNanos += Math.max(0, end - startNanos);
    if (windowBytes < WINDOW_BYTES && end - windowStart < WINDOW_NANOS) {
      return;
    }
    double elapsed = Math.max(1, end - windowStart);
    int slot = windows++ % HISTORY;
    blockedShare[slot] = Math.min(1, blockedNanos / elapsed);
    rate[slot] = windowBytes * 1e9 / elapsed;
    windowStart = end;
    windowBytes = 0;
    blockedNanos = 0;
    decide();
  }

  private void decide() {
    if (windows < FIRST_DECISION) {
      return;
    }
    int n = Math.min(windows, HISTORY);
    double[] recent = new double[RECENT];
    for (int i = 0; i < RECENT; i++) {
      recent[i] = blockedShare[Math.floorMod(windows - 1 - i, HISTORY)];
    }
    java.util.Arrays.sort(recent);
    double blocked = recent[RECENT / 2];
    double linkSpeed = 0;
    for (int i = 0; i < n; i++) {
      linkSpeed = Math.max(linkSpeed, rate[i]);
    }
    boolean next = compressing
        ? blocked >= OFF_BLOCKED && linkSpeed <= OFF_RATE
        : blocked >= ON_BLOCKED && linkSpeed < ON_RATE;
    if (next != compressing) {
      compressing = next;
      switches++;
    }
  }
}
