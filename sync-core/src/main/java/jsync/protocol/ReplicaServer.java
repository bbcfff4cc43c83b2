package jsync.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import jsync.core.JsyncException;
import jsync.core.apply.BackupPolicy;
import jsync.core.apply.ContentSource;
import jsync.core.apply.Outcome;
import jsync.core.apply.Step;
import jsync.core.apply.StepResult;
import jsync.core.model.RelPath;
import jsync.core.profile.IgnoreFilter;
import jsync.core.profile.PathSpec;
import jsync.core.scan.PathFilter;
import jsync.core.scan.ScanOptions;
import jsync.core.scan.Update;
import jsync.core.sync.LocalReplica;
import jsync.core.sync.ScanResult;

/**
 * The far side of a remote replica ({@code jsync server}): answers a {@link RemoteReplica}'s requests with
 * a {@link LocalReplica} on this host's root and archive. Every path it is given was validated by the codec
 * ({@link RelPath#parse}), and the applier writes only below the root, never through a symlink: a hostile
 * or confused client cannot reach outside the root it named.
 *
 * <p>Requests arrive in order on one thread (see {@link Session}); content the client asks for is sent
 * from a pool; content a step needs is asked of the client while the step's copy threads wait.
 */
public final class ReplicaServer implements Session.Handler {
  /** Updates per scan batch: well under the frame limit (an update is ~120 bytes encoded). */
  static final int BATCH = 1000;
  /**
   * Estimated bytes per batch, half the frame limit: a 1 GiB file's signature is 384 KiB, and long paths
   * or symlink targets make an update far larger than usual.
   */
  static final int BATCH_BYTES = 512 * 1024;
  /** Larger signatures do not fit a frame; the receiver computes them when it needs them. */
  static final int MAX_SIGNATURE_BYTES = 900 * 1024;

  private final Path home;
  private final Path jsyncHome;
  private final String host;
  private final Clock clock;
  private Path root;
  private String display;
  private LocalReplica replica;
  private Session session;
  private final jsync.core.watch.WatchFactory watchFactory;
  private java.io.Closeable watch;
  private ChangeForwarder forwarder;
  private final jsync.core.watch.IdleCollection idleCollection = new jsync.core.watch.IdleCollection();
  /** The parts so far of a step too large for one frame. */
  private final List<Step> pieces = new ArrayList<>();
  /** A read of the root the command line named, started before the client said anything; null if none. */
  private jsync.core.scan.ReadAhead readAhead;

  /**
   * @param home the remote user's home: relative roots are below it
   * @param jsyncHome where this host keeps its archives
   * @param host this host's name, for its canonical root
   */
  public ReplicaServer(Path home, Path jsyncHome, String host, Clock clock) {
    this(home, jsyncHome, host, clock, null);
  }

  /** @param watchFactory how to watch the root for continuous mode; null if this server cannot */
  public ReplicaServer(Path home, Path jsyncHome, String host, Clock clock,
      jsync.core.watch.WatchFactory watchFactory) {
    this.home = home;
    this.jsyncHome = jsyncHome;
    this.host = host;
    this.clock = clock;
    this.watchFactory = watchFactory;
  }

  @Override
  public void handle(Session s, long id, Message request) throws Exception {
    this.session = s;
    if (forwarder != null) {
      // Serving a daemon: between its synchronizations this process idles for hours.
      idleCollection.cancel();
      try {
        dispatch(s, id, request);
      } finally {
        idleCollection.schedule();
      }
    } else {
      dispatch(s, id, request);
    }
  }

  /**
   * Hands the first scan a read of the root already under way ({@code jsync server --scan-ahead=ROOT}): used
   * if the client then names that root and scans all of it, closed otherwise. This server owns it now.
   */
  public ReplicaServer readingAhead(jsync.core.scan.ReadAhead read) {
    this.readAhead = read;
    return this;
  }

