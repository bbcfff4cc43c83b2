package jsync.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import jsync.core.model.RelPath;
import jsync.core.model.Stamp;
import jsync.core.scan.ScanStats;
import jsync.core.scan.Update;
import jsync.core.sync.Replica;
import jsync.core.testing.TestTimeouts;
import jsync.protocol.Message.ApplyStep;
import jsync.protocol.Message.CloseRequest;
import jsync.protocol.Message.CommitRequest;
import jsync.protocol.Message.FlushRequest;
import jsync.protocol.Message.FlushResponse;
import jsync.protocol.Message.OkResponse;
import jsync.protocol.Message.OpenRequest;
import jsync.protocol.Message.OpenResponse;
import jsync.protocol.Message.ReadRequest;
import jsync.protocol.Message.RootRequest;
import jsync.protocol.Message.RootResponse;
import jsync.protocol.Message.ScanBatch;
import jsync.protocol.Message.ScanDone;
import jsync.protocol.Message.ScanRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Both ends over in-process pipes, as {@code jsync server} and a remote replica proxy will use the layer:
 * every message type through compressed frames, and the exchanges of one synchronization, pipelined.
 */
class ProtocolPipeTest {
  private final MessageCodec codec = new MessageCodec();
  private final Pipe toServer = new Pipe();
  private final Pipe toClient = new Pipe();
  private final FrameWriter clientOut = new FrameWriter(toServer.out, true);
  private final FrameReader clientIn = new FrameReader(toClient.in);
  private final FrameWriter serverOut = new FrameWriter(toClient.out, true);
  private final FrameReader serverIn = new FrameReader(toServer.in);
  private final ExecutorService pool = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  private <T> T await(Future<T> f) throws Exception {
    return f.get(TestTimeouts.seconds(30).toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  void everyMessageType_crossesThePipeBothWays() throws Exception {
    List<Message> samples = ProtocolFixtures.samples();
    Future<Integer> echo = pool.submit(() -> {
      int n = 0;
      Optional<Frame> f;
      while ((f = serverIn.next()).isPresent()) {
        Envelope e = codec.decode(f.get());
        serverOut.write(codec.frame(e.id(), e.message()));
        n++;
      }
      serverOut.close();
      return n;
    });
    for (int i = 0; i < samples.size(); i++) {
      clientOut.write(codec.frame(1000 + i, samples.get(i)));
    }
    clientOut.close();
    for (int i = 0; i < samples.size(); i++) {
      assertEquals(new Envelope(1000 + i, samples.get(i)), codec.decode(clientIn.read()));
    }
    assertEquals(Optional.empty(), clientIn.next());
    assertEquals(samples.size(), await(echo));
  }

  /**
   * A scripted server and a client doing what SyncRun does with a remote replica: open, a streamed scan,
   * two reads in flight at once answered on their channels (one with an error), steps and a flush, a
   * commit, a close.
   */
  @Test
  void aSynchronization_overThePipe() throws Exception {
    byte[] content = new byte[2_500_000];
    new Random(5).nextBytes(content);
    for (int i = 0; i < content.length / 2; i++) {
      content[i] = (byte) (i % 7);
    }
    Future<Void> server = pool.submit(serverScript(content));

    Message.Hello serverHello = Handshake.perform(clientOut, clientIn, codec, Handshake.hello("client", clientIn));
    assertEquals("server", serverHello.jsyncVersion());

    // Requests are pipelined: everything up to the scan goes out before any answer is read.
    clientOut.write(codec.frame(1, new RootRequest("/srv/www", false)));
    clientOut.write(codec.frame(2, new OpenRequest("web1:/srv/www", "test", jsync.core.model.PropsPolicy.DEFAULT,
        List.of(), List.of(), ".bak.$VERSION.", "", 2, Optional.empty())));
    clientOut.write(codec.frame(3, new ScanRequest(List.of(RelPath.ROOT), List.of("Name *.tmp"), List.of(), false,
        "", "", jsync.core.model.PropsPolicy.DEFAULT, true, true, 42, true, List.of())));
    clientOut.flush();
    assertEquals(new Envelope(1, new RootResponse("web2:/srv/www", Replica.RootState.DIRECTORY)),
        codec.decode(clientIn.read()));
    assertEquals(new Envelope(2, new OpenResponse(false, Optional.of("sync-1"))), codec.decode(clientIn.read()));
    List<Update> updates = new ArrayList<>();
    Envelope e;
    while ((e = codec.decode(clientIn.read())).message() instanceof ScanBatch batch) {
      assertEquals(3, e.id());
      updates.addAll(batch.updates());
    }
    assertEquals(new Envelope(3, new ScanDone(ProtocolFixtures.STATS)), e);
    assertEquals(3 * 2, updates.size());

    // Two reads in flight on channels 1 and 3; the answers interleave.
    clientOut.write(codec.frame(4, new ReadRequest(1, ProtocolFixtures.P_INDEX, ProtocolFixtures.F2, Stamp.NONE,
        Optional.empty())));
    clientOut.write(codec.frame(5, new ReadRequest(3, ProtocolFixtures.P_OLD, ProtocolFixtures.F1, Stamp.NONE,
        Optional.empty())));
    clientOut.flush();
    Map<Integer, ByteArrayOutputStream> received = new HashMap<>();
    Map<Integer, String> outcome = new HashMap<>();
    while (outcome.size() < 2) {
      Frame f = clientIn.read();
      switch (f.type()) {
        case DATA -> received.computeIfAbsent(f.channel(), c -> new ByteArrayOutputStream()).writeBytes(f.payload());
        case END -> outcome.put(f.channel(), "end");
        case ERROR -> outcome.put(f.channel(), f.errorMessage());
        case CONTROL -> throw new AssertionError("unexpected " + codec.decode(f));
      }
    }
    assertArrayEquals(content, received.get(1).toByteArray());
    assertEquals(Map.of(1, "end", 3, "www/old.html: changed since the scan"), outcome);

    clientOut.write(codec.frame(0, new ApplyStep(ProtocolFixtures.STEP_OK)));
    clientOut.write(codec.frame(0, new ApplyStep(ProtocolFixtures.STEP_FAILING)));
    clientOut.write(codec.frame(6, new FlushRequest(0)));
    clientOut.write(codec.frame(7, new CommitRequest(List.of(), Optional.of("sync-1"))));
    clientOut.write(codec.frame(8, new CloseRequest()));
    clientOut.flush();
    assertEquals(new Envelope(6, ProtocolFixtures.flushResponse()), codec.decode(clientIn.read()));
    assertEquals(new Envelope(7, new OkResponse()), codec.decode(clientIn.read()));
    assertEquals(new Envelope(8, new OkResponse()), codec.decode(clientIn.read()));
    assertEquals(Optional.empty(), clientIn.next());
    assertThrows(PeerClosedException.class, clientIn::read);
    await(server);
  }

  private Callable<Void> serverScript(byte[] content) {
    return () -> {
      Handshake.perform(serverOut, serverIn, codec, Handshake.hello("server", serverIn));
      int steps = 0;
      Optional<Frame> f;
      while ((f = serverIn.next()).isPresent()) {
        Envelope e = codec.decode(f.get());
        long id = e.id();
        Message m = e.message();
        if (m instanceof RootRequest) {
          serverOut.write(codec.frame(id, new RootResponse("web2:/srv/www", Replica.RootState.DIRECTORY)));
        } else if (m instanceof OpenRequest) {
          serverOut.write(codec.frame(id, new OpenResponse(false, Optional.of("sync-1"))));
        } else if (m instanceof ScanRequest) {
          for (int i = 0; i < 3; i++) {
            serverOut.write(codec.frame(id, ProtocolFixtures.scanBatch()));
          }
          serverOut.write(codec.frame(id, new ScanDone(ProtocolFixtures.STATS)));
          serverOut.flush();
        } else if (m instanceof ReadRequest r && r.channel() == 1) {
          int chunk = serverOut.maxPayload();
          for (int off = 0; off < content.length; off += chunk) {
            byte[] part = java.util.Arrays.copyOfRange(content, off, Math.min(content.length, off + chunk));
            serverOut.write(Frame.data(r.channel(), part));
          }
          serverOut.write(Frame.end(r.channel()));
        } else if (m instanceof ReadRequest r) {
          serverOut.write(Frame.error(r.channel(), r.path() + ": changed since the scan"));
          serverOut.flush();
        } else if (m instanceof ApplyStep) {
          steps++;
        } else if (m instanceof FlushRequest) {
          assertEquals(2, steps);
          serverOut.write(codec.frame(id, ProtocolFixtures.flushResponse()));
        } else if (m instanceof CommitRequest) {
          serverOut.write(codec.frame(id, new OkResponse()));
        } else if (m instanceof CloseRequest) {
          serverOut.write(codec.frame(id, new OkResponse()));
          serverOut.close();
          return null;
        } else {
          throw new AssertionError("unexpected " + m);
        }
      }
      throw new AssertionError("the client closed without CloseRequest");
    };
  }

  @Test
  void malformedFrameFromThePeer_endsTheReader_withoutAHang() throws Exception {
    // A confused peer writes a header announcing 16 MiB, then stops; the reader refuses at once.
    toClient.out.write(new byte[] {2, 0, 0, 0, 0, 1, 1, 0, 0, 0});
    ProtocolException e = assertThrows(ProtocolException.class, clientIn::read);
    assertTrue(e.getMessage().contains("more than the limit"), e.getMessage());
  }

  @Test
  void scanStats_withManyEmptiedScopes_crossTheWire() throws IOException {
    List<RelPath> emptied = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      emptied.add(RelPath.parse("scope/" + i));
    }
    ScanDone done = new ScanDone(new ScanStats(1, 2, 3, 4, emptied));
    clientOut.write(codec.frame(9, done));
    clientOut.close();
    assertEquals(new Envelope(9, done), codec.decode(serverIn.read()));
  }
}
