package jsync.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import jsync.core.JsyncException;
import jsync.core.model.Observed;
import jsync.core.model.RelPath;
import jsync.core.sync.ArchiveWrite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests sent without waiting for their answers ({@link Session#request}), as a commit in several parts
 * is: the peer handles them in the order sent, each answer reaches its own request, and an error answers
 * only the request that failed.
 */
class SessionRequestTest {
  /** The first path of each commit request the server handled, in order. */
  private final List<String> handled = new CopyOnWriteArrayList<>();
  private SessionPair sessions;
  private Session client;
  private Session server;

  @BeforeEach
  void connect() throws Exception {
    Session.Handler commit = (s, id, m) -> {
      String first = ((Message.CommitRequest) m).writes().get(0).path().toString();
      if (first.startsWith("slow")) {
        Thread.sleep(300);
      }
      handled.add(first);
      if (first.startsWith("fail")) {
        throw new JsyncException("cannot write archive: disk full");
      }
      s.reply(id, new Message.OkResponse());
    };
    sessions = SessionPair.start(commit);
    client = sessions.client();
    server = sessions.server();
  }

  @AfterEach
  void close() {
    sessions.close();
  }

  private static Message.CommitRequest commit(String path) {
    return new Message.CommitRequest(List.of(ArchiveWrite.record(RelPath.parse(path), Observed.ABSENT,
        Optional.empty())), Optional.empty());
  }

  @Test
  void requestsInFlight_areHandledInOrder_andAnErrorAnswersOnlyItsOwn() {
    List<Session.Answer<Message.OkResponse>> answers = new ArrayList<>();
    // Only the last one flushes: the earlier ones travel with it.
    answers.add(client.request(commit("a"), Message.OkResponse.class, false));
    answers.add(client.request(commit("fail-b"), Message.OkResponse.class, false));
    answers.add(client.request(commit("c"), Message.OkResponse.class, true));

    answers.get(0).get();
    RemoteException e = assertThrows(RemoteException.class, () -> answers.get(1).get());
    assertTrue(e.getMessage().contains("disk full"), e.getMessage());
    answers.get(2).get();
    assertEquals(List.of("a", "fail-b", "c"), handled);
    // The session is still usable after a failed request.
    client.call(commit("d"), Message.OkResponse.class);
    assertEquals("d", handled.get(3));
  }

  @Test
  void requestsReceivedBeforeTheClientWentAway_finishBeforeTheServerClosesWhatTheyUse() {
    client.request(commit("slow-a"), Message.OkResponse.class, false);
    client.request(commit("b"), Message.OkResponse.class, true);
    client.close();
    server.awaitEnd();
    server.awaitHandlers(java.time.Duration.ofSeconds(30));
    // As ReplicaServer.serve does next: the archive may close now.
    assertEquals(List.of("slow-a", "b"), handled);
  }
}
