package jsync.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import com.fasterxml.jackson.dataformat.smile.databind.SmileMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import jsync.core.model.Entry;
import jsync.core.model.Fingerprint;
import jsync.core.model.Observed;
import jsync.core.model.RelPath;
import jsync.core.model.Stamp;
import jsync.core.scan.Update;
import jsync.protocol.Message.LookupRequest;
import jsync.protocol.Message.ScanBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Control messages: round trips of every type, and strict decoding of hostile or malformed input. */
class MessageCodecTest {
  private final MessageCodec codec = new MessageCodec();
  /** Encodes arbitrary trees, to hand the codec what a hostile or buggy peer could send. */
  private static final SmileMapper RAW = new SmileMapper();

  static Stream<Message> samples() {
    return ProtocolFixtures.samples().stream();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void everyMessage_roundTrips(Message m) {
    byte[] encoded = codec.encode(42, m);
    Envelope decoded = codec.decode(encoded);
    assertEquals(42, decoded.id());
    assertEquals(m, decoded.message());
    // Deterministic: the same message always encodes to the same bytes (golden files rely on it).
    assertArrayEquals(encoded, codec.encode(42, decoded.message()));
  }

  @Test
  void everyPermittedMessage_isRegistered_andHasASample() {
    Set<Class<?>> permitted = new HashSet<>(Arrays.asList(Message.class.getPermittedSubclasses()));
    assertEquals(permitted, new HashSet<>(MessageCodec.registry().values()),
        "every Message record needs exactly one registration in MessageCodec");
    Set<Class<?>> sampled = new HashSet<>();
    ProtocolFixtures.samples().forEach(m -> sampled.add(m.getClass()));
    assertEquals(permitted, sampled, "ProtocolFixtures.samples() must cover every message type");
  }

  @Test
  void largeRequestIds_roundTrip() {
    assertEquals(Long.MAX_VALUE, codec.decode(codec.encode(Long.MAX_VALUE, new Message.OkResponse())).id());
    assertThrows(IllegalArgumentException.class, () -> codec.encode(-1, new Message.OkResponse()));
  }

  @Test
  void scanBatch_isCompact() {
    // A typical no-op-ish batch: 1000 modified files in a few directories, with fresh stamps.
    List<Update> updates = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      RelPath path = RelPath.parse("www/site" + (i % 10) + "/page-" + i + ".html");
      Entry.File before = new Entry.File(10_000 + i, 1_700_000_000_000_000_000L + i, 0644, Fingerprint.of(i * 31L));
      Entry.File after = new Entry.File(10_100 + i, 1_700_000_900_000_000_000L + i, 0644, Fingerprint.of(i * 37L));
      updates.add(new Update(path, new Observed(before, new Stamp(10_000 + i, before.mtimeNanos(), 5000 + i, 0)),
          new Observed(after, new Stamp(10_100 + i, after.mtimeNanos(), 5000 + i, 0)), Optional.empty()));
    }
    byte[] encoded = codec.encode(1, new ScanBatch(updates));
    assertEquals(new ScanBatch(updates), codec.decode(encoded).message());
    // About 120 bytes per update: a path and two entries with their stamps, i.e. 12 numbers of which the
    // nanosecond times (four per update) and the hashes take 8 to 10 bytes each.
    assertTrue(encoded.length < 125 * 1000, "1000 updates took " + encoded.length + " bytes");
  }

  // ---- Hostile and malformed input

  @ParameterizedTest
  @ValueSource(strings = {"../x", "a/../../etc/passwd", "/etc/passwd", "a//b", "a/", ".", "..", "a/./b", "a\0b"})
  void hostilePathInRequest_isRefused(String path) {
    byte[] bad = envelope("lookupRequest", 3, Map.of("paths", List.of("ok/path", path)));
    ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(bad));
    assertTrue(e.getMessage().startsWith("malformed lookupRequest message from the remote jsync: invalid relative path"),
        e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x", "/abs", "a\0b"})
  void hostilePathInScanBatch_isRefused(String path) {
    List<Object> update = Arrays.asList(path, List.of(List.of("ABSENT"), List.of(-1, 0, 0, 0)),
        List.of(List.of("DIR", 0755), List.of(-1, 0, 0, 0)), null);
    byte[] bad = envelope("scanBatch", 5, Map.of("updates", List.of(update)));
    ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(bad));
    assertTrue(e.getMessage().contains("scanBatch") && e.getMessage().contains("invalid relative path"), e.getMessage());
  }

