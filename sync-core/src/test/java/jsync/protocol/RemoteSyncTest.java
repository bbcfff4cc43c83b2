package jsync.protocol;

import static jsync.core.testing.TreeFixture.describe;
import static jsync.core.testing.TreeFixture.read;
import static jsync.core.testing.TreeFixture.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import jsync.core.JsyncException;
import jsync.core.apply.BackupPolicy;
import jsync.core.model.PropsPolicy;
import jsync.core.scan.ReadAhead;
import jsync.core.sync.ItemReport;
import jsync.core.sync.LocalReplica;
import jsync.core.sync.Replica;
import jsync.core.sync.SyncConfig;
import jsync.core.sync.SyncListener;
import jsync.core.sync.SyncReport;
import jsync.core.sync.SyncRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Synchronizations with one replica behind the protocol: a {@link RemoteReplica} talking through in-memory
 * pipes to a {@link ReplicaServer} running in the same JVM on its own root and archive directory. The same
 * scenarios as the local sync must give the same trees, and large changed files must travel as deltas.
 */
class RemoteSyncTest {
  @TempDir Path tmp;

  /** Bytes the client wrote toward the server, and back: what would cross the network. */
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong received = new AtomicLong();

  private RemoteReplica remote(Path root) throws IOException {
    return remote(root, null);
  }

  /** @param ahead a read the server starts before the client connects, as {@code --scan-ahead} does; or null */
  private RemoteReplica remote(Path root, ReadAhead ahead) throws IOException {
    Pipe toServer = new Pipe(1 << 20);
    Pipe toClient = new Pipe(1 << 20);
    ReplicaServer server = new ReplicaServer(tmp.resolve("remote-home"), tmp.resolve("remote-jsync"), "remotehost",
        Clock.systemUTC()).readingAhead(ahead);
    Thread t = new Thread(() -> {
      try {
        ReplicaServer.serve(toServer.in, toClient.out, server, "test");
      } catch (IOException e) {
        // The client side sees the failure.
      } finally {
        try {
          toClient.out.close();
        } catch (IOException e) {
          // in-memory
        }
      }
    }, "test-server");
    t.setDaemon(true);
    t.start();
    RemoteReplica.Rules rules = new RemoteReplica.Rules(List.of("Name *.tmp"), List.of(), PropsPolicy.DEFAULT,
        List.of(), List.of(), ".bak.$VERSION.", "", 2, Optional.empty());
    return new RemoteReplica("ssh://remotehost/" + root, root.toString(), rules, () -> toServer.out.close())
        .connect(counting(toClient.in, received), countingOut(toServer.out, sent), "test", true);
  }

