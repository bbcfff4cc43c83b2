package jsync.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import jsync.core.profile.Setting;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * The command line, Unison style: single-dash long options ({@code -batch}, {@code -prefer newer}), both
 * {@code -key value} and {@code -key=value}, booleans as {@code -times} or {@code -times=false}. Every
 * preference option becomes a {@link Setting} from the "command line", appended after the profile's, so it
 * overrides single-valued keys and adds to list keys, exactly as Unison's command line does.
 *
 * <p>The model is built with picocli's programmatic API rather than its annotations: reading annotations
 * reflects over every field (annotation proxies, generic signatures, generated accessors) at every start,
 * and cron starts jsync every minute. Measured: {@code jsync -version} 136 -> 123.5 ms (user CPU 128 -> 103
 * ms) with the installed CDS archive, the parse alone 144-154 -> 80-102 ms without one
 * (docs/benchmarks.md). The help text is the same.
 *
 * <p>Parsing only: nothing here touches the filesystem. {@link JsyncCli} runs what was parsed.
 */
final class Options {
  List<String> args = new ArrayList<>();
  Boolean batch;
  String prefer;
  String force;
  List<String> ignore = new ArrayList<>();
  List<String> ignorenot = new ArrayList<>();
  List<String> path = new ArrayList<>();
  Boolean times;
  String perms;
  Boolean links;
  Boolean fastcheck;
  List<String> backup = new ArrayList<>();
  List<String> backupnot = new ArrayList<>();
  String backupdir;
  String maxbackups;
  Boolean confirmbigdel;
  List<String> mountpoint = new ArrayList<>();
  Boolean log;
  String logfile;
  Boolean silent;
  Boolean terse;
  String label;
  String repeat;
  String servercmd;
  String sshcmd;
  String sshargs;
  Boolean compress;
  boolean debug;
  boolean version;
  boolean help;

  /** The model of the command line, its values bound to this object's fields. */
  CommandSpec spec() {
    CommandSpec spec = CommandSpec.create().name("jsync");
    UsageMessageSpec usage = spec.usageMessage();
    usage.sortOptions(false).autoWidth(true)
        .description("Bidirectional file synchronizer: keeps two replicas of a directory tree in step.", "")
        .customSynopsis("jsync [OPTIONS] PROFILE", "jsync [OPTIONS] ROOT1 ROOT2",
            "jsync [OPTIONS] PROFILE ROOT1 ROOT2")
        .footer("", "Profiles are read from $JSYNC_HOME/PROFILE.prf (default ~/.jsync) in Unison's syntax.",
            "Exit codes: 0 all done, 1 something skipped (conflict), 2 some item failed, 3 fatal error.",
            "Documentation: docs/user-guide.md");
    // index, not arity, bounds the count: a multi-value positional without an index takes any number of
    // arguments, and readProfile would then silently use the last two as roots.
    Field argsField = new Field(() -> args, v -> args = cast(v));
    spec.addPositional(PositionalParamSpec.builder().index("0..2").arity("0..3").paramLabel("ARGS")
        .type(List.class).auxiliaryTypes(String.class).description("A profile name, two roots, or both.")
        .getter(argsField).setter(argsField).hasInitialValue(false).build()); // no initial value: see bind

    flag(spec, "-batch", "Ask nothing: propagate what is safe, skip conflicts.", () -> batch, v -> batch = v);
    text(spec, "-prefer", "ROOT|newer|older", "Resolve conflicts toward this root, or the newer/older file.",
        () -> prefer, v -> prefer = v);
    text(spec, "-force", "ROOT|newer|older",
        "Make the other replica like this root (one-way mirror), or settle conflicts by time.",
        () -> force, v -> force = v);
    list(spec, "-ignore", "PATHSPEC", "Ignore paths matching 'Name x', 'Path x', 'BelowPath x' or 'Regex x' "
        + "(repeatable).", () -> ignore, v -> ignore = v);
    list(spec, "-ignorenot", "PATHSPEC", "Except these from -ignore (repeatable).", () -> ignorenot,
        v -> ignorenot = v);
    list(spec, "-path", "PATH", "Synchronize only this subpath (repeatable).", () -> path, v -> path = v);
    flag(spec, "-times", "Synchronize file modification times.", () -> times, v -> times = v);
    text(spec, "-perms", "MASK", "Permission bits to synchronize (default 0o1777; 0: none).", () -> perms,
        v -> perms = v);
    flag(spec, "-links", "Synchronize symbolic links.", () -> links, v -> links = v);
    flag(spec, "-fastcheck", "Trust unchanged size, mtime and inode instead of reading files.",
        () -> fastcheck, v -> fastcheck = v);
    list(spec, "-backup", "PATHSPEC", "Keep backups of overwritten or deleted files matching this (repeatable).",
        () -> backup, v -> backup = v);
    list(spec, "-backupnot", "PATHSPEC", "Except these from -backup.", () -> backupnot, v -> backupnot = v);
    text(spec, "-backupdir", "DIR", "Keep backups in this directory.", () -> backupdir, v -> backupdir = v);
    text(spec, "-maxbackups", "N", "Backups kept per file (default 2).", () -> maxbackups, v -> maxbackups = v);
    flag(spec, "-confirmbigdel", "Refuse to propagate a root or path emptied since the last sync (default true).",
        () -> confirmbigdel, v -> confirmbigdel = v);
    list(spec, "-mountpoint", "PATH", "A path that must exist in both roots.", () -> mountpoint,
        v -> mountpoint = v);
    flag(spec, "-log", "Write actions to the log file.", () -> log, v -> log = v);
    text(spec, "-logfile", "FILE", "Log file (default $JSYNC_HOME/jsync.log).", () -> logfile, v -> logfile = v);
    flag(spec, "-silent", "Print nothing but errors (implies -batch).", () -> silent, v -> silent = v);
    flag(spec, "-terse", "Print only the summary.", () -> terse, v -> terse = v);
    text(spec, "-label", "TEXT", "A description of the profile.", () -> label, v -> label = v);
    text(spec, "-repeat", "watch|watch+N|N", "Keep running: synchronize changes as they happen (watch; watch+N "
        + "adds a full synchronization every N seconds), or everything every N seconds.", () -> repeat,
        v -> repeat = v);
    text(spec, "-servercmd", "PATH", "The jsync program on remote hosts (default: jsync).", () -> servercmd,
        v -> servercmd = v);
    text(spec, "-sshcmd", "PROGRAM", "Use this SSH client (e.g. ssh) instead of the built-in one.", () -> sshcmd,
        v -> sshcmd = v);
    text(spec, "-sshargs", "ARGS", "Extra SSH arguments (e.g. '-p 2222').", () -> sshargs, v -> sshargs = v);
    flag(spec, "-compress", "Compress what crosses the network (default true).", () -> compress,
        v -> compress = v);
    spec.addOption(bind(OptionSpec.builder("-debug").arity("0..1").fallbackValue("true").paramLabel("<debug>")
        .type(boolean.class).description("Show stack traces of errors."), () -> debug, v -> debug = (Boolean) v));
    spec.addOption(bind(OptionSpec.builder("-version").arity("0").type(boolean.class)
        .description("Print the version and exit."), () -> version, v -> version = (Boolean) v));
    spec.addOption(bind(OptionSpec.builder("-help", "-h", "--help").arity("0").type(boolean.class).usageHelp(true)
        .description("Show this help and exit."), () -> help, v -> help = (Boolean) v));
    return spec;
  }

