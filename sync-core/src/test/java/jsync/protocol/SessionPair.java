package jsync.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jsync.core.testing.TestTimeouts;

/**
 * Two sessions joined by in-memory pipes: {@code client} (which sends requests; its own handler ignores
 * what it is sent) and {@code server}, whose requests go to the handler given. Close it after the test.
 */
record SessionPair(Session client, Session server) implements AutoCloseable {
  static SessionPair start(Session.Handler serverHandler) throws Exception {
    Pipe toServer = new Pipe(1 << 16);
    Pipe toClient = new Pipe(1 << 16);
    CompletableFuture<Session> serverSide = CompletableFuture.supplyAsync(() -> {
      try {
        return Session.start(toServer.in, toClient.out, false, serverHandler, "client", "test", false);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    Session client = Session.start(toClient.in, toServer.out, true, (s, id, m) -> { }, "server", "test", false);
    return new SessionPair(client, serverSide.get(TestTimeouts.seconds(30).toMillis(), TimeUnit.MILLISECONDS));
  }

  @Override
  public void close() {
    client.close();
    server.close();
  }
}
