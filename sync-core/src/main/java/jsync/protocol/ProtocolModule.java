package jsync.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.Optional;
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
import jsync.core.model.Stamp;
import jsync.core.scan.ScanStats;
import jsync.core.scan.Update;
import jsync.core.sync.ArchiveWrite;

/**
 * Registers {@link ModelCodec}'s encodings of the core model types with Jackson, so message records can hold
 * them as components, plus {@link Optional} (Jackson 2 supports it only through an extra module; this is the
 * whole of what the messages need: empty as {@code null}). The model classes themselves carry no Jackson
 * annotations.
 */
final class ProtocolModule extends SimpleModule {
  @FunctionalInterface
  private interface Writer<T> {
    void write(JsonGenerator g, T value) throws IOException;
  }

  @FunctionalInterface
  private interface Reader<T> {
    T read(JsonParser p) throws IOException;
  }

  ProtocolModule() {
    super("jsync-protocol");
    add(RelPath.class, ModelCodec::writePath, ModelCodec::readPath);
    add(Fingerprint.class, ModelCodec::writeFingerprint, ModelCodec::readFingerprint);
    add(Stamp.class, ModelCodec::writeStamp, ModelCodec::readStamp);
    // Registered on the interface, the serializer also covers Entry.File and the other kinds.
    add(Entry.class, ModelCodec::writeEntry, ModelCodec::readEntry);
    addDeserializer(Entry.File.class, deserializer(Entry.File.class, ModelCodec::readFile));
    add(Observed.class, ModelCodec::writeObserved, ModelCodec::readObserved);
    add(Signature.class, ModelCodec::writeSignature, ModelCodec::readSignature);
    add(Update.class, ModelCodec::writeUpdate, ModelCodec::readUpdate);
    add(Op.class, ModelCodec::writeOp, ModelCodec::readOp);
    add(Step.class, ModelCodec::writeStep, ModelCodec::readStep);
    add(Outcome.class, ModelCodec::writeOutcome, ModelCodec::readOutcome);
    add(StepResult.class, ModelCodec::writeStepResult, ModelCodec::readStepResult);
    add(ArchiveWrite.class, ModelCodec::writeArchiveWrite, ModelCodec::readArchiveWrite);
    add(ScanStats.class, ModelCodec::writeScanStats, ModelCodec::readScanStats);
    add(PropsPolicy.class, ModelCodec::writeProps, ModelCodec::readProps);
    @SuppressWarnings({"unchecked", "rawtypes"})
    Class<Optional<?>> optional = (Class) Optional.class;
    addSerializer(optional, new OptionalSerializer());
    addDeserializer(optional, new OptionalDeserializer(null, null));
  }

  private <T> void add(Class<T> type, Writer<T> writer, Reader<T> reader) {
    addSerializer(type, new StdSerializer<T>(type) {
      @Override
      public void serialize(T value, JsonGenerator g, SerializerProvider provider) throws IOException {
        writer.write(g, value);
      }
    });
    addDeserializer(type, deserializer(type, reader));
  }

  private static <T> JsonDeserializer<T> deserializer(Class<T> type, Reader<T> reader) {
    return new StdDeserializer<T>(type) {
      @Override
      public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        return reader.read(p);
      }
    };
  }

  /** An empty optional as {@code null}, a present one as its value. */
  private static final class OptionalSerializer extends StdSerializer<Optional<?>> {
    @SuppressWarnings({"unchecked", "rawtypes"})
    OptionalSerializer() {
      super((Class) Optional.class);
    }

    @Override
    public void serialize(Optional<?> value, JsonGenerator g, SerializerProvider provider) throws IOException {
      if (value.isPresent()) {
        provider.defaultSerializeValue(value.get(), g);
      } else {
        g.writeNull();
      }
    }
  }

  /**
   * Reads {@code null} as an empty optional, anything else with the deserializer of the declared content
   * type (found when Jackson contextualizes this one for a record component).
   */
  private static final class OptionalDeserializer extends StdDeserializer<Optional<?>>
      implements ContextualDeserializer {
    private final JavaType contentType;
    private final JsonDeserializer<Object> content;

    OptionalDeserializer(JavaType contentType, JsonDeserializer<Object> content) {
      super(Optional.class);
      this.contentType = contentType;
      this.content = content;
    }

    @Override
    public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property)
        throws JsonMappingException {
      JavaType type = property != null ? property.getType() : ctxt.getContextualType();
      JavaType ct = type == null ? null : type.containedType(0);
      if (ct == null) {
        throw JsonMappingException.from(ctxt, "an Optional without a declared content type");
      }
      return new OptionalDeserializer(ct, ctxt.findContextualValueDeserializer(ct, property));
    }

    @Override
    public Optional<?> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (content == null) {
        throw JsonMappingException.from(p, "an Optional read without its content type");
      }
      if (p.currentToken() == JsonToken.VALUE_NULL) {
        return Optional.empty();
      }
      Object value = content.deserialize(p, ctxt);
      if (value == null) {
        throw JsonMappingException.from(p, "null inside an optional " + contentType);
      }
      return Optional.of(value);
    }

    @Override
    public Optional<?> getNullValue(DeserializationContext ctxt) {
      return Optional.empty();
    }
  }
}
