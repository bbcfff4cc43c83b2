package jsync.protocol;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import jsync.core.apply.Step;
import jsync.core.apply.StepResult;
import jsync.core.delta.Signature;
import jsync.core.model.Entry;
import jsync.core.model.Observed;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;
import jsync.core.model.Stamp;
import jsync.core.scan.ScanStats;
import jsync.core.scan.Update;
import jsync.core.sync.ArchiveWrite;
import jsync.core.sync.Replica;

/**
 * A control message: what a remote {@link Replica} proxy and {@code jsync server} say to each other, one per
 * {@link Frame.Type#CONTROL} frame. {@link MessageCodec} sends each in an envelope with its wire name (see
 * its registry) and a request id: a response carries the id of its request, so many requests can be in
 * flight at once (pipelining); a stream of responses ({@link ScanBatch}es then {@link ScanDone}) all carry
 * the request's id. Messages that answer nothing ({@link Hello}, {@link ApplyStep}) use id 0.
 *
 * <p>Adding a message: a record here and one line in {@link MessageCodec}'s registry, a round-trip test, a
 * line in docs/protocol.md, and a bump of {@link Handshake#PROTOCOL_VERSION}. Components must be of types
 * {@link MessageSchema} has a wire form for (it fails on the first use of a record with any other).
 *
 * <p>The list follows the {@link Replica} interface; {@code root()} is local to the proxy, and
 * {@code stagedFiles()}/{@code stagedBytes()} the proxy can count from the steps it sent and the results it
 * got.
 */
public sealed interface Message {
  /** The handshake record each side sends right after the protocol version (see {@link Handshake}). */
  record Hello(String jsyncVersion, int maxFrameSize) implements Message {
    public Hello {
      Objects.requireNonNull(jsyncVersion, "jsyncVersion");
    }
  }

  /**
   * {@link Replica#canonicalRoot()}, {@link Replica#checkRoot()} and {@link Replica#createRoot()}: the first
   * one names the root this session serves; later ones must name the same root.
   *
   * @param root the root's path on the server as the user wrote it (absolute, or relative to the remote home)
   * @param create create the root directory if it is missing, before reporting on it
   */
  record RootRequest(String root, boolean create) implements Message {
    public RootRequest {
      Objects.requireNonNull(root, "root");
    }
  }

  /** Answers {@link RootRequest}: the root's host and absolute path (naming the archive), and its state. */
  record RootResponse(String canonicalRoot, Replica.RootState state) implements Message {
    public RootResponse {
      Objects.requireNonNull(canonicalRoot, "canonicalRoot");
      Objects.requireNonNull(state, "state");
    }
  }

  /** {@link Replica#open}: take the server side's lock for the pair and open its archive. */
  record OpenRequest(String otherCanonicalRoot, String holder, PropsPolicy props, List<String> backup,
      List<String> backupnot, String backupPrefix, String backupSuffix, int maxBackups,
      Optional<String> backupDir) implements Message {
    public OpenRequest {
      Objects.requireNonNull(otherCanonicalRoot, "otherCanonicalRoot");
      Objects.requireNonNull(holder, "holder");
      Objects.requireNonNull(props, "props");
      backup = List.copyOf(backup);
      backupnot = List.copyOf(backupnot);
      Objects.requireNonNull(backupPrefix, "backupPrefix");
      Objects.requireNonNull(backupSuffix, "backupSuffix");
      Objects.requireNonNull(backupDir, "backupDir");
      if (maxBackups < 1) {
        throw new IllegalArgumentException("maxBackups " + maxBackups);
      }
    }
  }

  /** Answers {@link OpenRequest}: {@link Replica#archiveEmpty()} and {@link Replica#syncId()}. */
  record OpenResponse(boolean archiveEmpty, Optional<String> syncId) implements Message {
    public OpenResponse {
      Objects.requireNonNull(syncId, "syncId");
    }
  }

