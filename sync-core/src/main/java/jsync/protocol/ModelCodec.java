package jsync.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
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

/**
 * The wire form of the core model types, written by hand rather than by Jackson's reflection so that the
 * encoding is exactly what this file says (a Jackson upgrade cannot change it) and every value read is
 * checked as it is read. Each value is a positional array (no property names: a scan batch holds thousands
 * of them), tags are strings (Smile shares repeated ones), absent optionals are {@code null}. The layouts are
 * listed in docs/protocol.md; changing one means bumping {@link Handshake#PROTOCOL_VERSION}.
 *
 * <p>Readers follow Jackson's convention: called with the parser on the value's first token, they return
 * with it on the value's last token. Bad input throws a {@link JsonParseException} or the model's own
 * {@link IllegalArgumentException}; {@link MessageCodec} turns both into a {@link ProtocolException}.
 */
final class ModelCodec {
  private ModelCodec() {}

  // ---- RelPath: its string, validated by RelPath.parse (no '..', no leading '/', no NUL).

  static void writePath(JsonGenerator g, RelPath path) throws IOException {
    g.writeString(path.toString());
  }

  static RelPath readPath(JsonParser p) throws IOException {
    String s = string(p, "a path");
    try {
      return RelPath.parse(s);
    } catch (IllegalArgumentException e) {
      throw new JsonParseException(p, e.getMessage(), e);
    }
  }

  // ---- Fingerprint: the 64-bit hash as a number, or null when unknown.

  static void writeFingerprint(JsonGenerator g, Fingerprint fp) throws IOException {
    if (fp.known()) {
      g.writeNumber(fp.xxh64());
    } else {
      g.writeNull();
    }
  }

  static Fingerprint readFingerprint(JsonParser p) throws IOException {
    return p.currentToken() == JsonToken.VALUE_NULL ? Fingerprint.UNKNOWN : Fingerprint.of(longValue(p, "a fingerprint"));
  }

  // ---- Stamp: [size, mtimeNanos, inode, ctimeNanos]

  static void writeStamp(JsonGenerator g, Stamp s) throws IOException {
    g.writeStartArray();
    g.writeNumber(s.size());
    g.writeNumber(s.mtimeNanos());
    g.writeNumber(s.inode());
    g.writeNumber(s.ctimeNanos());
    g.writeEndArray();
  }

  static Stamp readStamp(JsonParser p) throws IOException {
    begin(p, "a stamp");
    Stamp s = new Stamp(nextLong(p, "a stamp size"), nextLong(p, "an mtime"), nextLong(p, "an inode"),
        nextLong(p, "a ctime"));
    end(p, "a stamp");
    return s;
  }

  // ---- Entry: ["ABSENT"] | ["FILE", size, mtimeNanos, mode, fingerprint] | ["DIR", mode]
  //             | ["LINK", target] | ["PROBLEM", kind, message]

  static void writeEntry(JsonGenerator g, Entry e) throws IOException {
    g.writeStartArray();
    switch (e.kind()) {
      case ABSENT -> g.writeString("ABSENT");
      case FILE -> {
        Entry.File f = (Entry.File) e;
        g.writeString("FILE");
        g.writeNumber(f.size());
        g.writeNumber(f.mtimeNanos());
        g.writeNumber(f.mode());
        writeFingerprint(g, f.fingerprint());
      }
      case DIR -> {
        g.writeString("DIR");
        g.writeNumber(((Entry.Dir) e).mode());
      }
      case LINK -> {
        g.writeString("LINK");
        g.writeString(((Entry.Link) e).target());
      }
      case PROBLEM -> {
        Entry.Problem pr = (Entry.Problem) e;
        g.writeString("PROBLEM");
        g.writeString(problemTag(pr.problem()));
        g.writeString(pr.message());
      }
    }
    g.writeEndArray();
  }