  /**
   * The root a client's text names here: absolute, or relative to this user's home (as in
   * {@code ssh://host/rel/path}). The same for a root given on the command line and in the protocol.
   */
  public static Path rootOf(Path home, String text) {
    Path p = home.getFileSystem().getPath(text);
    return (p.isAbsolute() ? p : home.resolve(p)).normalize();
  }

  private void dispatch(Session s, long id, Message request) throws Exception {
    if (request instanceof Message.RootRequest r) {
      root(s, id, r);
    } else if (request instanceof Message.OpenRequest r) {
      open(s, id, r);
    } else if (request instanceof Message.ScanRequest r) {
      scan(s, id, r);
    } else if (request instanceof Message.LookupRequest r) {
      s.reply(id, new Message.LookupResponse(replica().lookup(r.paths())));
    } else if (request instanceof Message.HashRequest r) {
      s.reply(id, new Message.HashResponse(replica().hash(r.paths())));
    } else if (request instanceof Message.ExistsRequest r) {
      s.reply(id, new Message.ExistsResponse(replica().exists(r.path())));
    } else if (request instanceof Message.ReadRequest r) {
      Content.send(s, r, replica().read(r.path(), r.want(), r.stamp()));
    } else if (request instanceof Message.ApplyStepPart r) {
      if (!pieces.isEmpty() && pieces.get(0).id() != r.step().id()) {
        throw new ProtocolException("the client mixed parts of steps " + pieces.get(0).id() + " and "
            + r.step().id());
      }
      pieces.add(r.step());
    } else if (request instanceof Message.ApplyStep r) {
      Step step = r.step();
      if (!pieces.isEmpty()) {
        pieces.add(step);
        step = StepPieces.join(pieces);
        pieces.clear();
      }
      replica().apply(step, contentFromClient());
    } else if (request instanceof Message.FlushRequest r) {
      flushAnswer(s, id, replica().flush(r.keepInFlight()));
    } else if (request instanceof Message.CommitRequest r) {
      replica().commit(r.writes(), r.syncId());
      s.reply(id, new Message.OkResponse());
    } else if (request instanceof Message.WatchRequest r) {
      watch(s, id, r);
    } else if (request instanceof Message.CloseRequest) {
      closeAll();
      s.reply(id, new Message.OkResponse());
    } else {
      throw new ProtocolException("the client sent " + MessageCodec.nameOf(request.getClass())
          + ", which is not a request");
    }
  }

  /**
   * The results of a flush, in as many frames as they need: thousands of small files, hundreds of large
   * ones with their block signatures, or one new directory of many files are megabytes. A result too large
   * for a frame travels in pieces (see {@link StepPieces}).
   */
  private static void flushAnswer(Session s, long id, List<StepResult> results) {
    List<StepResult> sendable = new ArrayList<>(results.size());
    for (StepResult r : results) {
      sendable.add(withoutOversizedSignatures(r));
    }
    List<List<StepResult>> parts = s.parts(sendable, Message.FlushResponse::new, StepPieces::halve);
    for (int i = 0; i < parts.size() - 1; i++) {
      s.reply(id, new Message.FlushPart(parts.get(i)));
    }
    s.reply(id, new Message.FlushResponse(parts.get(parts.size() - 1)));
  }

  /** An update's encoded size, signature aside, over-estimated: fixed fields, then its strings twice. */
  private static long estimate(Update u) {
    return 256 + 2L * (u.path().toString().length() + target(u.archived()) + target(u.current()));
  }

  private static int target(jsync.core.model.Observed o) {
    return o.toString().length();
  }

  /** A signature too large for a frame is left out: whoever needs it computes it then. */
  private static StepResult withoutOversizedSignatures(StepResult r) {
    if (r.outcomes().stream().noneMatch(o -> oversized(o.signature()))) {
      return r;
    }
    List<Outcome> kept = new ArrayList<>(r.outcomes().size());
    for (Outcome o : r.outcomes()) {
      kept.add(oversized(o.signature())
          ? new Outcome(o.op(), o.done(), o.result(), o.failure(), o.bytes(), Optional.empty()) : o);
    }
    return new StepResult(r.step(), kept);
  }