  /**
   * {@link Replica#scan}: the server scans its root and streams the updates back as {@link ScanBatch}es,
   * then one {@link ScanDone}. Carries {@link jsync.core.scan.ScanOptions} with the filter as the profile's
   * rule strings, which the server compiles as the client would: {@code ignore} and {@code ignorenot}
   * pathspecs, and, when {@code ignoreLocalBackups}, the local backup names made of {@code backupPrefix} and
   * {@code backupSuffix} (see {@link jsync.core.apply.BackupPolicy#localBackupName()}).
   */
  record ScanRequest(List<RelPath> scopes, List<String> ignore, List<String> ignorenot,
      boolean ignoreLocalBackups, String backupPrefix, String backupSuffix, PropsPolicy props,
      boolean fastcheck, boolean links, long signatureSeed, boolean trustArchive, List<RelPath> guards)
      implements Message {
    public ScanRequest {
      scopes = List.copyOf(scopes);
      guards = List.copyOf(guards);
      ignore = List.copyOf(ignore);
      ignorenot = List.copyOf(ignorenot);
      Objects.requireNonNull(backupPrefix, "backupPrefix");
      Objects.requireNonNull(backupSuffix, "backupSuffix");
      Objects.requireNonNull(props, "props");
      if (scopes.isEmpty()) {
        throw new IllegalArgumentException("nothing to scan: no scopes");
      }
    }
  }

  /** Part of a scan's answer: some of the updates, in scan order. */
  record ScanBatch(List<Update> updates) implements Message {
    public ScanBatch {
      updates = List.copyOf(updates);
    }
  }

  /** The end of a scan's answer, with its counters. */
  record ScanDone(ScanStats stats) implements Message {
    public ScanDone {
      Objects.requireNonNull(stats, "stats");
    }
  }

  /** {@link Replica#lookup}: archive records of these paths. */
  record LookupRequest(List<RelPath> paths) implements Message {
    public LookupRequest {
      paths = List.copyOf(paths);
    }
  }

  /** Answers {@link LookupRequest}: one record per requested path, in order. */
  record LookupResponse(List<Observed> records) implements Message {
    public LookupResponse {
      records = List.copyOf(records);
    }
  }

  /** {@link Replica#hash}: hash these files now. */
  record HashRequest(List<RelPath> paths) implements Message {
    public HashRequest {
      paths = List.copyOf(paths);
    }
  }

  /** Answers {@link HashRequest}: the current state of each requested path, in order. */
  record HashResponse(List<Observed> current) implements Message {
    public HashResponse {
      current = List.copyOf(current);
    }
  }

  /** {@link Replica#exists}. */
  record ExistsRequest(RelPath path) implements Message {
    public ExistsRequest {
      Objects.requireNonNull(path, "path");
    }
  }

  /** Answers {@link ExistsRequest}. */
  record ExistsResponse(boolean exists) implements Message {}

  /**
   * {@link Replica#read}, sent by whichever side needs content (the one applying a step): the other side
   * answers on {@code channel}, chosen by the requester (odd from the client, even from the server), with
   * {@link Frame.Type#DATA} frames and a final {@link Frame.Type#END}, or an {@link Frame.Type#ERROR} frame
   * naming why the content could not be read (changed since the scan, unreadable); there is no control
   * response. With {@code base}, the requester's signature of its current version of the file, the content
   * may come as a delta against it.
   */
  record ReadRequest(int channel, RelPath path, Entry.File want, Stamp stamp, Optional<Signature> base)
      implements Message {
    public ReadRequest {
      if (channel <= Frame.CONTROL_CHANNEL) {
        throw new IllegalArgumentException("content channel " + channel);
      }
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(want, "want");
      Objects.requireNonNull(stamp, "stamp");
      Objects.requireNonNull(base, "base");
    }
  }

