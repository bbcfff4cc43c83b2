package jsync.core.apply;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import jsync.core.DaemonThreads;
import jsync.core.model.Entry;

/**
 * Frees the storage of a large file that a rename replaces, or a delete removes, on a thread of its own.
 *
 * <p>Dropping a file's last link frees its blocks and drops its pages from the cache in the call that drops
 * it: renaming a received 1 GiB file over its old version spent 0.21 s inside {@code rename(2)} (ext4,
 * docs/benchmarks.md), at the very end of a run, with nothing else left to do. While a descriptor of the
 * old file is open, the rename or delete only removes the name, and the freeing waits for the last close.
 * So the old file is opened just before, and closed afterwards on {@code jsync-release}, while the run goes
 * on with its commit. Only an optimisation: if the file cannot be opened, nothing is held and the rename
 * frees it as before. A process that exits first closes the descriptor (and frees the file) at its exit.
 *
 * <p>Only on local filesystems whose unlinked-but-open files simply wait for their last close
 * ({@link #LOCAL_TYPES}): NFS renames such a file to {@code .nfsXXXX} in its directory and FUSE mounts to
 * {@code .fuse_hiddenXXXX}, which would make the directory look non-empty to a removal that follows and
 * show up in scans. At most {@link #MAX_HELD} files are held at once; beyond, the rename frees in line.
 */
final class DeferredFree implements AutoCloseable {
  /** Files at least this large are freed aside; freeing 16 MiB costs ~3 ms, a hand-over a few µs. */
  static final long MIN_SIZE = 16L << 20;
  /** Descriptors held at most, so that deleting thousands of large files cannot exhaust the process's. */
  static final int MAX_HELD = 64;
  /** Filesystem types (as {@code FileStore.type()} names them) where an open, unlinked file leaves no name. */
  static final Set<String> LOCAL_TYPES = Set.of("ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "tmpfs",
      "overlay");
  private static final Semaphore HELD = new Semaphore(MAX_HELD);

  /** One thread, started when needed: the frees are sequential work in the kernel anyway. */
  static final ExecutorService RELEASER = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS,
      new LinkedBlockingQueue<>(), DaemonThreads.named("jsync-release"));

  private FileChannel held;

  private DeferredFree(FileChannel held) {
    this.held = held;
  }

  /**
   * Whether files in {@code dir} may be held: it is on one of the {@link #LOCAL_TYPES}. Reads the mount
   * table; the caller asks before its re-check, not between the re-check and the rename.
   */
  static boolean localFilesystem(Path dir) {
    try {
      return LOCAL_TYPES.contains(Files.getFileStore(dir).type());
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  /**
   * Holds the file at {@code target} open if {@code freeable}: the caller re-checked it to be a {@link #large}
   * file and found its directory on a {@link #localFilesystem}. Holds nothing otherwise, if it cannot be
   * opened, or while {@link #MAX_HELD} files are held.
   */
  static DeferredFree hold(Path target, boolean freeable) {
    if (!freeable || !HELD.tryAcquire()) {
      return new DeferredFree(null);
    }
    FileChannel ch = null;
    try {
      // Looked at again just before the open: opening a FIFO put there since the re-check would block.
      if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
        ch = FileChannel.open(target, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
      }
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      ch = null;
    }
    if (ch == null) {
      HELD.release();
    }
    return new DeferredFree(ch);
  }

  /** Whether an expected entry is a file large enough to be held (the caller then looks up its filesystem). */
  static boolean large(Entry expected) {
    return expected instanceof Entry.File f && f.size() >= MIN_SIZE;
  }

  /** The held file's name is gone (renamed over or deleted): its descriptor is closed on the release thread. */
  void unlinked() {
    FileChannel ch = held;
    held = null;
    if (ch != null) {
      RELEASER.execute(() -> closeQuietly(ch));
    }
  }

  /** Closes what is still held here (the rename or delete failed, so closing frees nothing). */
  @Override
  public void close() {
    if (held != null) {
      closeQuietly(held);
      held = null;
    }
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      // A read-only descriptor: nothing was written through it that a failed close could lose.
    } finally {
      HELD.release();
    }
  }
}
