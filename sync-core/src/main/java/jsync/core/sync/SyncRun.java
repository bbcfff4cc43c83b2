package jsync.core.sync;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import jsync.core.JsyncException;
import jsync.core.apply.Op;
import jsync.core.apply.Outcome;
import jsync.core.apply.Step;
import jsync.core.apply.StepResult;
import jsync.core.delta.Signature;
import jsync.core.model.Entry;
import jsync.core.model.Fingerprint;
import jsync.core.model.Observed;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;
import jsync.core.reconcile.Direction;
import jsync.core.reconcile.Item;
import jsync.core.reconcile.PathState;
import jsync.core.reconcile.Plan;
import jsync.core.reconcile.Reconciler;
import jsync.core.reconcile.Side;
import jsync.core.scan.ScanOptions;
import jsync.core.scan.ScanStats;
import jsync.core.scan.Update;

/**
 * One synchronization of two replicas, stage by stage: check the roots, lock and open the archives, scan
 * both replicas, stop if a populated root or path was emptied, reconcile, apply (creations and updates,
 * then deletions), committing each replica's archive in batches as items, or the parts of a large item
 * (see {@link ItemParts}), complete.
 *
 * <p>Read {@link #run} top to bottom: it is the data flow. Whole-run failures are {@link JsyncException}s;
 * per-path trouble ends up in the {@link SyncReport}.
 */
public final class SyncRun {
  /** Flush (sync to disk and commit the archive) after this many staged files... */
  static final int FLUSH_FILES = 2000;
  /** ...or this many staged bytes, so a run killed mid-way loses at most this much work. */
  static final long FLUSH_BYTES = 256L << 20;

  private final Replica alpha;
  private final Replica beta;
  private final SyncConfig config;
  private final SyncListener listener;
  private final PropsPolicy props;

  private final Map<RelPath, Update> alphaUpdates = new HashMap<>();
  private final Map<RelPath, Update> betaUpdates = new HashMap<>();
  /**
   * What each side holds at a changed path it did not report itself: its archive record, looked up. Only
   * present entries are kept (a first sync would otherwise hold a million "absent"); see {@link #now}.
   */
  private final Map<RelPath, Observed> alphaLooked = new HashMap<>();
  private final Map<RelPath, Observed> betaLooked = new HashMap<>();
  private final Map<Integer, StepOf> stepsOf = new HashMap<>();
  private final List<ItemReport> problems = new ArrayList<>();
  private long done;
  private long transferred;
  private long bytes;
  private final List<ArchiveWrite> alphaQueue = new ArrayList<>();
  private final List<ArchiveWrite> betaQueue = new ArrayList<>();
  private Optional<String> pendingSyncId = Optional.empty();
  private Optional<String> pendingSyncIdBeta = Optional.empty();
  /** The listener asked to stop: items not begun are left for the next run. */
  private boolean stopped;

  public SyncRun(Replica alpha, Replica beta, SyncConfig config, SyncListener listener) {
    this.alpha = alpha;
    this.beta = beta;
    this.config = config;
    this.listener = listener;
    this.props = config.policy().props();
  }

  public SyncReport run() {
    String alphaName = alpha.canonicalRoot();
    String betaName = beta.canonicalRoot();
    Replica.RootState alphaRoot = checkRootKind(alpha);
    Replica.RootState betaRoot = checkRootKind(beta);

    alpha.open(betaName, config.lockHolder());
    beta.open(alphaName, config.lockHolder());
    createOrRefuseMissingRoot(alpha, alphaRoot, beta, betaRoot);
    createOrRefuseMissingRoot(beta, betaRoot, alpha, alphaRoot);
    checkMountpoints();

    boolean trusted = archivesBelongTogether();
    String syncId = trusted && alpha.syncId().isPresent() ? alpha.syncId().get() : UUID.randomUUID().toString();
    pendingSyncId = alpha.syncId().equals(Optional.of(syncId)) ? Optional.empty() : Optional.of(syncId);
    pendingSyncIdBeta = beta.syncId().equals(Optional.of(syncId)) ? Optional.empty() : Optional.of(syncId);

    ScanResult[] scans = scanBoth(trusted);
    refuseBigDeletions(scans[0], scans[1]);
    ScanStats alphaStats = scans[0].stats();
    ScanStats betaStats = scans[1].stats();

    listener.stage("reconciling");
    List<PathState> states = pathStates(scans[0].updates(), scans[1].updates(), trusted);
    // The update lists live on in the maps (until each item is recorded); the lists themselves can go.
    scans = null;
    Plan plan = Reconciler.reconcile(states, config.policy());
    states = null;
    if (!plan.isEmpty() && !listener.confirm(plan)) {
      return new SyncReport(plan, List.of(), 0, 0, 0, alphaStats, betaStats, true);
    }

    listener.stage("propagating changes");
    applyPlan(plan);
    listener.stage("recording");
    commitRestamps();
    return new SyncReport(plan, problems, done, transferred, bytes, alphaStats, betaStats, false);
  }

