package jsync.core.scan;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import jsync.core.apply.Applier;
import jsync.core.delta.Signature;
import jsync.core.model.Entry;
import jsync.core.model.Fingerprint;
import jsync.core.model.Observed;
import jsync.core.model.ProblemKind;
import jsync.core.model.Recorded;
import jsync.core.model.RelPath;
import jsync.core.model.Stamp;

/**
 * Walks one replica's root and reports every path whose state differs from its archive record, as an
 * {@link Update}, in {@link RelPath} order.
 *
 * <p>The walk is depth-first with each directory's names sorted, which is the archive's key order, so the
 * walk and the archive iterator are merged in one pass: memory holds one directory listing per level, never
 * the tree. A file whose stamp (size, mtime, inode, ctime) equals its record keeps the recorded fingerprint
 * without being read ({@code fastcheck}); any other file is hashed, and hashed again if its stamp moved
 * meanwhile, a bounded number of times (Unison's {@code safeFingerprint}).
 *
 * <p>Never reported as deletions: paths under a directory that could not be listed (a {@link
 * Entry.Problem} is reported for the directory instead) and paths the filter ignores. jsync's own temporary
 * files ({@link Applier#TEMP_PREFIX}) are always ignored, whatever filter the caller passes.
 */
public final class Scanner {
  /** How often a file that keeps changing while being hashed is tried before it becomes a problem. */
  static final int HASH_ATTEMPTS = 3;

  /**
   * A file modified this close to the scan's start may be modified again within the same timestamp tick
   * without its stamp changing (ext4 stamps are jiffy-coarse; some filesystems have 1 s or 2 s stamps). Its
   * fingerprint is kept but its stamp is recorded as {@link Stamp#NONE}, so the next scan hashes it again
   * (git's "racy clean" problem).
   */
  static final long RACY_WINDOW_NANOS = 2_000_000_000L;

  /** Age (since last write) after which a jsync temporary file is taken to be a dead run's leftover. */
  static final long STALE_TEMPORARY_NANOS = 3_600_000_000_000L;

  private final Path root;
  private final ScanOptions options;
  private final PathFilter filter;
  private final boolean trustArchive;
  private final Clock clock;
  private final FileStat.Reader stat;
  private static final ThreadLocal<Hasher> HASHERS = ThreadLocal.withInitial(Hasher::new);
  /** Updates waiting for the hashes of earlier files, in path order (see {@link #hashingOn}). */
  private final ArrayDeque<Deferred> waiting = new ArrayDeque<>();
  private ExecutorService hashPool;
  private boolean deferNew;
  private final List<RelPath> staleTemporaries = new ArrayList<>();

  private long scanStartNanos;
  private long entries;
  private final LongAdder hashed = new LongAdder();
  private final LongAdder bytesHashed = new LongAdder();
  private long updates;
  /**
   * What the current scope holds now and held at the last sync, for {@link ScanStats#emptied}. A directory
   * scope is a container like the root, which is never counted: only what is in it counts, so a scope
   * whose directory stayed while all its contents went is emptied, and an empty one that stays empty is not.
   */
  private RelPath scope;
  private long scopePresent;
  private long scopeRecorded;
  private final List<RelPath> emptied = new ArrayList<>();
  /** Scopes in which this scan reported a deletion, to know which guards to check. */
  private final List<RelPath> deletedScopes = new ArrayList<>();
  private Consumer<Update> out;
  private boolean prefetching = true;
  /** Directories read ahead on another thread during {@link #scan}; null when not prefetching. */
  private Prefetch prefetch;
  /** A read of the root started before this scanner existed, for {@link #scan} to adopt; null if none. */
  private ReadAhead early;

  /**
   * @param trustArchive false when the archive's records cannot serve as common ancestors (the other
   *     replica's archive does not match): they still spare hashing unchanged files, but every path present
   *     is reported as created and nothing as deleted, so first-sync rules apply
   */
  public Scanner(Path root, ScanOptions options, boolean trustArchive, Clock clock) {
    this.root = root;
    this.options = options;
    this.filter = options.filter().or(Scanner::isTemporary);
    this.trustArchive = trustArchive;
    this.clock = clock;
    this.stat = FileStat.readerFor(root.getFileSystem());
  }

