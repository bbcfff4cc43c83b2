package jsync.protocol;

import java.util.List;
import java.util.Optional;
import jsync.core.apply.Op;
import jsync.core.apply.Outcome;
import jsync.core.apply.Step;
import jsync.core.apply.StepResult;
import jsync.core.delta.Signature;
import jsync.core.model.Entry;
import jsync.core.model.Fingerprint;
import jsync.core.model.Observed;
import jsync.core.model.ProblemKind;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;
import jsync.core.model.Stamp;
import jsync.core.scan.ScanStats;
import jsync.core.scan.Update;
import jsync.core.sync.ArchiveWrite;
import jsync.core.sync.Replica;
import jsync.protocol.Message.ApplyStep;
import jsync.protocol.Message.CloseRequest;
import jsync.protocol.Message.CommitRequest;
import jsync.protocol.Message.ErrorResponse;
import jsync.protocol.Message.ExistsRequest;
import jsync.protocol.Message.ExistsResponse;
import jsync.protocol.Message.FlushRequest;
import jsync.protocol.Message.FlushResponse;
import jsync.protocol.Message.HashRequest;
import jsync.protocol.Message.HashResponse;
import jsync.protocol.Message.Hello;
import jsync.protocol.Message.LookupRequest;
import jsync.protocol.Message.LookupResponse;
import jsync.protocol.Message.OkResponse;
import jsync.protocol.Message.OpenRequest;
import jsync.protocol.Message.OpenResponse;
import jsync.protocol.Message.ReadRequest;
import jsync.protocol.Message.RootRequest;
import jsync.protocol.Message.RootResponse;
import jsync.protocol.Message.ScanBatch;
import jsync.protocol.Message.ScanDone;
import jsync.protocol.Message.ScanRequest;
import jsync.protocol.Message.WatchRequest;
import jsync.protocol.Message.Changes;

/**
 * Named values for the protocol tests: every entry kind, stamps, a signature, and sample messages covering
 * every registered type, with optionals both empty and present. Fixed values: the golden files use them.
 */
final class ProtocolFixtures {
  private ProtocolFixtures() {}

  static final RelPath P_INDEX = RelPath.parse("www/index.html");
  static final RelPath P_LOGO = RelPath.parse("www/img/logo.png");
  static final RelPath P_OLD = RelPath.parse("www/old.html");
  static final RelPath P_DIR = RelPath.parse("www/img");
  static final RelPath P_LINK = RelPath.parse("current");
  static final RelPath P_UNICODE = RelPath.parse("docs/caf\u00e9/\u65e5\u672c.txt");

  static final Stamp S1 = new Stamp(1234, 1_700_000_000_123_456_789L, 4242, 1_700_000_001_000_000_000L);
  static final Stamp S2 = new Stamp(2048, 1_700_000_100_000_000_000L, 4243, 1_700_000_100_000_000_000L);

  static final Entry.File F1 = new Entry.File(1234, 1_700_000_000_123_456_789L, 0644, Fingerprint.of(0x0123_4567_89ab_cdefL));
  static final Entry.File F2 = new Entry.File(2048, 1_700_000_100_000_000_000L, 0600, Fingerprint.of(-2L));
  static final Entry.File F_UNKNOWN = new Entry.File(300_000, 1_700_000_200_000_000_000L, 0644, Fingerprint.UNKNOWN);
  static final Entry.Dir D1 = new Entry.Dir(0755);
  static final Entry.Link L1 = new Entry.Link("releases/2026-11-01");
  static final Entry.Problem PR1 = new Entry.Problem(ProblemKind.UNREADABLE, "permission denied");

  /** A signature of 2500 bytes in blocks of 1024: three blocks, the last one short. */
  static final Signature SIG = new Signature(1024, 0x5eed_5eedL, 2500, new int[] {1, -2, 0x7fff_ffff},
      new long[] {10L, Long.MIN_VALUE, 0x0123_4567_89ab_cdefL});

  static final Update U_MODIFIED = new Update(P_INDEX, new Observed(F1, S1), new Observed(F2, S2), Optional.empty());
  static final Update U_CREATED = new Update(P_LOGO, Observed.ABSENT, new Observed(F_UNKNOWN, S2), Optional.of(SIG));

  static final Op OP_PUT = Op.put(P_INDEX, F2, new Observed(F1, S1)).withSourceStamp(S2);
  static final Op OP_REUSE = Op.put(P_LOGO, F1, Observed.ABSENT).reusing(P_OLD);
  static final Op OP_REMOVE = Op.remove(P_OLD, new Observed(F1, S1));
  static final Op OP_PROPS = Op.setProps(P_DIR, new Entry.Dir(0700), Observed.of(D1));
  static final Op OP_LINK = Op.put(P_LINK, L1, Observed.ABSENT);

  static final Step STEP_OK = new Step(7, List.of(OP_PUT, OP_PROPS));
  static final Step STEP_FAILING = new Step(8, List.of(OP_REMOVE, OP_LINK, OP_REUSE));

  static final StepResult RESULT_OK = new StepResult(STEP_OK, List.of(
      new Outcome(OP_PUT, true, new Observed(F2, S2), "", 2048, Optional.of(SIG)),
      new Outcome(OP_PROPS, true, Observed.of(new Entry.Dir(0700)), "", 0, Optional.empty())));
  /** Second op failed, third not tried. */
  static final StepResult RESULT_FAILED = new StepResult(STEP_FAILING, List.of(
      new Outcome(OP_REMOVE, true, Observed.ABSENT, "", 0, Optional.empty()),
      new Outcome(OP_LINK, false, Observed.ABSENT, "current: changed since the scan (now a directory)", 0,
          Optional.empty())));

