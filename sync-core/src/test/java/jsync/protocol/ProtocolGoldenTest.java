package jsync.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Golden encodings committed under {@code src/test/resources/protocol/}: each is decoded and encoded again,
 * and must come out byte for byte the same. A failure means the wire format changed, deliberately or not.
 * If deliberately: bump {@link Handshake#PROTOCOL_VERSION}, update docs/protocol.md, and regenerate with
 * {@code mvn -pl sync-core test -Dtest=ProtocolGoldenTest -Djsync.protocol.regenerate=true}.
 */
class ProtocolGoldenTest {
  private static final String HOW = "the wire encoding changed: if that is intended, bump Handshake.PROTOCOL_VERSION, "
      + "update docs/protocol.md and regenerate with -Dtest=ProtocolGoldenTest -Djsync.protocol.regenerate=true";
  private static final boolean REGENERATE = Boolean.getBoolean("jsync.protocol.regenerate");

  private final MessageCodec codec = new MessageCodec();

  @Test
  void handshake() throws IOException {
    // What one side sends first: magic, protocol version, hello frame.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FrameWriter w = new FrameWriter(out, false);
    FrameReader unused = new FrameReader(new ByteArrayInputStream(new byte[0]));
    try {
      Handshake.perform(w, unused, codec, ProtocolFixtures.hello());
    } catch (ProtocolException expected) {
      // The peer's side is empty here: only what this side wrote matters.
    }
    byte[] golden = golden("handshake.hex", out.toByteArray(), "magic 'JSYNC\\0', protocol version, hello frame");
    // Read by a peer: the handshake accepts it and reports the hello.
    Message.Hello hello;
    try {
      hello = Handshake.perform(new FrameWriter(new ByteArrayOutputStream(), false),
          new FrameReader(new ByteArrayInputStream(golden)), codec, ProtocolFixtures.hello());
    } catch (ProtocolException e) {
      throw new AssertionError("protocol/handshake.hex is no longer accepted (" + e.getMessage() + "); " + HOW, e);
    }
    assertEquals(ProtocolFixtures.hello(), hello);
    assertArrayEquals(golden, out.toByteArray(), HOW);
  }

  @Test
  void scanBatchWithTwoUpdates() throws IOException {
    checkMessage("scan-batch.hex", 17, ProtocolFixtures.scanBatch(),
        "scanBatch, request 17: a modified file and a created one with a block signature");
  }

  @Test
  void flushResponseWithAFailure() throws IOException {
    checkMessage("flush-response-failure.hex", 18, ProtocolFixtures.flushResponse(),
        "flushResponse, request 18: a step done, a step failed at its second op");
  }

  @Test
  void compressedDataFrame_decodes() throws IOException {
    // Decoded, not re-encoded: LZ4's output may differ between its native and Java implementations.
    byte[] content = "jsync golden content, compressible. ".repeat(40).getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FrameWriter w = new FrameWriter(out, true);
    w.write(Frame.data(5, content));
    w.write(Frame.end(5));
    w.flush();
    byte[] golden = golden("data-lz4.hex", REGENERATE ? out.toByteArray() : null,
        "an LZ4-compressed DATA frame on channel 5, then END");
    assertEquals(FrameWriter.FLAG_LZ4, golden[1], HOW);
    FrameReader r = new FrameReader(new ByteArrayInputStream(golden));
    assertEquals(Frame.data(5, content), r.read(), HOW);
    assertEquals(Frame.end(5), r.read(), HOW);
    assertEquals(Optional.empty(), r.next());
  }

  private void checkMessage(String file, long id, Message message, String what) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FrameWriter w = new FrameWriter(out, false);
    w.write(codec.frame(id, message));
    w.flush();
    byte[] golden = golden(file, out.toByteArray(), what);
    Envelope decoded;
    try {
      decoded = codec.decode(new FrameReader(new ByteArrayInputStream(golden)).read());
    } catch (ProtocolException e) {
      throw new AssertionError("protocol/" + file + " no longer decodes (" + e.getMessage() + "); " + HOW, e);
    }
    assertEquals(new Envelope(id, message), decoded, HOW);
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    FrameWriter w2 = new FrameWriter(again, false);
    w2.write(codec.frame(decoded.id(), decoded.message()));
    w2.flush();
    assertArrayEquals(golden, again.toByteArray(), HOW);
  }

  /** The committed bytes of {@code file}; with regeneration on, first writes {@code current} there. */
  private static byte[] golden(String file, byte[] current, String what) {
    if (REGENERATE && current != null) {
      Path path = Path.of("src/test/resources/protocol", file);
      StringBuilder text = new StringBuilder();
      text.append("# Golden wire encoding, protocol version ").append(Handshake.PROTOCOL_VERSION).append(": ")
          .append(what).append(".\n# Generated by ProtocolGoldenTest; do not edit (see its Javadoc).\n");
      String hex = HexFormat.of().formatHex(current);
      for (int i = 0; i < hex.length(); i += 64) {
        text.append(hex, i, Math.min(hex.length(), i + 64)).append('\n');
      }
      try {
        Files.writeString(path, text.toString(), StandardCharsets.US_ASCII);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return current;
    }
    try (InputStream in = ProtocolGoldenTest.class.getResourceAsStream("/protocol/" + file)) {
      assertTrue(in != null, "missing golden file protocol/" + file);
      StringBuilder hex = new StringBuilder();
      for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
        if (!line.startsWith("#")) {
          hex.append(line.strip());
        }
      }
      return HexFormat.of().parseHex(hex);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