  static Entry readEntry(JsonParser p) throws IOException {
    begin(p, "an entry");
    next(p);
    String tag = string(p, "an entry kind");
    Entry e = switch (tag) {
      case "ABSENT" -> Entry.ABSENT;
      case "FILE" -> {
        long size = nextLong(p, "a file size");
        long mtime = nextLong(p, "an mtime");
        int mode = nextInt(p, "a mode");
        next(p);
        yield new Entry.File(size, mtime, mode, readFingerprint(p));
      }
      case "DIR" -> new Entry.Dir(nextInt(p, "a mode"));
      case "LINK" -> new Entry.Link(nextString(p, "a symlink target"));
      case "PROBLEM" -> new Entry.Problem(problemKind(p, nextString(p, "a problem kind")),
          nextString(p, "a problem message"));
      default -> throw new JsonParseException(p, "unknown entry kind '" + tag + "'");
    };
    end(p, "an entry");
    return e;
  }

  static Entry.File readFile(JsonParser p) throws IOException {
    Entry e = readEntry(p);
    if (e.kind() != Entry.Kind.FILE) {
      throw new JsonParseException(p, "expected a file entry, got " + e.kindName());
    }
    return (Entry.File) e;
  }

  private static String problemTag(ProblemKind k) {
    return switch (k) {
      case UNREADABLE -> "UNREADABLE";
      case CHANGED_WHILE_HASHING -> "CHANGED_WHILE_HASHING";
      case UNSUPPORTED_TYPE -> "UNSUPPORTED_TYPE";
      case BAD_NAME -> "BAD_NAME";
    };
  }

  private static ProblemKind problemKind(JsonParser p, String tag) throws JsonParseException {
    return switch (tag) {
      case "UNREADABLE" -> ProblemKind.UNREADABLE;
      case "CHANGED_WHILE_HASHING" -> ProblemKind.CHANGED_WHILE_HASHING;
      case "UNSUPPORTED_TYPE" -> ProblemKind.UNSUPPORTED_TYPE;
      case "BAD_NAME" -> ProblemKind.BAD_NAME;
      default -> throw new JsonParseException(p, "unknown problem kind '" + tag + "'");
    };
  }

  // ---- Observed: [entry, stamp]

  static void writeObserved(JsonGenerator g, Observed o) throws IOException {
    g.writeStartArray();
    writeEntry(g, o.entry());
    writeStamp(g, o.stamp());
    g.writeEndArray();
  }

  static Observed readObserved(JsonParser p) throws IOException {
    begin(p, "an observed entry");
    next(p);
    Entry e = readEntry(p);
    next(p);
    Stamp s = readStamp(p);
    end(p, "an observed entry");
    return new Observed(e, s);
  }

  // ---- Signature: [blockSize, seed, fileSize, weak, strong]; weak and strong are binary, big-endian
  // 4 and 8 bytes per block: a 1 GiB file's 32768 blocks take 384 KiB, not the ~700 KiB of number arrays.

  static void writeSignature(JsonGenerator g, Signature s) throws IOException {
    int n = s.blockCount();
    ByteBuffer weak = ByteBuffer.allocate(n * 4);
    ByteBuffer strong = ByteBuffer.allocate(n * 8);
    for (int i = 0; i < n; i++) {
      weak.putInt(s.weak(i));
      strong.putLong(s.strong(i));
    }
    g.writeStartArray();
    g.writeNumber(s.blockSize());
    g.writeNumber(s.seed());
    g.writeNumber(s.fileSize());
    g.writeBinary(weak.array());
    g.writeBinary(strong.array());
    g.writeEndArray();
  }

