package jsync.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

/**
 * The body of one {@link Message} type on the wire, read and written with Jackson's streaming API: an object
 * with one field per record component, named as the component, in declaration order. Strings, numbers and
 * booleans are themselves, enums their names, lists arrays, an empty optional {@code null}, and the core
 * model types {@link ModelCodec}'s positional forms (docs/protocol.md).
 *
 * <p>Why not Jackson's databind, which produced exactly these bytes until now (ProtocolGoldenTest holds
 * them): setting up an {@code ObjectMapper} and introspecting the first messages took ~90 ms of CPU in each
 * fresh JVM, at every cron run and on both sides, the remote side's share of it during its scan, the critical
 * path of a no-change run (docs/benchmarks.md). The record's own components say all there is to say about
 * the layout.
 *
 * <p>Reading is strict, as the databind set-up was: every component exactly once (duplicate names are
 * refused by the parser's STRICT_DUPLICATE_DETECTION), no other field, {@code null} only for an optional, no
 * coercion (a number is not a string, 2.5 is not an int, an int must fit), enums by name only; and stricter
 * in two cases databind let through: binary is not a string (databind made it base64 text), and an enum name
 * is not trimmed. A record's own constructor then checks its invariants. Errors are Jackson's
 * {@link JsonParseException}s or the constructor's exceptions; {@link MessageCodec} reports them as the
 * peer's fault.
 */
final class MessageSchema {
  /** One value's wire form: written from, and read to, a non-null Java value. */
  private interface Value {
    void write(JsonGenerator g, Object v) throws IOException;

    /** Reads the value whose first token is the current one, leaving the parser on its last token. */
    Object read(JsonParser p) throws IOException;
  }

  private final Class<? extends Message> type;
  private final String[] names;
  private final Method[] accessors;
  private final Value[] values;
  private final Constructor<? extends Message> constructor;

  private MessageSchema(Class<? extends Message> type) {
    if (!type.isRecord()) {
      throw new IllegalArgumentException(type + " is not a record");
    }
    this.type = type;
    RecordComponent[] rc = type.getRecordComponents();
    names = new String[rc.length];
    accessors = new Method[rc.length];
    values = new Value[rc.length];
    Class<?>[] parameterTypes = new Class<?>[rc.length];
    for (int i = 0; i < rc.length; i++) {
      names[i] = rc[i].getName();
      accessors[i] = rc[i].getAccessor();
      values[i] = valueOf(rc[i].getGenericType());
      parameterTypes[i] = rc[i].getType();
    }
    try {
      constructor = type.getDeclaredConstructor(parameterTypes);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("no canonical constructor in " + type, e);
    }
  }

  /** The schema of a message record; fails on a component type without a wire form (a bug, not input). */
  static MessageSchema of(Class<? extends Message> type) {
    return new MessageSchema(type);
  }

  /** Writes {@code message} (of this schema's type) as an object. */
  void write(JsonGenerator g, Message message) throws IOException {
    g.writeStartObject();
    for (int i = 0; i < names.length; i++) {
      g.writeFieldName(names[i]);
      Object v;
      try {
        v = accessors[i].invoke(message);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("cannot read " + type.getSimpleName() + "." + names[i], e);
      }
      if (v == null) {
        // Records check their components; only a bug in one could get here.
        throw new IllegalStateException(type.getSimpleName() + "." + names[i] + " is null");
      }
      values[i].write(g, v);
    }
    g.writeEndObject();
  }

