package jsync.core.apply;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import jsync.core.DaemonThreads;
import jsync.core.delta.CopiedBlocks;
import jsync.core.delta.HashedOutput;
import jsync.core.delta.Signature;
import jsync.core.delta.SignatureBuilder;
import jsync.core.delta.XxHash;
import jsync.core.model.Entry;
import jsync.core.model.Fingerprint;
import jsync.core.model.Observed;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;
import jsync.core.model.Stamp;
import jsync.core.scan.FileStat;
import jsync.core.scan.Hasher;
import net.jpountz.xxhash.StreamingXXHash64;

/**
 * Applies steps to one replica, safely:
 * <ul>
 *   <li>a file is written to a temporary file in its destination directory, checked against the wanted size
 *       and fingerprint while the bytes stream past (a source that changed after its scan is caught), given
 *       its permissions and time, and only then renamed over the destination, atomically;
 *   <li>just before any change the destination is re-checked against the state the scan saw ({@link
 *       Op#expected()}): if someone changed it meanwhile the op fails with "changed during
 *       synchronization" and their version stays;
 *   <li>every op writes only below the root, never through a symlink: the parent's real path is checked;
 *   <li>written files are synced to disk in groups (see {@link Durability}) before {@link #flush} reports
 *       them done, so the archive never records what a crash could still undo.
 * </ul>
 *
 * <p>Usage: {@link #add} steps (directories, links and removals happen at once; file contents are staged),
 * then {@link #flush} to complete the staged files and get every step's outcomes; {@link #close} at the end.
 * File contents are copied by a few threads of the applier's own while the caller goes on; everything else
 * runs on the caller's thread. Not thread-safe: one caller at a time.
 */
public final class Applier implements AutoCloseable {
  /** Names starting with this are jsync's temporary files; the scanner ignores them. */
  public static final String TEMP_PREFIX = ".jsync-tmp-";
  private static final int COPY_BUFFER = 256 * 1024;
  private static final Set<StandardOpenOption> CREATE_TEMP =
      EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

  private final Path root;
  private final Path realRoot;
  private final PropsPolicy props;
  private final BackupPolicy backup;
  private final ContentSource source;
  private final LongConsumer progress;
  private final SignatureStore signatures;
  private final FileStat.Reader stat;
  private static final ThreadLocal<Hasher> HASHERS = ThreadLocal.withInitial(Hasher::new);
  private static final ThreadLocal<byte[]> BUFFERS = ThreadLocal.withInitial(() -> new byte[COPY_BUFFER]);
  /** Parents verified since the last flush (a subtree copy writes many files per directory). */
  private final Set<Path> checkedParents = ConcurrentHashMap.newKeySet();
  /** Whether temporary files get their permissions at creation (see {@link #createMode}). */
  private final boolean posix;
  /** The process umask, which creation applies to the mode asked for; -1 if unknown. */
  private final int umask;
  private final ExecutorService copiers;
  /** Installs (re-check, rename) run on their own threads: the copy queue may hold the next batch. */
  private final ExecutorService installers;

  /** Small files asked of a remote source before their copy; null for a local source. */
  private final AskAhead askAhead;

  private final List<Pending> pending = new ArrayList<>();
  private final List<Staging> staging = new ArrayList<>();
  private final Set<Path> dirsToSync = ConcurrentHashMap.newKeySet();
  /** Per directory of a large file replaced or removed: whether it is freed aside ({@link DeferredFree}). */
  private final Map<Path, Boolean> freeAside = new ConcurrentHashMap<>();

  private boolean freeAsideIn(Path dir) {
    return freeAside.computeIfAbsent(dir, DeferredFree::localFilesystem);
  }

  /**
   * Directories this applier created since nothing was last in flight, whose new files go in place by a
   * plain rename (see placeNew); cleared at the end of each flush that leaves nothing staged.
   */
  private final Set<Path> madeDirs = ConcurrentHashMap.newKeySet();
  private long stagedBytes;

  /**
   * @param root the replica's root, which must exist
   * @param progress told the number of content bytes written as they are written
   */
  public Applier(Path root, PropsPolicy props, BackupPolicy backup, ContentSource source, LongConsumer progress)
      throws IOException {
    this(root, props, backup, source, progress, SignatureStore.NONE);
  }

  /** @param signatures this replica's stored signatures, for deltas from a remote source */
  public Applier(Path root, PropsPolicy props, BackupPolicy backup, ContentSource source, LongConsumer progress,
      SignatureStore signatures) throws IOException {
    this.root = root;
    this.realRoot = root.toRealPath();
    this.props = props;
    this.backup = backup;
    this.source = source;
    this.progress = progress;
    this.signatures = signatures;
    this.stat = FileStat.readerFor(root.getFileSystem());
    this.posix = props.permMask() != 0 && root.getFileSystem().supportedFileAttributeViews().contains("posix");
    this.umask = root.getFileSystem() == FileSystems.getDefault() ? Umask.current() : -1;
    this.copiers = Executors.newFixedThreadPool(source.remote() ? REMOTE_COPY_THREADS : COPY_THREADS,
        daemon("jsync-copy"));
    this.installers = Executors.newFixedThreadPool(COPY_THREADS, daemon("jsync-install"));
    this.askAhead = source.remote() ? new AskAhead(source, AHEAD_FILES, AHEAD_BYTES) : null;
  }

  private static ThreadFactory daemon(String name) {
    return DaemonThreads.named(name);
  }