  static boolean oversized(Optional<jsync.core.delta.Signature> signature) {
    return signature.map(x -> oversized(x.blockCount())).orElse(false);
  }

  /** Whether a signature of {@code blocks} blocks (12 bytes each) is over {@link #MAX_SIGNATURE_BYTES}. */
  static boolean oversized(long blocks) {
    return blocks * 12 > MAX_SIGNATURE_BYTES;
  }

  private void root(Session s, long id, Message.RootRequest r) {
    if (root == null) {
      root = resolve(r.root());
      display = r.root();
    } else if (!resolve(r.root()).equals(root)) {
      throw new ProtocolException("the client asked for root " + r.root() + " after " + display);
    }
    LocalReplica probe = replica != null ? replica : new LocalReplica(root, display, host, jsyncHome, clock,
        jsync.core.model.PropsPolicy.DEFAULT, BackupPolicy.NONE, n -> { });
    if (r.create() && probe.checkRoot() == jsync.core.sync.Replica.RootState.MISSING) {
      probe.createRoot();
    }
    s.reply(id, new Message.RootResponse(probe.canonicalRoot(), probe.checkRoot()));
  }

  /** A root as the client wrote it: absolute, or relative to this user's home (as ssh://host/rel/path). */
  private Path resolve(String path) {
    return rootOf(home, path);
  }

  private void open(Session s, long id, Message.OpenRequest r) {
    if (root == null) {
      throw new ProtocolException("the client opened a replica before naming its root");
    }
    if (replica == null) {
      replica = new LocalReplica(root, display, host, jsyncHome, clock, r.props(), backupPolicy(r), n -> { })
          .watchingWith(watchFactory);
      if (readAhead != null) {
        replica.readingAhead(readAhead);
        readAhead = null;
      }
    }
    // Again in continuous mode, before each synchronization: the replica stays open and keeps its lock.
    replica.open(r.otherCanonicalRoot(), r.holder());
    s.reply(id, new Message.OpenResponse(replica.archiveEmpty(), replica.syncId()));
  }

  private BackupPolicy backupPolicy(Message.OpenRequest r) {
    if (r.backup().isEmpty()) {
      return BackupPolicy.NONE;
    }
    IgnoreFilter matches = IgnoreFilter.of(specs(r.backup()), specs(r.backupnot()));
    return new BackupPolicy(matches::isIgnored, r.backupDir().map(this::resolve), r.backupPrefix(),
        r.backupSuffix(), r.maxBackups());
  }

  private static List<PathSpec> specs(List<String> texts) {
    List<PathSpec> specs = new ArrayList<>();
    for (String t : texts) {
      try {
        specs.add(PathSpec.parse(t));
      } catch (IllegalArgumentException e) {
        throw new ProtocolException("bad pathspec from the client: " + e.getMessage());
      }
    }
    return specs;
  }

  private void watch(Session s, long id, Message.WatchRequest r) throws IOException {
    if (root == null) {
      throw new ProtocolException("the client asked to watch before naming its root");
    }
    if (watchFactory == null) {
      throw new jsync.core.JsyncException("this jsync server cannot watch for changes");
    }
    // Again after the watcher stopped (the root vanished, a watch limit): the old one is dropped.
    stopWatching();
    PathFilter filter = filter(r.ignore(), r.ignorenot(), r.ignoreLocalBackups(), r.backupPrefix(),
        r.backupSuffix()).or(jsync.core.scan.Scanner::isTemporary);
    ChangeForwarder f = new ChangeForwarder(s);
    try {
      // Watching before answering: the client's full synchronization that follows misses nothing.
      watch = watchFactory.watch(root, r.scopes(), filter, f);
      forwarder = f;
    } catch (IOException e) {
      // An answer, not the end of the session: the client synchronizes on a timer instead.
      f.close();
      throw new jsync.core.JsyncException("cannot watch " + display + ": " + e.getMessage(), e);
    }
    s.reply(id, new Message.OkResponse());
  }

