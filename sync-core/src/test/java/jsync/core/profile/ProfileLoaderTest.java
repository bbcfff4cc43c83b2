package jsync.core.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProfileLoaderTest {
  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
  private final Path home = fs.getPath("/home/u/.jsync");
  private final ProfileLoader loader = new ProfileLoader(home);

  @AfterEach
  void close() throws IOException {
    fs.close();
  }

  private Path write(String name, String... lines) throws IOException {
    Path file = home.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return file;
  }

  private static void assertLocated(ProfileException e, Path file, int line) {
    assertEquals(file.toString(), e.source(), e.getMessage());
    assertEquals(line, e.line(), e.getMessage());
    assertTrue(e.getMessage().startsWith(file + ", line " + line + ": "), e.getMessage());
  }

  @Test
  void keyValueLines_areTrimmedAndKeepFileAndLine() throws IOException {
    Path f = write("web.prf", "  root = /a  ", "", "root=ssh://h//b", "\tbatch\t=\ttrue");
    assertEquals(List.of(
        new Setting("root", "/a", f.toString(), 1),
        new Setting("root", "ssh://h//b", f.toString(), 3),
        new Setting("batch", "true", f.toString(), 4)), loader.load("web"));
  }

  @Test
  void commentsAreSkipped_butHashInsideValueIsKept() throws IOException {
    Path f = write("p.prf", "# a comment", "   # indented comment", "ignore = Name #*#", "label = a # b");
    assertEquals(List.of(
        new Setting("ignore", "Name #*#", f.toString(), 3),
        new Setting("label", "a # b", f.toString(), 4)), loader.load("p"));
  }

  @Test
  void valueMaySplitAtFirstEqualsOnly() throws IOException {
    write("p.prf", "ignore = Regex a=b");
    assertEquals("Regex a=b", loader.load("p").get(0).value());
  }

  @Test
  void crlfAndByteOrderMark_areAccepted() throws IOException {
    Path f = home.resolve("p.prf");
    Files.createDirectories(home);
    Files.writeString(f, "\uFEFFbatch = true\r\nlabel = x\r\n", StandardCharsets.UTF_8);
    assertEquals(List.of(new Setting("batch", "true", f.toString(), 1),
        new Setting("label", "x", f.toString(), 2)), loader.load("p"));
  }

  @Test
  void nameEndingInPrf_isUsedAsIs() throws IOException {
    write("p.prf", "batch = true");
    assertEquals(1, loader.load("p.prf").size());
  }

  @Test
  void lineWithoutEquals_isErrorNamingFileAndLine() throws IOException {
    Path f = write("p.prf", "batch = true", "batch true");
    ProfileException e = assertThrows(ProfileException.class, () -> loader.load("p"));
    assertLocated(e, f, 2);
    assertTrue(e.getMessage().contains("'batch true'"), e.getMessage());
  }

  @Test
  void missingKey_isError() throws IOException {
    Path f = write("p.prf", "= x");
    assertLocated(assertThrows(ProfileException.class, () -> loader.load("p")), f, 1);
  }

  @Test
  void missingProfile_namesFileLookedForAndListsAvailable() throws IOException {
    write("web.prf", "batch = true");
    write("home.prf", "batch = true");
    write("notes.txt", "x");
    ProfileException e = assertThrows(ProfileException.class, () -> loader.load("wbe"));
    assertTrue(e.getMessage().contains(home.resolve("wbe.prf").toString()), e.getMessage());
    assertTrue(e.getMessage().contains("available profiles: home, web)"), e.getMessage());
  }

  @Test
  void missingHomeDirectory_isSaidSo() {
    ProfileException e = assertThrows(ProfileException.class, () -> loader.load("web"));
    assertTrue(e.getMessage().contains("/home/u/.jsync does not exist"), e.getMessage());
  }

  @Test
  void profileNameWithSlash_isRejected() {
    ProfileException e = assertThrows(ProfileException.class, () -> loader.load("../etc/passwd"));
    assertTrue(e.getMessage().contains("without '/'"), e.getMessage());
  }

  @Test
  void include_splicesProfileInPlace() throws IOException {
    Path common = write("common.prf", "ignore = Name *.o");
    Path main = write("p.prf", "root = /a", "include common", "root = /b");
    assertEquals(List.of(
        new Setting("root", "/a", main.toString(), 1),
        new Setting("ignore", "Name *.o", common.toString(), 1),
        new Setting("root", "/b", main.toString(), 3)), loader.load("p"));
  }

  @Test
  void include_prefersExactNameOverPrf_asUnisonDoes() throws IOException {
    Path exact = write("common", "label = exact");
    write("common.prf", "label = prf");
    write("p.prf", "include common");
    assertEquals(List.of(new Setting("label", "exact", exact.toString(), 1)), loader.load("p"));
  }

  @Test
  void include_missing_isErrorAtDirectiveLine() throws IOException {
    Path f = write("p.prf", "batch = true", "include nope");
    ProfileException e = assertThrows(ProfileException.class, () -> loader.load("p"));
    assertLocated(e, f, 2);
    assertTrue(e.getMessage().contains(home.resolve("nope.prf").toString()), e.getMessage());
  }

  @Test
  void optionalInclude_missing_isSkipped() throws IOException {
    write("p.prf", "include? nope", "source? nope.txt", "batch = true");
    assertEquals(1, loader.load("p").size());
  }

  @Test
  void optionalInclude_present_isRead() throws IOException {
    write("local.prf", "label = here");
    write("p.prf", "include? local");
    assertEquals("here", loader.load("p").get(0).value());
  }

  @Test
  void include_withSlash_isRejected() throws IOException {
    Path f = write("p.prf", "include sub/common");
    assertLocated(assertThrows(ProfileException.class, () -> loader.load("p")), f, 1);
  }

  @Test
  void source_readsExactFile_relativeToHome_andMayUseSubdirectory() throws IOException {
    Path ignores = write("shared/ignores", "ignore = Name .git");
    write("shared/ignores.prf", "ignore = Name wrong");
    write("p.prf", "source shared/ignores");
    assertEquals(List.of(new Setting("ignore", "Name .git", ignores.toString(), 1)), loader.load("p"));
  }

  @Test
  void source_doesNotAddPrf() throws IOException {
    write("common.prf", "batch = true");
    Path f = write("p.prf", "source common");
    assertLocated(assertThrows(ProfileException.class, () -> loader.load("p")), f, 1);
  }

  @Test
  void malformedDirective_isError() throws IOException {
    Path f = write("p.prf", "include a b");
    ProfileException e = assertThrows(ProfileException.class, () -> loader.load("p"));
    assertLocated(e, f, 1);
    assertTrue(e.getMessage().contains("malformed include directive"), e.getMessage());
  }

  @Test
  void includeCycle_isErrorShowingTheChain() throws IOException {
    write("a.prf", "include b");
    Path b = write("b.prf", "batch = true", "include a");
    ProfileException e = assertThrows(ProfileException.class, () -> loader.load("a"));
    assertLocated(e, b, 2);
    assertTrue(e.getMessage().contains("include cycle: " + home.resolve("a.prf") + " -> "
        + home.resolve("b.prf") + " -> " + home.resolve("a.prf")), e.getMessage());
  }

  @Test
  void selfInclude_isCycle() throws IOException {
    Path f = write("a.prf", "include a");
    assertLocated(assertThrows(ProfileException.class, () -> loader.load("a")), f, 1);
  }

  @Test
  void includeNestingDeeperThanLimit_isError() throws IOException {
    for (int i = 0; i < ProfileLoader.MAX_INCLUDE_DEPTH; i++) {
      write("p" + i + ".prf", "include p" + (i + 1));
    }
    write("p" + ProfileLoader.MAX_INCLUDE_DEPTH + ".prf", "batch = true");
    ProfileException e = assertThrows(ProfileException.class, () -> loader.load("p0"));
    assertLocated(e, home.resolve("p" + (ProfileLoader.MAX_INCLUDE_DEPTH - 1) + ".prf"), 1);
    assertTrue(e.getMessage().contains("nested more than 20"), e.getMessage());
  }

  @Test
  void includeNestingAtLimit_isFine() throws IOException {
    for (int i = 0; i < ProfileLoader.MAX_INCLUDE_DEPTH - 1; i++) {
      write("p" + i + ".prf", "include p" + (i + 1));
    }
    write("p" + (ProfileLoader.MAX_INCLUDE_DEPTH - 1) + ".prf", "batch = true");
    assertEquals(1, loader.load("p0").size());
  }

  @Test
  void sameFileIncludedTwiceInSequence_isNotACycle() throws IOException {
    write("common.prf", "ignore = Name x");
    write("p.prf", "include common", "include common");
    assertEquals(2, loader.load("p").size());
  }

  @Test
  void invalidUtf8_isError() throws IOException {
    Files.createDirectories(home);
    Path f = home.resolve("p.prf");
    Files.write(f, new byte[] {'a', ' ', '=', ' ', (byte) 0xC3});
    ProfileException e = assertThrows(ProfileException.class, () -> loader.load("p"));
    assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
  }

  @Test
  void settingsFrom_splitsKeyEqualsValue_andRejectsMissingEquals() {
    assertEquals(List.of(Setting.commandLine("batch", "true"), Setting.commandLine("root", "a=b")),
        Setting.settingsFrom(List.of(" batch = true", "root=a=b")));
    ProfileException e = assertThrows(ProfileException.class, () -> Setting.settingsFrom(List.of("batch")));
    assertEquals("command line", e.source());
  }
}