  // ---- roots, archives, guards ---------------------------------------------------------------------

  private static Replica.RootState checkRootKind(Replica r) {
    Replica.RootState state = r.checkRoot();
    if (state == Replica.RootState.NOT_A_DIRECTORY) {
      throw new JsyncException("root " + r.root() + " is not a directory");
    }
    return state;
  }

  /**
   * A missing root is created for a first synchronization (Unison does the same), but after one it is
   * fatal whatever {@code confirmbigdel} says: an unmounted disk would otherwise look like a deletion of
   * everything. (Unison with {@code confirmbigdel = false} then deletes the other root.)
   */
  private void createOrRefuseMissingRoot(Replica r, Replica.RootState state, Replica other,
      Replica.RootState otherState) {
    if (state != Replica.RootState.MISSING) {
      return;
    }
    if (!r.archiveEmpty()) {
      throw new JsyncException("root " + r.root() + " is missing, but it was synchronized before. Is a "
          + "filesystem not mounted? Nothing was changed. (To really start over, create the directory.)");
    }
    if (otherState == Replica.RootState.MISSING) {
      throw new JsyncException("neither root exists: " + r.root() + ", " + other.root());
    }
    listener.warning("root " + r.root() + " does not exist; creating it");
    r.createRoot();
  }

  private void checkMountpoints() {
    for (RelPath m : config.mountpoints()) {
      for (Replica r : List.of(alpha, beta)) {
        if (!r.exists(m)) {
          throw new JsyncException("mountpoint " + m.display() + " is missing in root " + r.root()
              + ": is the filesystem mounted? Nothing was changed.");
        }
      }
    }
  }

  /**
   * The two archives describe the same last synchronization if they carry the same sync id. If not (one
   * was deleted or restored from elsewhere), their records cannot serve as common ancestors: first-sync
   * rules then apply to every path, so nothing is deleted on the strength of a stale record.
   */
  private boolean archivesBelongTogether() {
    Optional<String> a = alpha.syncId();
    Optional<String> b = beta.syncId();
    if (a.isPresent() && a.equals(b)) {
      return true;
    }
    if (!alpha.archiveEmpty() || !beta.archiveEmpty()) {
      listener.warning("the archives of " + alpha.root() + " and " + beta.root() + " do not match (one was "
          + "lost or replaced); treating this as a first synchronization: nothing will be deleted, and "
          + "files that differ are conflicts");
    }
    return false;
  }

  /** How a run with {@code config} scans each replica (also what a scan ahead must match). */
  public static ScanOptions scanOptions(SyncConfig config) {
    return new ScanOptions(config.scopes(), config.filter(), config.policy().props(), config.fastcheck(),
        config.links(), 0, config.guards());
  }

  private ScanResult[] scanBoth(boolean trusted) {
    ScanOptions options = scanOptions(config);
    listener.stage("scanning " + alpha.root() + " and " + beta.root());
    // The two scans are independent: on two cores (or with a remote side) they overlap.
    CompletableFuture<ScanResult> alphaScan = CompletableFuture.supplyAsync(() -> alpha.scan(options, trusted));
    ScanResult betaScan;
    ScanResult alphaResult;
    try {
      betaScan = beta.scan(options, trusted);
    } finally {
      try {
        alphaResult = alphaScan.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        throw e;
      }
    }
    listener.scanned(Side.ALPHA, alphaResult.stats());
    listener.scanned(Side.BETA, betaScan.stats());
    return new ScanResult[] {alphaResult, betaScan};
  }