  /**
   * Hashes files on {@code pool}'s threads while the walk goes on, keeping the updates in path order. A
   * first scan of 100,000 small files reads 250 MB; one thread hashing them leaves the second core idle.
   */
  public Scanner hashingOn(ExecutorService pool) {
    this.hashPool = pool;
    return this;
  }

  /**
   * Reports files that have no file record in the archive (new ones) with {@link Fingerprint#UNKNOWN}
   * instead of reading them. A file that only one replica has needs no comparison and is hashed while it is
   * copied; the caller hashes the rest on demand ({@link #hash}). A first synchronization into an empty
   * replica thus reads each file once: its scan is a walk and an {@code lstat} per file.
   */
  public Scanner deferringNewFiles() {
    this.deferNew = true;
    return this;
  }

  /**
   * Lets {@link #scan} continue {@code ahead}, a read of the root started earlier, instead of starting its
   * own: if it reads this scanner's root and the scan covers the whole root. Otherwise the scan closes it.
   */
  public Scanner readingAhead(ReadAhead ahead) {
    this.early = ahead;
    return this;
  }

  /** Scans without reading directories ahead on a second thread (see {@link Prefetch}); for tests. */
  Scanner withoutPrefetch() {
    this.prefetching = false;
    return this;
  }

  /**
   * The current state of one file, hashed now: what a deferred scan left unknown. A path that is no longer
   * a regular file is looked at again like in a scan (a problem, absent, or its new kind).
   */
  public Observed hash(RelPath path) {
    Path p = resolve(path);
    try {
      FileStat st = stat.read(p);
      if (st.type() != FileStat.Type.FILE) {
        return Observed.of(new Entry.Problem(ProblemKind.CHANGED_WHILE_HASHING,
            "changed into a " + st.type().name().toLowerCase(java.util.Locale.ROOT) + " during the scan"));
      }
      if (scanStartNanos == 0) {
        java.time.Instant start = clock.instant();
        scanStartNanos = start.getEpochSecond() * 1_000_000_000L + start.getNano();
      }
      return hashFile(p, st).observed();
    } catch (NoSuchFileException e) {
      return Observed.ABSENT;
    } catch (IOException e) {
      return Observed.of(new Entry.Problem(ProblemKind.UNREADABLE, "cannot read attributes: " + describe(e)));
    }
  }

  /**
   * At most this many updates wait for earlier files' hashes; the walk pauses beyond it, which bounds the
   * memory the parallel hashing adds.
   */
  static final int WINDOW = 1024;

  /** An update to hand out once the hash it depends on is known; {@code ready} when it depends on none. */
  private record Deferred(RelPath path, Observed recorded, Future<Current> current, Update ready) {}

  /**
   * Scans the root against {@code archive}, handing each update to {@code out} in path order.
   *
   * @throws IOException only for trouble with the root itself; per-path trouble becomes a problem entry
   */
  public ScanStats scan(ArchiveView archive, Consumer<Update> out) throws IOException {
    this.out = out;
    java.time.Instant start = clock.instant();
    scanStartNanos = start.getEpochSecond() * 1_000_000_000L + start.getNano();
    List<RelPath> scopes = normalize(options.scopes());
    java.util.function.Predicate<RelPath> descends = p -> readable(p) && !isIgnoredScope(p);
    if (early != null) {
      Prefetch adopted = prefetching && early.root().equals(root) && scopes.equals(List.of(RelPath.ROOT))
          ? early.take() : null;
      if (adopted != null) {
        adopted.narrow(descends);
        prefetch = adopted;
        scanStartNanos = Math.min(scanStartNanos, early.startNanos());
      } else {
        early.close();
      }
      early = null;
    }
    if (prefetching && prefetch == null) {
      prefetch = new Prefetch(root, scopes, tree(root.getFileSystem()), descends);
    }
    try {
      return walk(archive, scopes);
    } finally {
      if (prefetch != null) {
        prefetch.close();
        prefetch = null;
      }
    }
  }