  static Signature readSignature(JsonParser p) throws IOException {
    begin(p, "a signature");
    int blockSize = nextInt(p, "a block size");
    long seed = nextLong(p, "a signature seed");
    long fileSize = nextLong(p, "a file size");
    if (blockSize <= 0 || fileSize < 0) {
      throw new JsonParseException(p, "signature of " + fileSize + " bytes in blocks of " + blockSize);
    }
    byte[] weak = nextBinary(p, "weak checksums");
    byte[] strong = nextBinary(p, "strong checksums");
    end(p, "a signature");
    // The arrays are already in memory (bounded by the frame), so only their lengths need checking.
    long blocks = fileSize / blockSize + (fileSize % blockSize == 0 ? 0 : 1);
    if (blocks > Integer.MAX_VALUE / 8 || weak.length != blocks * 4 || strong.length != blocks * 8) {
      throw new JsonParseException(p, "signature of " + fileSize + " bytes in blocks of " + blockSize
          + " needs " + blocks + " blocks, has " + weak.length + " and " + strong.length + " checksum bytes");
    }
    int n = (int) blocks;
    int[] w = new int[n];
    long[] s = new long[n];
    ByteBuffer.wrap(weak).asIntBuffer().get(w);
    ByteBuffer.wrap(strong).asLongBuffer().get(s);
    return new Signature(blockSize, seed, fileSize, w, s);
  }

  static void writeOptionalSignature(JsonGenerator g, Optional<Signature> s) throws IOException {
    if (s.isPresent()) {
      writeSignature(g, s.get());
    } else {
      g.writeNull();
    }
  }

  static Optional<Signature> readOptionalSignature(JsonParser p) throws IOException {
    return p.currentToken() == JsonToken.VALUE_NULL ? Optional.empty() : Optional.of(readSignature(p));
  }

  // ---- Update: [path, archived, current, signature|null]

  static void writeUpdate(JsonGenerator g, Update u) throws IOException {
    g.writeStartArray();
    writePath(g, u.path());
    writeObserved(g, u.archived());
    writeObserved(g, u.current());
    writeOptionalSignature(g, u.signature());
    g.writeEndArray();
  }

  static Update readUpdate(JsonParser p) throws IOException {
    begin(p, "an update");
    next(p);
    RelPath path = readPath(p);
    next(p);
    Observed archived = readObserved(p);
    next(p);
    Observed current = readObserved(p);
    next(p);
    Optional<Signature> sig = readOptionalSignature(p);
    end(p, "an update");
    return new Update(path, archived, current, sig);
  }

  // ---- Op: [kind, path, want, expected, reuseFrom|null, sourceStamp]

  static void writeOp(JsonGenerator g, Op op) throws IOException {
    g.writeStartArray();
    g.writeString(switch (op.kind()) {
      case PUT -> "PUT";
      case SET_PROPS -> "SET_PROPS";
      case REMOVE -> "REMOVE";
    });
    writePath(g, op.path());
    writeEntry(g, op.want());
    writeObserved(g, op.expected());
    if (op.reuseFrom().isPresent()) {
      writePath(g, op.reuseFrom().get());
    } else {
      g.writeNull();
    }
    writeStamp(g, op.sourceStamp());
    g.writeEndArray();
  }

  static Op readOp(JsonParser p) throws IOException {
    begin(p, "an op");
    String tag = nextString(p, "an op kind");
    Op.Kind kind = switch (tag) {
      case "PUT" -> Op.Kind.PUT;
      case "SET_PROPS" -> Op.Kind.SET_PROPS;
      case "REMOVE" -> Op.Kind.REMOVE;
      default -> throw new JsonParseException(p, "unknown op kind '" + tag + "'");
    };
    next(p);
    RelPath path = readPath(p);
    next(p);
    Entry want = readEntry(p);
    next(p);
    Observed expected = readObserved(p);
    next(p);
    Optional<RelPath> reuse = p.currentToken() == JsonToken.VALUE_NULL ? Optional.empty() : Optional.of(readPath(p));
    next(p);
    Stamp sourceStamp = readStamp(p);
    end(p, "an op");
    return new Op(kind, path, want, expected, reuse, sourceStamp);
  }

  // ---- Step: [id, [op...]]

  static void writeStep(JsonGenerator g, Step s) throws IOException {
    g.writeStartArray();
    g.writeNumber(s.id());
    g.writeStartArray();
    for (Op op : s.ops()) {
      writeOp(g, op);
    }
    g.writeEndArray();
    g.writeEndArray();
  }