  static final ScanStats STATS = new ScanStats(100_000, 12, 1 << 20, 2, List.of(P_DIR));

  static Hello hello() {
    return new Hello("0.1.0-golden", Frame.MAX_PAYLOAD);
  }

  static ScanBatch scanBatch() {
    return new ScanBatch(List.of(U_MODIFIED, U_CREATED));
  }

  static FlushResponse flushResponse() {
    return new FlushResponse(List.of(RESULT_OK, RESULT_FAILED));
  }

  /** At least one of each registered message type. */
  static List<Message> samples() {
    return List.of(
        hello(),
        new RootRequest("/srv/www", false),
        new RootRequest("relative/to/home", true),
        new RootResponse("web2:/srv/www", Replica.RootState.DIRECTORY),
        new RootResponse("web2:/srv/gone", Replica.RootState.MISSING),
        new OpenRequest("web1:/srv/www", "alice@web1 pid 4242", jsync.core.model.PropsPolicy.DEFAULT,
            List.of("Name *"), List.of("Path logs"), ".bak.$VERSION.", "", 2, Optional.of("/var/backups/www")),
        new OpenResponse(true, Optional.empty()),
        new OpenResponse(false, Optional.of("6f1c2b9e-0d6a-4f55-9a43-5a4b7f1e2c3d")),
        new ScanRequest(List.of(RelPath.ROOT), List.of(), List.of(), false, ".bak.$VERSION.", "",
            PropsPolicy.DEFAULT, true, true, 0, true, List.of()),
        new ScanRequest(List.of(P_DIR, P_UNICODE), List.of("Name *.tmp", "Path cache"), List.of("Name keep.tmp"),
            true, ".bak.$VERSION.", "~", new PropsPolicy(0777, true), false, false, -7, false,
            List.of(RelPath.ROOT, P_DIR)),
        scanBatch(),
        new ScanBatch(List.of(
            new Update(P_DIR, Observed.of(D1), Observed.ABSENT, Optional.empty()),
            new Update(P_LINK, Observed.ABSENT, new Observed(L1, Stamp.NONE), Optional.empty()),
            new Update(P_UNICODE, Observed.ABSENT, Observed.of(PR1), Optional.empty()),
            new Update(P_OLD, Observed.ABSENT, Observed.of(new Entry.Problem(ProblemKind.CHANGED_WHILE_HASHING, "")),
                Optional.empty()))),
        new ScanBatch(List.of()),
        new ScanDone(STATS),
        new WatchRequest(List.of(RelPath.ROOT), List.of(), List.of(), false, ".bak.$VERSION.", ""),
        new WatchRequest(List.of(P_DIR, P_UNICODE), List.of("Name *.tmp"), List.of("Name keep.tmp"), true,
            ".bak.$VERSION.", "~"),
        new Changes(List.of(P_DIR, P_UNICODE), Optional.empty(), Optional.empty()),
        new Changes(List.of(), Optional.of("inotify queue overflowed"), Optional.empty()),
        new Changes(List.of(), Optional.empty(), Optional.of("watch limit reached")),
        new ScanDone(new ScanStats(0, 0, 0, 0, List.of())),
        new LookupRequest(List.of(P_INDEX, P_LOGO, RelPath.ROOT)),
        new LookupResponse(List.of(new Observed(F1, S1), Observed.ABSENT, Observed.of(D1))),
        new HashRequest(List.of(P_LOGO)),
        new HashResponse(List.of(new Observed(F1.withFingerprint(Fingerprint.of(99)), S2),
            Observed.of(new Entry.Problem(ProblemKind.BAD_NAME, "not UTF-8")),
            Observed.of(new Entry.Problem(ProblemKind.UNSUPPORTED_TYPE, "a FIFO")))),
        new ExistsRequest(P_DIR),
        new ExistsResponse(true),
        new ReadRequest(1, P_INDEX, F2, S2, Optional.empty()),
        new ReadRequest(Integer.MAX_VALUE, P_LOGO, F_UNKNOWN, S1, Optional.of(SIG)),
        new ApplyStep(STEP_OK),
        new ApplyStep(STEP_FAILING),
        new Message.ApplyStepPart(STEP_OK),
        new Message.FlushPart(List.of(RESULT_OK)),
        new FlushRequest(0),
        new FlushRequest(16),
        flushResponse(),
        new FlushResponse(List.of()),
        new CommitRequest(List.of(ArchiveWrite.record(P_INDEX, new Observed(F2, S2), Optional.of(SIG)),
            ArchiveWrite.record(P_OLD, Observed.ABSENT, Optional.empty()),
            ArchiveWrite.restamp(P_LOGO, new Observed(F1, S1))), Optional.of("6f1c2b9e")),
        new CommitRequest(List.of(), Optional.empty()),
        new CloseRequest(),
        new OkResponse(),
        new ErrorResponse(ErrorResponse.Kind.FATAL, "cannot open archive at /home/bob/.jsync/ar1: disk full"),
        new ErrorResponse(ErrorResponse.Kind.TRANSIENT, "caf\u00e9 \u2013 retry"));
  }
}