  private ScanStats walk(ArchiveView archive, List<RelPath> scopes) throws IOException {
    for (RelPath scope : scopes) {
      this.scope = scope;
      scopePresent = 0;
      scopeRecorded = 0;
      try (ArchiveView.Records records = archive.records(scope)) {
        Cursor cursor = new Cursor(records);
        if (scope.isRoot()) {
          Prefetch.Listing ahead = readAhead(RelPath.ROOT);
          List<String> names = ahead != null ? ahead.names() : list(root);
          visitChildren(RelPath.ROOT, root, names, ahead != null ? ahead.stats() : null, cursor);
        } else if (isIgnoredScope(scope)) {
          // As for an ignored directory met in the walk: not looked at, and its records left alone. Left
          // in the cursor, they were reported deleted below, so a new ignore rule caused deletions.
          cursor.take(scope);
          cursor.skipBelow(scope);
        } else {
          Observed recorded = cursor.take(scope);
          RelPath link = linkAbove(scope);
          if (link != null) {
            // The walk never follows a symlink, and a scope below one must not either: the path would
            // lead out of the root. As below any problem, the scope's records are left alone.
            problem(scope, recorded, ProblemKind.UNSUPPORTED_TYPE, "path goes through symbolic link "
                + link.display() + ", which is never followed");
            cursor.skipBelow(scope);
          } else {
            visit(scope, resolve(scope), null, recorded, cursor, null);
          }
        }
        // Records below the scope that the walk did not consume lack a parent record; they are stale.
        while (cursor.peek() != null) {
          Recorded r = cursor.next();
          deleted(r.path(), r.observed());
        }
      }
      if (options.guards().isEmpty() && scopeRecorded > 0 && scopePresent == 0) {
        emptied.add(scope);
      }
    }
    drain(0);
    for (RelPath guard : options.guards()) {
      if (deletionsIn(guard) && emptiedGuard(guard, archive)) {
        emptied.add(guard);
      }
    }
    return new ScanStats(entries, hashed.sum(), bytesHashed.sum(), updates, emptied);
  }