  static Step readStep(JsonParser p) throws IOException {
    begin(p, "a step");
    int id = nextInt(p, "a step id");
    next(p);
    begin(p, "a step's ops");
    List<Op> ops = new ArrayList<>();
    while (next(p) != JsonToken.END_ARRAY) {
      ops.add(readOp(p));
    }
    end(p, "a step");
    return new Step(id, ops);
  }

  // ---- Outcome: [op, done, result, failure, bytes, signature|null]

  static void writeOutcome(JsonGenerator g, Outcome o) throws IOException {
    g.writeStartArray();
    writeOp(g, o.op());
    writeOutcomeFields(g, o);
    g.writeEndArray();
  }

  static Outcome readOutcome(JsonParser p) throws IOException {
    begin(p, "an outcome");
    next(p);
    Op op = readOp(p);
    Outcome o = readOutcomeFields(p, op);
    end(p, "an outcome");
    return o;
  }

  private static void writeOutcomeFields(JsonGenerator g, Outcome o) throws IOException {
    g.writeBoolean(o.done());
    writeObserved(g, o.result());
    g.writeString(o.failure());
    g.writeNumber(o.bytes());
    writeOptionalSignature(g, o.signature());
  }

  private static Outcome readOutcomeFields(JsonParser p, Op op) throws IOException {
    boolean done = nextBoolean(p, "done");
    next(p);
    Observed result = readObserved(p);
    String failure = nextString(p, "a failure message");
    long bytes = nextLong(p, "a byte count");
    next(p);
    Optional<Signature> sig = readOptionalSignature(p);
    return new Outcome(op, done, result, failure, bytes, sig);
  }

  // ---- StepResult: [step, [[done, result, failure, bytes, signature|null]...]]: outcome i is that of the
  // step's op i (StepResult's contract), so the op is not repeated; that halves a flush response.

  static void writeStepResult(JsonGenerator g, StepResult r) throws IOException {
    List<Op> ops = r.step().ops();
    List<Outcome> outcomes = r.outcomes();
    if (outcomes.size() > ops.size()) {
      throw new IllegalArgumentException("step " + r.step().id() + " has more outcomes than ops");
    }
    g.writeStartArray();
    writeStep(g, r.step());
    g.writeStartArray();
    for (int i = 0; i < outcomes.size(); i++) {
      Outcome o = outcomes.get(i);
      if (o.op() != ops.get(i) && !o.op().equals(ops.get(i))) {
        throw new IllegalArgumentException("outcome " + i + " of step " + r.step().id() + " is not that of op " + i);
      }
      g.writeStartArray();
      writeOutcomeFields(g, o);
      g.writeEndArray();
    }
    g.writeEndArray();
    g.writeEndArray();
  }

  static StepResult readStepResult(JsonParser p) throws IOException {
    begin(p, "a step result");
    next(p);
    Step step = readStep(p);
    next(p);
    begin(p, "a step's outcomes");
    List<Outcome> outcomes = new ArrayList<>();
    while (next(p) != JsonToken.END_ARRAY) {
      if (outcomes.size() == step.ops().size()) {
        throw new JsonParseException(p, "step " + step.id() + " has " + step.ops().size()
            + " ops and more outcomes");
      }
      begin(p, "an outcome");
      outcomes.add(readOutcomeFields(p, step.ops().get(outcomes.size())));
      end(p, "an outcome");
    }
    end(p, "a step result");
    return new StepResult(step, outcomes);
  }

  // ---- ArchiveWrite: [path, observed, signature|null, keepSignature]

  static void writeArchiveWrite(JsonGenerator g, ArchiveWrite w) throws IOException {
    g.writeStartArray();
    writePath(g, w.path());
    writeObserved(g, w.observed());
    writeOptionalSignature(g, w.signature());
    g.writeBoolean(w.keepSignature());
    g.writeEndArray();
  }