  /** Reads a message of this type; the parser is on the body's {@code START_OBJECT} and ends on its end. */
  Message read(JsonParser p) throws IOException {
    Object[] args = new Object[names.length];
    boolean[] seen = new boolean[names.length];
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      int i = indexOf(name);
      if (i < 0) {
        throw new JsonParseException(p, "unknown field '" + MessageCodec.printable(name) + "'");
      }
      if (seen[i]) { // the parser refuses duplicates first; kept so that this never depends on a flag
        throw new JsonParseException(p, "duplicate field '" + name + "'");
      }
      seen[i] = true;
      if (p.nextToken() == null) {
        throw new JsonParseException(p, "message ends before the value of '" + name + "'");
      }
      args[i] = values[i].read(p);
    }
    if (t != JsonToken.END_OBJECT) {
      throw new JsonParseException(p, "expected a field or the end of the message body, got " + t);
    }
    for (int i = 0; i < names.length; i++) {
      if (!seen[i]) {
        throw new JsonParseException(p, "missing field '" + names[i] + "'");
      }
    }
    try {
      return constructor.newInstance(args);
    } catch (InvocationTargetException e) {
      // The record's checks refused the values: the peer's fault, told by the record's own message.
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    } catch (InstantiationException | IllegalAccessException e) {
      throw new IllegalStateException("cannot make a " + type.getSimpleName(), e);
    }
  }

  private int indexOf(String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  // ---- Values by declared type.

  private static Value valueOf(Type t) {
    Value model = t instanceof Class<?> c ? MODEL.get(c) : null;
    if (model != null) {
      return model;
    }
    if (t == int.class) {
      return INT;
    }
    if (t == long.class) {
      return LONG;
    }
    if (t == boolean.class) {
      return BOOLEAN;
    }
    if (t == String.class) {
      return STRING;
    }
    if (t instanceof Class<?> c && c.isEnum()) {
      return enumValue(c);
    }
    if (t instanceof ParameterizedType pt && pt.getActualTypeArguments().length == 1) {
      Type content = pt.getActualTypeArguments()[0];
      if (pt.getRawType() == List.class) {
        return list(valueOf(content));
      }
      if (pt.getRawType() == Optional.class) {
        return optional(valueOf(content));
      }
    }
    throw new IllegalStateException("no wire form for " + t);
  }

  private static final Value INT = value((JsonGenerator g, Integer v) -> g.writeNumber(v), p -> {
    expect(p, JsonToken.VALUE_NUMBER_INT, "an integer");
    return p.getIntValue(); // fails on a number out of int's range
  });

  private static final Value LONG = value((JsonGenerator g, Long v) -> g.writeNumber(v), p -> {
    expect(p, JsonToken.VALUE_NUMBER_INT, "an integer");
    return p.getLongValue();
  });

  private static final Value BOOLEAN = value(JsonGenerator::writeBoolean, p -> {
    JsonToken t = p.currentToken();
    if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
      throw new JsonParseException(p, "expected a boolean, got " + t);
    }
    return t == JsonToken.VALUE_TRUE;
  });

  private static final Value STRING = value(JsonGenerator::writeString, p -> {
    expect(p, JsonToken.VALUE_STRING, "a string");
    return p.getText();
  });

  /** A value whose form one writer and one reader give; the reader is never handed a null it did not expect. */
  private static <T, S extends T> Value value(Writer<T> writer, Reader<S> reader) {
    return new Value() {
      @Override
      @SuppressWarnings("unchecked")
      public void write(JsonGenerator g, Object v) throws IOException {
        writer.write(g, (T) v);
      }

      @Override
      public Object read(JsonParser p) throws IOException {
        return reader.read(p);
      }
    };
  }

  private static Value enumValue(Class<?> c) {
    Map<String, Object> byName = new HashMap<>();
    for (Object constant : c.getEnumConstants()) {
      byName.put(((Enum<?>) constant).name(), constant);
    }
    return new Value() {
      @Override
      public void write(JsonGenerator g, Object v) throws IOException {
        g.writeString(((Enum<?>) v).name());
      }

      @Override
      public Object read(JsonParser p) throws IOException {
        expect(p, JsonToken.VALUE_STRING, "one of " + byName.keySet());
        Object constant = byName.get(p.getText());
        if (constant == null) {
          throw new JsonParseException(p, "'" + MessageCodec.printable(p.getText()) + "' is not one of "
              + byName.keySet());
        }
        return constant;
      }
    };
  }

  private static Value list(Value element) {
    return new Value() {
      @Override
      public void write(JsonGenerator g, Object v) throws IOException {
        List<?> list = (List<?>) v;
        g.writeStartArray();
        for (Object e : list) {
          element.write(g, e);
        }
        g.writeEndArray();
      }

      @Override
      public Object read(JsonParser p) throws IOException {
        expect(p, JsonToken.START_ARRAY, "a list");
        List<Object> out = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
          if (t == null) {
            throw new JsonParseException(p, "message ends inside a list");
          }
          out.add(element.read(p));
        }
        return out;
      }
    };
  }

  private static Value optional(Value content) {
    return new Value() {
      @Override
      public void write(JsonGenerator g, Object v) throws IOException {
        Optional<?> o = (Optional<?>) v;
        if (o.isPresent()) {
          content.write(g, o.get());
        } else {
          g.writeNull();
        }
      }

      @Override
      public Object read(JsonParser p) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NULL ? Optional.empty() : Optional.of(content.read(p));
      }
    };
  }

  @FunctionalInterface
  private interface Writer<T> {
    void write(JsonGenerator g, T value) throws IOException;
  }

  @FunctionalInterface
  private interface Reader<T> {
    T read(JsonParser p) throws IOException;
  }

  /**
   * The model types messages hold as components (or list or optional elements), in {@link ModelCodec}'s
   * forms; the ones only nested inside these (fingerprints, ops, outcomes) are ModelCodec's business.
   */
  private static final Map<Class<?>, Value> MODEL = Map.ofEntries(
      model(RelPath.class, ModelCodec::writePath, ModelCodec::readPath),
      model(Stamp.class, ModelCodec::writeStamp, ModelCodec::readStamp),
      model(Entry.File.class, ModelCodec::writeEntry, ModelCodec::readFile),
      model(Observed.class, ModelCodec::writeObserved, ModelCodec::readObserved),
      model(Signature.class, ModelCodec::writeSignature, ModelCodec::readSignature),
      model(Update.class, ModelCodec::writeUpdate, ModelCodec::readUpdate),
      model(Step.class, ModelCodec::writeStep, ModelCodec::readStep),
      model(StepResult.class, ModelCodec::writeStepResult, ModelCodec::readStepResult),
      model(ArchiveWrite.class, ModelCodec::writeArchiveWrite, ModelCodec::readArchiveWrite),
      model(ScanStats.class, ModelCodec::writeScanStats, ModelCodec::readScanStats),
      model(PropsPolicy.class, ModelCodec::writeProps, ModelCodec::readProps));

  private static <T, S extends T> Map.Entry<Class<?>, Value> model(Class<S> type, Writer<T> writer,
      Reader<S> reader) {
    return Map.entry(type, value(writer, p -> {
      // As databind did: a null is never handed to a model reader (inside their forms some give null a
      // meaning of their own, e.g. an unknown fingerprint, which is not what a null component means).
      if (p.currentToken() == JsonToken.VALUE_NULL) {
        throw new JsonParseException(p, "null where a " + type.getSimpleName() + " belongs");
      }
      return reader.read(p);
    }));
  }

  private static void expect(JsonParser p, JsonToken token, String what) throws IOException {
    if (p.currentToken() != token) {
      throw new JsonParseException(p, "expected " + what + ", got " + p.currentToken());
    }
  }
}
