package jsync.core.profile;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jsync.core.model.RelPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProfileTest {
  private static final String ROOTS = "root = /a\nroot = /b";

  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
  private final Path jsyncHome = fs.getPath("/home/u/.jsync");
  private final Path profileFile = jsyncHome.resolve("p.prf");
  private final ProfileContext ctx =
      new ProfileContext(fs, fs.getPath("/home/u"), jsyncHome, "p", fs.getPath("/work"));

  @AfterEach
  void close() throws IOException {
    fs.close();
  }

  /** Writes {@code p.prf} with the given text, loads it and appends the command-line settings. */
  private Profile profile(String text, Setting... commandLine) throws IOException {
    Files.createDirectories(jsyncHome);
    Files.writeString(profileFile, text + "\n");
    List<Setting> settings = new ArrayList<>(new ProfileLoader(jsyncHome).load("p"));
    settings.addAll(List.of(commandLine));
    return Profile.from(settings, ctx);
  }

  private ProfileException error(String text, Setting... commandLine) {
    return assertThrows(ProfileException.class, () -> profile(text, commandLine));
  }

  private void assertErrorAt(ProfileException e, int line, String expected) {
    assertEquals(profileFile.toString(), e.source(), e.getMessage());
    assertEquals(line, e.line(), e.getMessage());
    assertTrue(e.getMessage().startsWith(profileFile + ", line " + line + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  private RootSpec.Local local(String path) {
    return new RootSpec.Local(fs.getPath(path), path);
  }

  @Test
  void classicWebProfile() throws IOException {
    Profile p = profile("""
        root = /home/websites/
        root = ssh://web2//home/websites/
        ignore = Path {logs/*}
        log = true
        """);
    assertEquals(fs.getPath("/home/websites"), ((RootSpec.Local) p.roots().get(0)).path());
    assertEquals(new RootSpec.Ssh(Optional.empty(), "web2", 0, "/home/websites", true,
        "ssh://web2//home/websites/"), p.roots().get(1));
    assertEquals("ssh://web2//home/websites/", p.roots().get(1).display());
    assertTrue(p.ignoreFilter().isIgnored(RelPath.parse("logs/access.log")));
    assertFalse(p.ignoreFilter().isIgnored(RelPath.parse("logs")));
    assertFalse(p.ignoreFilter().isIgnored(RelPath.parse("index.html")));
    assertTrue(p.log());
  }

  @Test
  void defaults() throws IOException {
    Profile p = profile(ROOTS);
    assertEquals("p", p.name());
    assertEquals(List.of(local("/a"), local("/b")).toString(), p.roots().toString());
    assertEquals(List.of(), p.paths());
    assertEquals(List.of(), p.mountpoints());
    assertEquals(List.of(), p.ignore());
    assertFalse(p.ignoreFilter().isIgnored(RelPath.parse("x")));
    assertFalse(p.batch());
    assertFalse(p.silent());
    assertFalse(p.terse());
    assertFalse(p.times());
    assertTrue(p.links());
    assertTrue(p.fastcheck());
    assertTrue(p.confirmbigdel());
    assertTrue(p.log());
    assertEquals(01777, p.perms());
    assertEquals("", p.label());
    assertEquals(Optional.empty(), p.prefer());
    assertEquals(Optional.empty(), p.force());
    assertEquals(Optional.empty(), p.backupdir());
    assertEquals(BackupLocation.LOCAL, p.backuploc());
    assertEquals(jsyncHome.resolve("backup"), p.backupDirectory());
    assertEquals(2, p.maxbackups());
    assertEquals(".bak.$VERSION.", p.backupprefix());
    assertEquals("", p.backupsuffix());
    assertFalse(p.shouldBackup(RelPath.parse("x")));
    assertEquals(jsyncHome.resolve("jsync.log"), p.logfile());
    assertEquals(Optional.empty(), p.repeat());
  }

  @Test
  void everySupportedKeyIsRead() throws IOException {
    Profile p = profile(ROOTS + """

        path = www/
        path = etc/app
        mountpoint = www
        batch = true
        times = true
        links = false
        fastcheck = false
        confirmbigdel = false
        log = false
        perms = 0o755
        label = my web site
        force = /b
        backup = Name *.html
        backupnot = Name index.html
        backupdir = ~/bak
        backuploc = local
        maxbackups = 5
        backupprefix = .old/
        backupsuffix = .$VERSION
        logfile = logs/web.log
        repeat = watch+60
        """);
    assertEquals(List.of(RelPath.parse("www"), RelPath.parse("etc/app")), p.paths());
    assertEquals(List.of(RelPath.parse("www")), p.mountpoints());
    assertTrue(p.batch());
    assertTrue(p.times());
    assertFalse(p.links());
    assertFalse(p.fastcheck());
    assertFalse(p.confirmbigdel());
    assertFalse(p.log());
    assertEquals(0755, p.perms());
    assertEquals("my web site", p.label());
    assertEquals(Optional.of(Preference.BETA), p.force());
    assertTrue(p.shouldBackup(RelPath.parse("a/b.html")));
    assertFalse(p.shouldBackup(RelPath.parse("a/index.html")));
    assertFalse(p.shouldBackup(RelPath.parse("a/b.css")));
    assertEquals(Optional.of(fs.getPath("/home/u/bak")), p.backupdir());
    assertEquals(BackupLocation.LOCAL, p.backuploc());
    assertEquals(5, p.maxbackups());
    assertEquals(".old/", p.backupprefix());
    assertEquals(".$VERSION", p.backupsuffix());
    assertEquals(jsyncHome.resolve("logs/web.log"), p.logfile());
    assertEquals(Optional.of("watch+60"), p.repeat());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      0o1777 | 1023
      0o755  | 493
      0777   | 511
      0      | 0
      00     | 0
      511    | 511
      0O644  | 420
      """)
  void perms_octalWithPrefixOrLeadingZero_decimalOtherwise(String value, int expected) throws IOException {
    assertEquals(expected, profile(ROOTS + "\nperms = " + value).perms());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', textBlock = """
      times = maybe                       | times expects true or false, not 'maybe'
      batch = yes                         | batch expects true or false
      perms = abc                         | perms expects a mode mask
      perms = 0o8                         | perms expects a mode mask
      perms = 0o17777                     | larger than the largest mask
      perms = -1                          | perms expects a mode mask
      maxbackups = -1                     | maxbackups expects a whole number of 0 or more, not '-1'
      maxbackups = 99999999999            | maxbackups expects a whole number
      maxbackups = 0                      | maxbackups must be at least 1
      fastcheck = sometimes               | fastcheck expects true, false or default
      backuploc = remote                  | backuploc expects local or central
      repeat = 0                          | repeat expects watch, watch+N or N
      repeat = watch+                     | repeat expects watch
      repeat = fsmonitor                  | repeat expects watch
      ignore = Name [abc                  | bad pattern 'Name [abc': unbalanced '['
      ignorenot = Foo x                   | unknown kind 'Foo'
      backup = Regex (                    | bad regular expression
      path = /abs                         | path must be relative to the roots, not absolute: '/abs'
      path = a/../b                       | invalid relative path 'a/../b'
      path = a/*                          | a final '*' is not supported yet
      path = /                            | must be relative to the roots
      mountpoint = ..                     | invalid relative path '..'
      logfile = ~bob/log                  | '~user' paths are not supported
      prefer = /c                         | prefer = /c matches neither root (/a, /b)
      force = ssh://h//a                  | force = ssh://h//a matches neither root
      prefer = socket://h:1/a             | matches neither root
      foo = bar                           | unknown preference 'foo'
      Batch = true                        | unknown preference 'Batch'
      include = common                    | 'include' is a directive
      backupprefix = .bak.                | $VERSION must appear exactly once
      backupsuffix = .$VERSION            | $VERSION must appear exactly once
      backupprefix = /tmp/$VERSION        | not an absolute path
      backupprefix = ../$VERSION          | not an absolute path, '.' or '..'
      backupprefix = $VERSION/x           | may not appear in the directory part
      backupsuffix = /$VERSION            | backupsuffix may not contain '/'
      """)
  void badValue_isErrorAtItsLine(String line, String expected) {
    assertErrorAt(error(ROOTS + "\n" + line), 3, expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"rsync", "owner", "group", "follow", "merge",
      "copyonconflict", "nodeletion", "noupdate", "nocreation", "maxthreads", "xattrs", "acl", "ignorecase",
      "rootalias", "immutable", "atomic", "contactquietly", "retry", "maxerrors", "copythreshold", "watch",
      "auto", "ui", "addversionno", "key", "diff", "sortbysize", "ignorearchives", "ignorelocks",
      "preferpartial", "forcepartial", "backupcurr", "backupcurrnot", "maxsizethreshold", "fat", "dontchmod",
      "numericids", "ignoreinodenumbers", "pretendwin"})
  void unisonPreferenceNotSupportedYet_isSaidSo(String key) {
    assertErrorAt(error(ROOTS + "\n" + key + " = x"), 3,
        "'" + key + "' is a Unison preference that jsync does not support yet");
  }

  @Test
  void unisonAliases_areAccepted() throws IOException {
    Profile p = profile(ROOTS + "\nbackuplocation = central\nbackupversions = 4\nconfirmbigdeletes = false");
    assertEquals(BackupLocation.CENTRAL, p.backuploc());
    assertEquals(4, p.maxbackups());
    assertFalse(p.confirmbigdel());
  }

  @Test
  void threeRoots_isErrorAtTheThird() {
    ProfileException e = error("label = x\nroot = /a\nroot = /b\nroot = /c");
    assertErrorAt(e, 4, "profile 'p' must name exactly two roots, found 3 (/a, /b, /c)");
  }

  @Test
  void oneRoot_isErrorAtIt() {
    assertErrorAt(error("batch = true\nroot = /a"), 2, "must name exactly two roots, found 1 (/a)");
  }

  @Test
  void noRoots_isErrorNamingTheProfileFile() {
    ProfileException e = error("batch = true");
    assertEquals(profileFile + ": profile 'p' must name exactly two roots, found 0", e.getMessage());
  }

  @Test
  void sameRootTwice_isError() {
    assertErrorAt(error("root = /a\nroot = /a/"), 2, "both roots name the same place (/a and /a/)");
  }

  @Test
  void commandLine_overridesSingleValuedKey() throws IOException {
    assertTrue(profile(ROOTS + "\nbatch = false", Setting.commandLine("batch", "true")).batch());
    assertEquals("cli", profile(ROOTS + "\nlabel = prf", Setting.commandLine("label", "cli")).label());
  }

  @Test
  void lastSettingWins_withinAProfile() throws IOException {
    assertEquals(3, profile(ROOTS + "\nmaxbackups = 1\nmaxbackups = 3").maxbackups());
  }

  @Test
  void emptyValue_resetsPreferToUnset() throws IOException {
    assertEquals(Optional.empty(), profile(ROOTS + "\nprefer = /a", Setting.commandLine("prefer", "")).prefer());
  }

  @Test
  void listKeys_accumulateAcrossProfileAndCommandLine() throws IOException {
    Profile p = profile(ROOTS + "\nignore = Name *.o\npath = a",
        Setting.commandLine("ignore", "Name *.tmp"), Setting.commandLine("path", "b"));
    assertEquals(List.of(PathSpec.parse("Name *.o"), PathSpec.parse("Name *.tmp")), p.ignore());
    assertEquals(List.of(RelPath.parse("a"), RelPath.parse("b")), p.paths());
    assertTrue(p.ignoreFilter().isIgnored(RelPath.parse("x.tmp")));
  }

  @Test
  void commandLineRoots_replaceProfileRoots() throws IOException {
    Profile p = profile(ROOTS, Setting.commandLine("root", "/c"), Setting.commandLine("root", "/d"));
    assertEquals(List.of("/c", "/d"), p.roots().stream().map(RootSpec::display).toList());
  }

  @Test
  void oneCommandLineRoot_stillReplacesProfileRoots_andCountIsChecked() {
    ProfileException e = error(ROOTS, Setting.commandLine("root", "/c"));
    assertEquals("command line", e.source());
    assertTrue(e.getMessage().contains("found 1 (/c); roots on the command line replace the profile's"),
        e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      /home/websites                 | ALPHA
      /home/websites/                | ALPHA
      /home/./websites               | ALPHA
      ssh://web2//home/websites      | BETA
      ssh://web2//home/websites/     | BETA
      ssh://WEB2//home/websites      | BETA
      newer                          | NEWER
      older                          | OLDER
      """)
  void prefer_matchesRootWhateverTheSpelling(String prefer, Preference expected) throws IOException {
    Profile p = profile("root = /home/websites/\nroot = ssh://web2//home/websites\ntimes = true\nprefer = " + prefer);
    assertEquals(Optional.of(expected), p.prefer());
  }

  @Test
  void remoteKeys_haveUnisonsDefaults_andCanBeSet() throws IOException {
    Profile defaults = profile("root = /a\nroot = ssh://web2//srv/www");
    assertEquals("jsync", defaults.servercmd());
    assertEquals("", defaults.sshcmd());
    assertEquals("", defaults.sshargs());
    assertTrue(defaults.compress());
    Profile set = profile("root = /a\nroot = ssh://web2//srv/www\nservercmd = /opt/jsync/bin/jsync\n"
        + "sshcmd = ssh\nsshargs = -p 2222 -i ~/.ssh/web\ncompress = false");
    assertEquals("/opt/jsync/bin/jsync", set.servercmd());
    assertEquals("ssh", set.sshcmd());
    assertEquals("-p 2222 -i ~/.ssh/web", set.sshargs());
    assertFalse(set.compress());
  }

  @ParameterizedTest
  @CsvSource({"prefer", "force"})
  void older_withoutTimes_isRefusedAsInUnison(String key) {
    ProfileException e = assertThrows(ProfileException.class,
        () -> profile("root = /a\nroot = /b\n" + key + " = older"));
    assertTrue(e.getMessage().contains("line 3: " + key + " = older can only be used with times = true"),
        e.getMessage());
    assertEquals(Optional.of(Preference.NEWER), assertDoesNotThrow(
        () -> profile("root = /a\nroot = /b\n" + key + " = newer")).prefer().or(
        () -> assertDoesNotThrow(() -> profile("root = /a\nroot = /b\n" + key + " = newer")).force()));
  }

  @Test
  void prefer_matchesRootGivenWithTilde() throws IOException {
    assertEquals(Optional.of(Preference.BETA),
        profile("root = /a\nroot = ~/docs\nprefer = /home/u/docs/").prefer());
  }

  @Test
  void prefer_isResolvedAgainstCommandLineRoots() throws IOException {
    Profile p = profile(ROOTS + "\nprefer = /d", Setting.commandLine("root", "/c"), Setting.commandLine("root", "/d"));
    assertEquals(Optional.of(Preference.BETA), p.prefer());
  }

  @Test
  void preferAndForce_mayBothBeSet() throws IOException {
    Profile p = profile(ROOTS + "\nprefer = /a\nforce = newer");
    assertEquals(Optional.of(Preference.ALPHA), p.prefer());
    assertEquals(Optional.of(Preference.NEWER), p.force());
  }

  @Test
  void tildeAndRelativePaths_areExpanded() throws IOException {
    Profile p = profile("root = ~\nroot = rel/dir/\nbackupdir = bak\nlogfile = ~/logs/jsync.log");
    assertEquals(fs.getPath("/home/u"), ((RootSpec.Local) p.roots().get(0)).path());
    assertEquals(fs.getPath("/work/rel/dir"), ((RootSpec.Local) p.roots().get(1)).path());
    assertEquals("rel/dir/", p.roots().get(1).display());
    assertEquals(Optional.of(jsyncHome.resolve("bak")), p.backupdir());
    assertEquals(BackupLocation.CENTRAL, p.backuploc());
    assertEquals(jsyncHome.resolve("bak"), p.backupDirectory());
    assertEquals(fs.getPath("/home/u/logs/jsync.log"), p.logfile());
    assertEquals(fs.getPath("/home/u/x"),
        ((RootSpec.Local) profile("root = ~/x\nroot = file:///y").roots().get(0)).path());
  }

  @Test
  void silentImpliesBatchAndTerse_repeatImpliesBatch() throws IOException {
    Profile silent = profile(ROOTS + "\nsilent = true");
    assertTrue(silent.batch());
    assertTrue(silent.terse());
    assertTrue(profile(ROOTS + "\nrepeat = 30").batch());
  }

  /** root text | user | host | port | path | absolute */
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      ssh://web2//home/websites/     | -      | web2          | 0     | /home/websites | true
      ssh://bob@host:2222/data       | bob    | host          | 2222  | data           | false
      ssh://bob@host/data/sub/       | bob    | host          | 0     | data/sub       | false
      ssh://host                     | -      | host          | 0     | ''             | false
      ssh://host/                    | -      | host          | 0     | ''             | false
      ssh://host//                   | -      | host          | 0     | /              | true
      ssh://a.b-c_d.example.com:22//x | -     | a.b-c_d.example.com | 22 | /x           | true
      ssh://[::1]:2200//srv          | -      | ::1           | 2200  | /srv           | true
      ssh://[fe80::1%eth0]//srv      | -      | fe80::1%eth0  | 0     | /srv           | true
      ssh://10.0.0.1/x               | -      | 10.0.0.1      | 0     | x              | false
      """)
  void sshRoots(String text, String user, String host, int port, String path, boolean absolute)
      throws IOException {
    RootSpec root = profile("root = /a\nroot = " + text).roots().get(1);
    assertEquals(new RootSpec.Ssh(Optional.ofNullable(user), host, port, path, absolute, text), root);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', textBlock = """
      ssh://-oProxyCommand=x//p       | invalid host '-oProxyCommand=x'
      ssh://bob@-oProxyCommand=x/p    | invalid host '-oProxyCommand=x'
      ssh://-l@host/p                 | invalid user name '-l'
      ssh://ho st/p                   | invalid host 'ho st'
      ssh://host;rm/p                 | invalid host 'host;rm'
      ssh:///p                        | missing host
      ssh://host:0/p                  | invalid port '0'
      ssh://host:65536/p              | invalid port '65536'
      ssh://host:ssh/p                | invalid port 'ssh'
      ssh://[::1/p                    | unclosed '['
      ssh:host/p                      | 'ssh:' must be followed by //
      socket://host:4000/p            | socket:// roots are not supported; use ssh://
      rsh://host/p                    | rsh:// roots are not supported
      unison://host/p                 | unknown protocol 'unison://'
      file://host/p                   | file:// roots must be local absolute paths
      //host/p                        | network paths (//host/path) are not supported
      ~bob/p                          | '~user' paths are not supported
      """)
  void badRoot_isErrorAtItsLine(String text, String expected) {
    ProfileException e = error("root = /a\nroot = " + text);
    assertErrorAt(e, 2, "bad root '" + text + "': " + expected);
  }

  @Test
  void includeAsCommandLineKey_isError() {
    ProfileException e = error(ROOTS, Setting.commandLine("include", "common"));
    assertEquals("command line: 'include' is a directive: write 'include NAME' without '='", e.getMessage());
  }

  @Test
  void emptyRoot_isError() {
    assertErrorAt(error("root = /a\nroot ="), 2, "empty root");
  }
}
