package jsync.core.apply;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import jsync.core.model.Entry;
import jsync.core.model.RelPath;
import jsync.core.model.Stamp;

/**
 * Asks a remote source for small files before a copy thread gets to them, so that their round trips overlap
 * instead of each one holding up a copy thread: with 8 copy threads and a round trip of a few milliseconds,
 * a first copy of many small files was bound by round trips, not by the link or the disk.
 *
 * <p>Files are asked for strictly in the order they were added, which is the order the copy threads take
 * them: the source answers its requests in arrival order, so a request asked out of order (a copy thread
 * asking itself for a file this class has not asked for yet) waits behind everything asked before it. At
 * most {@code maxFiles} files and {@code maxBytes} bytes are asked and not yet done, since what arrives
 * before a copy thread reads it waits in memory; each {@link #done} lets the next ones be asked.
 *
 * <p>Thread-safe: files are added on the applier's thread, taken and done on copy threads.
 */
final class AskAhead {
  /** One file to ask for; its content stream once asked. Guarded by the AskAhead's lock. */
  static final class Item {
    private final RelPath path;
    private final Entry.File want;
    private final Stamp stamp;
    private InputStream in;
    /** Taken by its copy thread, asked or not. */
    private boolean taken;
    /** Counted against the budget until done. */
    private boolean counted;

    private Item(RelPath path, Entry.File want, Stamp stamp) {
      this.path = path;
      this.want = want;
      this.stamp = stamp;
    }
  }

  private final ContentSource source;
  private final int maxFiles;
  private final long maxBytes;
  private final ArrayDeque<Item> waiting = new ArrayDeque<>();
  /** Asked and not yet taken: closed if the applier closes first. */
  private final Set<Item> untaken = new HashSet<>();
  private int files;
  private long bytes;
  private boolean closed;

  AskAhead(ContentSource source, int maxFiles, long maxBytes) {
    this.source = source;
    this.maxFiles = maxFiles;
    this.maxBytes = maxBytes;
  }

  /** Queues a file to be asked for as soon as the budget allows; asks for what it can now. */
  Item add(RelPath path, Entry.File want, Stamp stamp) {
    Item item = new Item(path, want, stamp);
    synchronized (this) {
      waiting.add(item);
    }
    pump();
    return item;
  }

  /**
   * The copy thread's side: the content already asked for, or null if it was not asked yet (then never
   * will be: the copy thread asks itself). Call {@link #done} after the copy either way.
   */
  synchronized InputStream take(Item item) {
    item.taken = true;
    untaken.remove(item);
    return item.in;
  }

  /** The copy of {@code item} is over: its stream is closed (what still arrives is dropped), the budget freed. */
  void done(Item item) {
    InputStream in;
    synchronized (this) {
      in = item.in;
      if (item.counted) {
        item.counted = false;
        files--;
        bytes -= item.want.size();
      }
    }
    closeQuietly(in);
    pump();
  }

  /** Asks for the next waiting files while the budget allows. */
  private void pump() {
    synchronized (this) {
      while (!closed && !waiting.isEmpty()) {
        Item next = waiting.peek();
        if (next.taken) {
          waiting.poll();
          continue;
        }
        long size = next.want.size();
        // One file always goes, however large, so a budget below one file's size cannot stall the queue.
        if (files >= maxFiles || (files > 0 && bytes + size > maxBytes)) {
          return;
        }
        waiting.poll();
        // The request is sent under the lock so requests leave in queue order.
        try {
          next.in = source.askAhead(next.path, next.want, next.stamp);
        } catch (RuntimeException e) {
          // The connection broke: stop asking; each copy thread then asks itself and reports the failure
          // as its file's outcome, as without asking ahead.
          closed = true;
          return;
        }
        if (next.in != null) {
          next.counted = true;
          files++;
          bytes += size;
          untaken.add(next);
        }
      }
    }
  }

  /** Stops asking; closes what was asked and never taken. */
  void close() {
    Set<Item> left;
    synchronized (this) {
      closed = true;
      waiting.clear();
      left = new HashSet<>(untaken);
      untaken.clear();
    }
    for (Item item : left) {
      closeQuietly(item.in);
    }
  }

  /** Files asked for and not yet done (for tests). */
  synchronized int inFlight() {
    return files;
  }

  private static void closeQuietly(InputStream in) {
    if (in != null) {
      try {
        in.close();
      } catch (IOException e) {
        // Giving up on it: nothing to report.
      }
    }
  }
}