  static ArchiveWrite readArchiveWrite(JsonParser p) throws IOException {
    begin(p, "an archive write");
    next(p);
    RelPath path = readPath(p);
    next(p);
    Observed observed = readObserved(p);
    next(p);
    Optional<Signature> sig = readOptionalSignature(p);
    boolean keep = nextBoolean(p, "keepSignature");
    end(p, "an archive write");
    return new ArchiveWrite(path, observed, sig, keep);
  }

  // ---- ScanStats: [entries, hashed, bytesHashed, updates, [emptied path...]]

  static void writeScanStats(JsonGenerator g, ScanStats s) throws IOException {
    g.writeStartArray();
    g.writeNumber(s.entries());
    g.writeNumber(s.hashed());
    g.writeNumber(s.bytesHashed());
    g.writeNumber(s.updates());
    g.writeStartArray();
    for (RelPath path : s.emptied()) {
      writePath(g, path);
    }
    g.writeEndArray();
    g.writeEndArray();
  }

  static ScanStats readScanStats(JsonParser p) throws IOException {
    begin(p, "scan counters");
    long entries = nextLong(p, "an entry count");
    long hashed = nextLong(p, "a hashed count");
    long bytesHashed = nextLong(p, "a byte count");
    long updates = nextLong(p, "an update count");
    next(p);
    begin(p, "emptied scopes");
    List<RelPath> emptied = new ArrayList<>();
    while (next(p) != JsonToken.END_ARRAY) {
      emptied.add(readPath(p));
    }
    end(p, "scan counters");
    return new ScanStats(entries, hashed, bytesHashed, updates, emptied);
  }

  // ---- PropsPolicy: [permMask, times]

  static void writeProps(JsonGenerator g, PropsPolicy props) throws IOException {
    g.writeStartArray();
    g.writeNumber(props.permMask());
    g.writeBoolean(props.times());
    g.writeEndArray();
  }

  static PropsPolicy readProps(JsonParser p) throws IOException {
    begin(p, "a property policy");
    PropsPolicy props = new PropsPolicy(nextInt(p, "a permission mask"), nextBoolean(p, "times"));
    end(p, "a property policy");
    return props;
  }

  // ---- Token helpers: strict (no coercion between numbers, strings and booleans).

  private static JsonToken next(JsonParser p) throws IOException {
    JsonToken t = p.nextToken();
    if (t == null) {
      throw new JsonParseException(p, "message ends in the middle of a value");
    }
    return t;
  }

  private static void begin(JsonParser p, String what) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new JsonParseException(p, "expected " + what + " (an array), got " + p.currentToken());
    }
  }

  private static void end(JsonParser p, String what) throws IOException {
    if (next(p) != JsonToken.END_ARRAY) {
      throw new JsonParseException(p, "too many elements in " + what);
    }
  }

  private static long longValue(JsonParser p, String what) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
      throw new JsonParseException(p, "expected " + what + " (an integer), got " + p.currentToken());
    }
    return p.getLongValue();
  }

  private static long nextLong(JsonParser p, String what) throws IOException {
    next(p);
    return longValue(p, what);
  }

  private static int nextInt(JsonParser p, String what) throws IOException {
    next(p);
    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
      throw new JsonParseException(p, "expected " + what + " (an integer), got " + p.currentToken());
    }
    return p.getIntValue();
  }

  private static boolean nextBoolean(JsonParser p, String what) throws IOException {
    JsonToken t = next(p);
    if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
      throw new JsonParseException(p, "expected " + what + " (a boolean), got " + t);
    }
    return t == JsonToken.VALUE_TRUE;
  }

  private static String string(JsonParser p, String what) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw new JsonParseException(p, "expected " + what + " (a string), got " + p.currentToken());
    }
    return p.getText();
  }

  private static String nextString(JsonParser p, String what) throws IOException {
    next(p);
    return string(p, what);
  }

  private static byte[] nextBinary(JsonParser p, String what) throws IOException {
    if (next(p) != JsonToken.VALUE_EMBEDDED_OBJECT) {
      throw new JsonParseException(p, "expected " + what + " (binary), got " + p.currentToken());
    }
    return p.getBinaryValue();
  }
}
