package jsync.core.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import jsync.core.model.RelPath;
import jsync.core.testing.FakeClock;
import jsync.core.testing.MemoryArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Prefetch}: directories read ahead on a second thread change nothing in what a scan reports, and the
 * walker gets each listing, skips what it does not want, and reads itself what was not read ahead.
 */
class PrefetchTest {
  @TempDir Path root;
  private final FakeClock clock = new FakeClock(Instant.now().plus(Duration.ofHours(1)));

  private List<Update> scan(MemoryArchive archive, ScanOptions options, boolean prefetch) throws IOException {
    List<Update> updates = new ArrayList<>();
    Scanner s = new Scanner(root, options, true, clock);
    if (!prefetch) {
      s.withoutPrefetch();
    }
    s.scan(archive, updates::add);
    return updates;
  }

  /** A random tree: nested directories, files, symlinks (to directories too), and "skip*" ignored names. */
  private void grow(Random rnd, Path dir, int depth) throws IOException {
    int n = rnd.nextInt(8);
    for (int i = 0; i < n; i++) {
      String name = (rnd.nextInt(6) == 0 ? "skip" : "n") + rnd.nextInt(20);
      Path p = dir.resolve(name);
      if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      int kind = rnd.nextInt(10);
      if (kind < 3 && depth < 4) {
        Files.createDirectory(p);
        grow(rnd, p, depth + 1);
      } else if (kind == 3) {
        Files.createSymbolicLink(p, rnd.nextBoolean() ? root : Path.of("nowhere"));
      } else {
        Files.writeString(p, name + rnd.nextInt());
      }
    }
  }