  /** {@link Replica#apply}: no response; the outcome comes with a later {@link FlushResponse}. */
  record ApplyStep(Step step) implements Message {
    public ApplyStep {
      Objects.requireNonNull(step, "step");
    }
  }

  /**
   * The first ops of a step too large for one frame; more parts, then an {@link ApplyStep} with the last
   * ops and the same step id, follow at once.
   */
  record ApplyStepPart(Step step) implements Message {
    public ApplyStepPart {
      Objects.requireNonNull(step, "step");
    }
  }

  /** {@link Replica#flush}. */
  record FlushRequest(int keepInFlight) implements Message {
    public FlushRequest {
      if (keepInFlight < 0) {
        throw new IllegalArgumentException("keepInFlight " + keepInFlight);
      }
    }
  }

  /**
   * Part of the answer to a {@link FlushRequest} when the results do not fit one frame; the
   * {@link FlushResponse} that ends the answer carries the last part.
   */
  record FlushPart(List<StepResult> results) implements Message {
    public FlushPart {
      results = List.copyOf(results);
    }
  }

  /** Answers {@link FlushRequest}: results of the steps now complete, in the order applied. */
  record FlushResponse(List<StepResult> results) implements Message {
    public FlushResponse {
      results = List.copyOf(results);
    }
  }

  /** {@link Replica#commit}: answered by {@link OkResponse} once the batch is durable. */
  record CommitRequest(List<ArchiveWrite> writes, Optional<String> syncId) implements Message {
    public CommitRequest {
      writes = List.copyOf(writes);
      Objects.requireNonNull(syncId, "syncId");
    }
  }

  /**
   * {@link Replica#watch} (continuous mode): the server starts watching its root below {@code scopes},
   * leaving out what the rules ignore (as in {@link ScanRequest}), answers {@link OkResponse}, and from
   * then on sends {@link Changes} whenever something changes, until the session ends.
   */
  record WatchRequest(List<RelPath> scopes, List<String> ignore, List<String> ignorenot,
      boolean ignoreLocalBackups, String backupPrefix, String backupSuffix) implements Message {
    public WatchRequest {
      scopes = List.copyOf(scopes);
      ignore = List.copyOf(ignore);
      ignorenot = List.copyOf(ignorenot);
      Objects.requireNonNull(backupPrefix, "backupPrefix");
      Objects.requireNonNull(backupSuffix, "backupSuffix");
      if (scopes.isEmpty()) {
        throw new IllegalArgumentException("nothing to watch: no scopes");
      }
    }
  }

  /**
   * Sent by the server, unasked, while it watches (see {@link WatchRequest}); gets no answer. See
   * {@link jsync.core.watch.ChangeSink}: {@code paths} changed; with {@code rescan}, events were lost and
   * everything may have changed; with {@code stopped}, the server watches no more (the reason says why).
   */
  record Changes(List<RelPath> paths, Optional<String> rescan, Optional<String> stopped) implements Message {
    public Changes {
      paths = List.copyOf(paths);
      Objects.requireNonNull(rescan, "rescan");
      Objects.requireNonNull(stopped, "stopped");
    }
  }

  /** {@link Replica#close}: the server releases its lock, answers {@link OkResponse} and ends. */
  record CloseRequest() implements Message {}

  /** Answers a request that returns nothing ({@link CommitRequest}, {@link CloseRequest}). */
  record OkResponse() implements Message {}

  /**
   * Answers any request that failed on the server: {@link Kind#FATAL} is a whole-run failure there (a
   * {@link jsync.core.JsyncException}: the server ends the session after sending it; the proxy throws
   * with {@code message}); {@link Kind#TRANSIENT} failed only this request, and the session goes on.
   *
   * @param message a sentence for the user, naming the remote host's path or file
   */
  record ErrorResponse(Kind kind, String message) implements Message {
    /** Whether the session survives the error. */
    public enum Kind {
      FATAL, TRANSIENT
    }

    public ErrorResponse {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(message, "message");
    }
  }
}
