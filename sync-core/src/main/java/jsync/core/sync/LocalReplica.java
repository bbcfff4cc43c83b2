package jsync.core.sync;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import jsync.core.DaemonThreads;
import jsync.core.JsyncException;
import jsync.core.apply.Applier;
import jsync.core.apply.BackupPolicy;
import jsync.core.apply.ContentSource;
import jsync.core.apply.Step;
import jsync.core.apply.StepResult;
import jsync.core.archive.Archive;
import jsync.core.archive.ArchiveLocation;
import jsync.core.archive.PairLock;
import jsync.core.model.Entry;
import jsync.core.model.Observed;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;
import jsync.core.model.Stamp;
import jsync.core.scan.FileStat;
import jsync.core.scan.PathFilter;
import jsync.core.watch.ChangeSink;
import jsync.core.watch.WatchFactory;
import jsync.core.scan.ScanOptions;
import jsync.core.scan.ScanStats;
import jsync.core.scan.Scanner;
import jsync.core.scan.Update;

/** A replica on this machine: a root directory and its archive under {@code JSYNC_HOME}. */
public final class LocalReplica implements Replica {
  private static final String SYNC_ID = "sync-id";
  /** Threads hashing changed files during a scan, beside the walking thread. */
  private static final int HASH_THREADS = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));

  private final Path root;
  private final String display;
  private final String host;
  private final Path jsyncHome;
  private final Clock clock;
  private final PropsPolicy props;
  private final BackupPolicy backup;
  private final java.util.function.LongConsumer progress;
  /** The root directory's identity (device and inode) when scanned; null before, or if the FS has none. */
  private Object scannedRootKey;
  private PairLock lock;
  private Archive archive;
  private Applier applier;
  private Scanner lastScan;
  private String openedWith;
  private WatchFactory watchFactory;
  /** A scan started before the other replica could name itself (see {@link #scanAhead}); null if none. */
  private Ahead ahead;
  /** The root through its symlinks, for {@link #checkInsideRoot}: resolved at the first read. */
  private volatile Path realRoot;
  /** Directories below the root that {@link #checkInsideRoot} found real, with their identity then. */
  private final Map<Path, Object> realDirs = new ConcurrentHashMap<>();
  /** A bound on {@link #realDirs} (~3 MiB): when full it starts over, for a daemon that reads for weeks. */
  private static final int MAX_REAL_DIRS = 16_384;
  /** The root's directories read before this replica existed, for the next scan; null if none. */
  private jsync.core.scan.ReadAhead readAhead;

  /** {@code opened} completes with true once the guessed pair's archive is open. */
  private record Ahead(String other, ScanOptions options, CompletableFuture<Boolean> opened,
      CompletableFuture<ScanResult> scanned) {}

  /**
   * @param root absolute path of the root (on any filesystem; the archive needs the default one)
   * @param display the root as the user wrote it
   * @param host this machine's name, part of the canonical root
   * @param progress told the bytes this replica writes
   */
  public LocalReplica(Path root, String display, String host, Path jsyncHome, Clock clock, PropsPolicy props,
      BackupPolicy backup, java.util.function.LongConsumer progress) {
    if (!root.isAbsolute()) {
      throw new IllegalArgumentException("root must be absolute: " + root);
    }
    this.root = root.normalize();
    this.display = display;
    this.host = host;
    this.jsyncHome = jsyncHome;
    this.clock = clock;
    this.props = props;
    this.backup = backup;
    this.progress = progress;
  }

  public Path path() {
    return root;
  }

  /**
   * Gives the next scan a read of the root already under way ({@code jsync server} starts one as it starts);
   * the scan uses it if it covers the whole root, and closes it otherwise. This replica owns it now.
   */
  public LocalReplica readingAhead(jsync.core.scan.ReadAhead read) {
    if (readAhead != null) {
      readAhead.close();
    }
    this.readAhead = read;
    return this;
  }

  /** Lets {@link #watch} work: continuous mode's watcher, from {@code sync-watch}. */
  public LocalReplica watchingWith(WatchFactory factory) {
    this.watchFactory = factory;
    return this;
  }

  @Override
  public java.io.Closeable watch(List<RelPath> scopes, PathFilter filter, ChangeSink sink) throws IOException {
    if (watchFactory == null) {
      return Replica.super.watch(scopes, filter, sink);
    }
    return watchFactory.watch(root, scopes, filter.or(Scanner::isTemporary), sink);
  }

  @Override
  public String root() {
    return display;
  }

  @Override
  public String canonicalRoot() {
    Path p = root;
    try {
      p = root.toRealPath();
    } catch (IOException e) {
      // A missing root is named by its absolute path; creating it then keeps the same name.
    }
    return host + ":" + p;
  }

  @Override
  public RootState checkRoot() {
    if (Files.isDirectory(root)) {
      return scannedRootKey == null || scannedRootKey.equals(rootKey()) ? RootState.DIRECTORY
          : RootState.REPLACED;
    }
    return Files.exists(root, LinkOption.NOFOLLOW_LINKS) ? RootState.NOT_A_DIRECTORY : RootState.MISSING;
  }

  /** The identity of the directory the root names now (through symlinks), or null. */
  private Object rootKey() {
    try {
      return Files.readAttributes(root, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public void createRoot() {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new JsyncException("cannot create root " + display + ": " + e.getMessage(), e);
    }
  }

  /**
   * Opens the archive of the pair with {@code expectedOther} and scans against it in the background, while
   * the caller connects to the other replica: over SSH the connection takes longer than scanning 100,000
   * files, so the local scan costs no time at all. {@link #open} and {@link #scan} then take what this
   * did if their arguments match the guess (the other replica's canonical root as remembered from the last
   * run, the same scan options, archives that belong together); otherwise the guess is dropped and they do
   * their work afresh, so a wrong guess costs time, never correctness. Nothing is scanned into a missing
   * root or against an archive that never completed a synchronization (there is no scan to trust then).
   */
  public void scanAhead(String expectedOther, String holder, ScanOptions options) {
    scanAhead(expectedOther, holder, options, CompletableFuture.completedFuture(null));
  }

  /**
   * {@link #scanAhead(String, String, ScanOptions)}, but the scan itself waits for {@code notBefore} (the
   * archive opens at once): work the connection needs sooner, such as a key pair generated ahead, then has
   * the second core to itself (docs/benchmarks.md). Its failure does not matter here.
   */
  public void scanAhead(String expectedOther, String holder, ScanOptions options, CompletableFuture<?> notBefore) {
    if (archive != null || ahead != null || !Files.isDirectory(root)) {
      return;
    }
    CompletableFuture<Boolean> opened = new CompletableFuture<>();
    CompletableFuture<ScanResult> scanned = new CompletableFuture<>();
    Thread t = DaemonThreads.named("jsync-scan-ahead").newThread(() -> {
      try {
        openArchive(expectedOther, holder);
        opened.complete(true);
      } catch (Throwable e) {
        opened.completeExceptionally(e);
        scanned.completeExceptionally(e);
        return;
      }
      try {
        notBefore.handle((v, e) -> null).join();
        scanned.complete(syncId().isPresent() ? scanNow(options, true) : null);
      } catch (Throwable e) {
        scanned.completeExceptionally(e);
      }
    });
    ahead = new Ahead(expectedOther, options, opened, scanned);
    t.start();
  }

  /** Waits for a scan ahead and returns its result (null if none or failed), leaving it to {@link #scan}. */
  ScanResult awaitScanAhead() {
    return ahead == null ? null : settled(ahead.scanned());
  }

  /** The outcome of a scan-ahead stage, null if it failed or did nothing: the caller then does it itself. */
  private static <T> T settled(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
      return null;
    }
  }

  /** Waits for a scan ahead to finish and forgets it, closing the archive it opened for a wrong guess. */
  private void dropAhead(boolean keepArchive) {
    Ahead a = ahead;
    if (a == null) {
      return;
    }
    settled(a.scanned());
    ahead = null;
    if (!keepArchive) {
      closeArchive();
    }
  }

  @Override
  public void open(String otherCanonicalRoot, String holder) {
    if (ahead != null) {
      if (settled(ahead.opened()) != null && ahead.other().equals(otherCanonicalRoot)) {
        return; // the archive is open for this pair; the scan goes on
      }
      dropAhead(false);
    }
    openArchive(otherCanonicalRoot, holder);
  }

  private void openArchive(String otherCanonicalRoot, String holder) {
    if (archive != null) {
      if (!otherCanonicalRoot.equals(openedWith)) {
        throw new IllegalStateException("replica " + display + " is open for " + openedWith
            + ", not for " + otherCanonicalRoot);
      }
      return;
    }
    openedWith = otherCanonicalRoot;
    ArchiveLocation loc = ArchiveLocation.of(jsyncHome, canonicalRoot(), otherCanonicalRoot);
    lock = PairLock.acquire(loc.archiveDir().resolveSibling(loc.archiveDir().getFileName() + ".lock"), holder);
    try {
      writeRootsNote(loc, otherCanonicalRoot);
      archive = Archive.open(loc.archiveDir());
    } catch (RuntimeException e) {
      lock.close();
      lock = null;
      throw e;
    }
  }

  /** A human-readable note in the pair's directory saying which roots its archives belong to. */
  private void writeRootsNote(ArchiveLocation loc, String other) {
    Path note = loc.pairDir().resolve("roots.txt");
    if (Files.exists(note)) {
      return;
    }
    try {
      Files.createDirectories(loc.pairDir());
      Files.writeString(note, "jsync archives of the replica pair:\n" + canonicalRoot() + "\n" + other + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + note, e);
    }
  }

  @Override
  public boolean archiveEmpty() {
    return archive.isEmpty();
  }

  @Override
  public Optional<String> syncId() {
    return archive.meta(SYNC_ID);
  }

  @Override
  public ScanResult scan(ScanOptions options, boolean trustArchive) {
    if (ahead != null) {
      Ahead a = ahead;
      ScanResult early = settled(a.scanned());
      ahead = null;
      if (early != null && trustArchive && a.options().equals(options)) {
        return early;
      }
    }
    return scanNow(options, trustArchive);
  }

  private ScanResult scanNow(ScanOptions options, boolean trustArchive) {
    List<Update> updates = new ArrayList<>();
    scannedRootKey = rootKey();
    ExecutorService hashers = Executors.newFixedThreadPool(HASH_THREADS, DaemonThreads.named("jsync-hash"));
    try {
      Scanner scanner = new Scanner(root, options, trustArchive, clock).hashingOn(hashers).deferringNewFiles();
      if (readAhead != null) {
        scanner.readingAhead(readAhead);
        readAhead = null;
      }
      lastScan = scanner;
      ScanStats stats = scanner.scan(archive, updates::add);
      for (RelPath stale : scanner.staleTemporaries()) {
        // Best effort: a leftover that cannot be removed stays ignored and harmless.
        Files.deleteIfExists(resolve(stale));
      }
      return new ScanResult(updates, stats);
    } catch (IOException e) {
      throw new JsyncException("cannot scan root " + display + ": " + e.getMessage(), e);
    } finally {
      hashers.shutdownNow();
    }
  }

  @Override
  public List<Observed> hash(List<RelPath> paths) {
    if (lastScan == null) {
      throw new IllegalStateException("hash before scan");
    }
    ExecutorService hashers = Executors.newFixedThreadPool(HASH_THREADS, DaemonThreads.named("jsync-hash"));
    try {
      List<java.util.concurrent.Future<Observed>> futures = new ArrayList<>(paths.size());
      for (RelPath p : paths) {
        futures.add(hashers.submit(() -> lastScan.hash(p)));
      }
      List<Observed> result = new ArrayList<>(paths.size());
      for (java.util.concurrent.Future<Observed> f : futures) {
        result.add(f.get());
      }
      return result;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JsyncException("interrupted while hashing files of " + display, e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new JsyncException("cannot hash files of " + display + ": " + e.getCause(), e.getCause());
    } finally {
      hashers.shutdownNow();
    }
  }

  @Override
  public List<Observed> lookup(List<RelPath> paths) {
    List<Observed> result = new ArrayList<>(paths.size());
    for (RelPath p : paths) {
      result.add(archive.get(p));
    }
    return result;
  }

  @Override
  public boolean exists(RelPath path) {
    return Files.exists(resolve(path), LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public InputStream read(RelPath path, Entry.File want, Stamp stamp) throws IOException {
    Path p = resolve(path);
    checkInsideRoot(p.getParent(), path);
    if (want.fingerprint().known()) {
      return Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS);
    }
    // Never hashed: the status after the last byte, compared with the scanned one, stands in for the hash
    // comparison. Any change since the scan moves the ctime (which no one can set back) or the inode, so
    // this one check catches a change before the open as well as during the read; a second lstat before
    // the open only found it before sending, at the price of a stat per file in every first copy.
    InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS);
    return new java.io.FilterInputStream(in) {
      private boolean checked;

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n < 0 && !checked) {
          checked = true;
          checkStamp(p, path, stamp);
        }
        return n;
      }

      @Override
      public int read() throws IOException {
        int c = super.read();
        if (c < 0 && !checked) {
          checked = true;
          checkStamp(p, path, stamp);
        }
        return c;
      }
    };
  }

  /**
   * Reads happen only in real directories below the root: a peer naming {@code link/secret}, where
   * {@code link} is a symlink to elsewhere, must not read what it points to (NOFOLLOW_LINKS only guards the
   * last name).
   *
   * <p>A realpath per file read was 0.75 s of a first copy of 100,000 small files (it looks every prefix
   * of the path up again, one {@code readlink} each), so a directory found real is remembered by its
   * identity (inode and ctime), and a later read there costs one {@code lstat} of the directory: the same
   * real directory as verified, unchanged since, or the full check again. A directory swapped for a
   * symlink, or for another directory, has another identity: a directory made later that reuses the
   * inode number has a later ctime, which no one can set. One that was moved out of the root and reached
   * again through a symlink to its new place changed its ctime by the move.
   */
  private void checkInsideRoot(Path parent, RelPath path) throws IOException {
    Object before = realDirectoryKey(parent);
    if (before != null && before.equals(realDirs.get(parent))) {
      return;
    }
    Path realRoot = this.realRoot;
    if (realRoot == null) {
      // Once per run, not per file. Should the root be swapped for a link elsewhere during the run, reads
      // there fail this check: it fails closed.
      realRoot = root.toRealPath();
      this.realRoot = realRoot;
    }
    Path real = parent.toRealPath();
    if (!real.equals(realRoot.resolve(root.relativize(parent).toString()))) {
      throw new IOException("refusing to read " + path.display() + " through a symbolic link (" + parent
          + " is " + real + ")");
    }
    // Remembered only if the same real directory was there before and after the realpath.
    if (before != null && before.equals(realDirectoryKey(parent))) {
      if (realDirs.size() >= MAX_REAL_DIRS) {
        realDirs.clear();
      }
      realDirs.put(parent, before);
    }
  }

  /**
   * The identity of the directory at {@code dir} if that is a directory, not a symlink, on a filesystem that
   * gives inodes and ctimes; else null (then every read checks in full).
   */
  private static Object realDirectoryKey(Path dir) {
    try {
      FileStat st = FileStat.read(dir);
      return st.type() == FileStat.Type.DIR && st.inode() != 0 ? new DirectoryId(st.inode(), st.ctimeNanos())
          : null;
    } catch (IOException e) {
      return null; // the full check reports it
    }
  }

  private record DirectoryId(long inode, long ctimeNanos) {}

  private void checkStamp(Path p, RelPath path, Stamp stamp) throws IOException {
    if (!stamp.matches(FileStat.read(p).stamp())) {
      throw new Applier.SourceChangedException(path.display() + " changed since it was scanned");
    }
  }

  @Override
  public void apply(Step step, Replica source) {
    apply(step, source.contentSource());
  }

  /** As {@link #apply(Step, Replica)}, with file contents from any source (a remote peer's stream). */
  public void apply(Step step, ContentSource source) {
    // A stat per step: a root deleted, or swapped for an empty mountpoint, must not receive the rest of the
    // plan (files written there would fill the wrong disk). Between two checks one step can still fail.
    if (checkRoot() != RootState.DIRECTORY) {
      throw new JsyncException("root " + display + " vanished or was replaced by another directory since it "
          + "was scanned (an unmounted filesystem?); stopping without writing to it. Changes made so far "
          + "are recorded; run again once the root is back.");
    }
    if (applier == null) {
      try {
        applier = new Applier(root, props, backup, source, progress, this::storedSignature);
      } catch (IOException e) {
        throw new JsyncException("root " + display + " vanished: " + e.getMessage(), e);
      }
    }
    applier.add(step);
  }

  /** The archive's signature of {@code path}, if the archive records exactly {@code entry}'s content. */
  private Optional<jsync.core.delta.Signature> storedSignature(RelPath path, Entry.File entry) {
    if (archive.get(path).entry() instanceof Entry.File recorded && recorded.size() == entry.size()
        && recorded.fingerprint().equals(entry.fingerprint())) {
      return archive.signature(path);
    }
    return Optional.empty();
  }

  @Override
  public List<StepResult> flush(int keepInFlight) {
    return applier == null ? List.of() : applier.flush(keepInFlight);
  }

  @Override
  public int stagedFiles() {
    return applier == null ? 0 : applier.stagedFiles();
  }

  @Override
  public long stagedBytes() {
    return applier == null ? 0 : applier.stagedBytes();
  }

  @Override
  public void commit(List<ArchiveWrite> writes, Optional<String> syncId) {
    Archive.Batch batch = archive.batch();
    syncId.ifPresent(id -> batch.putMeta(SYNC_ID, id));
    for (ArchiveWrite w : writes) {
      if (w.keepSignature()) {
        batch.restamp(w.path(), w.observed());
      } else {
        batch.put(w.path(), w.observed(), w.signature());
      }
    }
    archive.commit(batch);
  }

  private Path resolve(RelPath rel) {
    return rel.under(root);
  }

  @Override
  public void close() {
    // A scan ahead still running uses the archive: it must end before the archive closes.
    dropAhead(true);
    readingAhead(null);
    if (applier != null) {
      applier.close();
    }
    closeArchive();
  }

  private void closeArchive() {
    try {
      if (archive != null) {
        archive.close();
        archive = null;
        openedWith = null;
      }
    } finally {
      if (lock != null) {
        lock.close();
        lock = null;
      }
    }
  }
}
