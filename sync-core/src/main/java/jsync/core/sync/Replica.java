package jsync.core.sync;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import jsync.core.apply.Step;
import jsync.core.apply.StepResult;
import jsync.core.model.Entry;
import jsync.core.model.Observed;
import jsync.core.model.RelPath;
import jsync.core.model.Stamp;
import jsync.core.scan.PathFilter;
import jsync.core.scan.ScanOptions;
import jsync.core.watch.ChangeSink;

/**
 * One side of a synchronization: a root and its archive, local or (later) behind a connection. {@link
 * SyncRun} drives two of them and cannot tell which kind it has. Methods are called in this order: {@link
 * #checkRoot}, {@link #open}, {@link #scan}, then any of {@link #lookup}, {@link #exists}, {@link #read},
 * {@link #apply}/{@link #flush}, {@link #commit}, and finally {@link #close}.
 *
 * <p>Any method may throw a {@link jsync.core.JsyncException} for a whole-run failure (root gone, archive
 * unreadable, connection lost); after one, the caller may only {@link #close}. Per-path trouble never
 * throws: it is a problem entry in the scan or a failed outcome in a {@link StepResult}.
 */
public interface Replica extends AutoCloseable {
  /**
   * The state of the root directory itself. {@code REPLACED}: a directory, but not the one {@link #scan}
   * saw (deleted and recreated, or an unmounted filesystem's empty mountpoint); only possible after a scan.
   */
  enum RootState {
    DIRECTORY, MISSING, NOT_A_DIRECTORY, REPLACED
  }

  /** The root as the user wrote it, for messages. */
  String root();

  /** Host and absolute path of the root, stable across runs: names the archive. */
  String canonicalRoot();

  RootState checkRoot();

  /** Creates a missing root directory (first synchronization into a new replica). */
  void createRoot();

  /**
   * Takes this side's lock for the pair and opens its archive. Continuous mode calls it again before each
   * synchronization: an open replica keeps its lock and archive and only answers {@link #archiveEmpty} and
   * {@link #syncId} afresh.
   *
   * @param otherCanonicalRoot the other side's {@link #canonicalRoot()}
   * @param holder who is taking the lock, shown to a second run
   * @throws jsync.core.archive.LockedException if another run holds it
   */
  void open(String otherCanonicalRoot, String holder);

  /** True if the archive holds no records (never synchronized). */
  boolean archiveEmpty();

  /** The pair's synchronization id recorded in this side's archive: both sides agree unless one was lost. */
  Optional<String> syncId();

  /**
   * Scans the root against the archive.
   *
   * @param trustArchive false when the archives do not belong together: records are still used to skip
   *     hashing, but every path present is reported as created, so first-sync rules apply everywhere
   */
  ScanResult scan(ScanOptions options, boolean trustArchive);

  /**
   * The current state of files the scan reported with an unknown fingerprint (new files, not read by the
   * scan), hashed now: needed where the other replica has a file at the same path to compare with. A path
   * that changed meanwhile comes back as what it now is (a problem, absent).
   */
  List<Observed> hash(List<RelPath> paths);

  /** The archive records of {@code paths} (what this side holds there, as it did not report them). */
  List<Observed> lookup(List<RelPath> paths);

  /** True if something exists at {@code path} (a mountpoint check). */
  boolean exists(RelPath path);

  /**
   * The content of a file, for the other side to copy; the reader verifies it against {@code want}'s
   * fingerprint. When that is unknown (never hashed), the stream itself fails with an
   * {@link java.io.IOException} if the file's stamp differs from {@code stamp} before or after the read, so
   * the bytes are those of the file as scanned.
   */
  InputStream read(RelPath path, Entry.File want, Stamp stamp) throws IOException;

  /**
   * Applies a step, with file contents read from {@code source}; results come from {@link #flush}.
   *
   * @throws jsync.core.JsyncException if the root is no longer the directory that was scanned
   */
  void apply(Step step, Replica source);

  /**
   * How another replica receives this one's files: {@link #read} by default; a remote replica sends deltas
   * against the receiver's versions.
   */
  default jsync.core.apply.ContentSource contentSource() {
    return this::read;
  }

  /**
   * Completes staged writes except the newest {@code keepInFlight} files, syncs them to disk, and returns
   * the results of the steps now complete, in the order applied. {@code flush(0)} completes everything.
   * Keeping files in flight lets the next files be transferred while a batch waits for the disk.
   */
  List<StepResult> flush(int keepInFlight);

  /** Files staged and not yet flushed, to decide when to flush. */
  int stagedFiles();

  long stagedBytes();

  /** Writes records (and the sync id, if given) to this side's archive in one atomic batch. */
  void commit(List<ArchiveWrite> writes, Optional<String> syncId);

  /**
   * As {@link #commit}, but may return before the records are written: the returned action waits until
   * they are (and throws what failed). A remote replica sends them and returns, so that the other side's
   * archive can be written meanwhile; a local one writes them at once.
   */
  default Runnable startCommit(List<ArchiveWrite> writes, Optional<String> syncId) {
    commit(writes, syncId);
    return () -> { };
  }

  /**
   * Starts reporting changes below {@code scopes} to {@code sink} (continuous mode), until the handle is
   * closed or the replica is. Needs {@link #open} and a {@link #scan} first: a remote replica watches with
   * the ignore rules of its last scan.
   *
   * @throws UnsupportedOperationException if this replica cannot be watched
   */
  default Closeable watch(List<RelPath> scopes, PathFilter filter, ChangeSink sink) throws IOException {
    throw new UnsupportedOperationException("replica " + root() + " cannot be watched for changes");
  }

  /** False once a remote replica's connection is lost (it must then be closed and made again). */
  default boolean connected() {
    return true;
  }

  @Override
  void close();
}
