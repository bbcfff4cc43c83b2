package jsync.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jsync.core.testing.TestTimeouts;
import org.junit.jupiter.api.Test;

/** The handshake: both sides over pipes, and each failure a user meets with a clear sentence. */
class HandshakeTest {
  private final MessageCodec codec = new MessageCodec();

  /** What a jsync of protocol {@code version} sends first, with {@code hello}. */
  private byte[] preamble(int version, Message.Hello hello) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(Handshake.MAGIC);
    byte[] v = new byte[4];
    FrameWriter.putInt(v, 0, version);
    out.write(v);
    FrameWriter w = new FrameWriter(out, false);
    w.write(codec.frame(0, hello));
    w.flush();
    return out.toByteArray();
  }

  /** Runs this side's handshake against a peer whose bytes are {@code remote}. */
  private Message.Hello against(InputStream remote) throws IOException {
    FrameWriter w = new FrameWriter(new ByteArrayOutputStream(), true);
    FrameReader r = new FrameReader(remote);
    return Handshake.perform(w, r, codec, Handshake.hello("0.1.0-test", r));
  }

  private ProtocolException refused(String remote) {
    return assertThrows(ProtocolException.class,
        () -> against(new ByteArrayInputStream(remote.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void bothSides_overPipes_learnEachOther() throws Exception {
    Pipe toServer = new Pipe();
    Pipe toClient = new Pipe();
    FrameWriter clientOut = new FrameWriter(toServer.out, true);
    FrameReader clientIn = new FrameReader(toClient.in);
    FrameWriter serverOut = new FrameWriter(toClient.out, true);
    FrameReader serverIn = new FrameReader(toServer.in, 128 * 1024);
    CompletableFuture<Message.Hello> server = CompletableFuture.supplyAsync(() -> {
      try {
        return Handshake.perform(serverOut, serverIn, codec, Handshake.hello("0.2.0", serverIn));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    Message.Hello seenByClient = Handshake.perform(clientOut, clientIn, codec, Handshake.hello("0.1.0", clientIn));
    Message.Hello seenByServer = server.get(TestTimeouts.seconds(10).toMillis(), TimeUnit.MILLISECONDS);
    assertEquals(new Message.Hello("0.2.0", 128 * 1024), seenByClient);
    assertEquals(new Message.Hello("0.1.0", Frame.MAX_PAYLOAD), seenByServer);
    // The client now sends no frame larger than the server reads.
    assertEquals(128 * 1024, clientOut.maxPayload());
    assertEquals(Frame.MAX_PAYLOAD, serverOut.maxPayload());
  }

  @Test
  void overAStreamGivingOneByteAtATime() throws IOException {
    Message.Hello remote = new Message.Hello("0.1.0", Frame.MAX_PAYLOAD);
    byte[] bytes = preamble(Handshake.PROTOCOL_VERSION, remote);
    assertEquals(remote, against(new OneByteInputStream(new ByteArrayInputStream(bytes))));
  }

  @Test
  void commandNotFound_isQuoted_withTheServercmdHint() {
    ProtocolException e = refused("bash: jsync: command not found\n");
    assertEquals("the remote side is not a jsync server: it answered \"bash: jsync: command not found\"; check "
        + "servercmd (the path of jsync on the remote host) and that the remote shell prints nothing for "
        + "non-interactive logins", e.getMessage());
  }

  @Test
  void loginBanner_isQuoted_upToItsFirstLine() throws IOException {
    ByteArrayOutputStream remote = new ByteArrayOutputStream();
    remote.write("Welcome to Ubuntu 24.04 LTS (GNU/Linux)\n\n * Documentation: https://help.ubuntu.com\n"
        .getBytes(StandardCharsets.UTF_8));
    remote.write(preamble(Handshake.PROTOCOL_VERSION, ProtocolFixtures.hello()));
    ProtocolException e = assertThrows(ProtocolException.class,
        () -> against(new ByteArrayInputStream(remote.toByteArray())));
    assertTrue(e.getMessage().startsWith("the remote side is not a jsync server: it answered \"Welcome to Ubuntu "
        + "24.04 LTS (GNU/Linux)\"; check servercmd"), e.getMessage());
  }

  @Test
  void binaryGarbage_isEscaped() {
    ProtocolException e = assertThrows(ProtocolException.class,
        () -> against(new ByteArrayInputStream(new byte[] {(byte) 0xff, 0x00, 'S', 'S', 'H', '-', 0x1b})));
    assertTrue(e.getMessage().contains("answered \"\\xff\\x00SSH-\\x1b\""), e.getMessage());
  }

  @Test
  void shortAnswerThenClose_isQuoted() {
    assertTrue(refused("JSY").getMessage().contains("answered \"JSY\""));
    assertTrue(refused("no").getMessage().contains("answered \"no\""));
  }

  @Test
  void nothingAtAll_saysTheRemoteClosed() {
    assertEquals("the remote side closed the connection without answering; check that the remote jsync "
        + "program (servercmd) exists and starts", refused("").getMessage());
  }

  @Test
  void versionMismatch_namesBothVersions() throws IOException {
    int ours = Handshake.PROTOCOL_VERSION;
    byte[] newer = preamble(ours + 1, ProtocolFixtures.hello());
    ProtocolException e = assertThrows(ProtocolException.class, () -> against(new ByteArrayInputStream(newer)));
    assertEquals("the remote jsync speaks protocol " + (ours + 1) + ", this one " + ours
        + "; install the same jsync version on both hosts", e.getMessage());
  }

  @Test
  void versionMismatch_isReported_evenIfTheHelloCannotBeParsed() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(Handshake.MAGIC);
    out.write(new byte[] {0, 0, 0, 7, (byte) 0xde, (byte) 0xad});
    ProtocolException e = assertThrows(ProtocolException.class,
        () -> against(new ByteArrayInputStream(out.toByteArray())));
    assertTrue(e.getMessage().startsWith("the remote jsync speaks protocol 7, this one " + Handshake.PROTOCOL_VERSION), e.getMessage());
  }

  @Test
  void truncatedAfterTheMagic_saysSo() {
    byte[] magicOnly = Handshake.MAGIC.clone();
    ProtocolException e = assertThrows(ProtocolException.class, () -> against(new ByteArrayInputStream(magicOnly)));
    assertEquals("the remote jsync closed the connection in the middle of the handshake", e.getMessage());
  }

  @Test
  void somethingElseInsteadOfTheHello_isRefused() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(Handshake.MAGIC);
    out.write(new byte[] {0, 0, 0, (byte) Handshake.PROTOCOL_VERSION});
    FrameWriter w = new FrameWriter(out, false);
    w.write(codec.frame(0, new Message.OkResponse()));
    w.flush();
    ProtocolException e = assertThrows(ProtocolException.class,
        () -> against(new ByteArrayInputStream(out.toByteArray())));
    assertEquals("the remote jsync sent okResponse instead of its hello", e.getMessage());
  }

  @Test
  void absurdFrameLimit_isRefused() throws IOException {
    byte[] tiny = preamble(Handshake.PROTOCOL_VERSION, new Message.Hello("9.9", 16));
    ProtocolException e = assertThrows(ProtocolException.class, () -> against(new ByteArrayInputStream(tiny)));
    assertTrue(e.getMessage().contains("announces a frame limit of 16 bytes"), e.getMessage());
  }
}
