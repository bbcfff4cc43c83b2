package jsync.core.apply;

import static jsync.core.apply.ApplyFixture.file;
import static jsync.core.apply.ApplyFixture.observe;
import static jsync.core.testing.TreeFixture.describe;
import static jsync.core.testing.TreeFixture.link;
import static jsync.core.testing.TreeFixture.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import jsync.core.model.Entry;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backups kept by the applier ({@link BackupPolicy}): naming, rotation, hard link or rename, central dir. */
class ApplierBackupTest {
  private static final String DEFAULT_PREFIX = ".bak." + BackupPolicy.VERSION + ".";

  @TempDir Path tmp;
  private Path root;
  private final ApplyFixture.MapSource source = new ApplyFixture.MapSource();

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectories(tmp.resolve("root"));
  }

  /** Central backup directories made on another filesystem, removed after each test. */
  private final List<Path> madeOnShm = new java.util.ArrayList<>();

  /**
   * A backup directory on another filesystem than the replica's (tmpfs), where neither a hard link nor a
   * rename can reach, so backups are copies; skips the test if there is none.
   */
  private Path centralDirOnAnotherFilesystem() throws IOException {
    Path shm = Path.of("/dev/shm");
    Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no /dev/shm");
    Path central = Files.createTempDirectory(shm, "jsync-backup-test-");
    madeOnShm.add(central);
    Assumptions.assumeFalse(Files.getAttribute(central, "unix:dev").equals(Files.getAttribute(root, "unix:dev")),
        "/dev/shm is on the same filesystem as the temp dir");
    return central;
  }

  @AfterEach
  void removeCentralDirs() throws IOException {
    for (Path central : madeOnShm) {
      try (var walk = Files.walk(central)) {
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static BackupPolicy local(int maxBackups) {
    return new BackupPolicy(p -> true, Optional.empty(), DEFAULT_PREFIX, "", maxBackups);
  }

  /** Replaces {@code rel} (whatever it holds now) with {@code content} under {@code policy}. */
  private StepResult replace(BackupPolicy policy, String rel, String content) throws IOException {
    source.put(rel, content);
    Applier a = new Applier(root, PropsPolicy.DEFAULT, policy, source, n -> {});
    a.add(new Step(1, List.of(Op.put(RelPath.parse(rel), file(content), observe(root, rel)))));
    StepResult r = a.flush().get(0);
    assertTrue(r.succeeded(), r.failure());
    return r;
  }

  private StepResult remove(BackupPolicy policy, String rel) throws IOException {
    Applier a = new Applier(root, PropsPolicy.DEFAULT, policy, source, n -> {});
    a.add(new Step(1, List.of(Op.remove(RelPath.parse(rel), observe(root, rel)))));
    StepResult r = a.flush().get(0);
    assertTrue(r.succeeded(), r.failure());
    return r;
  }

  private static Object inode(Path p) throws IOException {
    return Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
  }

  @Test
  void replace_keepsOldVersionByHardLink() throws Exception {
    write(root, "d/f", "v1");
    Object oldInode = inode(root.resolve("d/f"));

    replace(local(2), "d/f", "v2");

    assertEquals(Map.of("d", "dir", "d/f", "file:v2", "d/.bak.1.f", "file:v1"), describe(root));
    assertEquals(oldInode, inode(root.resolve("d/.bak.1.f")));
  }

  @Test
  void prefixWithADirectory_keepsBackupsInThatSubdirectory_andTheScannerIgnoresIt() throws Exception {
    BackupPolicy policy = new BackupPolicy(p -> true, Optional.empty(), ".backups/" + BackupPolicy.VERSION + "-",
        "", 2);
    write(root, "d/f", "v1");
    replace(policy, "d/f", "v2");
    replace(policy, "d/f", "v3");

    assertEquals(Map.of("d", "dir", "d/f", "file:v3", "d/.backups", "dir", "d/.backups/1-f", "file:v2",
        "d/.backups/2-f", "file:v1"), describe(root));
    assertTrue(policy.localBackupName().test(".backups"));
    assertFalse(policy.localBackupName().test("f"));
  }

  @Test
  void replace_rotatesUpToMaxBackups_droppingTheOldest() throws Exception {
    write(root, "f", "v1");
    replace(local(2), "f", "v2");
    replace(local(2), "f", "v3");
    assertEquals(Map.of("f", "file:v3", ".bak.1.f", "file:v2", ".bak.2.f", "file:v1"), describe(root));

    replace(local(2), "f", "v4");

    assertEquals(Map.of("f", "file:v4", ".bak.1.f", "file:v3", ".bak.2.f", "file:v2"), describe(root));
  }

  @Test
  void replace_withMaxBackupsOne_keepsOnlyTheNewest() throws Exception {
    write(root, "f", "v1");
    replace(local(1), "f", "v2");
    replace(local(1), "f", "v3");
    assertEquals(Map.of("f", "file:v3", ".bak.1.f", "file:v2"), describe(root));
  }

  @Test
  void remove_movesTheFileToItsBackup() throws Exception {
    write(root, "f", "last words");
    Object inode = inode(root.resolve("f"));

    remove(local(2), "f");

    assertEquals(Map.of(".bak.1.f", "file:last words"), describe(root));
    assertEquals(inode, inode(root.resolve(".bak.1.f")));
  }

  @Test
  void symlink_replacedAndRemoved_areBackedUpAsLinks() throws Exception {
    link(root, "l", "t1");
    Applier a = new Applier(root, PropsPolicy.DEFAULT, local(3), source, n -> {});
    a.add(new Step(1, List.of(Op.put(RelPath.parse("l"), new Entry.Link("t2"), observe(root, "l")))));
    assertTrue(a.flush().get(0).succeeded());
    remove(local(3), "l");
    assertEquals(Map.of(".bak.1.l", "link:t2", ".bak.2.l", "link:t1"), describe(root));
  }

  @Test
  void onlyMatchingPathsAreBackedUp() throws Exception {
    write(root, "keep.doc", "v1");
    write(root, "skip.tmp", "v1");
    Predicate<RelPath> docs = p -> p.name().endsWith(".doc");
    BackupPolicy policy = new BackupPolicy(docs, Optional.empty(), DEFAULT_PREFIX, "", 2);
    replace(policy, "keep.doc", "v2");
    replace(policy, "skip.tmp", "v2");
    remove(policy, "skip.tmp");
    assertEquals(Map.of("keep.doc", "file:v2", ".bak.1.keep.doc", "file:v1"), describe(root));
  }

  @Test
  void directories_areNotBackedUp() throws Exception {
    Files.createDirectories(root.resolve("d"));
    remove(local(2), "d");
    assertEquals(Map.of(), describe(root));
  }

  @Test
  void centralBackupDir_mirrorsTheRelativePath() throws Exception {
    Path central = tmp.resolve("central");
    BackupPolicy policy = new BackupPolicy(p -> true, Optional.of(central), DEFAULT_PREFIX, "", 2);
    write(root, "a/b/f", "v1");
    write(root, "top", "t1");

    replace(policy, "a/b/f", "v2");
    remove(policy, "top");

    assertEquals(Map.of("a", "dir", "a/b", "dir", "a/b/f", "file:v2"), describe(root));
    assertEquals(Map.of("a", "dir", "a/b", "dir", "a/b/.bak.1.f", "file:v1", ".bak.1.top", "file:t1"),
        describe(central));
  }

  @Test
  void centralBackupDir_onAnotherFilesystem_replaceAndRemoveStillWork() throws Exception {
    // A common setup: the backup dir in the jsync home on one disk, the replica on another. Neither a hard
    // link nor a rename can cross; the backup is then a copy.
    Path central = centralDirOnAnotherFilesystem();
    BackupPolicy policy = new BackupPolicy(p -> true, Optional.of(central), DEFAULT_PREFIX, "", 2);
    write(root, "d/f", "v1");
    write(root, "d/g", "last words");
    link(root, "d/l", "t1");

    replace(policy, "d/f", "v2");
    remove(policy, "d/g");
    remove(policy, "d/l");

    assertEquals(Map.of("d", "dir", "d/f", "file:v2"), describe(root));
    assertEquals(Map.of("d", "dir", "d/.bak.1.f", "file:v1", "d/.bak.1.g", "file:last words",
        "d/.bak.1.l", "link:t1"), describe(central));
  }

  /** A backup that has to be copied: a write to the destination meanwhile is kept, not overwritten. */
  @Test
  void centralBackupDir_onAnotherFilesystem_aWriteDuringTheBackupCopy_keepsTheDestination() throws Exception {
    Path central = centralDirOnAnotherFilesystem();
    BackupPolicy policy = new BackupPolicy(p -> true, Optional.of(central), DEFAULT_PREFIX, "", 2);
    write(root, "d/f", "v0");
    replace(policy, "d/f", "v1"); // an older version in the backups: .bak.1.f = v0
    source.put("d/f", "v2");
    Applier a = new Applier(root, PropsPolicy.DEFAULT, policy, source, n -> {});
    a.at(Applier.Moment.AFTER_BACKUP_COPY, p -> {
      try {
        Files.writeString(p, "user's v1 edit");
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    a.add(new Step(1, List.of(Op.put(RelPath.parse("d/f"), file("v2"), observe(root, "d/f")))));
    StepResult r = a.flush().get(0);
    assertFalse(r.succeeded());
    assertTrue(r.failure().contains("while its backup was copied"), r.failure());
    assertEquals(Map.of("d", "dir", "d/f", "file:user's v1 edit"), describe(root));
    // The existing backup did not move up for a backup that was not made; nothing else left behind.
    assertEquals(Map.of("d", "dir", "d/.bak.1.f", "file:v0"), describe(central));
  }

  @Test
  void centralBackupDir_withPlainNames_keepsOneVersionUnderTheSameName() throws Exception {
    // Unison's central layout for the current version: the backup has the file's own name.
    Path central = tmp.resolve("central");
    BackupPolicy policy = new BackupPolicy(p -> true, Optional.of(central), "", "", 3);
    assertFalse(policy.isVersioned());
    write(root, "d/f", "v1");
    replace(policy, "d/f", "v2");
    replace(policy, "d/f", "v3");
    assertEquals(Map.of("d", "dir", "d/f", "file:v2"), describe(central));
  }

  @Test
  void nonVersionedSuffix_keepsASingleBackup_overwrittenEachTime() throws Exception {
    // Without $VERSION in prefix or suffix there is one backup name, so maxbackups cannot apply: each
    // replacement overwrites the previous backup. (Profiles refuse such settings; Unison would add the
    // version at the start of the suffix.)
    BackupPolicy policy = new BackupPolicy(p -> true, Optional.empty(), "", ".orig", 3);
    assertFalse(policy.isVersioned());
    assertEquals("f.orig", policy.backupName("f", 2));
    write(root, "f", "v1");
    replace(policy, "f", "v2");
    replace(policy, "f", "v3");
    assertEquals(Map.of("f", "file:v3", "f.orig", "file:v2"), describe(root));
    assertTrue(policy.localBackupName().test("f.orig"));
    assertFalse(policy.localBackupName().test("f"));
  }

  @Test
  void backupName_replacesVersionInPrefixAndSuffix() {
    assertEquals(".bak.1.name", local(2).backupName("name", 1));
    BackupPolicy suffixed = new BackupPolicy(p -> true, Optional.empty(), "", ".~" + BackupPolicy.VERSION + "~", 2);
    assertTrue(suffixed.isVersioned());
    assertEquals("name.~12~", suffixed.backupName("name", 12));
  }

  @Test
  void localBackupName_matchesBackupNamesOnly() {
    Predicate<String> isBackup = local(2).localBackupName();
    assertTrue(isBackup.test(".bak.12.name"));
    assertTrue(isBackup.test(".bak.1.x"));
    assertFalse(isBackup.test("name"));
    assertFalse(isBackup.test(".bak..name"));
    assertFalse(isBackup.test(".bak.x.name"));
    assertFalse(isBackup.test(".bak.1."));
    assertFalse(isBackup.test("a.bak.1.name"));

    Predicate<String> suffixed =
        new BackupPolicy(p -> true, Optional.empty(), "", ".~" + BackupPolicy.VERSION + "~", 2).localBackupName();
    assertTrue(suffixed.test("name.~3~"));
    assertFalse(suffixed.test("name.~~"));
    assertFalse(suffixed.test("name"));

    // Special characters in the prefix are literal.
    Predicate<String> dotted = new BackupPolicy(p -> true, Optional.empty(), "(" + BackupPolicy.VERSION + ")*",
        "", 2).localBackupName();
    assertTrue(dotted.test("(4)*name"));
    assertFalse(dotted.test("(4)name"));
  }

  @Test
  void localBackupName_withCentralDir_matchesNothing() {
    BackupPolicy central = new BackupPolicy(p -> true, Optional.of(Path.of("/backups")), DEFAULT_PREFIX, "", 2);
    assertFalse(central.localBackupName().test(".bak.1.name"));
  }

  @Test
  void invalidPolicies_areRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> new BackupPolicy(p -> true, Optional.empty(), DEFAULT_PREFIX, "", 0));
    assertThrows(IllegalArgumentException.class, () -> new BackupPolicy(p -> true, Optional.empty(), "", "", 2));
  }
}
