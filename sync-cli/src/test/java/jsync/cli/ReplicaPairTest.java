package jsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jsync.core.apply.ContentSource;
import jsync.core.sync.Replica;
import org.junit.jupiter.api.Test;

/** Closing a run's replicas: a remote one closes (its archive flushed over there) while the local one does. */
class ReplicaPairTest {
  private final List<String> events = new CopyOnWriteArrayList<>();

  /** A replica that only closes (running {@code onClose}) and says whether it is remote. */
  private Replica replica(String name, boolean remote, Runnable onClose) {
    ContentSource source = new ContentSource() {
      @Override
      public java.io.InputStream open(jsync.core.model.RelPath p, jsync.core.model.Entry.File w,
          jsync.core.model.Stamp s) {
        throw new AssertionError();
      }

      @Override
      public boolean remote() {
        return remote;
      }
    };
    return (Replica) Proxy.newProxyInstance(Replica.class.getClassLoader(), new Class<?>[] {Replica.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "contentSource" -> source;
          case "close" -> {
            events.add(name + " closing");
            onClose.run();
            events.add(name + " closed");
            yield null;
          }
          case "toString" -> name;
          default -> throw new AssertionError("unexpected call " + method.getName());
        });
  }

  private static void await(CountDownLatch latch) {
    try {
      assertTrue(latch.await(10, TimeUnit.SECONDS), "the other replica never started closing");
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void theRemoteReplicaCloses_whileTheLocalOneDoes() {
    CountDownLatch remoteClosing = new CountDownLatch(1);
    CountDownLatch localClosing = new CountDownLatch(1);
    Replica local = replica("local", false, () -> {
      localClosing.countDown();
      await(remoteClosing);
    });
    Replica remote = replica("remote", true, () -> {
      remoteClosing.countDown();
      await(localClosing);
    });

    new JsyncCli.ReplicaPair(local, remote).close();
    // Each waited for the other to be closing: they overlapped. Both are closed when close returns.
    assertTrue(events.containsAll(List.of("local closed", "remote closed")), events.toString());

    events.clear();
    CountDownLatch again = new CountDownLatch(1);
    CountDownLatch againLocal = new CountDownLatch(1);
    new JsyncCli.ReplicaPair(
        replica("remote", true, () -> {
          again.countDown();
          await(againLocal);
        }),
        replica("local", false, () -> {
          againLocal.countDown();
          await(again);
        })).close();
    assertEquals(4, events.size(), events.toString());
  }

  @Test
  void aFailureOfEither_isThrown_afterBothClosed() {
    RuntimeException remoteFailure = new IllegalStateException("connection lost");
    Replica local = replica("local", false, () -> { });
    Replica remote = replica("remote", true, () -> {
      throw remoteFailure;
    });
    assertSame(remoteFailure,
        assertThrows(IllegalStateException.class, () -> new JsyncCli.ReplicaPair(local, remote).close()));
    assertTrue(events.contains("local closed"), events.toString());

    events.clear();
    RuntimeException localFailure = new IllegalStateException("archive");
    Replica failingLocal = replica("local", false, () -> {
      throw localFailure;
    });
    assertSame(localFailure, assertThrows(IllegalStateException.class,
        () -> new JsyncCli.ReplicaPair(failingLocal, replica("remote", true, () -> { })).close()));
    assertTrue(events.contains("remote closed"), events.toString());
  }

  @Test
  void twoLocalReplicas_closeOneAfterTheOther() {
    new JsyncCli.ReplicaPair(replica("a", false, () -> { }), replica("b", false, () -> { })).close();
    assertEquals(List.of("a closing", "a closed", "b closing", "b closed"), events);
  }
}