  /**
   * Unison's {@code confirmbigdel}: a root or {@code path} that held something at the last sync and is now
   * empty on one side, while the other side still has it, would have its whole content deleted on the other
   * side. Usually that is an unmounted disk or a wrong root, not a wish.
   */
  private void refuseBigDeletions(ScanResult a, ScanResult b) {
    if (!config.confirmBigDeletes()) {
      return;
    }
    List<String> emptied = new ArrayList<>();
    for (RelPath scope : a.stats().emptied()) {
      if (!b.stats().emptied().contains(scope)) {
        emptied.add(describeScope(alpha, scope));
      }
    }
    for (RelPath scope : b.stats().emptied()) {
      if (!a.stats().emptied().contains(scope)) {
        emptied.add(describeScope(beta, scope));
      }
    }
    if (emptied.isEmpty()) {
      return;
    }
    String message = String.join(", ", emptied) + (emptied.size() == 1 ? " has" : " have")
        + " been completely emptied since the last synchronization; propagating that would delete "
        + "everything there on the other replica.";
    if (!listener.confirmBigDeletion(message)) {
      throw new JsyncException(message + " Nothing was changed. If this is intended, run once with "
          + "-confirmbigdel=false (or interactively).");
    }
  }

  private static String describeScope(Replica r, RelPath scope) {
    return scope.isRoot() ? "root " + r.root() : "path " + scope.display() + " in root " + r.root();
  }

  // ---- update sets to path states --------------------------------------------------------------------

  /**
   * Merges the two update sets into the states the reconciler needs. A path only one side changed takes
   * the other side's state from that side's archive (unchanged means it still holds its record).
   */
  private List<PathState> pathStates(List<Update> alphaList, List<Update> betaList, boolean trusted) {
    List<RelPath> alphaChanged = index(alphaList, alphaUpdates);
    List<RelPath> betaChanged = index(betaList, betaUpdates);
    List<RelPath> union = mergeSorted(alphaChanged, betaChanged);
    fill(union, alphaUpdates, alpha, alphaLooked, trusted);
    fill(union, betaUpdates, beta, betaLooked, trusted);
    hashWhereCompared(union);
    List<PathState> states = new ArrayList<>(union.size());
    for (RelPath p : union) {
      states.add(new PathState(p, archived(alphaUpdates, alphaLooked, p), now(alphaUpdates, alphaLooked, p).entry(),
          archived(betaUpdates, betaLooked, p), now(betaUpdates, betaLooked, p).entry()));
    }
    return states;
  }

  /**
   * The scans leave new files unread (unknown fingerprint): a file only one side has is hashed while it is
   * copied. Where both sides now hold a file, the contents must be compared, so the unknown ones are hashed
   * here, on the side that has them.
   */
  private void hashWhereCompared(List<RelPath> union) {
    // Sizes of the known files each side has among the changed paths: a new file of one of those sizes may
    // be a renamed or copied file, whose content the other side can then copy locally instead of receiving
    // it; that needs its hash too.
    Set<Long> alphaSizes = new HashSet<>();
    Set<Long> betaSizes = new HashSet<>();
    for (RelPath p : union) {
      if (now(alphaUpdates, alphaLooked, p).entry() instanceof Entry.File f && f.fingerprint().known()
          && f.size() > 0) {
        alphaSizes.add(f.size());
      }
      if (now(betaUpdates, betaLooked, p).entry() instanceof Entry.File f && f.fingerprint().known()
          && f.size() > 0) {
        betaSizes.add(f.size());
      }
    }
    List<RelPath> alphaPaths = new ArrayList<>();
    List<RelPath> betaPaths = new ArrayList<>();
    for (RelPath p : union) {
      Entry a = now(alphaUpdates, alphaLooked, p).entry();
      Entry b = now(betaUpdates, betaLooked, p).entry();
      boolean both = a instanceof Entry.File && b instanceof Entry.File;
      if (a instanceof Entry.File fa && !fa.fingerprint().known() && (both || betaSizes.contains(fa.size()))) {
        alphaPaths.add(p);
      }
      if (b instanceof Entry.File fb && !fb.fingerprint().known() && (both || alphaSizes.contains(fb.size()))) {
        betaPaths.add(p);
      }
    }
    rehash(alpha, alphaPaths, alphaUpdates);
    rehash(beta, betaPaths, betaUpdates);
  }