  /** Changes about a third of what is there: deletions, rewrites, files turned into directories. */
  private void mutate(Random rnd) throws IOException {
    List<Path> all = new ArrayList<>();
    try (var s = Files.walk(root)) {
      s.filter(p -> !p.equals(root)).forEach(all::add);
    }
    Collections.reverse(all); // children before parents
    for (Path p : all) {
      if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) || rnd.nextInt(3) != 0) {
        continue;
      }
      if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        if (rnd.nextBoolean()) {
          Files.writeString(p, "changed " + rnd.nextLong());
        } else {
          Files.delete(p);
          Files.createDirectory(p);
          grow(rnd, p, 3);
        }
      } else if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        try (var s = Files.walk(p)) {
          s.sorted(Collections.reverseOrder()).forEach(q -> q.toFile().delete());
        }
      }
    }
    grow(rnd, root, 1);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void scansWithAndWithoutPrefetch_reportTheSame(int seed) throws Exception {
    Random rnd = new Random(seed);
    grow(rnd, root, 0);
    Files.createDirectories(root.resolve("d/e"));
    Files.writeString(root.resolve("d/e/f"), "f");
    Files.createSymbolicLink(root.resolve("link"), root.resolve("d"));
    PathFilter skip = p -> p.name().startsWith("skip");
    ScanOptions options = ScanOptions.defaults().withFilter(skip);
    MemoryArchive archive = new MemoryArchive().record(scan(new MemoryArchive(), options, false));
    mutate(rnd);
    List<List<RelPath>> scopeSets = List.of(List.of(RelPath.ROOT),
        List.of(RelPath.parse("d"), RelPath.parse("link/e"), RelPath.parse("n3"), RelPath.parse("skip1/x")));
    for (List<RelPath> scopes : scopeSets) {
      ScanOptions o = options.withScopes(scopes);
      List<Update> plain = scan(archive, o, false);
      List<Update> ahead = scan(archive, o, true);
      assertEquals(plain, ahead, "scopes " + scopes);
      // A read of the root started before the scan (jsync server --scan-ahead), not knowing the filter:
      // taken over by a scan of the whole root, closed unused by a scan of some paths; the same updates.
      ReadAhead early = ReadAhead.start(root, clock);
      List<Update> fromEarly = new ArrayList<>();
      new Scanner(root, o, true, clock).readingAhead(early).scan(archive, fromEarly::add);
      assertEquals(plain, fromEarly, "scopes " + scopes + ", read started early");
      assertEquals(scopes.equals(List.of(RelPath.ROOT)), early.adopted(), "scopes " + scopes);
    }
    assertTrue(scan(archive, options, true).size() > 0, "the mutation changed something");
  }

  @Test
  void aReadOfAnotherRoot_isClosedUnused() throws Exception {
    Files.writeString(root.resolve("f"), "x");
    Path elsewhere = Files.createDirectories(root.resolveSibling(root.getFileName() + "-other"));
    Files.writeString(elsewhere.resolve("g"), "y");
    ReadAhead early = ReadAhead.start(elsewhere, clock);
    List<Update> updates = new ArrayList<>();
    new Scanner(root, ScanOptions.defaults(), true, clock).readingAhead(early).scan(new MemoryArchive(),
        updates::add);
    assertFalse(early.adopted());
    assertEquals(List.of(RelPath.parse("f")), updates.stream().map(Update::path).toList());
  }

  /**
   * Stats read early are older than the scan: a file's age against the racy window is measured from when the
   * read started, or a file written just before it would look old enough to trust its stamp.
   */
  @Test
  void aFileWrittenJustBeforeAnEarlyRead_isStillRacy() throws Exception {
    Path f = root.resolve("fresh");
    Files.writeString(f, "just written");
    Instant written = Files.getLastModifiedTime(f).toInstant();
    FakeClock readStart = new FakeClock(written.plusMillis(500));
    ReadAhead early = ReadAhead.start(root, readStart);
    // The scan itself starts 10 s later: from there the file looks 10.5 s old.
    FakeClock scanStart = new FakeClock(written.plusSeconds(10).plusMillis(500));
    List<Update> updates = new ArrayList<>();
    new Scanner(root, ScanOptions.defaults(), true, scanStart).deferringNewFiles().readingAhead(early)
        .scan(new MemoryArchive(), updates::add);
    assertTrue(early.adopted());
    Update u = updates.get(0);
    // Racy: hashed at once (not deferred as an old new file would be) and its stamp not trusted.
    assertTrue(u.current().entry() instanceof jsync.core.model.Entry.File file
        && !file.fingerprint().equals(jsync.core.model.Fingerprint.UNKNOWN), u.toString());
    assertEquals(jsync.core.model.Stamp.NONE, u.current().stamp(), u.toString());
  }

  /** The read started early learns the walker's filter and from then on skips what it ignores. */
  @Test
  void narrow_stopsReadingWhatTheWalkerWillNotDescendInto() throws Exception {
    java.util.concurrent.CountDownLatch atA = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    FakeTree tree = new FakeTree() {
      @Override
      public List<String> list(Path dir) throws IOException {
        if (dir.endsWith("a")) {
          atA.countDown();
          try {
            go.await();
          } catch (InterruptedException e) {
            throw new java.io.InterruptedIOException();
          }
        }
        return super.list(dir);
      }
    }.dir(".", "a", "big", "c").dir("a", "f").dir("big", "x", "y").dir("big/x", "f").dir("big/y", "f")
        .dir("c", "g");
    try (Prefetch p = new Prefetch(Path.of("/r"), List.of(RelPath.ROOT), tree, d -> true, 100,
        Prefetch.MAX_WAITING)) {
      assertTrue(atA.await(10, java.util.concurrent.TimeUnit.SECONDS));
      p.narrow(d -> !d.toString().startsWith("big"));
      go.countDown();
      assertNotNull(p.take(RelPath.ROOT));
      assertNotNull(p.take(RelPath.parse("a")));
      assertNotNull(p.take(RelPath.parse("c")), "big was skipped, c read");
    }
    assertFalse(tree.listed.contains("big"), "read before the filter came: " + tree.listed);
  }

  /** Listings wait for the walker up to a number of entries, not of directories. */
  @Test
  void theReadGetsAheadByAtMostSoManyEntries() throws Exception {
    FakeTree tree = new FakeTree();
    List<String> dirs = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String d = "d" + (10 + i);
      dirs.add(d);
      tree.dir(d, "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9");
    }
    tree.dir(".", dirs.toArray(String[]::new));
    // The root (50 names, weight 51) and then directories of 9 names (weight 10) in a room of 100.
    try (Prefetch p = new Prefetch(Path.of("/r"), List.of(RelPath.ROOT), tree, d -> true, 1000, 100)) {
      long end = System.nanoTime() + 2_000_000_000L;
      while (tree.listed.size() < 6 && System.nanoTime() < end) {
        Thread.sleep(10);
      }
      Thread.sleep(200); // time to run further, if it could
      // Listed: the root, the 4 queued after it (51 + 40 permits) and the one waiting for room.
      assertEquals(6, tree.listed.size(), tree.listed.toString());
      assertNotNull(p.take(RelPath.ROOT));
      for (String d : dirs) {
        assertNotNull(p.take(RelPath.parse(d)), d);
      }
    }
    assertEquals(51, tree.listed.size());
  }

  /** A tree of {@code width} directories per level, {@code depth} levels, a few files in each: keys as FakeTree's. */
  private static FakeTree wideTree(FakeTree tree, String dir, int width, int depth) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < width + 2; i++) {
      names.add((i < width ? "d" : "f") + i);
    }
    Collections.sort(names);
    tree.dir(dir, names.toArray(String[]::new));
    if (depth > 1) {
      for (int i = 0; i < width; i++) {
        wideTree(tree, dir.equals(".") ? "d" + i : dir + "/d" + i, width, depth - 1);
      }
    }
    return tree;
  }

  /** The directories of a FakeTree in walk order (depth first, names sorted), as the walker asks for them. */
  private static List<RelPath> walkOrder(FakeTree tree) {
    List<RelPath> out = new ArrayList<>();
    walk(tree, RelPath.ROOT, ".", out);
    return out;
  }

  private static void walk(FakeTree tree, RelPath dir, String key, List<RelPath> out) {
    out.add(dir);
    for (String n : tree.dirs.get(key)) {
      String child = key.equals(".") ? n : key + "/" + n;
      if (tree.dirs.containsKey(child)) {
        walk(tree, dir.resolve(n), child, out);
      }
    }
  }

  /** Helpers read whole subtrees into queues of their own; the walker still gets every listing in order. */
  @ParameterizedTest
  @ValueSource(ints = {2, 3})
  void withHelpers_everyListingComesInWalkOrder(int threads) throws Exception {
    Set<String> readers = ConcurrentHashMap.newKeySet();
    FakeTree tree = wideTree(new FakeTree() {
      @Override
      public List<String> list(Path dir) throws IOException {
        readers.add(Thread.currentThread().getName());
        try {
          Thread.sleep(1); // slow enough that helpers get to work
        } catch (InterruptedException e) {
          throw new java.io.InterruptedIOException();
        }
        return super.list(dir);
      }
    }, ".", 5, 3);
    List<RelPath> order = walkOrder(tree);
    assertEquals(31, order.size());
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      try (Prefetch p = new Prefetch(Path.of("/r"), List.of(RelPath.ROOT), tree, d -> true, 100,
          Prefetch.MAX_WAITING, threads)) {
        for (RelPath d : order) {
          Prefetch.Listing l = p.take(d);
          assertNotNull(l, d.toString());
          assertEquals(tree.dirs.get(d.isRoot() ? "." : d.toString()), l.names(), d.toString());
        }
        assertNull(p.take(RelPath.parse("zzz")), "past the end");
      }
    });
    assertTrue(readers.stream().anyMatch(n -> n.startsWith("jsync-prefetch-")), "helpers read: " + readers);
  }

  /**
   * With little room, every thread soon waits for the walker; none may wait for another that waits for it.
   * A walker that skips subtrees drains what was read of them.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4})
  void withHelpers_andLittleRoom_nothingWaitsForever(int seed) throws Exception {
    FakeTree tree = wideTree(new FakeTree(), ".", 4, 4);
    List<RelPath> order = walkOrder(tree);
    Random rnd = new Random(seed);
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      try (Prefetch p = new Prefetch(Path.of("/r"), List.of(RelPath.ROOT), tree, d -> true, 100, 8, 3)) {
        RelPath skipping = null;
        for (RelPath d : order) {
          if (skipping != null && d.toString().startsWith(skipping + "/")) {
            continue;
          }
          skipping = null;
          if (rnd.nextInt(8) == 0) {
            Thread.sleep(2);
          }
          assertNotNull(p.take(d), d.toString());
          if (!d.isRoot() && rnd.nextInt(5) == 0) {
            skipping = d; // the walker does not descend: its listings read ahead are dropped
          }
        }
        assertNull(p.take(RelPath.parse("zzz")));
      }
    });
  }

  /** A helper that fails ends its part: the walker gets null for what it missed, and the rest as before. */
  @Test
  void aHelperThatFails_leavesItsPartToTheWalker() throws Exception {
    java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
    FakeTree tree = wideTree(new FakeTree() {
      @Override
      public List<String> list(Path dir) throws IOException {
        if (Thread.currentThread().getName().startsWith("jsync-prefetch-")) {
          failed.incrementAndGet();
          throw new IllegalStateException("a bug in a helper");
        }
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          throw new java.io.InterruptedIOException();
        }
        return super.list(dir);
      }
    }, ".", 5, 3);
    List<RelPath> order = walkOrder(tree);
    int[] got = {0};
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      try (Prefetch p = new Prefetch(Path.of("/r"), List.of(RelPath.ROOT), tree, d -> true, 100,
          Prefetch.MAX_WAITING, 2)) {
        for (RelPath d : order) {
          Prefetch.Listing l = p.take(d);
          if (l != null) {
            got[0]++;
            assertEquals(tree.dirs.get(d.isRoot() ? "." : d.toString()), l.names(), d.toString());
          }
        }
        assertNull(p.take(RelPath.parse("zzz")));
      }
    });
    assertTrue(failed.get() > 0, "a helper was given work");
    assertTrue(got[0] > 1 && got[0] < order.size(), got[0] + " of " + order.size());
  }

  /** An in-memory tree for {@link Prefetch} alone: directory -> names; everything else is a file. */
  private static class FakeTree implements Prefetch.Tree {
    final Map<String, List<String>> dirs = new TreeMap<>();
    final Set<String> listed = ConcurrentHashMap.newKeySet();

    FakeTree dir(String path, String... names) {
      dirs.put(path, List.of(names));
      return this;
    }

    @Override
    public List<String> list(Path dir) throws IOException {
      String key = key(dir);
      listed.add(key);
      List<String> names = dirs.get(key);
      if (names == null) {
        throw new NoSuchFileException(key);
      }
      return names;
    }

    @Override
    public FileStat stat(Path p) throws IOException {
      String key = key(p);
      if (key.endsWith("gone")) {
        throw new NoSuchFileException(key);
      }
      return new FileStat(dirs.containsKey(key) ? FileStat.Type.DIR : FileStat.Type.FILE, 1, 0, 0644, 1, 0);
    }

    private static String key(Path p) {
      String s = Path.of("/r").relativize(p).toString();
      return s.isEmpty() ? "." : s;
    }
  }

  @Test
  void take_inWalkOrder_dropsSkippedDirectories_andLeavesUnreachedOnesToTheWalker() throws Exception {
    FakeTree tree = new FakeTree().dir(".", "a", "b", "c", "gone").dir("a", "x").dir("a/x", "f")
        .dir("b", "f").dir("c", "g");
    try (Prefetch p = new Prefetch(Path.of("/r"), List.of(RelPath.ROOT), tree,
        d -> !d.toString().equals("b"), 100, Prefetch.MAX_WAITING)) {
      Prefetch.Listing top = p.take(RelPath.ROOT);
      assertNotNull(top);
      assertEquals(List.of("a", "b", "c", "gone"), top.names());
      assertEquals(FileStat.Type.DIR, Prefetch.stat(top.stats()[0]).type());
      assertTrue(top.stats()[3] instanceof NoSuchFileException);
      // The walker skips a (and a/x) and asks for b, which the prefetch did not descend into.
      assertNull(p.take(RelPath.parse("b")));
      Prefetch.Listing c = p.take(RelPath.parse("c"));
      assertNotNull(c);
      assertEquals(List.of("g"), c.names());
      assertNull(p.take(RelPath.parse("d")), "past the end");
    }
    assertTrue(!tree.listed.contains("b"), "an ignored directory is never listed");
  }

  @Test
  void anErrorInTheReadAheadThread_endsItsListings_andTheWalkerNeverWaitsForever() {
    // A tree deep enough to overflow the thread's stack is the real case; the fake throws the same Error.
    FakeTree tree = new FakeTree() {
      @Override
      public List<String> list(Path dir) throws IOException {
        if (dir.endsWith("deep")) {
          throw new StackOverflowError();
        }
        return super.list(dir);
      }
    }.dir(".", "a", "deep", "z").dir("a", "f").dir("deep", "x").dir("z", "g");
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> {
      try (Prefetch p = new Prefetch(Path.of("/r"), List.of(RelPath.ROOT), tree, d -> true, 100, Prefetch.MAX_WAITING)) {
        assertNotNull(p.take(RelPath.ROOT));
        assertNotNull(p.take(RelPath.parse("a")));
        assertNull(p.take(RelPath.parse("deep")), "the walker reads it itself");
        assertNull(p.take(RelPath.parse("z")), "nothing more comes after the error");
      }
    });
  }

  @Test
  void hugeDirectory_namesOnly_andCloseStopsAThreadThatIsAhead() throws Exception {
    FakeTree tree = new FakeTree();
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      many.add("d" + (100 + i));
      tree.dir("d" + (100 + i), "f");
    }
    tree.dir(".", many.toArray(String[]::new));
    try (Prefetch p = new Prefetch(Path.of("/r"), List.of(RelPath.ROOT), tree, d -> true, 10, Prefetch.MAX_WAITING)) {
      Prefetch.Listing top = p.take(RelPath.ROOT);
      assertEquals(100, top.names().size());
      assertNull(top.stats(), "more names than maxStats: the walker stats them");
    }
    // Without stats it cannot tell directories: it read nothing below, and close() left nothing running.
    assertEquals(Set.of("."), tree.listed);
  }
}
