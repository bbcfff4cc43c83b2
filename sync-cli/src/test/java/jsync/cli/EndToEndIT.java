package jsync.cli;

import static jsync.cli.JsyncProcesses.launcher;
import static jsync.cli.JsyncProcesses.timeoutSeconds;
import static jsync.core.testing.TreeFixture.describe;
import static jsync.core.testing.TreeFixture.read;
import static jsync.core.testing.TreeFixture.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jsync.core.JsyncException;
import jsync.core.apply.Applier;
import jsync.core.apply.BackupPolicy;
import jsync.core.model.PropsPolicy;
import jsync.core.sync.ItemReport;
import jsync.core.sync.LocalReplica;
import jsync.core.sync.SyncConfig;
import jsync.core.sync.SyncListener;
import jsync.core.sync.SyncReport;
import jsync.core.sync.SyncRun;
import jsync.core.reconcile.Plan;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real directories synchronized end to end: in-process through {@link SyncRun} where the test must act
 * between scan and apply, and through the real launcher {@code bin/jsync} as a child process where the
 * process matters (permissions of another user, being killed, the locale). An integration test: Maven's
 * failsafe runs it in {@code verify}, after {@code package} has gathered the jars the launcher runs, so it
 * always tests the code just built ({@code mvn -pl sync-cli -am verify -Dit.test=EndToEndIT}).
 */
class EndToEndIT {
  /** nobody/nogroup: the unprivileged user permission tests run the CLI as (root ignores file modes). */
  private static final int NOBODY = 65534;

  @TempDir Path tmp;
  @RegisterExtension final JsyncProcesses processes = new JsyncProcesses(() -> tmp);
  private Path a;
  private Path b;
  private Path jsyncHome;

  @BeforeEach
  void setUp() throws IOException {
    a = Files.createDirectories(tmp.resolve("A"));
    b = Files.createDirectories(tmp.resolve("B"));
    jsyncHome = processes.home();
  }

  // ==== in-process: acting between scan and apply ==========================================================

  private LocalReplica replica(Path root) {
    return new LocalReplica(root, root.toString(), "testhost", jsyncHome, Clock.systemUTC(), PropsPolicy.DEFAULT,
        BackupPolicy.NONE, n -> {});
  }

  private SyncReport sync(SyncListener listener) {
    SyncConfig config = SyncConfig.defaults(Clock.systemUTC())
        .withFilter(p -> p.name().startsWith(Applier.TEMP_PREFIX));
    try (LocalReplica ra = replica(a); LocalReplica rb = replica(b)) {
      return new SyncRun(ra, rb, config, listener).run();
    }
  }

  private SyncReport sync() {
    return sync(new SyncListener() {});
  }

  interface IoAction {
    void run() throws IOException;
  }

