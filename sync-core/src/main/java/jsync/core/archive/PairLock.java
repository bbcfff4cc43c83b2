package jsync.core.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * An exclusive lock on one replica pair, so a second run (cron starting while a slow run is still going)
 * stops at once instead of racing the first. An OS file lock ({@code fcntl}), not a lock file's existence:
 * the kernel releases it when the holder dies, so there is never a stale lock to clean up by hand, unlike
 * Unison's lock files. The file's content names the holder, for the second run's message.
 *
 * <p>Within one JVM (a daemon running overlapping syncs) the lock is also checked in {@link #HELD} before
 * the file is opened. {@code fcntl} locks belong to the process, and closing <em>any</em> descriptor of the
 * file drops all of them: a second acquire that opened the file, found it locked and closed it again would
 * silently release the first holder's lock for every other process.
 */
public final class PairLock implements AutoCloseable {
  /** Lock files held by this JVM (real path of the directory plus name), with their holder text. */
  private static final Map<Path, String> HELD = new HashMap<>();

  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;

  private PairLock(Path key, FileChannel channel, FileLock lock) {
    this.key = key;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock at {@code file} or fails at once.
   *
   * @param holder who takes it, e.g. "pid 4242 on web1 since 2026-11-21T10:00:00Z (jsync -batch www)"
   * @throws LockedException naming the current holder if another run has it
   */
  public static PairLock acquire(Path file, String holder) {
    FileChannel ch = null;
    try {
      Files.createDirectories(file.getParent());
      Path key = file.getParent().toRealPath().resolve(file.getFileName().toString());
      synchronized (HELD) {
        String inThisJvm = HELD.get(key);
        if (inThisJvm != null) {
          throw locked(file, inThisJvm);
        }
        ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        FileLock lock;
        try {
          lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
          // Locked by other code of this JVM, or by a PairLock through another path (a hard link, a bind
          // mount): closing ch would drop that lock too, so the descriptor is left open on purpose.
          throw locked(file, "");
        }
        if (lock == null) {
          // Another process holds it; this JVM holds no lock on the file, so closing drops nothing.
          String current = readHolder(ch);
          ch.close();
          throw locked(file, current);
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        HELD.put(key, holder);
        return new PairLock(key, ch, lock);
      }
    } catch (IOException e) {
      closeQuietly(ch);
      throw new ArchiveException("cannot take the lock " + file + ": " + e.getMessage(), e);
    }
  }

  private static LockedException locked(Path file, String holder) {
    return new LockedException("another jsync run is synchronizing these replicas"
        + (holder.isEmpty() ? "" : " (" + holder + ")") + "; lock file " + file
        + ". It is released as soon as that run ends.");
  }

  private static String readHolder(FileChannel ch) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1024);
    ch.read(buf, 0);
    return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).trim();
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        // Already failing with a better message; closing an unlocked channel has nothing to undo.
      }
    }
  }

  @Override
  public void close() {
    synchronized (HELD) {
      if (!channel.isOpen()) {
        return; // closed before; HELD may already name a new holder of the same file
      }
      try {
        lock.release();
        channel.close();
      } catch (IOException e) {
        throw new ArchiveException("cannot release lock: " + e.getMessage(), e);
      } finally {
        HELD.remove(key);
      }
    }
  }
}