  private void stopWatching() throws IOException {
    try {
      if (watch != null) {
        watch.close();
        watch = null;
      }
    } finally {
      if (forwarder != null) {
        forwarder.close();
        forwarder = null;
      }
    }
  }

  /** Stops watching and closes the replica (its lock and archive). */
  private void closeAll() throws IOException {
    if (readAhead != null) {
      readAhead.close();
      readAhead = null;
    }
    try {
      stopWatching();
    } finally {
      if (replica != null) {
        replica.close();
        replica = null;
      }
    }
  }

  /** The scanner's filter, compiled from the rules as the profile wrote them. */
  private static PathFilter filter(List<String> ignore, List<String> ignorenot, boolean ignoreLocalBackups,
      String backupPrefix, String backupSuffix) {
    PathFilter filter = IgnoreFilter.of(specs(ignore), specs(ignorenot))::isIgnored;
    if (ignoreLocalBackups) {
      Predicate<String> backupName =
          new BackupPolicy(p -> true, Optional.empty(), backupPrefix, backupSuffix, 1).localBackupName();
      PathFilter rules = filter;
      filter = path -> backupName.test(path.name()) || rules.isIgnored(path);
    }
    return filter;
  }

  private void scan(Session s, long id, Message.ScanRequest r) {
    PathFilter filter = filter(r.ignore(), r.ignorenot(), r.ignoreLocalBackups(), r.backupPrefix(),
        r.backupSuffix());
    ScanOptions options = new ScanOptions(r.scopes(), filter, r.props(), r.fastcheck(), r.links(),
        r.signatureSeed(), r.guards());
    ScanResult result = replica().scan(options, r.trustArchive());
    List<Update> batch = new ArrayList<>();
    long batchBytes = 0;
    for (Update u : result.updates()) {
      Update sendable = u;
      long sig = u.signature().map(x -> (long) x.blockCount() * 12).orElse(0L);
      if (sig > MAX_SIGNATURE_BYTES) {
        sendable = new Update(u.path(), u.archived(), u.current(), Optional.empty());
        sig = 0;
      }
      long bytes = sig + estimate(sendable);
      if (batch.size() >= BATCH || batchBytes + bytes > BATCH_BYTES) {
        s.reply(id, new Message.ScanBatch(batch));
        batch = new ArrayList<>();
        batchBytes = 0;
      }
      batch.add(sendable);
      batchBytes += bytes;
    }
    if (!batch.isEmpty()) {
      s.reply(id, new Message.ScanBatch(batch));
    }
    s.reply(id, new Message.ScanDone(result.stats()));
  }

  /** File contents a step needs, asked of the client (as deltas against this side's versions). */
  private ContentSource contentFromClient() {
    return Content.fromPeer(session);
  }

  private LocalReplica replica() {
    if (replica == null) {
      throw new ProtocolException("the client used the replica before opening it");
    }
    return replica;
  }

  /** Runs a server over the given streams until the client goes away; closes the replica. */
  public static void serve(InputStream in, OutputStream out, ReplicaServer server, String jsyncVersion)
      throws IOException {
    Session s = Session.start(in, out, false, server, "the jsync client", jsyncVersion, true);
    try {
      s.awaitEnd();
    } finally {
      try {
        // Requests read before the connection ended (commit parts the client sent together) may still be
        // running: the archive must not close under them.
        s.awaitHandlers(HANDLERS_GRACE);
        server.closeAll();
      } finally {
        s.close();
      }
    }
  }

  /** How long requests still running when the client went away may take before the replica closes anyway. */
  static final java.time.Duration HANDLERS_GRACE = java.time.Duration.ofMinutes(1);

  static JsyncException unexpected(Message m) {
    return new ProtocolException("unexpected " + MessageCodec.nameOf(m.getClass()));
  }
}