  private static void rehash(Replica r, List<RelPath> paths, Map<RelPath, Update> updates) {
    if (paths.isEmpty()) {
      return;
    }
    List<Observed> hashed = r.hash(paths);
    for (int i = 0; i < paths.size(); i++) {
      RelPath p = paths.get(i);
      Update u = updates.get(p);
      updates.put(p, new Update(p, u.archived(), hashed.get(i), Optional.empty()));
    }
  }

  private List<RelPath> index(List<Update> updates, Map<RelPath, Update> into) {
    List<RelPath> changed = new ArrayList<>();
    for (Update u : updates) {
      into.put(u.path(), u);
      if (u.isChange(props)) {
        changed.add(u.path());
      }
    }
    return changed;
  }

  private static List<RelPath> mergeSorted(List<RelPath> a, List<RelPath> b) {
    List<RelPath> out = new ArrayList<>(a.size() + b.size());
    int i = 0;
    int j = 0;
    while (i < a.size() || j < b.size()) {
      int c = i == a.size() ? 1 : j == b.size() ? -1 : a.get(i).compareTo(b.get(j));
      if (c <= 0) {
        out.add(a.get(i++));
        if (c == 0) {
          j++;
        }
      } else {
        out.add(b.get(j++));
      }
    }
    return out;
  }

  /** Current state of every union path on one side: from its update, or else its archive record. */
  private static void fill(List<RelPath> union, Map<RelPath, Update> updates, Replica r,
      Map<RelPath, Observed> now, boolean trusted) {
    List<RelPath> missing = new ArrayList<>();
    for (RelPath p : union) {
      if (!updates.containsKey(p)) {
        missing.add(p);
      }
    }
    // Without trusted archives every present path was reported, so an unreported one is absent; its stale
    // record must not pass for the current state.
    if (!trusted) {
      return;
    }
    List<Observed> records = r.lookup(missing);
    for (int i = 0; i < missing.size(); i++) {
      if (!records.get(i).entry().isAbsent()) {
        now.put(missing.get(i), records.get(i));
      }
    }
  }

  /** What a side holds at a changed path: its update's current state, else its looked-up record. */
  private static Observed now(Map<RelPath, Update> updates, Map<RelPath, Observed> looked, RelPath p) {
    Update u = updates.get(p);
    if (u != null) {
      return u.current();
    }
    Observed o = looked.get(p);
    return o != null ? o : Observed.ABSENT;
  }

  private static Entry archived(Map<RelPath, Update> updates, Map<RelPath, Observed> now, RelPath p) {
    Update u = updates.get(p);
    return u != null ? u.archived().entry() : now(updates, now, p).entry();
  }

  // ---- apply and commit ------------------------------------------------------------------------------

