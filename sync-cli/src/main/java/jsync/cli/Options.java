package jsync.cli;

import java.util.ArrayList;
import java.util.List;
import jsync.core.profile.Setting;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The command line, Unison style: single-dash long options ({@code -batch}, {@code -prefer newer}), both
 * {@code -key value} and {@code -key=value}, booleans as {@code -times} or {@code -times=false}. Every
 * preference option becomes a {@link Setting} from the "command line", appended after the profile's, so it
 * overrides single-valued keys and adds to list keys, exactly as Unison's command line does.
 *
 * <p>Parsing only: nothing here touches the filesystem. {@link JsyncCli} runs what was parsed.
 */
@Command(name = "jsync", sortOptions = false, usageHelpAutoWidth = true,
    description = {"Bidirectional file synchronizer: keeps two replicas of a directory tree in step.", ""},
    customSynopsis = {"jsync [OPTIONS] PROFILE", "jsync [OPTIONS] ROOT1 ROOT2", "jsync [OPTIONS] PROFILE ROOT1 ROOT2"},
    footer = {"", "Profiles are read from $JSYNC_HOME/PROFILE.prf (default ~/.jsync) in Unison's syntax.",
        "Exit codes: 0 all done, 1 something skipped (conflict), 2 some item failed, 3 fatal error.",
        "Documentation: docs/user-guide.md"})
final class Options {
  // index, not arity, bounds the count: a multi-value positional without an index takes any number of
  // arguments, and readProfile would then silently use the last two as roots.
  @Parameters(index = "0..2", arity = "0..3", paramLabel = "ARGS",
      description = "A profile name, two roots, or both.")
  List<String> args = new ArrayList<>();

  @Option(names = "-batch", arity = "0..1", fallbackValue = "true",
      description = "Ask nothing: propagate what is safe, skip conflicts.")
  Boolean batch;

  @Option(names = "-prefer", paramLabel = "ROOT|newer|older",
      description = "Resolve conflicts toward this root, or the newer/older file.")
  String prefer;

  @Option(names = "-force", paramLabel = "ROOT|newer|older",
      description = "Make the other replica like this root (one-way mirror), or settle conflicts by time.")
  String force;

  @Option(names = "-ignore", paramLabel = "PATHSPEC", description = "Ignore paths matching 'Name x', 'Path x', "
      + "'BelowPath x' or 'Regex x' (repeatable).")
  List<String> ignore = new ArrayList<>();

  @Option(names = "-ignorenot", paramLabel = "PATHSPEC", description = "Except these from -ignore (repeatable).")
  List<String> ignorenot = new ArrayList<>();

  @Option(names = "-path", paramLabel = "PATH", description = "Synchronize only this subpath (repeatable).")
  List<String> path = new ArrayList<>();

  @Option(names = "-times", arity = "0..1", fallbackValue = "true",
      description = "Synchronize file modification times.")
  Boolean times;

  @Option(names = "-perms", paramLabel = "MASK", description = "Permission bits to synchronize (default 0o1777; 0: none).")
  String perms;

  @Option(names = "-links", arity = "0..1", fallbackValue = "true", description = "Synchronize symbolic links.")
  Boolean links;

  @Option(names = "-fastcheck", arity = "0..1", fallbackValue = "true",
      description = "Trust unchanged size, mtime and inode instead of reading files.")
  Boolean fastcheck;

  @Option(names = "-backup", paramLabel = "PATHSPEC", description = "Keep backups of overwritten or deleted "
      + "files matching this (repeatable).")
  List<String> backup = new ArrayList<>();

  @Option(names = "-backupnot", paramLabel = "PATHSPEC", description = "Except these from -backup.")
  List<String> backupnot = new ArrayList<>();

  @Option(names = "-backupdir", paramLabel = "DIR", description = "Keep backups in this directory.")
  String backupdir;

  @Option(names = "-maxbackups", paramLabel = "N", description = "Backups kept per file (default 2).")
  String maxbackups;

  @Option(names = "-confirmbigdel", arity = "0..1", fallbackValue = "true",
      description = "Refuse to propagate a root or path emptied since the last sync (default true).")
  Boolean confirmbigdel;

  @Option(names = "-mountpoint", paramLabel = "PATH", description = "A path that must exist in both roots.")
  List<String> mountpoint = new ArrayList<>();

  @Option(names = "-log", arity = "0..1", fallbackValue = "true", description = "Write actions to the log file.")
  Boolean log;

  @Option(names = "-logfile", paramLabel = "FILE", description = "Log file (default $JSYNC_HOME/jsync.log).")
  String logfile;

  @Option(names = "-silent", arity = "0..1", fallbackValue = "true",
      description = "Print nothing but errors (implies -batch).")
  Boolean silent;

  @Option(names = "-terse", arity = "0..1", fallbackValue = "true", description = "Print only the summary.")
  Boolean terse;

  @Option(names = "-label", paramLabel = "TEXT", description = "A description of the profile.")
  String label;

  @Option(names = "-repeat", paramLabel = "watch|watch+N|N", description = "Keep running: synchronize changes "
      + "as they happen (watch; watch+N adds a full synchronization every N seconds), or everything every N "
      + "seconds.")
  String repeat;

  @Option(names = "-servercmd", paramLabel = "PATH", description = "The jsync program on remote hosts "
      + "(default: jsync).")
  String servercmd;

  @Option(names = "-sshcmd", paramLabel = "PROGRAM", description = "Use this SSH client (e.g. ssh) instead of "
      + "the built-in one.")
  String sshcmd;

  @Option(names = "-sshargs", paramLabel = "ARGS", description = "Extra SSH arguments (e.g. '-p 2222').")
  String sshargs;

  @Option(names = "-compress", arity = "0..1", fallbackValue = "true",
      description = "Compress what crosses the network (default true).")
  Boolean compress;

  @Option(names = "-debug", arity = "0..1", fallbackValue = "true",
      description = "Show stack traces of errors.")
  boolean debug;

  @Option(names = "-version", description = "Print the version and exit.")
  boolean version;

  @Option(names = {"-help", "-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  /** The preference options given, as settings in a fixed order. */
  List<Setting> settings() {
    List<Setting> s = new ArrayList<>();
    add(s, "batch", batch);
    add(s, "prefer", prefer);
    add(s, "force", force);
    ignore.forEach(v -> add(s, "ignore", v));
    ignorenot.forEach(v -> add(s, "ignorenot", v));
    path.forEach(v -> add(s, "path", v));
    add(s, "times", times);
    add(s, "perms", perms);
    add(s, "links", links);
    add(s, "fastcheck", fastcheck);
    backup.forEach(v -> add(s, "backup", v));
    backupnot.forEach(v -> add(s, "backupnot", v));
    add(s, "backupdir", backupdir);
    add(s, "maxbackups", maxbackups);
    add(s, "confirmbigdel", confirmbigdel);
    mountpoint.forEach(v -> add(s, "mountpoint", v));
    add(s, "log", log);
    add(s, "logfile", logfile);
    add(s, "silent", silent);
    add(s, "terse", terse);
    add(s, "label", label);
    add(s, "repeat", repeat);
    add(s, "servercmd", servercmd);
    add(s, "sshcmd", sshcmd);
    add(s, "sshargs", sshargs);
    add(s, "compress", compress);
    return s;
  }

  private static void add(List<Setting> s, String key, Object value) {
    if (value != null) {
      s.add(Setting.commandLine(key, value.toString()));
    }
  }
}