  @Test
  void hostileReuseFromInStep_isRefused() {
    List<Object> op = List.of("PUT", "a", List.of("DIR", 0755), List.of(List.of("ABSENT"), List.of(-1, 0, 0, 0)),
        "../../outside", List.of(-1, 0, 0, 0));
    byte[] bad = envelope("applyStep", 0, Map.of("step", List.of(1, List.of(op))));
    ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(bad));
    assertTrue(e.getMessage().contains("applyStep") && e.getMessage().contains("'../../outside'"), e.getMessage());
  }

  @Test
  void unknownMessageType_isRefused() {
    ProtocolException e = assertThrows(ProtocolException.class,
        () -> codec.decode(envelope("formatDisk", 1, Map.of())));
    assertEquals("unknown message type 'formatDisk' from the remote jsync (is it a different version?)", e.getMessage());
  }

  @Test
  void jacksonPolymorphismHints_areNotFollowed() {
    // A class name where a value belongs is just an unknown field or a wrong type, never a class to load.
    byte[] bad = envelope("existsRequest", 1, Map.of("path", List.of("java.net.URL", "http://example.com")));
    assertThrows(ProtocolException.class, () -> codec.decode(bad));
    byte[] bad2 = envelope("existsRequest", 1, Map.of("@class", "java.lang.ProcessBuilder", "path", "a"));
    assertThrows(ProtocolException.class, () -> codec.decode(bad2));
  }

  @Test
  void strictFields() {
    Map<String, Object> ok = new LinkedHashMap<>();
    ok.put("root", "/srv");
    ok.put("create", false);
    assertEquals(new Message.RootRequest("/srv", false), codec.decode(envelope("rootRequest", 1, ok)).message());

    Map<String, Object> unknown = new LinkedHashMap<>(ok);
    unknown.put("force", true);
    assertMalformed("rootRequest", envelope("rootRequest", 1, unknown));
    assertMalformed("rootRequest", envelope("rootRequest", 1, Map.of("root", "/srv")));
    Map<String, Object> nullRoot = new LinkedHashMap<>(ok);
    nullRoot.put("root", null);
    assertMalformed("rootRequest", envelope("rootRequest", 1, nullRoot));
    Map<String, Object> numberRoot = new LinkedHashMap<>(ok);
    numberRoot.put("root", 17);
    assertMalformed("rootRequest", envelope("rootRequest", 1, numberRoot));
    Map<String, Object> stringBool = new LinkedHashMap<>(ok);
    stringBool.put("create", "true");
    assertMalformed("rootRequest", envelope("rootRequest", 1, stringBool));
    assertMalformed("flushRequest", envelope("flushRequest", 1, Map.of("keepInFlight", "3")));
    assertMalformed("flushRequest", envelope("flushRequest", 1, Map.of("keepInFlight", 2.5)));
    assertMalformed("flushRequest", envelope("flushRequest", 1, Map.of("keepInFlight", 1L << 40)));
    assertMalformed("errorResponse", envelope("errorResponse", 1, Map.of("kind", 0, "message", "x")));
    assertMalformed("errorResponse", envelope("errorResponse", 1, Map.of("kind", "LETHAL", "message", "x")));
    // Fields in any order; an optional is null when empty, but never missing.
    Map<String, Object> reordered = new LinkedHashMap<>();
    reordered.put("syncId", null);
    reordered.put("archiveEmpty", true);
    assertEquals(new Message.OpenResponse(true, Optional.empty()),
        codec.decode(envelope("openResponse", 1, reordered)).message());
    assertMalformed("openResponse", envelope("openResponse", 1, Map.of("archiveEmpty", true)));
    // A list is an array of its element's form, never null, never holding one of another kind.
    Map<String, Object> changes = new LinkedHashMap<>();
    changes.put("paths", List.of("a", 7));
    changes.put("rescan", null);
    changes.put("stopped", null);
    assertMalformed("changes", envelope("changes", 1, changes));
    changes.put("paths", null);
    assertMalformed("changes", envelope("changes", 1, changes));
    changes.put("paths", "a");
    assertMalformed("changes", envelope("changes", 1, changes));
    changes.put("paths", List.of("a"));
    assertEquals(new Message.Changes(List.of(RelPath.parse("a")), Optional.empty(), Optional.empty()),
        codec.decode(envelope("changes", 1, changes)).message());
    // No coercion of the other kinds either: a number is not a boolean, binary is not a string (databind made
    // it base64 text), an enum name is not trimmed (databind retried it trimmed).
    Map<String, Object> numberBool = new LinkedHashMap<>(ok);
    numberBool.put("create", 1);
    assertMalformed("rootRequest", envelope("rootRequest", 1, numberBool));
    Map<String, Object> binaryRoot = new LinkedHashMap<>(ok);
    binaryRoot.put("root", "/srv".getBytes(StandardCharsets.UTF_8));
    assertMalformed("rootRequest", envelope("rootRequest", 1, binaryRoot));
    assertMalformed("errorResponse", envelope("errorResponse", 1, Map.of("kind", " FATAL ", "message", "x")));
    assertEquals(new Message.ErrorResponse(Message.ErrorResponse.Kind.FATAL, "x"),
        codec.decode(envelope("errorResponse", 1, Map.of("kind", "FATAL", "message", "x"))).message());
    // An empty record takes no field; a model value is never null.
    assertMalformed("closeRequest", envelope("closeRequest", 1, Map.of("now", true)));
    Map<String, Object> read = new LinkedHashMap<>();
    read.put("channel", 3);
    read.put("path", "a");
    read.put("want", Arrays.asList("FILE", 1, 0, 0644, null));
    read.put("stamp", null);
    read.put("base", null);
    assertMalformed("readRequest", envelope("readRequest", 1, read));
  }

  @Test
  void duplicateField_isRefused() throws Exception {
    // Built with the streaming API: a Map cannot hold a key twice.
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (var g = new SmileFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("type", "existsRequest");
      g.writeNumberField("id", 1);
      g.writeFieldName("body");
      g.writeStartObject();
      g.writeStringField("path", "a");
      g.writeStringField("path", "../b");
      g.writeEndObject();
      g.writeEndObject();
    }
    assertThrows(ProtocolException.class, () -> codec.decode(out.toByteArray()));
  }

  @Test
  void malformedEnvelopes_areRefused() {
    byte[] good = codec.encode(1, new Message.OkResponse());
    assertThrows(ProtocolException.class, () -> codec.decode(new byte[0]));
    assertThrows(ProtocolException.class, () -> codec.decode("{\"type\":\"okResponse\"}".getBytes(StandardCharsets.UTF_8)));
    byte[] twice = new byte[good.length * 2];
    System.arraycopy(good, 0, twice, 0, good.length);
    System.arraycopy(good, 0, twice, good.length, good.length);
    ProtocolException trailing = assertThrows(ProtocolException.class, () -> codec.decode(twice));
    assertTrue(trailing.getMessage().contains("after the end"), trailing.getMessage());
    Map<String, Object> reordered = new LinkedHashMap<>();
    reordered.put("id", 1);
    reordered.put("type", "okResponse");
    reordered.put("body", Map.of());
    assertThrows(ProtocolException.class, () -> codec.decode(raw(reordered)));
    assertThrows(ProtocolException.class, () -> codec.decode(envelope("okResponse", -5, Map.of())));
    assertThrows(ProtocolException.class, () -> codec.decode(raw(List.of("okResponse", 1, Map.of()))));
  }

  @Test
  void modelInvariants_becomeProtocolExceptions_namingTheMessage() {
    List<Object> absentStamp = List.of(-1, 0, 0, 0);
    // A file of negative size.
    assertMalformed("lookupResponse", envelope("lookupResponse", 1,
        Map.of("records", List.of(List.of(List.of("FILE", -1, 0, 0644, 5), absentStamp)))));
    // Mode bits beyond 07777.
    assertMalformed("lookupResponse", envelope("lookupResponse", 1,
        Map.of("records", List.of(List.of(List.of("DIR", 010000), absentStamp)))));
    // An unknown entry kind, an unknown problem kind, a symlink to nothing.
    assertMalformed("lookupResponse", envelope("lookupResponse", 1,
        Map.of("records", List.of(List.of(List.of("DEVICE", 1), absentStamp)))));
    assertMalformed("lookupResponse", envelope("lookupResponse", 1,
        Map.of("records", List.of(List.of(List.of("PROBLEM", "ON_FIRE", "x"), absentStamp)))));
    assertMalformed("lookupResponse", envelope("lookupResponse", 1,
        Map.of("records", List.of(List.of(List.of("LINK", ""), absentStamp)))));
    // Extra and missing array elements.
    assertMalformed("lookupResponse", envelope("lookupResponse", 1,
        Map.of("records", List.of(List.of(List.of("DIR", 0755, 1), absentStamp)))));
    assertMalformed("lookupResponse", envelope("lookupResponse", 1,
        Map.of("records", List.of(List.of(List.of("DIR"), absentStamp)))));
    assertMalformed("lookupResponse", envelope("lookupResponse", 1, Map.of("records", Arrays.asList((Object) null))));
    // A REMOVE that wants a file.
    List<Object> op = Arrays.asList("REMOVE", "a", List.of("DIR", 0755), List.of(List.of("ABSENT"), absentStamp),
        null, absentStamp);
    ProtocolException e = assertThrows(ProtocolException.class,
        () -> codec.decode(envelope("applyStep", 0, Map.of("step", List.of(1, List.of(op))))));
    assertTrue(e.getMessage().startsWith("malformed applyStep message") && e.getMessage().contains("REMOVE with want"),
        e.getMessage());
    // Message invariants: a read on the control channel, a negative flush.
    assertMalformed("flushRequest", envelope("flushRequest", 1, Map.of("keepInFlight", -1)));
    Map<String, Object> read = new LinkedHashMap<>();
    read.put("channel", 0);
    read.put("path", "a");
    read.put("want", Arrays.asList("FILE", 1, 0, 0644, null));
    read.put("stamp", absentStamp);
    read.put("base", null);
    assertMalformed("readRequest", envelope("readRequest", 1, read));
    read.put("channel", 3);
    read.put("want", List.of("DIR", 0755));
    assertMalformed("readRequest", envelope("readRequest", 1, read));
  }

  @Test
  void signatureLengths_areChecked() {
    Map<String, Object> read = new LinkedHashMap<>();
    read.put("channel", 3);
    read.put("path", "a");
    read.put("want", Arrays.asList("FILE", 1, 0, 0644, null));
    read.put("stamp", List.of(-1, 0, 0, 0));
    // 2500 bytes in blocks of 1024 is 3 blocks: 12 weak and 24 strong bytes, not 8 and 16.
    read.put("base", List.of(1024, 0, 2500, new byte[8], new byte[16]));
    assertMalformed("readRequest", envelope("readRequest", 1, read));
    read.put("base", List.of(0, 0, 2500, new byte[0], new byte[0]));
    assertMalformed("readRequest", envelope("readRequest", 1, read));
    read.put("base", List.of(1, 0, Long.MAX_VALUE, new byte[0], new byte[0]));
    assertMalformed("readRequest", envelope("readRequest", 1, read));
    read.put("base", List.of(1024, 0, 2500, new byte[12], new byte[24]));
    assertTrue(codec.decode(envelope("readRequest", 1, read)).message() instanceof Message.ReadRequest);
  }

  @Test
  void deepNesting_isRefused_withoutStackOverflow() {
    Object nested = "x";
    for (int i = 0; i < 900; i++) {
      nested = List.of(nested);
    }
    Object deep = nested;
    assertThrows(ProtocolException.class, () -> codec.decode(envelope("lookupRequest", 1, Map.of("paths", deep))));
  }

  @Test
  void hugeDeclaredBinaryLength_failsFast() {
    // Smile raw binary: token 0xFD, then the length as a VInt; here about 2^34 bytes, with 3 bytes of data.
    byte[] good = codec.encode(1, new Message.ReadRequest(3, RelPath.parse("a"), ProtocolFixtures.F1,
        Stamp.NONE, Optional.of(ProtocolFixtures.SIG)));
    int at = indexOf(good, (byte) 0xFD);
    assertTrue(at > 0, "no raw binary in the encoding");
    byte[] bad = Arrays.copyOf(good, at + 10);
    bad[at + 1] = 0x7f;
    bad[at + 2] = 0x7f;
    bad[at + 3] = 0x7f;
    bad[at + 4] = 0x7f;
    bad[at + 5] = (byte) 0xbf;
    assertTimeoutPreemptively(Duration.ofSeconds(5),
        () -> assertThrows(ProtocolException.class, () -> codec.decode(bad)));
  }

  /** Random corruption of every sample: each decode succeeds or throws ProtocolException, nothing else. */
  @Test
  void corruptedEncodings_onlyEverThrowProtocolException() {
    Random random = new Random(20261101);
    for (Message m : ProtocolFixtures.samples()) {
      byte[] good = codec.encode(9, m);
      for (int round = 0; round < 200; round++) {
        byte[] bad = good.clone();
        int flips = 1 + random.nextInt(3);
        for (int i = 0; i < flips; i++) {
          bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
        }
        if (random.nextInt(4) == 0) {
          bad = Arrays.copyOf(bad, random.nextInt(bad.length));
        }
        try {
          codec.decode(bad);
        } catch (ProtocolException expected) {
          // The only acceptable failure.
        } catch (Throwable t) {
          fail("decoding a corrupted " + m.getClass().getSimpleName() + " threw " + t, t);
        }
      }
    }
  }

  // ---- helpers

  private void assertMalformed(String type, byte[] payload) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(payload));
    assertTrue(e.getMessage().startsWith("malformed " + type + " message"), e.getMessage());
  }

  static byte[] envelope(String type, long id, Object body) {
    Map<String, Object> env = new LinkedHashMap<>();
    env.put("type", type);
    env.put("id", id);
    env.put("body", body);
    return raw(env);
  }

  static byte[] raw(Object tree) {
    try {
      return RAW.writeValueAsBytes(tree);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static int indexOf(byte[] b, byte x) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == x) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void lookupRequest_preservesOrderAndRoot() {
    LookupRequest r = new LookupRequest(List.of(RelPath.ROOT, ProtocolFixtures.P_UNICODE, ProtocolFixtures.P_INDEX));
    assertEquals(r, codec.decode(codec.encode(1, r)).message());
  }
}