  private void applyPlan(Plan plan) {
    StepBuilder builder = new StepBuilder(props);
    Map<Fingerprint, RelPath> reuseOnAlpha = contentIndex(alphaUpdates, alphaLooked);
    Map<Fingerprint, RelPath> reuseOnBeta = contentIndex(betaUpdates, betaLooked);
    List<Step> removalSteps = new ArrayList<>();
    int nextId = 0;
    for (Item item : plan.items()) {
      if (listener.stopRequested()) {
        stopped = true;
        break;
      }
      switch (item.direction()) {
        case ARCHIVE_ONLY -> {
          commitRecorded(item);
          report(item, ItemReport.Status.DONE, "", 0);
          forget(item.states());
        }
        case CONFLICT -> report(item, ItemReport.Status.SKIPPED, item.reason(), 0);
        case PROBLEM -> report(item, problemIsFailure(item) ? ItemReport.Status.FAILED
            : ItemReport.Status.SKIPPED, item.reason(), 0);
        case ALPHA_TO_BETA, BETA_TO_ALPHA -> {
          boolean toBeta = item.direction() == Direction.ALPHA_TO_BETA;
          StepBuilder.Built built = builder.build(item,
              p -> toBeta ? now(betaUpdates, betaLooked, p) : now(alphaUpdates, alphaLooked, p),
              p -> toBeta ? now(alphaUpdates, alphaLooked, p) : now(betaUpdates, betaLooked, p),
              toBeta ? reuseOnBeta : reuseOnAlpha);
          if (StepBuilder.removalsOnly(built.ops())) {
            Step step = new Step(nextId++, built.ops());
            stepsOf.put(step.id(), new StepOf(item, item.states(), new ItemTally(1, built.problems())));
            removalSteps.add(step);
          } else {
            List<ItemParts.Part> parts = ItemParts.split(item.states(), built.ops(), !built.problems().isEmpty(),
                ItemParts.MAX_OPS, ItemParts.MAX_BYTES);
            ItemTally tally = new ItemTally(parts.size(), built.problems());
            for (int i = 0; i < parts.size(); i++) {
              if (i > 0 && listener.stopRequested()) {
                // A first copy of a large tree is one item: stop between its parts too.
                tally.abandon(item, parts.size() - i).ifPresent(this::report);
                stopped = true;
                break;
              }
              Step step = new Step(nextId++, parts.get(i).ops());
              stepsOf.put(step.id(), new StepOf(item, parts.get(i).states(), tally));
              applyStep(step, item);
            }
          }
        }
      }
    }
    flushAll();
    if (stopped) {
      return;
    }
    listener.stage("deleting");
    // Deletions last, deepest first: if the run stops half-way, content exists in more places, not fewer.
    for (int i = removalSteps.size() - 1; i >= 0; i--) {
      if (listener.stopRequested()) {
        break;
      }
      Step step = removalSteps.get(i);
      applyStep(step, stepsOf.get(step.id()).item());
    }
    flushAll();
  }

  /** The item a step belongs to, the states of the item's paths it covers, and the item's tally. */
  private record StepOf(Item item, List<PathState> states, ItemTally tally) {}

  private void applyStep(Step step, Item item) {
    Replica target = item.direction().target() == Side.BETA ? beta : alpha;
    Replica source = target == beta ? alpha : beta;
    target.apply(step, source);
    // Two batches in flight: the older one is flushed (synced, renamed, recorded) while the newer one is
    // still being copied, so the copy threads never wait for the disk.
    if (target.stagedFiles() >= 2 * FLUSH_FILES || target.stagedBytes() >= 2 * FLUSH_BYTES) {
      flush(target, target.stagedFiles() / 2);
    }
  }

  private void flushAll() {
    flush(alpha, 0);
    flush(beta, 0);
  }

  /** Completes a replica's staged steps (but the newest {@code keepInFlight} files) and records them. */
  private void flush(Replica target, int keepInFlight) {
    List<StepResult> results = target.flush(keepInFlight);
    if (results.isEmpty()) {
      return;
    }
    if (target.checkRoot() != Replica.RootState.DIRECTORY) {
      throw new JsyncException("root " + target.root() + " vanished or was replaced by another directory "
          + "during synchronization; stopping. "
          + "Changes made so far are recorded; run again once the root is back.");
    }
    List<ArchiveWrite> alphaWrites = new ArrayList<>();
    List<ArchiveWrite> betaWrites = new ArrayList<>();
    List<ItemReport> done = new ArrayList<>();
    for (StepResult r : results) {
      StepOf of = stepsOf.remove(r.step().id());
      recordResult(of.item().direction(), of.states(), r, alphaWrites, betaWrites);
      forget(of.states());
      of.tally().add(of.item(), r).ifPresent(done::add);
    }
    commit(alphaWrites, betaWrites);
    commitQueued();
    done.forEach(this::report);
  }

