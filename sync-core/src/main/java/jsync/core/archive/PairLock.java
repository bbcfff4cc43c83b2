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

/**
 * An exclusive lock on one replica pair, so a second run (cron starting while a slow run is still going)
 * stops at once instead of racing the first. An OS file lock ({@code fcntl}), not a lock file's existence:
 * the kernel releases it when the holder dies, so there is never a stale lock to clean up by hand, unlike
 * Unison's lock files. The file's content names the holder, for the second run's message.
 */
public final class PairLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private PairLock(FileChannel channel, FileLock lock) {
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
      ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        String current = readHolder(ch);
        ch.close();
        throw new LockedException("another jsync run is synchronizing these replicas"
            + (current.isEmpty() ? "" : " (" + current + ")") + "; lock file " + file
            + ". It is released as soon as that run ends.");
      }
      ch.truncate(0);
      ch.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      return new PairLock(ch, lock);
    } catch (IOException e) {
      closeQuietly(ch);
      throw new ArchiveException("cannot take the lock " + file + ": " + e.getMessage(), e);
    }
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
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new ArchiveException("cannot release lock: " + e.getMessage(), e);
    }
  }
}