  /** A boolean preference: {@code -name} alone is true, {@code -name=false} false, absent null. */
  private static void flag(CommandSpec spec, String name, String description, Supplier<Boolean> get,
      Consumer<Boolean> set) {
    spec.addOption(bind(OptionSpec.builder(name).arity("0..1").fallbackValue("true")
        .paramLabel("<" + name.substring(1) + ">").type(Boolean.class).description(description),
        get::get, v -> set.accept((Boolean) v)));
  }

  private static void text(CommandSpec spec, String name, String label, String description, Supplier<String> get,
      Consumer<String> set) {
    spec.addOption(bind(OptionSpec.builder(name).paramLabel(label).type(String.class).description(description),
        get::get, v -> set.accept((String) v)));
  }

  /** A repeatable option: each occurrence adds a value. */
  private static void list(CommandSpec spec, String name, String label, String description,
      Supplier<List<String>> get, Consumer<List<String>> set) {
    spec.addOption(bind(OptionSpec.builder(name).paramLabel(label).type(List.class).auxiliaryTypes(String.class)
        .description(description), get::get, v -> set.accept(cast(v))));
  }

  @SuppressWarnings("unchecked")
  private static List<String> cast(Object v) {
    return (List<String>) v;
  }

  /**
   * Binds an option to a field. No initial value for picocli to restore before parsing: it would write null
   * into every field; the fields' own initial values (this object is made for one parse) are the defaults.
   */
  private static OptionSpec bind(OptionSpec.Builder option, Supplier<?> get, Consumer<Object> set) {
    Field f = new Field(get, set);
    return option.getter(f).setter(f).hasInitialValue(false).build();
  }

  /** A field of this object as picocli reads ({@link IGetter}) or writes ({@link ISetter}) it. */
  private static final class Field implements IGetter, ISetter {
    private final Supplier<?> get;
    private final Consumer<Object> set;

    Field(Supplier<?> get, Consumer<Object> set) {
      this.get = get;
      this.set = set;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get() {
      return (T) get.get();
    }

    @Override
    public <T> T set(T value) {
      set.accept(value);
      return null;
    }
  }

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