  /**
   * The archive records of a finished step, over {@code states}, the paths of its item it covers. A path
   * whose ops all succeeded, or that needed none, now holds the same state on both replicas and is recorded
   * on both. A path whose ops stopped part-way (removed,
   * then the new version failed) is recorded on the target as it now is, and keeps its old record on the
   * source, so the next run still sees the source's change. Paths never touched keep their old records.
   */
  private void recordResult(Direction direction, List<PathState> states, StepResult r,
      List<ArchiveWrite> alphaWrites, List<ArchiveWrite> betaWrites) {
    boolean toBeta = direction == Direction.ALPHA_TO_BETA;
    Map<RelPath, Outcome> lastDone = new HashMap<>();
    Set<RelPath> incomplete = new HashSet<>();
    Set<RelPath> withOps = new HashSet<>();
    for (int i = 0; i < r.step().ops().size(); i++) {
      RelPath p = r.step().ops().get(i).path();
      withOps.add(p);
      if (i >= r.outcomes().size() || !r.outcomes().get(i).done()) {
        incomplete.add(p);
      } else {
        lastDone.put(p, r.outcomes().get(i));
      }
    }
    Map<RelPath, Update> sourceUpdates = toBeta ? alphaUpdates : betaUpdates;
    Map<RelPath, Update> targetUpdates = toBeta ? betaUpdates : alphaUpdates;
    List<ArchiveWrite> sourceWrites = toBeta ? alphaWrites : betaWrites;
    List<ArchiveWrite> targetWrites = toBeta ? betaWrites : alphaWrites;
    RelPath problemBelow = null;
    for (PathState s : states) {
      RelPath p = s.path();
      // A path either side could not scan (and its subtree) got no op and keeps its old records.
      if (problemBelow != null && problemBelow.isAncestorOf(p)) {
        continue;
      }
      if (s.alpha().kind() == Entry.Kind.PROBLEM || s.beta().kind() == Entry.Kind.PROBLEM) {
        problemBelow = p;
        continue;
      }
      Outcome done = lastDone.get(p);
      if (!withOps.contains(p)) {
        sourceWrite(p, sourceUpdates, sourceWrites);
        sourceWrite(p, targetUpdates, targetWrites);
      } else if (!incomplete.contains(p)) {
        sourceWrite(p, sourceUpdates, sourceWrites, done);
        targetWrites.add(ArchiveWrite.record(p, done.result(), done.signature()));
      } else if (done != null) {
        targetWrites.add(ArchiveWrite.record(p, done.result(), done.signature()));
      }
    }
  }

  /** The source side's record changes only if its state changed since its last record. */
  private static void sourceWrite(RelPath p, Map<RelPath, Update> updates, List<ArchiveWrite> writes) {
    sourceWrite(p, updates, writes, null);
  }

  /**
   * As above; a source file the scan did not hash takes the fingerprint the copy computed ({@code copied}),
   * which is the scanned file's: the source checked its stamp around the read.
   */
  private static void sourceWrite(RelPath p, Map<RelPath, Update> updates, List<ArchiveWrite> writes,
      Outcome copied) {
    Update u = updates.get(p);
    if (u == null) {
      return;
    }
    Observed current = u.current();
    Optional<Signature> signature = u.signature();
    if (current.entry() instanceof Entry.File f && !f.fingerprint().known()) {
      if (copied == null || !(copied.result().entry() instanceof Entry.File cf)) {
        return;
      }
      current = new Observed(f.withFingerprint(cf.fingerprint()), current.stamp());
    }
    if (signature.isEmpty() && copied != null && current.entry() instanceof Entry.File) {
      // The same bytes on both sides: the signature computed while copying holds for the source too.
      signature = copied.signature();
    }
    if (signature.isEmpty() && sameContent(u.archived(), current)) {
      // Its properties or stamp changed, not its bytes: the stored signature still describes them (a
      // trusted scan computes none, see Scanner#hashFile).
      writes.add(ArchiveWrite.restamp(p, current));
      return;
    }
    writes.add(ArchiveWrite.record(p, current, signature));
  }

  private static boolean sameContent(Observed archived, Observed current) {
    return archived.entry() instanceof Entry.File a && current.entry() instanceof Entry.File c
        && a.fingerprint().known() && a.fingerprint().equals(c.fingerprint()) && a.size() == c.size();
  }

  /**
   * Drops what the run held about a step's paths once they are recorded: a first sync of a million
   * files must not keep a million of everything until the end. (Refresh-only paths are never part of an
   * item, so the closing re-stamps still find theirs.)
   */
  private void forget(List<PathState> states) {
    for (PathState s : states) {
      alphaLooked.remove(s.path());
      betaLooked.remove(s.path());
      alphaUpdates.remove(s.path());
      betaUpdates.remove(s.path());
    }
  }

  /** Both replicas already agree on an archive-only item: record each side's current state. */
  private void commitRecorded(Item item) {
    List<ArchiveWrite> a = new ArrayList<>();
    List<ArchiveWrite> b = new ArrayList<>();
    for (PathState s : item.states()) {
      sourceWrite(s.path(), alphaUpdates, a);
      sourceWrite(s.path(), betaUpdates, b);
    }
    commit(a, b);
  }