  /** A batch listener that does {@code action} after the plan is made and before anything is applied. */
  private static SyncListener betweenScanAndApply(IoAction action) {
    return new SyncListener() {
      @Override
      public boolean confirm(Plan plan) {
        try {
          action.run();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return true;
      }
    };
  }

  private static ItemReport item(SyncReport r, String path) {
    return r.items().stream().filter(i -> i.item().path().display().equals(path)).findFirst()
        .orElseThrow(() -> new AssertionError("no item " + path + " in " + r.items()));
  }

  @Test
  void destinationModifiedBetweenScanAndApply_keptAndFailed_thenConflict() throws IOException {
    write(a, "f", "v1");
    write(a, "other", "o1");
    assertEquals(0, sync().exitCode());
    write(a, "f", "v2 from A");
    write(a, "other", "o2");

    SyncReport r = sync(betweenScanAndApply(() -> write(b, "f", "B's own edit, made during the run")));
    assertEquals(2, r.exitCode(), r.items().toString());
    ItemReport f = item(r, "f");
    assertEquals(ItemReport.Status.FAILED, f.status());
    assertTrue(f.message().contains("changed during synchronization") || f.message().contains("modified during "
        + "synchronization"), f.message());
    assertEquals("B's own edit, made during the run", read(b, "f"));
    assertEquals("o2", read(b, "other"), "other items still propagate");

    // Next run: both sides changed f since the last sync: a conflict, and both versions survive.
    SyncReport next = sync();
    assertEquals(1, next.exitCode(), next.items().toString());
    assertEquals(ItemReport.Status.SKIPPED, item(next, "f").status());
    assertEquals("contents changed on both sides", item(next, "f").message());
    assertEquals("v2 from A", read(a, "f"));
    assertEquals("B's own edit, made during the run", read(b, "f"));
  }

  @Test
  void sourceModifiedBetweenScanAndApply_destinationKeptAndFailed_thenPropagated() throws IOException {
    write(a, "f", "v1");
    assertEquals(0, sync().exitCode());
    write(a, "f", "v2");

    SyncReport r = sync(betweenScanAndApply(() -> write(a, "f", "v3, written during the run")));
    assertEquals(2, r.exitCode(), r.items().toString());
    ItemReport f = item(r, "f");
    assertEquals(ItemReport.Status.FAILED, f.status());
    assertTrue(f.message().contains("changed during synchronization"), f.message());
    assertEquals("v1", read(b, "f"));
    assertEquals(List.of(), temps(b), "the partial copy is removed");

    SyncReport next = sync();
    assertEquals(0, next.exitCode(), next.items().toString());
    assertEquals("v3, written during the run", read(b, "f"));
    assertEquals(describe(a), describe(b));
  }

  @Test
  void deletionTargetModifiedBetweenScanAndApply_keptAndFailed_thenConflict() throws IOException {
    write(a, "g", "v1");
    write(a, "keep", "k");
    assertEquals(0, sync().exitCode());
    Files.delete(a.resolve("g"));

    SyncReport r = sync(betweenScanAndApply(() -> write(b, "g", "edited in B during the run")));
    assertEquals(2, r.exitCode(), r.items().toString());
    assertEquals(ItemReport.Status.FAILED, item(r, "g").status());
    assertTrue(item(r, "g").message().contains("during synchronization"), item(r, "g").message());
    assertEquals("edited in B during the run", read(b, "g"));

    SyncReport next = sync();
    assertEquals(1, next.exitCode(), next.items().toString());
    assertTrue(item(next, "g").message().startsWith("conflicting updates"), item(next, "g").message());
    assertEquals("edited in B during the run", read(b, "g"));
    assertFalse(Files.exists(a.resolve("g")));
  }

  @Test
  void creationTargetCreatedBetweenScanAndApply_notOverwritten() throws IOException {
    write(a, "keep", "k");
    assertEquals(0, sync().exitCode());
    write(a, "new", "from A");

    SyncReport r = sync(betweenScanAndApply(() -> write(b, "new", "from B, during the run")));
    assertEquals(2, r.exitCode(), r.items().toString());
    assertTrue(item(r, "new").message().contains("created during synchronization"), item(r, "new").message());
    assertEquals("from B, during the run", read(b, "new"));

    SyncReport next = sync();
    assertEquals(1, next.exitCode(), next.items().toString());
    assertEquals("from A", read(a, "new"));
    assertEquals("from B, during the run", read(b, "new"));
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** A tree synced once, then changed in A, so the next run has things to copy and to delete in B. */
  private Map<String, String> syncedThenChangedInA() throws IOException {
    write(a, "f1", "one");
    write(a, "d/f2", "two");
    write(a, "gone", "to be deleted");
    assertEquals(0, sync().exitCode());
    write(a, "f1", "one, changed");
    write(a, "d/f3", "three");
    Files.delete(a.resolve("gone"));
    return describe(a);
  }

  @Test
  void distributionJars_areUnsigned() throws IOException {
    // A signed jar's classes are verified at every start and kept out of the class-data-sharing archive
    // (~0.27 s of each run over SSH): the build strips Bouncy Castle's signature (sync-cli/pom.xml).
    Path lib = launcher().getParent().resolveSibling("sync-cli/target/jsync/lib");
    List<String> signed = new ArrayList<>();
    List<Path> all;
    try (Stream<Path> jars = Files.list(lib)) {
      all = jars.filter(p -> p.toString().endsWith(".jar")).toList();
    }
    for (Path jar : all) {
      try (java.util.jar.JarFile jf = new java.util.jar.JarFile(jar.toFile())) {
        if (jf.stream().anyMatch(e -> e.getName().matches("META-INF/[^/]+\\.(SF|RSA|DSA|EC)"))) {
          signed.add(jar.getFileName().toString());
        }
      }
    }
    assertEquals(List.of(), signed);
    assertTrue(all.stream().anyMatch(p -> p.getFileName().toString().startsWith("bcprov")), all.toString());
  }

  @Test
  void rootDeletedBetweenScanAndApply_fatalAndNothingRecreated() throws IOException {
    Map<String, String> alpha = syncedThenChangedInA();

    JsyncException e = assertThrows(JsyncException.class, () -> sync(betweenScanAndApply(() -> deleteTree(b))));
    assertTrue(e.getMessage().contains(b.toString()) && e.getMessage().contains("vanished"), e.getMessage());
    assertFalse(Files.exists(b), "B is not recreated");
    assertEquals(alpha, describe(a), "A untouched");
  }

  @Test
  void rootReplacedByAnEmptyDirectoryBetweenScanAndApply_fatalAndNothingWritten() throws IOException {
    // An unmounted disk leaves its (empty) mountpoint directory: writing there would fill the wrong disk.
    Map<String, String> alpha = syncedThenChangedInA();

    // The new directory exists before the old one goes, so it cannot reuse its inode number (ext4 would
    // hand a just-freed inode to an immediate mkdir, and jsync tells directories apart by device and inode).
    JsyncException e = assertThrows(JsyncException.class, () -> sync(betweenScanAndApply(() -> {
      Path other = Files.createDirectory(tmp.resolve("B.other"));
      deleteTree(b);
      Files.move(other, b);
    })));
    assertTrue(e.getMessage().contains(b.toString()), e.getMessage());
    assertEquals(Map.of(), describe(b), "nothing created in the new B");
    assertEquals(alpha, describe(a), "A untouched");
  }

  @Test
  void rootDeletedDuringAnInteractiveCliRun_exit3WithClearMessage() throws IOException {
    Map<String, String> alpha = syncedThenChangedInA();
    // The answer to the plan's question is read after the plan is made: delete B then, and say yes.
    InputStream stdin = new InputStream() {
      private final InputStream yes = new ByteArrayInputStream("y\n".getBytes(StandardCharsets.UTF_8));
      private boolean deleted;

      @Override
      public int read() throws IOException {
        deleteOnce();
        return yes.read();
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        deleteOnce();
        return yes.read(buf, off, len);
      }

      private void deleteOnce() throws IOException {
        if (!deleted) {
          deleted = true;
          deleteTree(b);
        }
      }
    };
    Environment env = new Environment(Map.of("HOME", tmp.toString(), "JSYNC_HOME", jsyncHome.toString(),
        "JSYNC_HOSTNAME", "testhost"), tmp, true, Clock.systemUTC(), stdin, FileSystems.getDefault());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new JsyncCli(env, new PrintWriter(out), new PrintWriter(err)).run(a.toString(), b.toString());
    assertEquals(3, code, out + "\n" + err);
    assertTrue(err.toString().contains("jsync: fatal error: root " + b), err.toString());
    assertTrue(err.toString().contains("vanished"), err.toString());
    assertFalse(err.toString().contains("internal error"), err.toString());
    assertFalse(Files.exists(b));
    assertEquals(alpha, describe(a));
  }

  // ==== through the launcher ===========================================================================

  private record Result(int code, String out, String err) {
    String all() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private static Path sharedDist;

  /**
   * The launcher, runnable by an unprivileged user: the checkout's own if every directory above it lets
   * others in, else an installed-layout copy (hard links where possible) in a world-readable temporary
   * directory, so the permission tests do not depend on where CI clones the repository (e.g. under a
   * mode-700 /root).
   */
  private static synchronized Path launcherForOthers() throws IOException {
    Path checkout = launcher();
    Path lib = checkout.getParent().resolveSibling("sync-cli/target/jsync");
    if (othersCanReach(checkout) && othersCanReach(lib.resolve("lib"))) {
      return checkout;
    }
    if (sharedDist == null) {
      Path dist = Files.createTempDirectory("jsync-dist-");
      Files.createDirectories(dist.resolve("bin"));
      Files.copy(checkout, dist.resolve("bin/jsync"));
      copyTree(lib.resolve("lib"), dist.resolve("lib"));
      copyTree(lib.resolve("native"), dist.resolve("native"));
      Files.writeString(dist.resolve("lib/jsync.classpath"), "installed layout marker\n");
      try (Stream<Path> all = Files.walk(dist)) {
        for (Path p : all.toList()) {
          Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
              Files.isDirectory(p) || p.endsWith("jsync") ? "rwxr-xr-x" : "rw-r--r--"));
        }
      }
      sharedDist = dist;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try (Stream<Path> all = Files.walk(dist)) {
          all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
          // A leftover in /tmp; nothing else depends on it.
        }
      }));
    }
    return sharedDist.resolve("bin/jsync");
  }

  private static boolean othersCanReach(Path p) throws IOException {
    for (Path d = p.toAbsolutePath(); d != null; d = d.getParent()) {
      int mode = (Integer) Files.getAttribute(d, "unix:mode");
      if ((mode & (Files.isDirectory(d) ? 0001 : 0004)) == 0) {
        return false;
      }
    }
    return true;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          try {
            Files.createLink(target, p);
          } catch (IOException | UnsupportedOperationException e) {
            Files.copy(p, target);
          }
        }
      }
    }
  }

  private Process start(List<String> prefix, Map<String, String> env, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add((prefix.isEmpty() ? launcher() : launcherForOthers()).toString());
    cmd.addAll(List.of(args));
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("JSYNC_HOSTNAME", "testhost");
    vars.putAll(env);
    return processes.start(cmd, vars);
  }

  private Result finish(Process p) throws IOException, InterruptedException {
    if (!p.waitFor(timeoutSeconds(120), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("bin/jsync did not finish in " + timeoutSeconds(120) + " s");
    }
    return new Result(p.exitValue(), processes.out(p), processes.err(p));
  }

  private Result jsync(String... args) throws IOException, InterruptedException {
    return finish(start(List.of(), Map.of(), args));
  }

  private Result jsyncWith(Map<String, String> env, String... args) throws IOException, InterruptedException {
    return finish(start(List.of(), env, args));
  }

  /**
   * Every jsync temporary file below {@code root}, relative. Also called while a run creates and deletes
   * them: a walk that meets a file deleted under it is started again.
   */
  private static List<String> temps(Path root) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try (Stream<Path> s = Files.walk(root)) {
        return s.filter(p -> p.getFileName().toString().startsWith(Applier.TEMP_PREFIX))
            .map(p -> root.relativize(p).toString()).sorted().toList();
      } catch (java.io.UncheckedIOException e) {
        if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 20) {
          throw e;
        }
      }
    }
  }

  /** {@link jsync.core.testing.TreeFixture#describe} without jsync's temporary files. */
  private static Map<String, String> contents(Path root) throws IOException {
    Map<String, String> m = new TreeMap<>(describe(root));
    m.keySet().removeIf(k -> k.substring(k.lastIndexOf('/') + 1).startsWith(Applier.TEMP_PREFIX));
    return m;
  }

  // ---- as an unprivileged user ------------------------------------------------------------------------

  private static boolean isRoot(Path anyFile) throws IOException {
    return ((Integer) Files.getAttribute(anyFile, "unix:uid")) == 0;
  }

  /** setpriv to nobody when running as root (root would read mode-000 files); nothing otherwise. */
  private List<String> unprivileged() throws IOException {
    if (!isRoot(tmp)) {
      return List.of();
    }
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is needed as root");
    chownTree(tmp, NOBODY);
    return List.of("/usr/bin/setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
        "--inh-caps=-all");
  }

  private static void chownTree(Path root, int id) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        Files.setAttribute(p, "unix:uid", id, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", id, LinkOption.NOFOLLOW_LINKS);
      }
    }
  }

  @Test
  void unreadableSourceFile_exit2_pathNamedAsFailed_othersCopied() throws Exception {
    write(a, "ok1", "one");
    write(a, "sub/ok2", "two");
    write(a, "secret", "nobody may read this");
    write(b, "from-b", "b");
    List<String> prefix = unprivileged();
    Files.setPosixFilePermissions(a.resolve("secret"), PosixFilePermissions.fromString("---------"));

    Result r = finish(start(prefix, Map.of(), "-batch", a.toString(), b.toString()));
    assertEquals(2, r.code(), r.all());
    assertTrue(r.err().contains("Synchronization incomplete"), r.all());
    assertTrue(r.err().contains("  failed: secret ("), r.all());
    assertTrue(r.err().toLowerCase().contains("permission denied"), r.all());
    assertEquals("one", read(b, "ok1"));
    assertEquals("two", read(b, "sub/ok2"));
    assertEquals("b", read(a, "from-b"));
    assertFalse(Files.exists(b.resolve("secret")));
    assertEquals(List.of(), temps(b));
  }

  @Test
  void destinationDirectoryNotWritable_exit2_othersPropagate() throws Exception {
    write(a, "d/x", "x");
    write(a, "top", "v1");
    List<String> prefix = unprivileged();
    Result first = finish(start(prefix, Map.of(), "-batch", a.toString(), b.toString()));
    assertEquals(0, first.code(), first.all());
    write(a, "d/new", "new in a/d");
    write(a, "top", "v2");
    write(a, "d2/also", "also new");
    // B/d belongs to someone else now and is not writable for the user running jsync.
    // Only its owner changes (as in Unison's fail_dest_dir_unwritable), not its mode, which would be a
    // properties change to propagate. Not root: a mode change is all we can do.
    if (!prefix.isEmpty()) {
      chownTree(tmp, NOBODY);
      Files.setAttribute(b.resolve("d"), "unix:uid", 0);
      Files.setAttribute(b.resolve("d"), "unix:gid", 0);
    } else {
      Files.setPosixFilePermissions(b.resolve("d"), PosixFilePermissions.fromString("r-xr-xr-x"));
    }

    Result r = finish(start(prefix, Map.of(), "-batch", a.toString(), b.toString()));
    assertEquals(2, r.code(), r.all());
    assertTrue(r.err().contains("  failed: d/new ("), r.all());
    assertTrue(r.err().contains(" items transferred, 0 skipped, 1 failed)"), r.all());
    assertTrue(r.err().contains("permission denied"), r.all());
    assertEquals("v2", read(b, "top"));
    assertEquals("also new", read(b, "d2/also"));
    assertFalse(Files.exists(b.resolve("d/new")));
    assertEquals(List.of(), temps(b));
  }

  // ---- output ----------------------------------------------------------------------------------------------

  @Test
  void silentPrintsNothing_evenWhenDeletingADirectory() throws Exception {
    // More directories than Durability.SYNCFS_THRESHOLD, and a small one synced path by path.
    for (int i = 0; i < 40; i++) {
      write(a, "tree/d" + i + "/f", "x" + i);
    }
    write(a, "d/sub/f", "x");
    write(a, "keep", "k");
    assertEquals(0, jsync("-batch", a.toString(), b.toString()).code());
    deleteTree(a.resolve("d"));
    deleteTree(a.resolve("tree"));
    write(a, "keep", "k2");

    Result r = jsync("-silent", a.toString(), b.toString());
    assertEquals(0, r.code(), r.all());
    assertEquals("", r.out(), r.all());
    assertEquals("", r.err(), r.all());
    assertEquals(describe(a), describe(b));
  }

  @Test
  void temporaryFileNamesAreIgnoredByTheScanner() throws Exception {
    write(a, "f", "x");
    write(a, Applier.TEMP_PREFIX + "0123abcd", "a leftover");
    write(a, "d/" + Applier.TEMP_PREFIX + "99", "another");
    Result r = jsync("-batch", a.toString(), b.toString());
    assertEquals(0, r.code(), r.all());
    assertEquals(Map.of("f", "file:x", "d", "dir"), describe(b));
    assertFalse(r.out().contains(Applier.TEMP_PREFIX), r.all());
  }

  // ---- locale ----------------------------------------------------------------------------------------

  private void nonAsciiNamesAreCopied(Map<String, String> env) throws Exception {
    write(a, "café.txt", "crème brûlée");
    write(a, "日本.txt", "日本語");
    write(a, "répertoire/ü.txt", "ü");
    write(b, "Ωmega.txt", "from b");
    Result r = jsyncWith(env, "-batch", a.toString(), b.toString());
    assertEquals(0, r.code(), r.all());
    assertFalse(r.err().contains("warning"), r.all());
    assertEquals("crème brûlée", read(b, "café.txt"));
    assertEquals("日本語", read(b, "日本.txt"));
    assertEquals("ü", read(b, "répertoire/ü.txt"));
    assertEquals("from b", read(a, "Ωmega.txt"));
    assertEquals(describe(a), describe(b));
    Result again = jsyncWith(env, "-batch", a.toString(), b.toString());
    assertEquals(0, again.code(), again.all());
    assertTrue(again.err().contains("Nothing to do"), again.all());
  }

  @Test
  void nonAsciiNamesWithoutAnyLocale() throws Exception {
    Map<String, String> env = new java.util.HashMap<>();
    env.put("LANG", null);
    env.put("LC_ALL", null);
    env.put("LC_CTYPE", null);
    nonAsciiNamesAreCopied(env);
  }

  @Test
  void nonAsciiNamesUnderLcAllC() throws Exception {
    Map<String, String> env = new java.util.HashMap<>();
    env.put("LANG", "C.UTF-8");
    env.put("LC_ALL", "C");
    nonAsciiNamesAreCopied(env);
  }

  // ---- killed and rerun --------------------------------------------------------------------------------

  private static final int DIRS = 30;
  private static final int FILES_PER_DIR = 100;
  private static final int BIG_FILES = 24;
  private static final int MIB = 1 << 20;

  private static String small(int dir, int i, String version) {
    return ("file d" + dir + "/f" + i + " " + version + "\n").repeat(1 + (dir * 7 + i) % 40);
  }

  private static String big(int i, String version) {
    StringBuilder sb = new StringBuilder(MIB);
    String line = "big file " + i + " " + version + " ";
    for (int n = 0; sb.length() < MIB - 40; n++) {
      sb.append(line).append(n).append('\n');
    }
    return sb.toString();
  }

  /** ~3000 small files in 30 directories and 24 files of 1 MiB. */
  private static void generate(Path root) throws IOException {
    for (int d = 0; d < DIRS; d++) {
      Path dir = Files.createDirectories(root.resolve("d" + d));
      for (int i = 0; i < FILES_PER_DIR; i++) {
        Files.writeString(dir.resolve("f" + i), small(d, i, "v1"));
      }
    }
    Path bigDir = Files.createDirectories(root.resolve("big"));
    for (int i = 0; i < BIG_FILES; i++) {
      Files.writeString(bigDir.resolve("b" + i), big(i, "v1"));
    }
  }

  /** When to kill a run: after a delay, or once a condition on the trees holds (polled), whichever first. */
  private record Kill(String name, long delayMs, Condition when) {
    static Kill after(long ms) {
      return new Kill("after " + ms + " ms", ms, () -> false);
    }

    static Kill when(String name, Condition c) {
      return new Kill(name, TimeUnit.SECONDS.toMillis(timeoutSeconds(60)), c);
    }
  }

  interface Condition {
    boolean holds() throws IOException;
  }

  /**
   * Starts {@code bin/jsync -batch A B} and kills it -9 at each moment in turn (each kill hits a new run that
   * goes on from where the last one stopped), then runs it to completion.
   */
  private List<String> killRepeatedlyThenComplete(Kill... kills) throws Exception {
    List<String> log = new ArrayList<>();
    for (Kill k : kills) {
      Process p = start(List.of(), Map.of(), "-batch", a.toString(), b.toString());
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(k.delayMs());
      while (p.isAlive() && System.nanoTime() < deadline && !k.when().holds()) {
        Thread.sleep(10);
      }
      boolean ended = !p.isAlive();
      if (!ended) {
        p.destroyForcibly();
        assertTrue(p.waitFor(timeoutSeconds(30), TimeUnit.SECONDS), "killed jsync did not end");
      }
      log.add(k.name() + ": " + (ended ? "finished first, exit " + p.exitValue() : "killed") + ", B holds "
          + count(b) + " entries, " + temps(b).size() + " temporary files");
    }
    Result done = jsync("-batch", a.toString(), b.toString());
    assertTrue(done.code() == 0, log + "\n" + done.all());
    log.add("rerun: " + done.out().lines().reduce((x, y) -> y).orElse("") + "; " + temps(b).size()
        + " temporary files left in B");
    System.out.println("killed runs: " + String.join("\n  ", log));
    return log;
  }

  /**
   * Holds once B has a jsync temporary file that was not there at the first check (made as the run starts,
   * so leftovers of earlier killed runs do not count): a copy is under way.
   */
  private Condition newTemporaryFileInB() {
    List<List<String>> before = new ArrayList<>();
    return () -> {
      if (before.isEmpty()) {
        before.add(temps(b));
        return false;
      }
      return !before.get(0).containsAll(temps(b));
    };
  }

  private static long count(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.count() - 1;
    }
  }

  private void assertSyncedAndQuiet(Map<String, String> expected, List<String> log) throws Exception {
    assertEquals(List.of(), temps(a), "no temporary files in A: " + log);
    Map<String, String> alpha = contents(a);
    Map<String, String> beta = contents(b);
    assertEquals(expected.keySet(), alpha.keySet(), "A: nothing lost or resurrected; " + log);
    assertEquals(expected.keySet(), beta.keySet(), "B: nothing lost or resurrected; " + log);
    assertTrue(expected.equals(alpha), "A's contents");
    assertTrue(expected.equals(beta), "B's contents");
    Result again = jsync("-batch", a.toString(), b.toString());
    assertEquals(0, again.code(), again.all());
    assertTrue(again.err().contains("Nothing to do"), again.all() + "\n" + log);
    assertEquals(expected.keySet(), contents(b).keySet(), "leftover temporary files are never propagated");
  }

  @Test
  void firstSyncKilledAtSeveralMoments_rerunCompletesWithNothingLost() throws Exception {
    launcher();
    generate(a);
    Map<String, String> expected = describe(a);

    List<String> log = killRepeatedlyThenComplete(Kill.after(300), Kill.after(800), Kill.after(1500),
        Kill.when("while copying", newTemporaryFileInB()));
    assertSyncedAndQuiet(expected, log);
  }

  @Test
  void changesOnBothSidesKilledAtSeveralMoments_nothingLostOrResurrected() throws Exception {
    launcher();
    generate(a);
    assertEquals(0, jsync("-batch", a.toString(), b.toString()).code());

    // Edits in A (small and big files), deletions in B (files and a whole directory), a new dir in A.
    for (int d = 0; d < DIRS; d += 3) {
      for (int i = 0; i < FILES_PER_DIR; i += 4) {
        Files.writeString(a.resolve("d" + d + "/f" + i), small(d, i, "v2, edited in A"));
      }
    }
    for (int i = 0; i < BIG_FILES; i += 2) {
      Files.writeString(a.resolve("big/b" + i), big(i, "v2"));
    }
    for (int d = 1; d < DIRS; d += 3) {
      for (int i = 1; i < FILES_PER_DIR; i += 5) {
        Files.delete(b.resolve("d" + d + "/f" + i));
      }
    }
    deleteTree(b.resolve("d29"));
    for (int i = 0; i < 500; i++) {
      write(a, "new/n" + (i % 10) + "/f" + i, "new " + i);
    }
    Map<String, String> expected = new TreeMap<>(describe(a));
    expected.keySet().removeIf(k -> k.equals("d29") || k.startsWith("d29/"));
    for (int d = 1; d < DIRS; d += 3) {
      for (int i = 1; i < FILES_PER_DIR; i += 5) {
        expected.remove("d" + d + "/f" + i);
      }
    }

    Path deletedInB = a.resolve("d1/f1");
    List<String> log = killRepeatedlyThenComplete(Kill.after(300), Kill.after(800),
        Kill.when("while copying", newTemporaryFileInB()),
        Kill.when("while deleting", () -> !Files.exists(deletedInB)), Kill.after(1500));
    assertSyncedAndQuiet(expected, log);
  }
}
