package jsync.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import jsync.core.apply.Op;
import jsync.core.apply.Step;
import jsync.core.apply.StepResult;
import jsync.core.model.Entry;
import jsync.core.model.Observed;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;
import jsync.core.model.Stamp;
import jsync.core.scan.ScanOptions;
import jsync.core.scan.Update;
import jsync.core.sync.ArchiveWrite;
import jsync.core.sync.Replica;
import jsync.core.sync.ScanResult;
import jsync.core.watch.ChangeSink;

/**
 * A replica on another host, reached through a {@link Session} with {@code jsync server} there
 * ({@link ReplicaServer}). Every {@link Replica} call becomes messages; {@code SyncRun} cannot tell it
 * from a local one.
 *
 * <p>Steps are sent without waiting (pipelined) and their results come back with the next flush. While
 * the server applies them it asks this side for file contents; this proxy serves those from the replica
 * given to {@link #apply} as the source.
 */
public final class RemoteReplica implements Replica, Session.Handler {
  /**
   * Paths per lookup or hash request at most (fewer if long paths need it), so that the answer, a record
   * per path, stays well under the frame limit.
   */
  static final int CHUNK = 1000;
  /** Commit requests (a frame each, at most 1 MiB) sent and not yet answered. */
  static final int COMMITS_IN_FLIGHT = 8;

  /**
   * What a remote scan and apply need that the core's {@link ScanOptions} holds only as code: the ignore
   * and backup rules as the profile wrote them, for the server to compile again.
   */
  public record Rules(List<String> ignore, List<String> ignorenot, PropsPolicy props, List<String> backup,
      List<String> backupnot, String backupPrefix, String backupSuffix, int maxBackups,
      Optional<String> backupDir) {
    public Rules {
      ignore = List.copyOf(ignore);
      ignorenot = List.copyOf(ignorenot);
      backup = List.copyOf(backup);
      backupnot = List.copyOf(backupnot);
      Objects.requireNonNull(props, "props");
      Objects.requireNonNull(backupPrefix, "backupPrefix");
      Objects.requireNonNull(backupSuffix, "backupSuffix");
      Objects.requireNonNull(backupDir, "backupDir");
    }
  }