  /**
   * Files whose stamp changed but not their content or properties (touched without {@code times}, say)
   * get their new stamp recorded, so the next run does not hash them again. Such a path is in an item only
   * if the other side changed it; items already recorded are forgotten by then, and re-stamping the
   * untouched side of a skipped conflict keeps its record's meaning (same content, same properties).
   */
  private void commitRestamps() {
    commit(restamps(alphaUpdates), restamps(betaUpdates));
    commitQueued();
  }

  private List<ArchiveWrite> restamps(Map<RelPath, Update> updates) {
    List<ArchiveWrite> writes = new ArrayList<>();
    for (Update u : updates.values()) {
      if (!u.isChange(props)) {
        writes.add(u.signature().isPresent() ? ArchiveWrite.record(u.path(), u.current(), u.signature())
            : ArchiveWrite.restamp(u.path(), u.current()));
      }
    }
    return writes;
  }

  /** Queues records, and writes the queue once it is large; {@link #commitQueued} writes the rest. */
  private void commit(List<ArchiveWrite> alphaWrites, List<ArchiveWrite> betaWrites) {
    alphaQueue.addAll(alphaWrites);
    betaQueue.addAll(betaWrites);
    if (alphaQueue.size() + betaQueue.size() >= FLUSH_FILES) {
      commitQueued();
    }
  }

  /**
   * Writes both queues, a remote replica's first: its records are sent, and written over there while this
   * side writes its own.
   */
  private void commitQueued() {
    boolean betaFirst = beta.contentSource().remote() && !alpha.contentSource().remote();
    List<Runnable> waits = new ArrayList<>(2);
    for (Side side : betaFirst ? List.of(Side.BETA, Side.ALPHA) : List.of(Side.ALPHA, Side.BETA)) {
      waits.add(startCommit(side));
    }
    waits.forEach(Runnable::run);
  }

  /** Starts writing one side's queue (and its sync id, the first time); the action waits until it is written. */
  private Runnable startCommit(Side side) {
    boolean isAlpha = side == Side.ALPHA;
    List<ArchiveWrite> queue = isAlpha ? alphaQueue : betaQueue;
    Optional<String> syncId = isAlpha ? pendingSyncId : pendingSyncIdBeta;
    if (queue.isEmpty() && syncId.isEmpty()) {
      return () -> { };
    }
    Runnable wait = (isAlpha ? alpha : beta).startCommit(List.copyOf(queue), syncId);
    if (isAlpha) {
      pendingSyncId = Optional.empty();
    } else {
      pendingSyncIdBeta = Optional.empty();
    }
    queue.clear();
    return wait;
  }

  /** Content each replica already holds, for copying locally instead of transferring. */
  private static Map<Fingerprint, RelPath> contentIndex(Map<RelPath, Update> updates,
      Map<RelPath, Observed> looked) {
    Map<Fingerprint, RelPath> index = new HashMap<>();
    for (Update u : updates.values()) {
      if (u.current().entry() instanceof Entry.File f && f.fingerprint().known()) {
        index.putIfAbsent(f.fingerprint(), u.path());
      }
    }
    for (Map.Entry<RelPath, Observed> e : looked.entrySet()) {
      if (e.getValue().entry() instanceof Entry.File f && f.fingerprint().known()) {
        index.putIfAbsent(f.fingerprint(), e.getKey());
      }
    }
    return index;
  }

  /** A problem item fails the run (exit 2) if any path it covers has a failure-kind problem. */
  private static boolean problemIsFailure(Item item) {
    for (PathState s : item.states()) {
      for (Entry e : List.of(s.alpha(), s.beta())) {
        if (e instanceof Entry.Problem p && p.problem().isFailure()) {
          return true;
        }
      }
    }
    return false;
  }

  private void report(Item item, ItemReport.Status status, String message, long written) {
    report(new ItemReport(item, status, message, written));
  }

  private void report(ItemReport r) {
    bytes += r.bytes();
    if (r.status() == ItemReport.Status.DONE) {
      done++;
      if (r.item().direction().propagates()) {
        transferred++;
      }
    } else {
      problems.add(r);
    }
    listener.itemDone(r);
  }

}
