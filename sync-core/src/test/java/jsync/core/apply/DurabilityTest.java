package jsync.core.apply;

import static jsync.core.apply.ApplyFixture.chattr;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Durability} on the real filesystem. Whether data reached the disk cannot be observed without
 * pulling the power, so these check that every path through it runs and leaves the files intact.
 */
class DurabilityTest {
  @TempDir Path tmp;
  private final List<Path> immutable = new ArrayList<>();

  @AfterEach
  void clearImmutableFlags() throws Exception {
    for (Path p : immutable) {
      chattr("-i", p);
    }
  }

  private List<Path> files(Path dir, int n) throws Exception {
    Files.createDirectories(dir);
    List<Path> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Files.writeString(dir.resolve("f" + i), "content " + i));
    }
    return out;
  }

  private static void assertIntact(List<Path> files) throws Exception {
    for (Path f : files) {
      String name = f.getFileName().toString();
      assertEquals("content " + name.substring(1), Files.readString(f));
    }
  }

  @Test
  void aboveThreshold_syncsWholeFilesystemsAndLeavesFilesIntact() throws Exception {
    // More paths than the threshold take the sync -f route, across two directories of one filesystem.
    List<Path> all = new ArrayList<>(files(tmp.resolve("a"), Durability.SYNCFS_THRESHOLD));
    all.addAll(files(tmp.resolve("b"), 5));
    Durability.sync(all, List.of(tmp.resolve("a"), tmp.resolve("b")));
    assertIntact(all);
  }

  @Test
  void belowThreshold_fsyncsEachFileAndDirectory() throws Exception {
    List<Path> few = files(tmp.resolve("a"), 3);
    Durability.sync(few, List.of(tmp.resolve("a"), tmp));
    assertIntact(few);
  }

  @Test
  void directoriesOnly_onTheDefaultFilesystem() throws Exception {
    Files.createDirectories(tmp.resolve("d"));
    Durability.sync(List.of(), List.of(tmp, tmp.resolve("d")));
  }

  @Test
  void nothingToSync_isANoOp() throws Exception {
    Durability.sync(List.of(), List.of());
  }

  @Test
  void readOnlyFile_belowThreshold_isSynced() throws Exception {
    // A file staged with a read-only mode (0444, as git writes its objects) cannot be opened for writing
    // by its non-root owner, and fsync does not need that. Root ignores mode bits, so the immutable flag,
    // which refuses root too, stands in for them here.
    List<Path> few = files(tmp.resolve("a"), 2);
    chattr("+i", few.get(0));
    immutable.add(few.get(0));
    Durability.sync(few, List.of(tmp.resolve("a")));
    assertIntact(few);
  }

  @Test
  void inMemoryFilesystem_filesAreForcedAndDirectoriesSkipped() throws Exception {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path dir = Files.createDirectories(fs.getPath("/r/d"));
      List<Path> many = files(dir, Durability.SYNCFS_THRESHOLD + 1);
      Durability.sync(many, List.of(dir));
      assertIntact(many);
    }
  }
}
