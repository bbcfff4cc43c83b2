package jsync.cli;

import static jsync.core.testing.TreeFixture.describe;
import static jsync.core.testing.TreeFixture.read;
import static jsync.core.testing.TreeFixture.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import jsync.core.testing.TestTimeouts;
import jsync.transport.ssh.testing.TestSshServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jsync -repeat watch LOCAL ssh://host//REMOTE}: the daemon in-process against an embedded MINA SSH
 * server whose {@code jsync server} (in-process too) watches the remote root and streams its changes.
 */
class RemoteWatchTest {
  @TempDir Path tmp;
  TestSshServer server;
  EmbeddedRemote remote;
  Path a;
  Path b;
  Thread daemon;
  final AtomicReference<Runnable> stop = new AtomicReference<>();
  final AtomicInteger code = new AtomicInteger(-1);
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  @BeforeEach
  void setUp() throws IOException {
    // A server of its own (a test restarts it); the remote's "jsync server" replaces this handler at once.
    server = TestSshServer.start((in, out, err, argv) -> 127);
    remote = new EmbeddedRemote(tmp, server);
    a = Files.createDirectories(tmp.resolve("a"));
    b = Files.createDirectories(tmp.resolve("b"));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (daemon != null && daemon.isAlive()) {
      stopDaemon();
    }
    server.close();
  }

  private JsyncCli cli(PrintWriter o, PrintWriter e) {
    return new JsyncCli(remote.localEnvironment(), o, e);
  }

  private String remoteRoot() {
    return remote.root(b);
  }

  private void startDaemon(String... extra) throws InterruptedException {
    List<String> args = new java.util.ArrayList<>(List.of("-repeat", "watch"));
    args.addAll(List.of(extra));
    args.add(a.toString());
    args.add(remoteRoot());
    JsyncCli cli = cli(new PrintWriter(out, true), new PrintWriter(err, true));
    cli.stopSignals = stop::set;
    daemon = new Thread(() -> code.set(cli.run(args.toArray(String[]::new))), "jsync-daemon");
    daemon.start();
    await("the daemon to start", () -> stop.get() != null || !daemon.isAlive());
  }

  private void stopDaemon() throws InterruptedException {
    stop.get().run();
    daemon.join(TestTimeouts.seconds(30).toMillis());
    assertFalse(daemon.isAlive(), "the daemon did not stop");
  }

  private void await(String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TestTimeouts.seconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what + "; the daemon said:\n" + out + "\n" + err);
      }
      Thread.sleep(20);
    }
  }

  private static BooleanSupplier holds(Path root, String rel, String content) {
    return () -> {
      try {
        return Files.exists(root.resolve(rel)) && read(root, rel).equals(content);
      } catch (IOException e) {
        return false;
      }
    };
  }

  @Test
  void changesOnEitherSideArrive_theRemoteOnesThroughTheServersWatcher() throws Exception {
    write(a, "before", "synchronized first");
    startDaemon();
    await("first sync", holds(b, "before", "synchronized first"));
    write(a, "www/index.html", "local edit");
    await("local -> remote", holds(b, "www/index.html", "local edit"));
    write(b, "uploads/photo.jpg", "uploaded on the server");
    await("remote -> local", holds(a, "uploads/photo.jpg", "uploaded on the server"));
    Files.delete(b.resolve("before"));
    await("remote deletion", () -> !Files.exists(a.resolve("before")));
    // Modified and renamed, on each side.
    write(b, "www/index.html", "edited on the server");
    await("remote modification", holds(a, "www/index.html", "edited on the server"));
    write(a, "uploads/photo.jpg", "retouched locally");
    await("local modification", holds(b, "uploads/photo.jpg", "retouched locally"));
    Files.move(a.resolve("www"), a.resolve("site"));
    await("local rename", () -> !Files.exists(b.resolve("www")) && holds(b, "site/index.html",
        "edited on the server").getAsBoolean());
    Files.move(b.resolve("uploads/photo.jpg"), b.resolve("uploads/renamed.jpg"));
    await("remote rename", () -> !Files.exists(a.resolve("uploads/photo.jpg")) && holds(a,
        "uploads/renamed.jpg", "retouched locally").getAsBoolean());
    stopDaemon();
    assertEquals(0, code.get(), out + "\n" + err);
    assertFalse(err.toString().contains("cannot watch"), err.toString());
  }

  @Test
  void survivesTheSshServerBeingRestarted() throws Exception {
    startDaemon();
    write(a, "one", "1");
    await("one", holds(b, "one", "1"));
    // A first synchronization that fails is fatal by design; the restart comes once it has finished.
    await("the first synchronization to finish", () -> err.toString().contains("Synchronization complete"));
    server.restart(1500);
    // Changed while the connection was down: found by the full synchronization after reconnecting.
    write(b, "while-down", "remote change");
    write(a, "after", "local change");
    await("remote change after reconnect", holds(a, "while-down", "remote change"));
    await("local change after reconnect", holds(b, "after", "local change"));
    // And the new connection is watched again.
    write(b, "later", "still watched");
    await("watched again", holds(a, "later", "still watched"));
    assertTrue(err.toString().contains("connected again"), err.toString());
    assertFalse(err.toString().contains("cannot watch"), err.toString());
    stopDaemon();
    assertEquals(0, code.get(), out + "\n" + err);
  }

  @Test
  void stopping_leavesArchivesThatAgreeWithTheDisks_andLogsEachChange() throws Exception {
    Path log = tmp.resolve("jsync.log");
    startDaemon("-log", "-logfile", log.toString());
    for (int i = 0; i < 5; i++) {
      write(a, "f" + i, "content " + i);
    }
    await("all five", () -> {
      String[] names = b.toFile().list();
      return names != null && names.length == 5;
    });
    Thread.sleep(Duration.ofMillis(500).toMillis());
    stopDaemon();
    assertEquals(0, code.get(), out + "\n" + err);

    List<String> lines = Files.readAllLines(log);
    for (int i = 0; i < 5; i++) {
      String name = "f" + i;
      assertEquals(1, lines.stream().filter(l -> l.contains("---->") && l.endsWith(" " + name)).count(),
          "one line for " + name + " in\n" + String.join("\n", lines));
    }

    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int batch = cli(new PrintWriter(o, true), new PrintWriter(e, true)).run("-batch", a.toString(), remoteRoot());
    assertEquals(0, batch, o + "\n" + e);
    assertTrue(e.toString().contains("Nothing to do"), e.toString());
    assertEquals(describe(a), describe(b));
  }
}
