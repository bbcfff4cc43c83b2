package jsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import jsync.core.profile.Setting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Parsing alone: what {@link JsyncCli#parser} makes of a command line, with nothing run. */
class CliParseTest {
  @TempDir Path tmp;

  private static Options parse(String... args) {
    Options o = new Options();
    JsyncCli.parser(o).parseArgs(args);
    return o;
  }

  /** The settings the command line contributes, as "key=value". */
  private static List<String> settings(String... args) {
    return parse(args).settings().stream().map(s -> s.key() + "=" + s.value()).toList();
  }

  /** The words after "server" are hints: the scan-ahead root is taken, anything else is ignored. */
  @Test
  void serverHints_scanAheadRootTaken_unknownWordsIgnored() {
    assertEquals("/srv/www", JsyncCli.scanAheadRoot(List.of("--future-hint=1", "--scan-ahead=/srv/www")));
    assertEquals("www", JsyncCli.scanAheadRoot(List.of("--scan-ahead=www", "extra")));
    assertNull(JsyncCli.scanAheadRoot(List.of("--future-hint=1", "/srv/www")));
    assertNull(JsyncCli.scanAheadRoot(List.of("--scan-ahead=/a\0b")), "not a path: no read ahead");
  }

  /** Every preference option reaches its own setting: a binding to the wrong field would show here. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"prefer", "force", "ignore", "ignorenot", "path",
      "perms", "backup", "backupnot", "backupdir", "maxbackups", "mountpoint", "logfile", "label", "repeat",
      "servercmd", "sshcmd", "sshargs"})
  void eachValuedOption_becomesItsOwnSetting(String key) {
    assertEquals(List.of(key + "=v1"), settings("-" + key, "v1", "p"));
    assertEquals(List.of(key + "=v2"), settings("-" + key + "=v2"));
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"batch", "times", "links", "fastcheck",
      "confirmbigdel", "log", "silent", "terse", "compress"})
  void eachBooleanOption_becomesItsOwnSetting(String key) {
    assertEquals(List.of(key + "=true"), settings("-" + key, "p"));
    assertEquals(List.of(key + "=false"), settings("-" + key + "=false"));
  }

  @Test
  void debugVersionAndHelp_areFlagsOfTheirOwn_notSettings() {
    Options o = parse("-debug", "p");
    assertTrue(o.debug);
    assertFalse(o.version);
    assertFalse(o.help);
    assertEquals(List.of(), o.settings());
    assertFalse(parse("-debug=false").debug);
    assertTrue(parse("-version").version);
    assertTrue(parse("-h").help);
    assertTrue(parse("--help").help);
  }

  /** Each parse starts from its own defaults: nothing carries over from an earlier command line. */
  @Test
  void separateParses_doNotShareValues() {
    Options first = parse("-ignore", "Name a", "-batch", "x");
    Options second = parse("y");
    assertEquals(List.of("Name a"), first.ignore);
    assertEquals(List.of(), second.ignore);
    assertNull(second.batch);
    assertEquals(List.of("y"), second.args);
  }

  @Test
  void batchAloneIsTrue() {
    Options o = parse("-batch", "a", "b");
    assertEquals(Boolean.TRUE, o.batch);
    assertEquals(List.of("a", "b"), o.args);
    assertEquals(List.of("batch=true"), settings("-batch", "a", "b"));
  }

  @Test
  void batchEqualsFalseIsFalse() {
    assertEquals(Boolean.FALSE, parse("-batch=false").batch);
    assertEquals(Boolean.TRUE, parse("-batch=true").batch);
  }

  @Test
  void optionNotGivenAddsNoSetting() {
    Options o = parse("websites");
    assertNull(o.batch);
    assertNull(o.times);
    assertEquals(List.of(), o.settings());
  }

  @Test
  void timesVersusTimesFalse() {
    assertEquals(List.of("times=true"), settings("-times"));
    assertEquals(List.of("times=false"), settings("-times=false"));
  }

  @Test
  void profileNameAfterBatchIsNotTakenAsItsValue() {
    Options o = parse("-batch", "websites");
    assertEquals(Boolean.TRUE, o.batch);
    assertEquals(List.of("websites"), o.args);
  }

  @Test
  void rootsAfterBooleanOptionsAreNotSwallowed() {
    Options o = parse("-times", "/srv/a", "-batch", "/srv/b");
    assertEquals(Boolean.TRUE, o.times);
    assertEquals(Boolean.TRUE, o.batch);
    assertEquals(List.of("/srv/a", "/srv/b"), o.args);
  }

  @Test
  void batchFollowedByAnotherOption() {
    Options o = parse("-batch", "-times", "p");
    assertEquals(Boolean.TRUE, o.batch);
    assertEquals(Boolean.TRUE, o.times);
    assertEquals(List.of("p"), o.args);
  }

  @Test
  void preferWithSeparateValue() {
    Options o = parse("-prefer", "newer", "a", "b");
    assertEquals("newer", o.prefer);
    assertEquals(List.of("a", "b"), o.args);
    assertEquals(List.of("prefer=newer"), settings("-prefer", "newer"));
  }

  @Test
  void preferWithEquals() {
    assertEquals("newer", parse("-prefer=newer").prefer);
    assertEquals("/srv/a", parse("-prefer=/srv/a").prefer);
  }

  @Test
  void ignoreAndPathAreRepeatableAndKeepTheirOrder() {
    Options o = parse("-ignore", "Path logs/*", "-ignore", "Name *.tmp", "-path", "www", "-path=etc/nginx",
        "websites");
    assertEquals(List.of("Path logs/*", "Name *.tmp"), o.ignore);
    assertEquals(List.of("www", "etc/nginx"), o.path);
    assertEquals(List.of("websites"), o.args);
    assertEquals(List.of("ignore=Path logs/*", "ignore=Name *.tmp", "path=www", "path=etc/nginx"),
        o.settings().stream().map(s -> s.key() + "=" + s.value()).toList());
    assertTrue(o.settings().stream().allMatch(Setting::fromCommandLine));
  }

  @Test
  void batchIsNeverReadAsClusteredShortOptions() {
    // With POSIX clustering, "-batch" could be read as -b -a -t -c -h, and "-h" is help.
    Options o = parse("-batch");
    assertFalse(o.help);
    assertEquals(Boolean.TRUE, o.batch);
    // Nor is an unknown single-dash word split into known letters.
    assertThrows(CommandLine.UnmatchedArgumentException.class, () -> parse("-hv"));
  }

  @Test
  void threeArgumentsAreProfileAndRoots() {
    assertEquals(List.of("p", "a", "b"), parse("p", "a", "b").args);
  }

  @Test
  void moreThanThreeArgumentsIsAParseError() {
    // Before: accepted, and the run used the last two as roots, dropping the others without a word.
    assertThrows(CommandLine.ParameterException.class, () -> parse("a", "b", "c", "d"));
  }

  @Test
  void booleanOptionRejectsAJunkValueWithEquals() {
    assertThrows(CommandLine.ParameterException.class, () -> parse("-batch=maybe"));
  }

  // ---- through JsyncCli.run: exit codes of parse errors, -version, -help (nothing else is run) ----------

  private record Run(int code, String out, String err) {}

  private Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Environment env = new Environment(Map.of("HOME", tmp.toString(), "JSYNC_HOME", tmp.resolve("jh").toString()),
        tmp, false, Clock.systemUTC(), new ByteArrayInputStream(new byte[0]), FileSystems.getDefault());
    int code = new JsyncCli(env, new PrintWriter(out), new PrintWriter(err)).run(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void unknownOptionExits3WithMessage() {
    Run r = run("-bogus", "a", "b");
    assertEquals(3, r.code());
    assertTrue(r.err().contains("-bogus"), r.err());
    assertTrue(r.err().contains("jsync -help"), r.err());
    assertEquals("", r.out());
  }

  @Test
  void fourArgumentsExit3BeforeTouchingAnything() {
    Run r = run("-batch", "x", "y", tmp.resolve("a").toString(), tmp.resolve("b").toString());
    assertEquals(3, r.code());
    assertTrue(r.err().contains("'" + tmp.resolve("b") + "'"), r.err());
    assertFalse(java.nio.file.Files.exists(tmp.resolve("a")));
    assertFalse(java.nio.file.Files.exists(tmp.resolve("jh")));
  }

  @Test
  void missingOptionValueExits3() {
    Run r = run("-prefer");
    assertEquals(3, r.code());
    assertTrue(r.err().contains("-prefer"), r.err());
  }

  @Test
  void versionPrintsVersionAndExits0() {
    Run r = run("-version");
    assertEquals(0, r.code());
    assertEquals("jsync version " + JsyncCli.VERSION, r.out().strip());
    assertEquals("", r.err());
  }

  @Test
  void helpPrintsUsageAndExits0() {
    for (String h : List.of("-help", "-h", "--help")) {
      Run r = run(h);
      assertEquals(0, r.code(), h);
      assertTrue(r.out().contains("jsync [OPTIONS] ROOT1 ROOT2"), r.out());
      assertTrue(r.out().contains("-batch"), r.out());
      assertEquals("", r.err());
    }
  }

  @Test
  void helpWinsOverOtherArguments() {
    Run r = run("-batch", "-help", "a", "b");
    assertEquals(0, r.code());
    assertTrue(r.out().contains("Exit codes"), r.out());
  }
}
