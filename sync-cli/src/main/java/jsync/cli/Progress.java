package jsync.cli;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A status line on the terminal, redrawn a few times a second: the stage, items done out of items to
 * propagate, and bytes written. Used only when a terminal is attached.
 */
final class Progress {
  private static final long PERIOD_MS = 250;
  private final PrintWriter err;
  private final AtomicLong bytes;
  private final LongSupplier done;
  private final LongSupplier total;
  private volatile String stage = "";
  private volatile boolean running;
  private Thread thread;
  private int lastWidth;

  Progress(PrintWriter err, AtomicLong bytes, LongSupplier done, LongSupplier total) {
    this.err = err;
    this.bytes = bytes;
    this.done = done;
    this.total = total;
  }

  void stage(String s) {
    stage = s;
  }

  void start() {
    running = true;
    thread = new Thread(this::loop, "jsync-progress");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (running) {
      draw();
      try {
        Thread.sleep(PERIOD_MS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private synchronized void draw() {
    String line = total.getAsLong() > 0
        ? String.format("%s: %d/%d items, %.1f MiB", stage, done.getAsLong(), total.getAsLong(),
            bytes.get() / 1048576.0)
        : stage + "...";
    err.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
    err.flush();
    lastWidth = line.length();
  }

  synchronized void clear() {
    if (lastWidth > 0) {
      err.print("\r" + " ".repeat(lastWidth) + "\r");
      err.flush();
      lastWidth = 0;
    }
  }

  void stop() {
    running = false;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    clear();
  }
}