  /**
   * Files are copied to their temporary names by this many threads while the caller goes on with the plan.
   * Copying many small files is bound by file creation in the kernel, which scales with cores: measured on
   * 100,000 files (2 cores), a bare Java copy took 6.4 s on one thread and 4.0 s on two.
   */
  static final int COPY_THREADS = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));

  /**
   * Copy threads when the content comes from a peer over the network: each file is then a request and a
   * stream back, and a copy thread waits out that round trip, so the threads are how many files are in
   * flight. Measured over SSH on 2 cores, first copy of 8,518 files of under 64 KiB: 2 threads 8.6 s,
   * 8 threads 7.2 s, 16 and 32 threads 6.9-7.0 s (docs/benchmarks.md). Each holds at most one file's
   * receive buffer (Session: 8 frames).
   */
  static final int REMOTE_COPY_THREADS = 8;

  /**
   * Small files asked of a remote source ahead of their copy ({@link AskAhead}), at most this many and
   * this many bytes not yet written: what arrives before a copy thread reads it waits in memory, and more
   * than an SSH window (2 MiB from OpenSSH) queued at the sender stalls it on window adjustments: measured
   * on 8,526 small files, 1 MiB 4.55 s, 2 MiB 6.0-7.7 s, 16 MiB 6.2-7.3 s (docs/benchmarks.md).
   */
  static final int AHEAD_FILES = 1024;
  static final long AHEAD_BYTES = 1L << 20;

  /** Stops the copy threads; call once done with this applier (after the last {@link #flush}). */
  @Override
  public void close() {
    copiers.shutdownNow();
    installers.shutdownNow();
    if (askAhead != null) {
      askAhead.close();   // copies that never ran: their answers are dropped as they arrive
    }
  }

  /** A step added and not yet reported, with the outcome of each op attempted so far. */
  private static final class Pending {
    final Step step;
    final Outcome[] outcomes;
    int attempted;
    /** Files of this step still being copied or waiting to be installed. */
    int outstanding;

    Pending(Step step) {
      this.step = step;
      this.outcomes = new Outcome[step.ops().size()];
    }
  }

  /** A file written to its temporary name, waiting for the sync and the rename. */
  private record Staged(Pending owner, int index, Op op, Path temp, Path target, Copied copied,
      boolean transferred) {}

  /** What a copy wrote: the content's fingerprint, and the block signature of a large file. */
  private record Copied(Fingerprint fingerprint, Optional<Signature> signature) {}

  /** A file being copied to its temporary name by a copy thread. */
  private record Staging(Pending owner, int index, Op op, Future<Staged> copy) {}

  public int stagedFiles() {
    return staging.size();
  }

  public long stagedBytes() {
    return stagedBytes;
  }

  /** Runs a step's ops in order, staging file contents; stops the step at the first op that fails. */
  public void add(Step step) {
    Pending p = new Pending(step);
    pending.add(p);
    for (int i = 0; i < step.ops().size(); i++) {
      Op op = step.ops().get(i);
      p.attempted = i + 1;
      Outcome o = run(p, i, op);
      if (o != null) {
        p.outcomes[i] = o;
        if (!o.done()) {
          return;
        }
      }
    }
  }

  /** Completes everything staged; see {@link #flush(int)}. */
  public List<StepResult> flush() {
    return flush(0);
  }

  /**
   * Completes the staged files except the newest {@code keepInFlight} (sync to disk, re-check, backup,
   * rename), syncs the directories changed, and returns the results of the steps that are now complete, in
   * the order added. Keeping files in flight lets the copy threads go on with the next files while this
   * batch waits for the disk.
   */
  public List<StepResult> flush(int keepInFlight) {
    int n = Math.max(0, staging.size() - keepInFlight);
    List<Staging> batch = new ArrayList<>(staging.subList(0, n));
    staging.subList(0, n).clear();
    List<Staged> staged = new ArrayList<>();
    for (Staging st : batch) {
      stagedBytes -= ((Entry.File) st.op().want()).size();
      try {
        staged.add(st.copy().get());
      } catch (ExecutionException e) {
        st.owner().outstanding--;
        Throwable cause = e.getCause();
        st.owner().outcomes[st.index()] = cause instanceof ChangedException ? Outcome.failed(st.op(), cause.getMessage())
            : cause instanceof IOException io ? Outcome.failed(st.op(), "cannot write " + display(st.op()) + ": "
                + describe(io))
            : Outcome.failed(st.op(), "cannot write " + display(st.op()) + ": " + cause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        st.owner().outstanding--;
        st.owner().outcomes[st.index()] = Outcome.failed(st.op(), "interrupted");
      }
    }
    // A directory may have been swapped for a symlink since the files were staged: check again, once per
    // directory, just before the renames into it.
    checkedParents.clear();
    List<Path> temps = new ArrayList<>();
    for (Staged s : staged) {
      temps.add(s.temp());
    }
    IOException syncFailure = null;
    try {
      Durability.sync(temps, List.of());
    } catch (IOException e) {
      syncFailure = e;
    }
    List<Future<Outcome>> installs = new ArrayList<>(staged.size());
    for (Staged s : staged) {
      if (syncFailure != null) {
        deleteQuietly(s.temp());
        String why = "cannot flush " + display(s.op()) + " to disk: " + describe(syncFailure);
        installs.add(java.util.concurrent.CompletableFuture.completedFuture(Outcome.failed(s.op(), why)));
      } else {
        installs.add(installers.submit(() -> install(s)));
      }
    }
    for (int i = 0; i < staged.size(); i++) {
      Staged s = staged.get(i);
      s.owner().outcomes[s.index()] = await(installs.get(i), s.op());
      s.owner().outstanding--;
    }
    checkedParents.clear();
    String dirFailure = null;
    List<Path> dirs = new ArrayList<>(dirsToSync);
    dirsToSync.removeAll(dirs);
    try {
      Durability.sync(List.of(), dirs);
    } catch (IOException e) {
      dirFailure = "cannot flush directory changes to disk: " + describe(e);
    }
    List<StepResult> results = new ArrayList<>();
    if (staging.isEmpty()) {
      // Nothing of this run left in flight (its end, at the latest): the directories it made are no longer
      // new (someone may have put files in them since), and the daemon's applier lives for weeks.
      madeDirs.clear();
      freeAside.clear(); // mounts may change while a daemon runs
    }
    while (!pending.isEmpty() && pending.get(0).outstanding == 0) {
      Pending p = pending.remove(0);
      List<Outcome> outcomes = new ArrayList<>();
      for (int i = 0; i < p.attempted; i++) {
        Outcome o = p.outcomes[i];
        if (dirFailure != null && o.done()) {
          o = Outcome.failed(o.op(), dirFailure);
        }
        outcomes.add(o);
      }
      results.add(new StepResult(p.step, outcomes));
    }
    return results;
  }

  private static Outcome await(Future<Outcome> f, Op op) {
    try {
      return f.get();
    } catch (ExecutionException e) {
      return Outcome.failed(op, "cannot write " + display(op) + ": " + e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.failed(op, "interrupted");
    }
  }

  /** Runs one op now, or stages it and returns null. */
  private Outcome run(Pending owner, int index, Op op) {
    Path target = resolve(op.path());
    try {
      checkParent(target.getParent());
      switch (op.kind()) {
        case REMOVE:
          return remove(op, target);
        case SET_PROPS:
          return setProps(op, target);
        case PUT:
          switch (op.want().kind()) {
            case FILE:
              stageFile(owner, index, op, target);
              return null;
            case DIR:
              return putDir(op, target);
            case LINK:
              return putLink(op, target);
            default:
              throw new IllegalArgumentException("cannot put " + op.want());
          }
        default:
          throw new AssertionError(op.kind());
      }
    } catch (ChangedException e) {
      return Outcome.failed(op, e.getMessage());
    } catch (IOException e) {
      return Outcome.failed(op, "cannot " + verb(op) + " " + display(op) + ": " + describe(e));
    }
  }

  /** Hands a file's copy to a copy thread; its outcome is known at {@link #flush}. */
  private void stageFile(Pending owner, int index, Op op, Path target) {
    Entry.File want = (Entry.File) op.want();
    Path reuse = op.reuseFrom().map(this::resolve).orElse(null);
    // Small files go whole (no delta basis, no partial transfer to look for): asked for ahead.
    AskAhead.Item ahead = askAhead != null && reuse == null && want.size() < SignatureBuilder.MIN_DELTA_SIZE
        ? askAhead.add(op.path(), want, op.sourceStamp()) : null;
    staging.add(new Staging(owner, index, op,
        copiers.submit(() -> copyToTemp(owner, index, op, target, reuse, ahead))));
    owner.outstanding++;
    stagedBytes += want.size();
  }

  /**
   * On a copy thread: the file's content to a temporary name beside the target, checked and with its props.
   * {@code ahead}: the file queued to be asked for ahead, or null.
   */
  private Staged copyToTemp(Pending owner, int index, Op op, Path target, Path reuse, AskAhead.Item ahead)
      throws IOException {
    if (ahead == null) {
      return copyToTemp(owner, index, op, target, reuse, Optional.empty());
    }
    try {
      return copyToTemp(owner, index, op, target, reuse, Optional.ofNullable(askAhead.take(ahead)));
    } finally {
      askAhead.done(ahead);
    }
  }

  private Staged copyToTemp(Pending owner, int index, Op op, Path target, Path reuse,
      Optional<InputStream> ahead) throws IOException {
    Entry.File want = (Entry.File) op.want();
    int mode = mergedMode(want.mode(), op.expected().entry() instanceof Entry.File old ? old.mode() : 0644);
    // A large file is written under a name derived from its own: if the transfer is cut (connection lost,
    // run killed), the next run finds the part already received and uses it as the delta basis, so only
    // the rest crosses the network again (rsync's --partial).
    Path partial = want.size() >= SignatureBuilder.MIN_DELTA_SIZE && want.fingerprint().known()
        ? partialFor(target) : null;
    Path partialBasis = partial != null ? takePartial(partial) : null;
    Path temp = partial != null && !Files.exists(partial, LinkOption.NOFOLLOW_LINKS) ? partial : tempFor(target);
    try {
      return copyToTemp(owner, index, op, target, reuse, want, mode, temp, partialBasis, temp == partial, ahead);
    } finally {
      if (partialBasis != null) {
        deleteQuietly(partialBasis);
      }
    }
  }

  private Staged copyToTemp(Pending owner, int index, Op op, Path target, Path reuse, Entry.File want, int mode,
      Path temp, Path partialBasis, boolean keepPart, Optional<InputStream> ahead) throws IOException {
    Copied copied = null;
    if (reuse != null && want.fingerprint().known()) {
      // Content already on this replica (a rename or copy on the other side): copy it locally. If it turns
      // out to differ, fall through to a transfer.
      try {
        copied = copy(temp, want, mode, false, sink -> {
          try (InputStream in = Files.newInputStream(reuse, LinkOption.NOFOLLOW_LINKS)) {
            jsync.core.Streams.copy(in, sink, want.size());
          }
        });
      } catch (IOException e) {
        copied = null;
      }
      if (copied == null) {
        deleteQuietly(temp);
      }
    }
    boolean transferred = copied == null;
    if (copied == null) {
      Optional<Basis> basis = basisFor(op, target, want, partialBasis);
      try {
        copied = ahead.isPresent()
            ? copy(temp, want, mode, true, sink -> ahead.get().transferTo(sink))
            : copy(temp, want, mode, true, basis,
                sink -> source.transfer(op.path(), want, op.sourceStamp(), basis, sink));
      } catch (DeltaMismatchException e) {
        // The receiver's old version or the sender's file changed under the delta: send it whole.
        deleteQuietly(temp);
        copied = copy(temp, want, mode, true,
            sink -> source.transfer(op.path(), want, op.sourceStamp(), Optional.empty(), sink));
      } catch (IOException | RuntimeException e) {
        if (!keepPart || e instanceof SourceChangedException) {
          deleteQuietly(temp);
        }
        if (e instanceof SourceChangedException) {
          throw new ChangedException("source " + display(op)
              + " changed during synchronization; skipped, it will be propagated by the next run");
        }
        throw e;
      }
      if (copied == null) {
        deleteQuietly(temp);
        throw new ChangedException("source " + display(op)
            + " changed during synchronization; skipped, it will be propagated by the next run");
      }
    }
    try {
      // Created with its final mode already; only a umask that took bits away needs a chmod.
      if (posix && (umask < 0 || (mode & umask) != 0)) {
        Files.setPosixFilePermissions(temp, FileStat.permissions(mode));
      }
      if (props.times()) {
        Files.setLastModifiedTime(temp, FileTime.from(want.mtimeNanos(), TimeUnit.NANOSECONDS));
      }
    } catch (IOException e) {
      deleteQuietly(temp);
      throw e;
    }
    return new Staged(owner, index, op, temp, target, copied, transferred);
  }

  /**
   * The destination's current version as a basis for a delta: only worth it for large files (small ones go
   * whole, compressed), and only when the new content's hash is known to check the result against.
   */
  private Optional<Basis> basisFor(Op op, Path target, Entry.File want, Path partialBasis) {
    if (want.size() < SignatureBuilder.MIN_DELTA_SIZE || !want.fingerprint().known()) {
      return Optional.empty();
    }
    long partialSize = partialBasis == null ? 0 : sizeOf(partialBasis);
    if (op.expected().entry() instanceof Entry.File old && old.size() >= SignatureBuilder.MIN_DELTA_SIZE
        && old.fingerprint().known() && old.size() >= partialSize) {
      return Optional.of(new Basis(target, signatures.stored(op.path(), old)));
    }
    return partialSize > 0 ? Optional.of(new Basis(partialBasis, Optional.empty())) : Optional.empty();
  }

  /** The temporary name of a large file's transfer into {@code target}: the same for every attempt. */
  private static Path partialFor(Path target) {
    byte[] name = target.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return target.resolveSibling(TEMP_PREFIX + "partial-" + Long.toHexString(XxHash.hash(name, 0, name.length, 0)));
  }

  /** Moves a previous attempt's part (if any) aside, to serve as a basis; null if there is none. */
  private static Path takePartial(Path partial) {
    try {
      if (Files.isRegularFile(partial, LinkOption.NOFOLLOW_LINKS) && Files.size(partial) > 0) {
        Path basis = partial.resolveSibling(partial.getFileName() + "-basis");
        Files.move(partial, basis, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return basis;
      }
    } catch (IOException e) {
      // Another run is using it, or it vanished: transfer without it.
    }
    return null;
  }

  private static long sizeOf(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0;
    }
  }

  /** The block size of {@code basis}'s signature: its stored one's, or that of the one computed for it. */
  private static int basisBlockSize(Basis basis) {
    return basis.stored().map(Signature::blockSize)
        .orElseGet(() -> SignatureBuilder.blockSizeFor(sizeOf(basis.file())));
  }

  /** Signatures this replica's archive holds, for the basis of a delta. */
  @FunctionalInterface
  public interface SignatureStore {
    SignatureStore NONE = (path, entry) -> Optional.empty();

    /** The stored signature of {@code path} if the archive records exactly {@code entry}'s content there. */
    Optional<Signature> stored(RelPath path, Entry.File entry);
  }

  /**
   * Thrown by a {@link ContentSource} stream when the source file is no longer what was scanned (its stamp
   * moved while its unknown content was being copied).
   */
  public static final class SourceChangedException extends IOException {
    public SourceChangedException(String message) {
      super(message);
    }
  }

  /**
   * The sink {@link #copy} gives a writer: the temporary file, with the hash of what it is given (which a
   * delta's patcher takes from it, see {@link HashedOutput}), the block signature of a large file, its
   * early write-back, progress, and a refusal of more than the wanted size. A large file's bytes are
   * written and signed on a thread of their own ({@link BackgroundWrite}); the hash stays here.
   */
  private final class TempSink extends OutputStream implements HashedOutput {
    private final FileChannel out;
    private final long wantSize;
    private final StreamingXXHash64 hash;
    private final BackgroundWrite aside;
    private final SignatureBuilder sig;
    private final EarlyWriteback writeback;
    private final boolean reportProgress;
    long total;

    TempSink(FileChannel out, long wantSize, StreamingXXHash64 hash, BackgroundWrite aside,
        SignatureBuilder sig, EarlyWriteback writeback, boolean reportProgress) {
      this.out = out;
      this.wantSize = wantSize;
      this.hash = hash;
      this.aside = aside;
      this.sig = sig;
      this.writeback = writeback;
      this.reportProgress = reportProgress;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      total += len;
      if (total > wantSize) {
        throw new TooLongException();
      }
      hash.update(b, off, len);
      if (aside != null) {
        aside.write(b, off, len);   // written and signed there
      } else {
        if (sig != null) {
          sig.update(b, off, len);
        }
        ByteBuffer bb = ByteBuffer.wrap(b, off, len);
        while (bb.hasRemaining()) {
          out.write(bb);
        }
        if (writeback != null) {
          writeback.wrote(len);
        }
      }
      if (reportProgress) {
        progress.accept(len);
      }
    }

    @Override
    public long hashSoFar() {
      return hash.getValue();
    }
  }

  /** Writes content into the sink {@link #copy} gives it. */
  @FunctionalInterface
  private interface Writer {
    void writeTo(OutputStream sink) throws IOException;
  }

  /** More bytes came than the wanted size: the source is not what was scanned. */
  private static final class TooLongException extends IOException {
    TooLongException() {
      super("more bytes than expected");
    }
  }

  /**
   * Creates {@code temp} and lets {@code writer} fill it through a sink that hashes the bytes, builds the
   * block signature of a large file, counts progress and refuses more than the wanted size.
   *
   * @return the content's fingerprint (and signature), or null if it is not {@code want} (size, or a known
   *     fingerprint)
   */
  private Copied copy(Path temp, Entry.File want, int mode, boolean reportProgress, Writer writer)
      throws IOException {
    return copy(temp, want, mode, reportProgress, Optional.empty(), writer);
  }

  /**
   * As above, for content that may come as a delta against {@code basis}: the new version's signature then
   * keeps the basis's block size when that is close to its own, and takes over the checksums of the blocks
   * the delta copies from the basis ({@link CopiedBlocks}).
   */
  private Copied copy(Path temp, Entry.File want, int mode, boolean reportProgress, Optional<Basis> basis,
      Writer writer) throws IOException {
    SignatureBuilder sig = want.size() < SignatureBuilder.MIN_STORED_SIZE ? null
        : basis.isEmpty() ? new SignatureBuilder(want.size(), 0)
        : new SignatureBuilder(want.size(), SignatureBuilder.blockSizeFor(want.size(), basisBlockSize(basis.get())),
            0, basis.get().copies());
    // Created with the wanted mode (less what the umask removes), never more open than the final file.
    FileAttribute<?>[] attrs = posix
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FileStat.permissions(mode))}
        : new FileAttribute<?>[0];
    try (FileChannel out = FileChannel.open(temp, CREATE_TEMP, attrs);
         EarlyWriteback writeback = want.size() >= EarlyWriteback.MIN_SIZE
             ? new EarlyWriteback(out) : null;
         BackgroundWrite aside = sig != null && want.size() >= BackgroundWrite.MIN_SIZE
             ? new BackgroundWrite(out, n -> {
                 if (writeback != null) {
                   writeback.wrote(n);
                 }
               }, sig)
             : null;
         StreamingXXHash64 h = XxHash.streaming(0)) {
      TempSink sink = new TempSink(out, want.size(), h, aside, aside == null ? sig : null, writeback,
          reportProgress);
      try {
        writer.writeTo(sink);
      } catch (TooLongException e) {
        return null;
      }
      if (sink.total != want.size()) {
        return null;
      }
      // Everything written (a large file's writes finished on their own thread) before the file is checked.
      Optional<Signature> signature = aside != null ? Optional.of(aside.finish())
          : sig == null ? Optional.empty() : Optional.of(sig.finish());
      Fingerprint fp = Fingerprint.of(h.getValue());
      if (want.fingerprint().known() && !fp.equals(want.fingerprint())) {
        return null;
      }
      return new Copied(fp, signature);
    }
  }

  /** Re-checks, keeps a backup if asked, and renames one staged file into place. */
  private Outcome install(Staged s) {
    Op op = s.op();
    try {
      // The parent was checked when the file was staged, possibly thousands of files ago: again, once per
      // directory per flush.
      checkParent(s.target().getParent());
      boolean freeable = DeferredFree.large(op.expected().entry()) && freeAsideIn(s.target().getParent());
      recheck(op, s.target());
      maybeBackup(op, s.target(), false);
      FileStat staged = stat.read(s.temp());
      if (op.expected().entry().isAbsent() && !madeDirs.contains(s.target().getParent())) {
        placeNew(op, s.temp(), s.target());
      } else {
        try (DeferredFree old = DeferredFree.hold(s.target(), freeable)) {
          Files.move(s.temp(), s.target(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          old.unlinked();
        }
      }
      reached(Moment.AFTER_PUT_IN_PLACE, s.target());
      dirsToSync.add(s.target().getParent());
      FileStat st = stat.read(s.target());
      Entry.File want = (Entry.File) op.want();
      return Outcome.done(op, installed(st, staged, s.copied().fingerprint()),
          s.transferred() ? want.size() : 0, s.copied().signature());
    } catch (ChangedException e) {
      deleteQuietly(s.temp());
      return Outcome.failed(op, e.getMessage());
    } catch (IOException e) {
      deleteQuietly(s.temp());
      return Outcome.failed(op, "cannot write " + display(op) + ": " + describe(e));
    }
  }

  /**
   * Puts a new file in place where the re-check found nothing, without ever replacing a file someone
   * created there since: a hard link to the temporary file fails if the name exists (a rename would
   * replace it), and the temporary name is then removed. Where the link fails otherwise (no hard links on
   * FAT or some FUSE and SMB mounts, a refused link), a rename after a last look, which leaves the
   * microseconds between the two open. The link and unlink cost more than one rename (a first copy of
   * 100,000 small files: 7.2 -> 7.6 s), so new files in a directory this run created itself are renamed
   * as before: a first copy of a tree pays only for files at its top. Other programs watching the
   * directory see the name created (inotify IN_CREATE), not moved in.
   */
  private void placeNew(Op op, Path temp, Path target) throws IOException {
    reached(Moment.BEFORE_PLACING_NEW, target);
    try {
      Files.createLink(target, temp);
    } catch (FileAlreadyExistsException e) {
      throw new ChangedException(display(op) + " was created during synchronization; not overwritten");
    } catch (IOException | UnsupportedOperationException e) {
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        throw new ChangedException(display(op) + " was created during synchronization; not overwritten");
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return;
    }
    // The file is in place; a temporary name left behind (its removal failed) is ignored by the scanner,
    // which removes it once stale.
    deleteQuietly(temp);
  }

  /**
   * Moments at which a test acts on the file concerned, as someone else might at the worst time: a write
   * between two steps the applier takes on it (see {@link #installed}, {@link #placeNew}, the re-check and
   * {@link #copyBackup}).
   */
  enum Moment { BEFORE_PLACING_NEW, AFTER_PUT_IN_PLACE, AFTER_RECHECK_HASH, AFTER_BACKUP_COPY }

  private final Map<Moment, Consumer<Path>> atMoments = new EnumMap<>(Moment.class);

  /** For tests: runs {@code action} with the file's path each time the applier reaches {@code moment}. */
  void at(Moment moment, Consumer<Path> action) {
    atMoments.put(moment, action);
  }

  private void reached(Moment moment, Path file) {
    Consumer<Path> action = atMoments.get(moment);
    if (action != null) {
      action.accept(file);
    }
  }

  /**
   * What to record of a file just put in place (renamed or linked), from its status {@code st} read after
   * that and {@code staged}, read of the temporary file before it. Someone may have written to the file in
   * between: its status is then theirs, and recording it with the fingerprint of what we wrote would hide
   * their change from every later scan, which trusts a file whose status matches its record (and a later
   * change on the other side would then overwrite theirs without a conflict). Unless the file is still the
   * one we staged (same inode, size and mtime; the rename or link only moves its ctime), it is recorded
   * with what we wrote and {@link Stamp#NONE}, so the next scan reads it again.
   */
  private static Observed installed(FileStat st, FileStat staged, Fingerprint fingerprint) {
    boolean ours = st.type() == FileStat.Type.FILE && st.inode() == staged.inode() && st.size() == staged.size()
        && st.mtimeNanos() == staged.mtimeNanos();
    return ours ? new Observed(new Entry.File(st.size(), st.mtimeNanos(), st.mode(), fingerprint), st.stamp())
        : new Observed(new Entry.File(staged.size(), staged.mtimeNanos(), staged.mode(), fingerprint),
            Stamp.NONE);
  }

  private Outcome putDir(Op op, Path target) throws IOException {
    recheck(op, target);
    Entry.Dir want = (Entry.Dir) op.want();
    try {
      Files.createDirectory(target);
      madeDirs.add(target);
    } catch (FileAlreadyExistsException e) {
      // Someone made the directory since the scan. Adding our files into it only ever creates files
      // (each re-checked), so it is safe to go on with theirs in place.
      if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        throw new ChangedException(display(op) + " was created during synchronization; not replaced");
      }
    }
    if (props.permMask() != 0) {
      Files.setPosixFilePermissions(target, FileStat.permissions(mergedMode(want.mode(), 0755)));
    }
    dirsToSync.add(target.getParent());
    return Outcome.done(op, Observed.of(new Entry.Dir(stat.read(target).mode())), 0);
  }

  private Outcome putLink(Op op, Path target) throws IOException {
    recheck(op, target);
    Entry.Link want = (Entry.Link) op.want();
    if (op.expected().entry().isAbsent()) {
      // Made at its name directly: that fails if someone created the name since the re-check, where a
      // rename would replace what they made.
      try {
        Files.createSymbolicLink(target, root.getFileSystem().getPath(want.target()));
      } catch (FileAlreadyExistsException e) {
        throw new ChangedException(display(op) + " was created during synchronization; not overwritten");
      }
      dirsToSync.add(target.getParent());
      return Outcome.done(op, Observed.of(want), 0);
    }
    Path temp = tempFor(target);
    Files.createSymbolicLink(temp, root.getFileSystem().getPath(want.target()));
    try {
      maybeBackup(op, target, false);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      deleteQuietly(temp);
      throw e;
    }
    dirsToSync.add(target.getParent());
    return Outcome.done(op, Observed.of(want), 0);
  }

  private Outcome setProps(Op op, Path target) throws IOException {
    recheck(op, target);
    Entry want = op.want();
    applyProps(target, want, op.expected().entry());
    FileStat st = stat.read(target);
    Entry now = switch (want.kind()) {
      case FILE -> new Entry.File(st.size(), st.mtimeNanos(), st.mode(), ((Entry.File) want).fingerprint());
      case DIR -> new Entry.Dir(st.mode());
      case LINK, ABSENT, PROBLEM -> throw new IllegalArgumentException("no properties to set on " + want);
    };
    if (want.kind() != Entry.Kind.FILE) {
      return Outcome.done(op, Observed.of(now), 0);
    }
    // As for an install (see installed): a file written to since the re-check has another size or mtime
    // than the one whose properties we set; its status is then not recorded, so the next scan reads it.
    // With times, we set its mtime ourselves (applyProps), which would hide a write made between the
    // re-check and the setting: no status is recorded then either (such changes are few; the next scan
    // hashes the file).
    Entry.File expected = (Entry.File) op.expected().entry();
    boolean ours = !props.times() && st.type() == FileStat.Type.FILE && st.size() == expected.size()
        && st.mtimeNanos() == expected.mtimeNanos();
    return Outcome.done(op, new Observed(now, ours ? st.stamp() : Stamp.NONE), 0);
  }

  private Outcome remove(Op op, Path target) throws IOException {
    boolean freeable = DeferredFree.large(op.expected().entry()) && freeAsideIn(target.getParent());
    recheck(op, target);
    Entry expected = op.expected().entry();
    if (expected.isAbsent()) {
      return Outcome.done(op, Observed.ABSENT, 0);
    }
    if (expected.isDir()) {
      try {
        Files.delete(target);
      } catch (DirectoryNotEmptyException e) {
        throw new ChangedException("directory " + display(op) + " not deleted: it holds files this "
            + "synchronization does not know about (created meanwhile, or ignored)");
      }
      // Removing its children queued it for a sync; gone now, it has no entries to make durable (its
      // parent, queued below, holds the removal). Left queued, it failed the whole flush.
      dirsToSync.remove(target);
    } else if (!maybeBackup(op, target, true)) {
      try (DeferredFree old = DeferredFree.hold(target, freeable)) {
        Files.delete(target);
        old.unlinked();
      }
    }
    dirsToSync.add(target.getParent());
    return Outcome.done(op, Observed.ABSENT, 0);
  }

  /** Sets permissions and (with {@code times}) the modification time of a file or directory. */
  private void applyProps(Path p, Entry want, Entry old) throws IOException {
    int mode;
    int base;
    if (want instanceof Entry.File f) {
      mode = f.mode();
      base = old instanceof Entry.File of ? of.mode() : 0644;
    } else if (want instanceof Entry.Dir d) {
      mode = d.mode();
      base = old instanceof Entry.Dir od ? od.mode() : 0755;
    } else {
      return;
    }
    if (props.permMask() != 0) {
      Files.setPosixFilePermissions(p, FileStat.permissions(mergedMode(mode, base)));
    }
    if (props.times() && want instanceof Entry.File f) {
      Files.setLastModifiedTime(p, FileTime.from(f.mtimeNanos(), TimeUnit.NANOSECONDS));
    }
  }

  /** Bits inside the {@code perms} mask come from the wanted mode, the others stay as they were. */
  private int mergedMode(int want, int base) {
    int mask = props.permMask() & 0777;
    return ((want & mask) | (base & ~mask)) & 0777;
  }

  /**
   * Fails with {@link ChangedException} unless {@code target} still holds what the scan saw. A file whose
   * stamp moved is hashed: only a content change counts, as in Unison.
   */
  private void recheck(Op op, Path target) throws IOException {
    Observed expected = op.expected();
    FileStat st = stat.readIfPresent(target);
    Entry e = expected.entry();
    switch (e.kind()) {
      case ABSENT -> {
        if (st != null) {
          throw new ChangedException(display(op) + " was created during synchronization; not overwritten");
        }
      }
      case FILE -> {
        Entry.File f = (Entry.File) e;
        if (st == null || st.type() != FileStat.Type.FILE) {
          throw changed(op, st);
        }
        if (!expected.stamp().matches(st.stamp())) {
          Hasher.Result h = HASHERS.get().hashOnly(target, st.size());
          reached(Moment.AFTER_RECHECK_HASH, target);
          if (h.length() != f.size() || !h.fingerprint().equals(f.fingerprint())) {
            throw changed(op, st);
          }
          // Written to while it was hashed (a part already read can change without the hash seeing it):
          // its status moved since the read began, as the scanner checks after each hash.
          FileStat after = stat.readIfPresent(target);
          if (after == null) {
            throw changed(op, null);
          }
          if (!after.stamp().equals(st.stamp())) {
            throw changed(op, after);
          }
        }
      }
      case DIR -> {
        if (st == null || st.type() != FileStat.Type.DIR) {
          throw changed(op, st);
        }
      }
      case LINK -> {
        if (st == null || st.type() != FileStat.Type.LINK
            || !Files.readSymbolicLink(target).toString().equals(((Entry.Link) e).target())) {
          throw changed(op, st);
        }
      }
      case PROBLEM -> throw new IllegalArgumentException("cannot expect a problem at " + display(op));
    }
  }

  private ChangedException changed(Op op, FileStat now) {
    return new ChangedException(display(op) + (now == null ? " was deleted" : " was modified")
        + " during synchronization; not overwritten, it will be reconsidered by the next run");
  }

  /**
   * Keeps the current version of {@code target} as a backup if the policy asks for it: by a hard link
   * before a replacement (so the destination name never goes missing), or by a rename for a removal.
   *
   * @return true if the file was moved away (a removal is then done); false if it is still there
   */
  private boolean maybeBackup(Op op, Path target, boolean removing) throws IOException {
    Entry old = op.expected().entry();
    if (!(old instanceof Entry.File || old instanceof Entry.Link) || !backup.matches().test(op.path())) {
      return false;
    }
    Path dir = backup.centralDir().map(c -> op.path().parent().under(c)).orElse(target.getParent());
    String name = op.path().name();
    // The prefix may name a subdirectory (backupprefix = .backups/$VERSION-), as in Unison.
    Files.createDirectories(dir.resolve(backup.backupName(name, 1)).getParent());
    Path newest = dir.resolve(backup.backupName(name, 1));
    // Made under a temporary name first, and put in place after the older versions moved up: a backup
    // that cannot be made (or a destination that changes while it is copied) leaves them as they were.
    Path fresh = tempFor(newest);
    boolean moved = false;
    try {
      if (removing) {
        try {
          Files.move(target, fresh, StandardCopyOption.ATOMIC_MOVE);
          moved = true;
        } catch (AtomicMoveNotSupportedException e) {
          // A central backup dir on another filesystem: copy; the caller then deletes the original.
          copyBackup(op, target, fresh, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
        }
      } else if (old instanceof Entry.Link) {
        Files.copy(target, fresh, LinkOption.NOFOLLOW_LINKS);
      } else {
        try {
          Files.createLink(fresh, target);
        } catch (IOException | UnsupportedOperationException e) {
          // Another filesystem (a central backup dir elsewhere) or no hard links: copy instead.
          copyBackup(op, target, fresh, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
      if (backup.isVersioned()) {
        Files.deleteIfExists(dir.resolve(backup.backupName(name, backup.maxBackups())));
        for (int v = backup.maxBackups() - 1; v >= 1; v--) {
          Path from = dir.resolve(backup.backupName(name, v));
          if (Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
            Files.move(from, dir.resolve(backup.backupName(name, v + 1)), StandardCopyOption.ATOMIC_MOVE);
          }
        }
      }
      Files.move(fresh, newest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      if (moved) {
        // The file to remove was moved aside for its backup: back where it was, since the op fails.
        try {
          Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException restore) {
          e.addSuppressed(restore);
          throw e; // it stays under the temporary name in the backup directory, not lost
        }
      } else {
        deleteQuietly(fresh);
      }
      throw e;
    }
    dirsToSync.add(dir);
    return moved;
  }

  /**
   * A backup made by copying the destination, which the caller then replaces or deletes: a write during the
   * copy (seconds for a large file, after the re-check) would be lost to that, and the backup would hold a
   * torn version. The destination's status must not move while it is copied.
   */
  private void copyBackup(Op op, Path target, Path backupFile, CopyOption... options) throws IOException {
    FileStat before = stat.read(target);
    Files.copy(target, backupFile, options);
    reached(Moment.AFTER_BACKUP_COPY, target);
    FileStat after = stat.readIfPresent(target);
    if (after == null || !after.stamp().equals(before.stamp())) {
      deleteQuietly(backupFile);
      throw new ChangedException(display(op) + " was modified during synchronization (while its backup was "
          + "copied); not overwritten, it will be reconsidered by the next run");
    }
  }



  /** {@link #verifyParent}, once per parent between flushes (a subtree copy writes many files per directory). */
  private void checkParent(Path parent) throws IOException {
    if (checkedParents.contains(parent)) {
      return;
    }
    verifyParent(parent);
    checkedParents.add(parent);
  }

  /** The destination's parent must be a real directory below the root, not reached through a symlink. */
  private void verifyParent(Path parent) throws IOException {
    Path real;
    try {
      real = parent.toRealPath();
    } catch (NoSuchFileException e) {
      throw new ChangedException("directory " + root.relativize(parent) + " is missing on " + root
          + "; it was removed during synchronization");
    }
    if (!real.startsWith(realRoot) || !real.equals(realRoot.resolve(root.relativize(parent).toString()))) {
      throw new ChangedException("refusing to write through a symbolic link: " + parent + " is " + real
          + ", not below " + realRoot);
    }
  }

  private Path resolve(RelPath rel) {
    return rel.under(root);
  }

  private static Path tempFor(Path target) {
    return target.resolveSibling(TEMP_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong()));
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // A leftover temporary file is ignored by the scanner and harmless; the op already reports failure.
    }
  }

  private static String display(Op op) {
    return op.path().display();
  }

  private static String verb(Op op) {
    return switch (op.kind()) {
      case PUT -> "write";
      case SET_PROPS -> "set properties of";
      case REMOVE -> "delete";
    };
  }

  /** A short cause for an I/O failure: "permission denied", "No space left on device", ... */
  static String describe(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      // The JDK puts only the path in the message; the op's own message names the path already.
      return "no such file or directory (removed during synchronization?)";
    }
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /** The destination is no longer what the scan saw. */
  private static final class ChangedException extends IOException {
    ChangedException(String message) {
      super(message);
    }
  }
}
