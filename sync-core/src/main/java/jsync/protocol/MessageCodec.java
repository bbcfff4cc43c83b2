package jsync.protocol;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import com.fasterxml.jackson.dataformat.smile.SmileGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jsync.protocol.Message.ApplyStep;
import jsync.protocol.Message.ApplyStepPart;
import jsync.protocol.Message.CloseRequest;
import jsync.protocol.Message.CommitRequest;
import jsync.protocol.Message.ErrorResponse;
import jsync.protocol.Message.ExistsRequest;
import jsync.protocol.Message.ExistsResponse;
import jsync.protocol.Message.FlushPart;
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
 * Encodes {@link Message}s as Smile, the payload of {@link Frame.Type#CONTROL} frames, and decodes them from
 * untrusted bytes. Thread-safe.
 *
 * <p>Each payload is one Smile document, an object {@code {"type": NAME, "id": REQUEST_ID, "body": {...}}}
 * with the fields in that order. The type is resolved here, against the closed {@link #REGISTRY} of wire
 * names, the only place a class is chosen from the input, and an unknown name is a {@link ProtocolException}.
 * The body is the message record, component by component ({@link MessageSchema}), with core model values in
 * {@link ModelCodec}'s positional form.
 *
 * <p>Decoding is strict: unknown, missing, duplicate or null fields, a string where a number belongs (or
 * the reverse), trailing data, nesting deeper than 32, and every invariant a model or message constructor
 * checks (paths that would leave the root, negative sizes, ...) are a {@link ProtocolException} naming the
 * message type.
 */
public final class MessageCodec {
  /** Wire names of the messages. A name, once released, means the same message until the version changes. */
  private static final Map<String, Class<? extends Message>> REGISTRY = new LinkedHashMap<>();
  private static final Map<Class<? extends Message>, String> NAMES = new LinkedHashMap<>();

  static {
    register("hello", Hello.class);
    register("rootRequest", RootRequest.class);
    register("rootResponse", RootResponse.class);
    register("openRequest", OpenRequest.class);
    register("openResponse", OpenResponse.class);
    register("scanRequest", ScanRequest.class);
    register("scanBatch", ScanBatch.class);
    register("scanDone", ScanDone.class);
    register("lookupRequest", LookupRequest.class);
    register("lookupResponse", LookupResponse.class);
    register("hashRequest", HashRequest.class);
    register("hashResponse", HashResponse.class);
    register("existsRequest", ExistsRequest.class);
    register("existsResponse", ExistsResponse.class);
    register("readRequest", ReadRequest.class);
    register("applyStep", ApplyStep.class);
    register("applyStepPart", ApplyStepPart.class);
    register("flushRequest", FlushRequest.class);
    register("flushPart", FlushPart.class);
    register("flushResponse", FlushResponse.class);
    register("commitRequest", CommitRequest.class);
    register("watchRequest", WatchRequest.class);
    register("changes", Changes.class);
    register("closeRequest", CloseRequest.class);
    register("okResponse", OkResponse.class);
    register("errorResponse", ErrorResponse.class);
  }

  private static void register(String name, Class<? extends Message> type) {
    if (REGISTRY.put(name, type) != null || NAMES.put(type, name) != null) {
      throw new IllegalStateException("message registered twice: " + name + ", " + type);
    }
  }

  /**
   * The deepest nesting a message needs is 9 (an entry in an op's expected state, in a step of a flush
   * response's results); Jackson's default of 1000 would let a peer make the parser work far harder.
   */
  private static final int MAX_NESTING = 32;

  private final SmileFactory factory;
  // Made on first use: a run uses a third of the 26 messages (a no-change run: 9).
  private final Map<Class<? extends Message>, MessageSchema> schemas = new ConcurrentHashMap<>();

  public MessageCodec() {
    factory = SmileFactory.builder()
        // Repeated short strings (entry kinds, problem kinds, a directory's repeated names) become one-byte
        // back-references, as property names already do by default.
        .enable(SmileGenerator.Feature.CHECK_SHARED_STRING_VALUES)
        // Signatures are binary: raw bytes, not Smile's default 7-bit encoding (which is for transports
        // that cannot carry bytes with the high bit set; frames can).
        .disable(SmileGenerator.Feature.ENCODE_BINARY_AS_7BIT)
        // Peer-chosen names must not fill the JVM's string pool.
        .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING)
            .maxStringLength(Frame.MAX_PAYLOAD)
            .maxNameLength(256)
            .maxNumberLength(64)
            .maxDocumentLength(Frame.MAX_PAYLOAD)
            .build())
        .build();
  }

  private MessageSchema schema(Class<? extends Message> type) {
    return schemas.computeIfAbsent(type, MessageSchema::of);
  }

  /** The wire name of a message type. */
  public static String nameOf(Class<? extends Message> type) {
    String name = NAMES.get(type);
    if (name == null) {
      throw new IllegalArgumentException(type.getName() + " is not a registered message");
    }
    return name;
  }

  /** The registered message types by wire name, in registration order. */
  static Map<String, Class<? extends Message>> registry() {
    return Collections.unmodifiableMap(REGISTRY);
  }

  /**
   * Encodes a message in its envelope.
   *
   * @param id the request id ({@code >= 0}): a new one for a request, the request's for a response
   * @throws IllegalArgumentException for an unregistered message type or a negative id
   */
  public byte[] encode(long id, Message message) {
    if (id < 0) {
      throw new IllegalArgumentException("negative request id " + id);
    }
    Class<? extends Message> type = message.getClass();
    String name = nameOf(type);
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = factory.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("type", name);
      g.writeNumberField("id", id);
      g.writeFieldName("body");
      schema(type).write(g, message);
      g.writeEndObject();
    } catch (IOException e) {
      // Only a bug can get here: the output is in memory.
      throw new UncheckedIOException("cannot encode " + name, e);
    }
    return out.toByteArray();
  }

  /** Encodes a message into a control frame. */
  public Frame frame(long id, Message message) {
    return Frame.control(encode(id, message));
  }

  /**
   * Decodes the payload of a control frame.
   *
   * @throws ProtocolException for anything but one well-formed, valid, registered message
   */
  public Envelope decode(byte[] payload) {
    String name = null;
    try (JsonParser p = factory.createParser(payload)) {
      expect(p, JsonToken.START_OBJECT, "a message");
      field(p, "type");
      expect(p, JsonToken.VALUE_STRING, "a message type");
      name = p.getText();
      Class<? extends Message> type = REGISTRY.get(name);
      if (type == null) {
        throw new ProtocolException("unknown message type '" + printable(name)
            + "' from the remote jsync (is it a different version?)");
      }
      field(p, "id");
      expect(p, JsonToken.VALUE_NUMBER_INT, "a request id");
      long id = p.getLongValue();
      if (id < 0) {
        throw new ProtocolException("negative request id " + id + " in a " + name + " message");
      }
      field(p, "body");
      expect(p, JsonToken.START_OBJECT, "the message body");
      Message message = schema(type).read(p);
      expect(p, JsonToken.END_OBJECT, "the end of the message");
      // Smile reads a second header as the start of a new document, not as an error: check the offset.
      if (p.currentLocation().getByteOffset() != payload.length || p.nextToken() != null) {
        throw new ProtocolException("data after the end of a " + name + " message");
      }
      return new Envelope(id, message);
    } catch (ProtocolException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // Untrusted input: whatever failed (Jackson, a model invariant, a null where a value belongs) is the
      // peer's fault, reported with the innermost cause, which says what was wrong.
      throw new ProtocolException("malformed " + (name == null ? "control" : name) + " message from the "
          + "remote jsync: " + rootMessage(e), e);
    }
  }

  /**
   * Decodes a control frame.
   *
   * @throws ProtocolException if it is not a control frame or not a valid message
   */
  public Envelope decode(Frame frame) {
    if (frame.type() != Frame.Type.CONTROL) {
      throw new ProtocolException("expected a control message, got a " + frame.type() + " frame on channel "
          + frame.channel());
    }
    return decode(frame.payload());
  }

  private static void expect(JsonParser p, JsonToken token, String what) throws IOException {
    JsonToken t = p.nextToken();
    if (t != token) {
      throw new ProtocolException("malformed control message: expected " + what + ", got "
          + (t == null ? "the end of the message" : t));
    }
  }

  private static void field(JsonParser p, String name) throws IOException {
    expect(p, JsonToken.FIELD_NAME, "field '" + name + "'");
    if (!name.equals(p.currentName())) {
      throw new ProtocolException("malformed control message: expected field '" + name + "', got '"
          + printable(p.currentName()) + "'");
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t instanceof JacksonException je ? je.getOriginalMessage() : t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
  }

  /** A peer-supplied string made safe to show: control characters escaped, length capped. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 80; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\x%02x", (int) c));
      } else {
        b.append(c);
      }
    }
    return s.length() > 80 ? b + "..." : b.toString();
  }
}