  private boolean deletionsIn(RelPath guard) {
    for (RelPath d : deletedScopes) {
      if (guard.contains(d) || d.contains(guard)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A guard (see {@link ScanOptions#guards}) is emptied if the archive knew something in it and the disk
   * now shows nothing there: the same test as for a scanned scope, made without walking the guard, since
   * only one of its paths may have been scanned.
   */
  private boolean emptiedGuard(RelPath guard, ArchiveView archive) throws IOException {
    boolean populated = false;
    try (ArchiveView.Records records = archive.records(guard)) {
      while (records.hasNext() && !populated) {
        Recorded r = records.next();
        boolean container = r.path().equals(guard) && (guard.isRoot() || r.observed().entry().isDir());
        populated = !container && !r.observed().entry().isAbsent() && !filter.isIgnored(r.path());
      }
    }
    if (!populated) {
      return false;
    }
    Path p = resolve(guard);
    FileStat st;
    try {
      st = stat.read(p);
    } catch (NoSuchFileException e) {
      return true;
    }
    if (st.type() != FileStat.Type.DIR) {
      return false;
    }
    for (String name : list(p)) {
      if (!filter.isIgnored(guard.resolve(name))) {
        return false;
      }
    }
    return true;
  }

  /**
   * jsync's own temporary files: a transfer in progress (perhaps another run's on a shared root) or one a
   * crash left behind. Synchronizing one would copy half a file, so they are never scanned; apply removes
   * its own on failure. Checked here rather than left to the caller's filter so no caller can forget it.
   */
  public static boolean isTemporary(RelPath path) {
    return path.nameStartsWith(Applier.TEMP_PREFIX);
  }

  /**
   * A scope is ignored if it or a directory above it is: the walk never reaches below an ignored
   * directory, and naming a path inside one as a scope must not either.
   */
  private boolean isIgnoredScope(RelPath scope) {
    for (RelPath p = scope; !p.isRoot(); p = p.parent()) {
      if (filter.isIgnored(p)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The first directory above {@code scope} (the root excluded) that is a symbolic link, or null. Anything
   * else unusual there (missing, a file, unreadable) is left to {@link #visit} of the scope itself.
   */
  private RelPath linkAbove(RelPath scope) {
    RelPath p = RelPath.ROOT;
    List<String> names = scope.names();
    for (int i = 0; i < names.size() - 1; i++) {
      p = p.resolve(names.get(i));
      FileStat st;
      try {
        st = stat.read(resolve(p));
      } catch (IOException e) {
        return null;
      }
      if (st.type() == FileStat.Type.LINK) {
        return p;
      }
      if (st.type() != FileStat.Type.DIR) {
        return null;
      }
    }
    return null;
  }

  /** Sorted scopes with any scope inside another dropped. */
  static List<RelPath> normalize(List<RelPath> scopes) {
    List<RelPath> sorted = new ArrayList<>(scopes);
    sorted.sort(null);
    List<RelPath> result = new ArrayList<>();
    for (RelPath s : sorted) {
      if (result.isEmpty() || !result.get(result.size() - 1).contains(s)) {
        result.add(s);
      }
    }
    return result;
  }

  private Path resolve(RelPath path) {
    return path.under(root);
  }

  /** The listing of {@code dir} read ahead, or null if it must be read now. */
  private Prefetch.Listing readAhead(RelPath dir) {
    return prefetch == null ? null : prefetch.take(dir);
  }

  /**
   * Merges the sorted names on disk with the records below {@code dir}.
   *
   * @param stats per name, its stat read ahead ({@link Prefetch}); null if none
   */
  private void visitChildren(RelPath dir, Path dirPath, List<String> names, Object[] stats, Cursor cursor) {
    int i = 0;
    while (true) {
      RelPath recordedChild = cursor.childOf(dir);
      String diskName = i < names.size() ? names.get(i) : null;
      if (recordedChild == null && diskName == null) {
        return;
      }
      int c = recordedChild == null ? 1 : diskName == null ? -1
          : recordedChild.compareNameTo(diskName);
      RelPath child;
      Observed recorded;
      if (c < 0) {
        child = recordedChild;
        recorded = cursor.take(child);
        if (filter.isIgnored(child)) {
          cursor.skipBelow(child);
        } else {
          deleted(child, recorded);
          deletedBelow(child, cursor);
        }
        continue;
      }
      i++;
      if (c > 0) {
        if (isBadName(diskName)) {
          problem(dir.resolve(sanitize(diskName)), Observed.ABSENT, ProblemKind.BAD_NAME,
              "file name is not valid UTF-8");
          continue;
        }
        child = dir.resolve(diskName);
        recorded = Observed.ABSENT;
      } else {
        child = recordedChild;
        recorded = cursor.take(child);
      }
      if (filter.isIgnored(child)) {
        if (c > 0 && isTemporary(child)) {
          noteIfStale(child, dirPath.resolve(diskName));
        }
        cursor.skipBelow(child);
        continue;
      }
      visit(child, dirPath, diskName, recorded, cursor, stats == null ? null : stats[i - 1]);
    }
  }

  /**
   * A temporary file nobody has written to for {@link #STALE_TEMPORARY_NANOS} was left by a run that died
   * (a live transfer writes to it continuously). Unison likewise removes its leftovers while scanning; the
   * age limit is what keeps a concurrent run of another replica pair on a shared root safe.
   */
  private void noteIfStale(RelPath path, Path p) {
    try {
      FileStat st = stat.read(p);
      if (st.type() == FileStat.Type.FILE && scanStartNanos - st.mtimeNanos() > STALE_TEMPORARY_NANOS) {
        staleTemporaries.add(path);
      }
    } catch (IOException e) {
      // Gone already, or unreadable: nothing to clean up either way.
    }
  }

  /** jsync temporary files found during the scan that a dead run left behind; the caller may delete them. */
  public List<RelPath> staleTemporaries() {
    return List.copyOf(staleTemporaries);
  }

  /**
   * Where {@code name} is on disk in directory {@code parent}, or {@code parent} itself if name is null.
   * Made only when needed: an unchanged file whose stat was read ahead never needs its path.
   */
  private static Path at(Path parent, String name) {
    return name == null ? parent : parent.resolve(name);
  }

  /**
   * Looks at one path that exists or existed, reports it if it changed, and descends into directories.
   *
   * @param parent its directory on disk, with {@code name} its name there; or the path itself, with a null name
   */
  private void visit(RelPath path, Path parent, String name, Observed recorded, Cursor cursor, Object statAhead) {
    entries++;
    countRecorded(path, recorded);
    FileStat st;
    try {
      st = statAhead != null ? Prefetch.stat(statAhead) : stat.read(at(parent, name));
    } catch (NoSuchFileException e) {
      // Vanished between the listing and now: it is gone.
      deleted(path, recorded);
      deletedBelow(path, cursor);
      return;
    } catch (IOException e) {
      problem(path, recorded, ProblemKind.UNREADABLE, "cannot read attributes: " + describe(e));
      cursor.skipBelow(path);
      return;
    }
    if (!(path.equals(scope) && st.type() == FileStat.Type.DIR)) {
      scopePresent++;
    }
    switch (st.type()) {
      case FILE -> {
        observeFile(path, parent, name, st, recorded);
        deletedBelow(path, cursor);
      }
      case LINK -> {
        if (!options.links()) {
          problem(path, recorded, ProblemKind.UNSUPPORTED_TYPE, "symbolic link skipped (links = false)");
        } else {
          try {
            String target = Files.readSymbolicLink(at(parent, name)).toString();
            report(path, recorded, new Current(Observed.of(new Entry.Link(target)), Optional.empty()));
          } catch (NoSuchFileException e) {
            deleted(path, recorded);
          } catch (IOException e) {
            problem(path, recorded, ProblemKind.UNREADABLE, "cannot read symbolic link: " + describe(e));
          }
        }
        deletedBelow(path, cursor);
      }
      case DIR -> {
        Path p = at(parent, name);
        List<String> names;
        Prefetch.Listing ahead = readAhead(path);
        try {
          names = ahead != null ? ahead.names() : list(p);
        } catch (NoSuchFileException | NotDirectoryException e) {
          // Replaced or removed since the stat: the next run will see what it became.
          problem(path, recorded, ProblemKind.CHANGED_WHILE_HASHING, "directory changed during the scan");
          cursor.skipBelow(path);
          return;
        } catch (IOException e) {
          // Never walk on as if the directory were empty: that would report its contents as deleted.
          problem(path, recorded, ProblemKind.UNREADABLE, "cannot list directory: " + describe(e));
          cursor.skipBelow(path);
          return;
        }
        report(path, recorded, new Current(Observed.of(new Entry.Dir(st.mode())), Optional.empty()));
        visitChildren(path, p, names, ahead != null ? ahead.stats() : null, cursor);
      }
      case OTHER -> {
        problem(path, recorded, ProblemKind.UNSUPPORTED_TYPE,
            "not a regular file, directory or symbolic link (socket, FIFO or device)");
        cursor.skipBelow(path);
      }
    }
  }

  /** A file's current entry: from the record if its stamp is unchanged, else by hashing it (maybe later). */
  private void observeFile(RelPath path, Path parent, String name, FileStat st, Observed recorded) {
    if (options.fastcheck() && recorded.entry() instanceof Entry.File rf && st.hasStamp(recorded.stamp())) {
      if (trustArchive && rf.size() == st.size() && rf.mtimeNanos() == st.mtimeNanos() && rf.mode() == st.mode()) {
        // Exactly as recorded: report() would find no update. Most files of most runs; nothing is built.
        return;
      }
      report(path, recorded, new Current(new Observed(new Entry.File(st.size(), st.mtimeNanos(), st.mode(),
          rf.fingerprint()), st.stamp()), Optional.empty()));
      return;
    }
    Path p = at(parent, name);
    if (deferNew && !(recorded.entry() instanceof Entry.File)
        && scanStartNanos - st.mtimeNanos() >= RACY_WINDOW_NANOS) {
      // (A file modified just now is hashed at once: its stamp cannot be trusted to tell a later change.)
      report(path, recorded, new Current(new Observed(new Entry.File(st.size(), st.mtimeNanos(), st.mode(),
          Fingerprint.UNKNOWN), st.stamp()), Optional.empty()));
    } else if (hashPool == null) {
      report(path, recorded, hashFile(p, st));
    } else {
      waiting.add(new Deferred(path, recorded, hashPool.submit(() -> hashFile(p, st)), null));
      drain(WINDOW);
    }
  }

  /**
   * Hashes a file, again while its stamp moves under us, a bounded number of times. Any thread.
   *
   * <p>Only a scan without trusted records (a first synchronization) also computes a large file's block
   * signature. In a trusted run a changed file is either copied, and the receiver computes the signature of
   * the bytes it writes, which the source records too (the same content), or it is not (a conflict), and
   * nothing is recorded; a file whose stamp moved but not its content keeps the signature it has. Computing
   * it here cost more than the hash (1 GiB: 0.35 s of xxHash, 0.55 s more with the signature) on every
   * run that changed a large file. A first synchronization records files both sides hold alike without
   * copying them, so their signatures come from this scan.
   */
  private Current hashFile(Path p, FileStat st) {
    FileStat before = st;
    for (int attempt = 1; attempt <= HASH_ATTEMPTS; attempt++) {
      Hasher.Result h;
      FileStat after;
      try {
        h = trustArchive ? HASHERS.get().hashOnly(p, before.size())
            : HASHERS.get().hash(p, before.size(), options.signatureSeed());
        after = stat.read(p);
      } catch (NoSuchFileException e) {
        return new Current(Observed.ABSENT, Optional.empty());
      } catch (IOException e) {
        return problemCurrent(ProblemKind.UNREADABLE, "cannot read: " + describe(e));
      }
      hashed.increment();
      bytesHashed.add(h.length());
      if (after.type() == FileStat.Type.FILE && after.stamp().equals(before.stamp())
          && h.length() == before.size()) {
        Fingerprint fp = h.fingerprint();
        Stamp stamp = scanStartNanos - before.mtimeNanos() < RACY_WINDOW_NANOS ? Stamp.NONE : before.stamp();
        Optional<Signature> sig = h.signature();
        return new Current(new Observed(new Entry.File(before.size(), before.mtimeNanos(), before.mode(), fp),
            stamp), sig);
      }
      if (after.type() != FileStat.Type.FILE) {
        break;
      }
      before = after;
    }
    return problemCurrent(ProblemKind.CHANGED_WHILE_HASHING,
        "changed while being read " + HASH_ATTEMPTS + " times; will retry next run");
  }

  /**
   * Hands out waiting updates in order: those whose hash is done, and, while more than {@code limit} wait,
   * the oldest even if that means waiting for its hash.
   */
  private void drain(int limit) {
    while (!waiting.isEmpty()) {
      Deferred head = waiting.peek();
      if (head.ready() == null && !head.current().isDone() && waiting.size() <= limit) {
        return;
      }
      waiting.poll();
      if (head.ready() != null) {
        accept(head.ready());
      } else {
        Update u = toUpdate(head.path(), head.recorded(), await(head.current()));
        if (u != null) {
          accept(u);
        }
      }
    }
  }

  private static Current await(Future<Current> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while hashing", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("hashing failed", e.getCause());
    }
  }

  private record Current(Observed observed, Optional<Signature> signature) {}

  private static Current problemCurrent(ProblemKind kind, String message) {
    return new Current(Observed.of(new Entry.Problem(kind, message)), Optional.empty());
  }

  private void report(RelPath path, Observed recorded, Current current) {
    Update u = toUpdate(path, recorded, current);
    if (u != null) {
      emit(u);
    }
  }

  /** The update for a path seen as {@code current}, or null if it matches its record exactly. */
  private Update toUpdate(RelPath path, Observed recorded, Current current) {
    Observed now = current.observed();
    if (!trustArchive) {
      recorded = Observed.ABSENT;
    }
    if (now.entry().isAbsent() && recorded.entry().isAbsent()) {
      return null;
    }
    boolean same = recorded.entry().equals(now.entry()) && recorded.stamp().equals(now.stamp());
    return same ? null : new Update(path, recorded, now, current.signature());
  }

  private void problem(RelPath path, Observed recorded, ProblemKind kind, String message) {
    if (!trustArchive) {
      recorded = Observed.ABSENT;
    }
    emit(new Update(path, recorded, Observed.of(new Entry.Problem(kind, message)), Optional.empty()));
  }

  private void countRecorded(RelPath path, Observed recorded) {
    if (!recorded.entry().isAbsent() && !(path.equals(scope) && recorded.entry().isDir())) {
      scopeRecorded++;
    }
  }

  private void deleted(RelPath path, Observed recorded) {
    countRecorded(path, recorded);
    if (trustArchive && !recorded.entry().isAbsent()) {
      if (deletedScopes.isEmpty() || !deletedScopes.get(deletedScopes.size() - 1).equals(scope)) {
        deletedScopes.add(scope);
      }
      emit(new Update(path, recorded, Observed.ABSENT, Optional.empty()));
    }
  }

  /** Everything the archive holds below a path that no longer has children on disk is deleted. */
  private void deletedBelow(RelPath path, Cursor cursor) {
    RelPath next;
    while ((next = cursor.below(path)) != null) {
      Observed recorded = cursor.take(next);
      if (filter.isIgnored(next)) {
        cursor.skipBelow(next);
      } else {
        deleted(next, recorded);
      }
    }
  }

  /** Hands out an update, after any still waiting for a hash, to keep path order. */
  private void emit(Update u) {
    if (waiting.isEmpty()) {
      accept(u);
    } else {
      waiting.add(new Deferred(u.path(), Observed.ABSENT, null, u));
    }
  }

  private void accept(Update u) {
    updates++;
    out.accept(u);
  }

  /** The names in a directory, in {@link RelPath} order. */
  private static List<String> list(Path dir) throws IOException {
    if (dir.getFileSystem() == FileSystems.getDefault()) {
      // java.io's list() returns bare names; a DirectoryStream builds a Path per entry only for us to take
      // its name back out (a third of the listing cost on 100,000 files). It reports no reason on
      // failure, so the slow path below runs again to throw the right exception.
      String[] plain = dir.toFile().list();
      if (plain != null) {
        List<String> names = new ArrayList<>(Arrays.asList(plain));
        RelPath.sortNames(names);
        return names;
      }
    }
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        names.add(p.getFileName().toString());
      }
    }
    RelPath.sortNames(names);
    return names;
  }

  /** How {@link Prefetch} lists and stats on {@code fs}: as the walker itself does. */
  static Prefetch.Tree tree(FileSystem fs) {
    FileStat.Reader reader = FileStat.readerFor(fs);
    return new Prefetch.Tree() {
      @Override
      public List<String> list(Path dir) throws IOException {
        return Scanner.list(dir);
      }

      @Override
      public FileStat stat(Path p) throws IOException {
        return reader.read(p);
      }

      @Override
      public void statAll(Path dir, List<String> names, Object[] into) {
        if (!NativeStat.readAll(dir, names, into)) {
          Prefetch.Tree.super.statAll(dir, names, into);
        }
      }
    };
  }

  /** Whether the walk can descend into a directory at {@code p} by its name (the root, or a valid name). */
  static boolean readable(RelPath p) {
    return p.isRoot() || !isBadName(p.name());
  }

  /** Java decodes undecodable bytes of a name as U+FFFD; such a name cannot be opened again by that name. */
  private static boolean isBadName(String name) {
    return name.indexOf('\uFFFD') >= 0 || name.indexOf('\0') >= 0;
  }

  private static String sanitize(String name) {
    return name.replace('\0', '\uFFFD');
  }

  static String describe(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    String msg = e.getMessage();
    return msg == null ? e.getClass().getSimpleName() : msg;
  }

  /**
   * A peekable walk over the archive's records, positioned as the disk walk advances. All records arrive in
   * {@link RelPath} order, so every question the walk asks is about the head of the iterator.
   */
  private static final class Cursor {
    private final ArchiveView.Records records;
    private Recorded head;

    Cursor(ArchiveView.Records records) {
      this.records = records;
      this.head = records.hasNext() ? records.next() : null;
    }

    Recorded peek() {
      return head;
    }

    Recorded next() {
      Recorded r = head;
      head = records.hasNext() ? records.next() : null;
      return r;
    }

    /** The child of {@code dir} that the next record lies at or below, or null if it is not below dir. */
    RelPath childOf(RelPath dir) {
      return head == null ? null : head.path().childUnder(dir);
    }

    /** The next record's path if it lies strictly below {@code path}. */
    RelPath below(RelPath path) {
      return head != null && path.isAncestorOf(head.path()) ? head.path() : null;
    }

    /** The record of exactly {@code path}, consumed, or absent if the archive has none. */
    Observed take(RelPath path) {
      if (head != null && head.path().equals(path)) {
        return next().observed();
      }
      return Observed.ABSENT;
    }

    /** Consumes every record strictly below {@code path}. */
    void skipBelow(RelPath path) {
      while (head != null && path.isAncestorOf(head.path())) {
        next();
      }
    }
  }
}