  private static java.io.InputStream counting(java.io.InputStream in, AtomicLong n) {
    return new java.io.FilterInputStream(in) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int r = super.read(b, off, len);
        if (r > 0) {
          n.addAndGet(r);
        }
        return r;
      }
    };
  }

  private static java.io.OutputStream countingOut(java.io.OutputStream out, AtomicLong n) {
    return new java.io.FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        n.addAndGet(len);
        out.write(b, off, len);
      }
    };
  }

  private LocalReplica local(Path root) {
    return new LocalReplica(root, root.toString(), "localhost-test", tmp.resolve("local-jsync"), Clock.systemUTC(),
        PropsPolicy.DEFAULT, BackupPolicy.NONE, n -> { });
  }

  private SyncReport sync(Path a, Path b, boolean remoteIsAlpha) throws IOException {
    try (Replica ra = remoteIsAlpha ? remote(a) : local(a); Replica rb = remoteIsAlpha ? local(b) : remote(b)) {
      return new SyncRun(ra, rb, SyncConfig.defaults(Clock.systemUTC()), new SyncListener() { }).run();
    }
  }

  /**
   * {@code jsync server --scan-ahead=ROOT} reads its root before the client says anything: the first scan
   * takes that read over when the client names the same root, and the run is the same as without it; a
   * read of another root is dropped, never used for the root the client named.
   */
  @Test
  void aReadAheadOfTheRoot_isTakenOverByTheScan_andOneOfAnotherRootIsNot() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    Path other = Files.createDirectories(tmp.resolve("other"));
    write(other, "never/synchronized", "x");
    for (int i = 0; i < 40; i++) {
      write(b, "d" + i + "/f" + i, "remote " + i);
      write(b, "d" + i + "/skip.tmp", "ignored by the rule the client sends");
    }
    write(a, "local", "a's");
    SyncReport first;
    ReadAhead ahead = ReadAhead.start(b, Clock.systemUTC());
    try (Replica ra = local(a); Replica rb = remote(b, ahead)) {
      first = new SyncRun(ra, rb, SyncConfig.defaults(Clock.systemUTC()), new SyncListener() { }).run();
    }
    assertEquals(0, first.exitCode(), first.items().toString());
    assertTrue(ahead.adopted(), "the scan used the read started early");
    assertEquals("remote 7", read(a, "d7/f7"));
    assertFalse(Files.exists(a.resolve("d7/skip.tmp")), "the ignore rule applies to what was read early");
    assertEquals("a's", read(b, "local"));

    write(b, "d3/f3", "changed on b");
    Files.delete(b.resolve("d5/f5"));
    ReadAhead wrong = ReadAhead.start(other, Clock.systemUTC());
    SyncReport second;
    try (Replica ra = local(a); Replica rb = remote(b, wrong)) {
      second = new SyncRun(ra, rb, SyncConfig.defaults(Clock.systemUTC()), new SyncListener() { }).run();
    }
    assertEquals(0, second.exitCode(), second.items().toString());
    assertFalse(wrong.adopted(), "a read of another root is never used");
    assertEquals("changed on b", read(a, "d3/f3"));
    assertFalse(Files.exists(a.resolve("d5/f5")));
    assertFalse(Files.exists(a.resolve("never")));
  }

  @Test
  void sameScenariosAsLocally_withTheRemoteOnEitherSide() throws Exception {
    for (boolean remoteIsAlpha : List.of(false, true)) {
      Path a = Files.createDirectories(tmp.resolve("a" + remoteIsAlpha));
      Path b = Files.createDirectories(tmp.resolve("b" + remoteIsAlpha));
      write(a, "www/index.html", "<h1>one</h1>");
      write(a, "www/css/site.css", "body {}");
      write(b, "uploads/photo.jpg", "jpeg bytes");
      write(a, "skip.tmp", "ignored by the profile's rule, sent to the server");
      Files.createSymbolicLink(a.resolve("www/link"), a.getFileSystem().getPath("index.html"));

      SyncReport first = sync(a, b, remoteIsAlpha);
      assertEquals(0, first.exitCode(), first.items().toString());
      assertEquals("jpeg bytes", read(a, "uploads/photo.jpg"));
      assertEquals("<h1>one</h1>", read(b, "www/index.html"));
      assertEquals("index.html", Files.readSymbolicLink(b.resolve("www/link")).toString());
      Path remoteRoot = remoteIsAlpha ? a : b;
      Path localRoot = remoteIsAlpha ? b : a;
      // The remote side's ignore rule came over the wire: the file on the remote side stays there alone;
      // the local side (no rule in this test's local config) sends its own copy over.
      assertTrue(Files.exists(a.resolve("skip.tmp")));

      SyncReport again = sync(a, b, remoteIsAlpha);
      assertTrue(again.plan().isEmpty() || again.plan().items().stream().allMatch(
          i -> i.path().toString().equals("skip.tmp")), again.plan().toString());

      write(localRoot, "www/index.html", "<h1>two</h1>");
      Files.delete(remoteRoot.resolve("uploads/photo.jpg"));
      write(a, "www/both.txt", "alpha");
      write(b, "www/both.txt", "beta");
      SyncReport third = sync(a, b, remoteIsAlpha);
      assertEquals(1, third.exitCode(), third.items().toString());
      assertEquals("<h1>two</h1>", read(remoteRoot, "www/index.html"));
      assertFalse(Files.exists(localRoot.resolve("uploads/photo.jpg")));
      assertEquals("contents changed on both sides", third.items().stream()
          .filter(r -> r.status() == ItemReport.Status.SKIPPED).findFirst().orElseThrow().message());
    }
  }

  /**
   * Steps, answers and commits bigger than one frame: a new directory of thousands of long names. Each must be
   * split, not refused. Then a hundred 1 MiB files, too small for a stored signature, each changed by one
   * byte: they travel as deltas against signatures the receiver computes from its files.
   */
  @Test
  void flushAnswersAndCommitsLargerThanAFrame_areSplit_bothWays() throws Exception {
    for (boolean remoteIsAlpha : List.of(false, true)) {
      Path a = Files.createDirectories(tmp.resolve("big-a" + remoteIsAlpha));
      Path b = Files.createDirectories(tmp.resolve("big-b" + remoteIsAlpha));
      Path src = remoteIsAlpha ? a : b;
      String dir = ("d".repeat(200) + "/").repeat(6);
      // One new directory is one item, applied in parts of 1,000 ops (ItemParts): names of 1,440 bytes
      // make each part's step more than a frame (1 MiB), and its result too.
      for (int i = 0; i < 4000; i++) {
        write(src, dir + "f".repeat(230) + i, "small " + i);
      }
      Random random = new Random(5);
      byte[] content = new byte[1 << 20];
      for (int i = 0; i < 100; i++) {
        random.nextBytes(content);
        Files.write(Files.createDirectories(src.resolve("big")).resolve("file" + i), content);
      }
      SyncReport first = sync(a, b, !remoteIsAlpha);
      assertEquals(0, first.exitCode(), String.valueOf(first.items().stream().filter(i -> !i.message().isEmpty()).limit(3)
          .toList()));
      assertTreesEqual(a, b);

      // No stored signatures (SignatureBuilder.MIN_STORED_SIZE): each basis is signed when its delta needs it.
      for (int i = 0; i < 100; i++) {
        Path f = src.resolve("big/file" + i);
        byte[] bytes = Files.readAllBytes(f);
        bytes[1000] ^= 1;
        Files.write(f, bytes);
      }
      sent.set(0);
      received.set(0);
      SyncReport again = sync(a, b, !remoteIsAlpha);
      assertEquals(0, again.exitCode(), String.valueOf(again.items().stream().filter(i -> !i.message().isEmpty()).limit(3).toList()));
      assertTreesEqual(a, b);
      assertTrue(sent.get() + received.get() < 20L << 20,
          (sent.get() + received.get()) + " bytes crossed for 100 one-byte changes");
    }
  }

  private static void assertTreesEqual(Path a, Path b) throws IOException {
    try (var files = Files.walk(a)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path other = b.resolve(a.relativize(p).toString());
        assertTrue(Files.exists(other), "missing " + other);
        if (Files.isRegularFile(p)) {
          assertEquals(-1L, Files.mismatch(p, other), p + " differs");
        }
      }
    }
    try (var files = Files.walk(b)) {
      assertEquals(countOf(a), files.count(), "entries in " + b);
    }
  }

  private static long countOf(Path root) throws IOException {
    try (var files = Files.walk(root)) {
      return files.count();
    }
  }

  @Test
  void largeChangedFile_travelsAsADelta_bothWays() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    // Large enough for its signature to be kept (SignatureBuilder.MIN_STORED_SIZE).
    byte[] big = new byte[9 << 20];
    new Random(11).nextBytes(big);
    Files.write(a.resolve("big.bin"), big);
    assertEquals(0, sync(a, b, false).exitCode());

    // Change 3 bytes on the local side: the remote side gets a delta, not 9 MiB.
    big[1000] ^= 1;
    big[2_000_000] ^= 1;
    big[4_000_000] ^= 1;
    Files.write(a.resolve("big.bin"), big);
    sent.set(0);
    SyncReport r = sync(a, b, false);
    assertEquals(0, r.exitCode(), r.items().toString());
    assertEquals(describe(a), describe(b));
    assertTrue(sent.get() < 200_000, "sent " + sent.get() + " bytes for a 3-byte change in 9 MiB");

    // And the other way: a change on the remote side comes back as a delta too.
    big[3_000_000] ^= 1;
    Files.write(b.resolve("big.bin"), big);
    received.set(0);
    SyncReport back = sync(a, b, false);
    assertEquals(0, back.exitCode(), back.items().toString());
    assertEquals(describe(b), describe(a));
    assertTrue(received.get() < 200_000, "received " + received.get() + " bytes for a 1-byte change in 9 MiB");

    // The local side's archive now holds the signature of the version it rebuilt, made mostly of the
    // checksums of the blocks the delta copied (CopiedBlocks): the next delta is matched against it, and
    // it must describe the file as computed from its bytes, or most of the file would cross again.
    big[100_000] ^= 1;
    Files.write(b.resolve("big.bin"), big);
    received.set(0);
    SyncReport fourth = sync(a, b, false);
    assertEquals(0, fourth.exitCode(), fourth.items().toString());
    assertEquals(describe(b), describe(a));
    assertTrue(received.get() < 200_000, "received " + received.get() + " bytes against the rebuilt version's signature");
  }

  /**
   * A hostile server asks the client for files: only files a step sent to it needs are served; an ignored
   * secret, a file no step names, or one reached through a symlink out of the root are refused.
   */
  @Test
  void rogueServer_getsOnlyTheFilesItsStepsNeed() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    write(a, "wanted", "for the step");
    write(a, "secret", "never for the server");
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    write(outside, "passwd", "outside the root");
    Files.createSymbolicLink(a.resolve("link"), outside);
    Pipe toServer = new Pipe(1 << 20);
    Pipe toClient = new Pipe(1 << 20);
    java.util.concurrent.CompletableFuture<Session> serverSide = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> {
          try {
            return Session.start(toServer.in, toClient.out, false, (s, id, m) -> { }, "client", "test", true);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    RemoteReplica.Rules rules = new RemoteReplica.Rules(List.of(), List.of(), PropsPolicy.DEFAULT, List.of(),
        List.of(), ".bak.$VERSION.", "", 2, Optional.empty());
    try (LocalReplica source = local(a);
         RemoteReplica client = new RemoteReplica("ssh://rogue//x", "/x", rules, () -> { })
             .connect(toClient.in, toServer.out, "test", true)) {
      Session server = serverSide.get();
      jsync.core.model.Entry.File wanted = fileEntry(a.resolve("wanted"));
      client.apply(new jsync.core.apply.Step(1, List.of(jsync.core.apply.Op.put(
          jsync.core.model.RelPath.parse("wanted"), wanted, jsync.core.model.Observed.ABSENT))), source);

      try (java.io.InputStream in = Content.request(server, jsync.core.model.RelPath.parse("wanted"), wanted,
          jsync.core.model.Stamp.NONE)) {
        assertEquals("for the step", new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
      }
      for (String path : List.of("secret", "link/passwd")) {
        jsync.core.model.Entry.File any = new jsync.core.model.Entry.File(10, 0, 0644,
            jsync.core.model.Fingerprint.of(1));
        IOException e = assertThrows(IOException.class, () -> {
          try (java.io.InputStream in = Content.request(server, jsync.core.model.RelPath.parse(path), any,
              jsync.core.model.Stamp.NONE)) {
            in.readAllBytes();
          }
        });
        assertTrue(e.getMessage().contains("refused"), e.getMessage());
      }
      server.close();
    }
  }

  private static jsync.core.model.Entry.File fileEntry(Path p) throws IOException {
    byte[] b = Files.readAllBytes(p);
    return new jsync.core.model.Entry.File(b.length, 0, 0644,
        jsync.core.model.Fingerprint.of(jsync.core.delta.XxHash.hash(b, 0, b.length, 0)));
  }

  @Test
  void serverThatVanishesMidRun_failsTheRunWithTheConnectionNamed() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    write(a, "f", "x");
    try (LocalReplica ra = local(a); RemoteReplica rb = remote(b)) {
      SyncListener cutter = new SyncListener() {
        @Override
        public boolean confirm(jsync.core.reconcile.Plan plan) {
          rb.close();
          return true;
        }
      };
      JsyncException e = assertThrows(JsyncException.class,
          () -> new SyncRun(ra, rb, SyncConfig.defaults(Clock.systemUTC()), cutter).run());
      assertTrue(e.getMessage().contains("ssh://remotehost/"), e.getMessage());
    }
    assertFalse(Files.exists(b.resolve("f")));
  }
}