  private final String display;
  private final String remotePath;
  private final Rules rules;
  private final AutoCloseable connection;
  private Session session;
  private volatile Replica source;
  private volatile ChangeSink watchSink;
  private boolean failureWatched;
  private Message.RootResponse root;
  private Message.OpenResponse opened;
  private int stagedFiles;
  private long stagedBytes;
  /**
   * The files the steps sent so far may ask for, until their results come back: the server may read
   * nothing else from this side (not an ignored file, not a path outside the plan).
   */
  private final java.util.Map<RelPath, Entry.File> readable = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param display the root as the user wrote it ({@code ssh://web2//home/www})
   * @param remotePath the root's path on the server, absolute or relative to the remote home
   * @param connection closed with this replica (the SSH channel or process)
   */
  public RemoteReplica(String display, String remotePath, Rules rules, AutoCloseable connection) {
    this.display = display;
    this.remotePath = remotePath;
    this.rules = rules;
    this.connection = connection;
  }

  /** Starts the session over a connection's streams (this side is the client). */
  public RemoteReplica connect(InputStream in, java.io.OutputStream out, String jsyncVersion, boolean compress)
      throws IOException {
    session = Session.start(in, out, true, this, display, jsyncVersion, compress);
    return this;
  }

  /** For tests and callers that made the session themselves. */
  public RemoteReplica using(Session s) {
    session = s;
    return this;
  }

  @Override
  public String root() {
    return display;
  }

  @Override
  public String canonicalRoot() {
    if (root == null) {
      root = session.call(new Message.RootRequest(remotePath, false), Message.RootResponse.class);
    }
    return root.canonicalRoot();
  }

  @Override
  public RootState checkRoot() {
    root = session.call(new Message.RootRequest(remotePath, false), Message.RootResponse.class);
    return root.state();
  }

  @Override
  public void createRoot() {
    root = session.call(new Message.RootRequest(remotePath, true), Message.RootResponse.class);
  }

  @Override
  public void open(String otherCanonicalRoot, String holder) {
    opened = session.call(new Message.OpenRequest(otherCanonicalRoot, holder, rules.props(), rules.backup(),
        rules.backupnot(), rules.backupPrefix(), rules.backupSuffix(), rules.maxBackups(), rules.backupDir()),
        Message.OpenResponse.class);
  }

  @Override
  public boolean archiveEmpty() {
    return opened().archiveEmpty();
  }

  @Override
  public Optional<String> syncId() {
    return opened().syncId();
  }

  private Message.OpenResponse opened() {
    if (opened == null) {
      throw new IllegalStateException("open the replica first");
    }
    return opened;
  }

  @Override
  public ScanResult scan(ScanOptions options, boolean trustArchive) {
    Session.Stream answers = session.stream(new Message.ScanRequest(options.scopes(), rules.ignore(),
        rules.ignorenot(), localBackups(), rules.backupPrefix(), rules.backupSuffix(), options.props(),
        options.fastcheck(), options.links(), options.signatureSeed(), trustArchive, options.guards()),
        Message.ScanDone.class);
    List<Update> updates = new ArrayList<>();
    Optional<Message> m;
    while ((m = answers.next()).isPresent()) {
      if (m.get() instanceof Message.ScanBatch batch) {
        updates.addAll(batch.updates());
      } else if (m.get() instanceof Message.ScanDone done) {
        return new ScanResult(updates, done.stats());
      } else {
        throw ReplicaServer.unexpected(m.get());
      }
    }
    throw new ProtocolException(display + " ended the scan without its statistics");
  }

  /** Backups kept beside their files are ignored by the scan (and the watch) on the server. */
  private boolean localBackups() {
    return !rules.backup().isEmpty() && rules.backupDir().isEmpty();
  }

  @Override
  public List<Observed> hash(List<RelPath> paths) {
    List<Observed> result = new ArrayList<>(paths.size());
    for (int i = 0; i < paths.size(); i += CHUNK) {
      for (List<RelPath> part : session.parts(paths.subList(i, Math.min(paths.size(), i + CHUNK)),
          Message.HashRequest::new)) {
        result.addAll(session.call(new Message.HashRequest(part), Message.HashResponse.class).current());
      }
    }
    return checkCount(result, paths.size(), "hashes");
  }

  @Override
  public List<Observed> lookup(List<RelPath> paths) {
    List<Observed> result = new ArrayList<>(paths.size());
    for (int i = 0; i < paths.size(); i += CHUNK) {
      for (List<RelPath> part : session.parts(paths.subList(i, Math.min(paths.size(), i + CHUNK)),
          Message.LookupRequest::new)) {
        result.addAll(session.call(new Message.LookupRequest(part), Message.LookupResponse.class).records());
      }
    }
    return checkCount(result, paths.size(), "archive records");
  }

  private List<Observed> checkCount(List<Observed> result, int expected, String what) {
    if (result.size() != expected) {
      throw new ProtocolException(display + " sent " + result.size() + " " + what + " for " + expected
          + " paths");
    }
    return result;
  }

  @Override
  public boolean exists(RelPath path) {
    return session.call(new Message.ExistsRequest(path), Message.ExistsResponse.class).exists();
  }

  @Override
  public InputStream read(RelPath path, Entry.File want, Stamp stamp) {
    return Content.request(session, path, want, stamp);
  }

  @Override
  public jsync.core.apply.ContentSource contentSource() {
    return Content.fromPeer(session);
  }

  @Override
  public void apply(Step step, Replica contentSource) {
    this.source = contentSource;
    for (Op op : step.ops()) {
      if (op.kind() == Op.Kind.PUT && op.want() instanceof Entry.File f) {
        stagedFiles++;
        stagedBytes += f.size();
        readable.put(op.path(), f);
      }
    }
    if (small(step)) {
      session.send(new Message.ApplyStep(step));
      return;
    }
    List<List<Step>> parts = session.parts(List.of(step), p -> new Message.ApplyStep(StepPieces.join(p)),
        StepPieces::halve);
    for (int i = 0; i < parts.size() - 1; i++) {
      session.send(new Message.ApplyStepPart(StepPieces.join(parts.get(i))));
    }
    session.send(new Message.ApplyStep(StepPieces.join(parts.get(parts.size() - 1))));
  }

  /**
   * Whether a step surely fits a frame, by a generous estimate, which spares the usual one-file step the
   * trial encoding that {@link Session#parts} does.
   */
  private static boolean small(Step step) {
    if (step.ops().size() > 64) {
      return false;
    }
    long bytes = 0;
    for (Op op : step.ops()) {
      bytes += 512 + 4L * op.path().toString().length()
          + (op.want() instanceof Entry.Link l ? 2L * l.target().length() : 0);
    }
    return bytes < FrameParts.LIMIT / 4;
  }

  @Override
  public List<StepResult> flush(int keepInFlight) {
    List<StepResult> results = new ArrayList<>();
    Session.Stream answers = session.stream(new Message.FlushRequest(keepInFlight), Message.FlushResponse.class);
    Optional<Message> m;
    boolean complete = false;
    while (!complete && (m = answers.next()).isPresent()) {
      if (m.get() instanceof Message.FlushPart part) {
        results.addAll(part.results());
      } else if (m.get() instanceof Message.FlushResponse last) {
        results.addAll(last.results());
        complete = true;
      } else {
        throw ReplicaServer.unexpected(m.get());
      }
    }
    if (!complete) {
      throw new ProtocolException(display + " ended a flush answer before its last part");
    }
    results = StepPieces.joinResults(results);
    for (StepResult r : results) {
      for (Op op : r.step().ops()) {
        if (op.kind() == Op.Kind.PUT && op.want() instanceof Entry.File f) {
          stagedFiles--;
          stagedBytes -= f.size();
          readable.remove(op.path());
        }
      }
    }
    return results;
  }

  @Override
  public int stagedFiles() {
    return stagedFiles;
  }

  @Override
  public long stagedBytes() {
    return stagedBytes;
  }

  @Override
  public void commit(List<ArchiveWrite> writes, Optional<String> syncId) {
    startCommit(writes, syncId).run();
  }

  /**
   * Sends the records in as many requests as they need frames without waiting for each answer (at most
   * {@link #COMMITS_IN_FLIGHT} unanswered, which bounds what the server holds): the server writes them in
   * order while the client writes its own archive; the action waits for the rest of the answers.
   */
  @Override
  public Runnable startCommit(List<ArchiveWrite> writes, Optional<String> syncId) {
    List<ArchiveWrite> sendable = new ArrayList<>(writes.size());
    for (ArchiveWrite w : writes) {
      // A signature too large for a frame stays out of the server's archive, which computes it when needed.
      sendable.add(ReplicaServer.oversized(w.signature())
          ? new ArchiveWrite(w.path(), w.observed(), Optional.empty(), false) : w);
    }
    // At least one part: an empty list is one empty request, which carries the sync id.
    List<List<ArchiveWrite>> parts = session.parts(sendable, p -> new Message.CommitRequest(p, syncId));
    java.util.ArrayDeque<Session.Answer<Message.OkResponse>> answers = new java.util.ArrayDeque<>();
    for (int i = 0; i < parts.size(); i++) {
      if (answers.size() == COMMITS_IN_FLIGHT) {
        session.flush();
        answers.removeFirst().get();
      }
      answers.add(session.request(new Message.CommitRequest(parts.get(i), i == 0 ? syncId : Optional.empty()),
          Message.OkResponse.class, i == parts.size() - 1));
    }
    return () -> answers.forEach(Session.Answer::get);
  }

  /**
   * Asks the server to watch its root and send what changes (see {@link Message.WatchRequest}), with the
   * profile's rules (which {@code filter} was made of). A lost connection is reported to the sink as
   * {@link ChangeSink#stopped}. Closing the handle stops forwarding; the server watches until the session
   * ends.
   */
  @Override
  public java.io.Closeable watch(List<RelPath> scopes, jsync.core.scan.PathFilter filter, ChangeSink sink) {
    if (root == null) {
      canonicalRoot(); // names the root to the server, which a watch needs
    }
    watchSink = sink;
    if (!failureWatched) {
      failureWatched = true;
      session.onFailure(e -> {
        ChangeSink s = watchSink;
        if (s != null) {
          s.stopped(e.getMessage());
        }
      });
    }
    session.call(new Message.WatchRequest(scopes, rules.ignore(), rules.ignorenot(), localBackups(),
        rules.backupPrefix(), rules.backupSuffix()), Message.OkResponse.class);
    return () -> watchSink = null;
  }

  @Override
  public boolean connected() {
    return session != null && !session.isBroken();
  }

  /** The server asks for content a step needs (send it from the source replica), or reports changes. */
  @Override
  public void handle(Session s, long id, Message request) throws Exception {
    if (request instanceof Message.Changes c) {
      ChangeSink sink = watchSink;
      if (sink == null) {
        return;
      }
      c.paths().forEach(sink::changed);
      c.rescan().ifPresent(sink::rescan);
      c.stopped().ifPresent(why -> sink.stopped(display + ": " + why));
    } else if (request instanceof Message.ReadRequest r) {
      Replica from = source;
      Entry.File allowed = readable.get(r.path());
      if (from == null || allowed == null || !allowed.equals(r.want())) {
        throw new ProtocolException(display + " asked for " + r.path().display() + ", which no step sent to it "
            + "needs; refused");
      }
      Content.send(s, r, from.read(r.path(), r.want(), r.stamp()));
    } else {
      throw new ProtocolException(display + " sent a " + MessageCodec.nameOf(request.getClass())
          + " request, which a server may not send");
    }
  }

  @Override
  public void close() {
    try {
      if (session != null && !session.isBroken()) {
        session.call(new Message.CloseRequest(), Message.OkResponse.class);
      }
    } catch (RuntimeException e) {
      // Closing after a failure: the failure was reported; the server ends with the connection.
    } finally {
      if (session != null) {
        session.close();
      }
      try {
        connection.close();
      } catch (Exception e) {
        // The transport's own close reports nothing useful after the session ended.
      }
    }
  }
}
