package jsync.core.profile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jsync.core.model.RelPath;

/**
 * A validated, immutable profile: the typed result of interpreting {@link Setting}s (from
 * {@link ProfileLoader} and the command line) in a {@link ProfileContext}. Everything downstream reads its
 * preferences from here; nothing else parses preference text.
 *
 * <p>Settings apply in order. Single-valued keys: the last one wins, so command-line settings appended after
 * the profile's override them. List keys ({@code root}, {@code path}, {@code ignore}, {@code ignorenot},
 * {@code backup}, {@code backupnot}, {@code mountpoint}) accumulate, except that roots given on the command line
 * replace the profile's roots. Defaults are Unison's unless a method says otherwise. Any unknown key, key jsync
 * does not support yet, or bad value is a {@link ProfileException} naming the file and line of the setting.
 */
public final class Profile {
  static final int DEFAULT_PERMS = 01777;
  static final int DEFAULT_MAXBACKUPS = 2;
  static final String DEFAULT_BACKUP_PREFIX = ".bak." + Values.VERSION_TAG + ".";
  static final String LOG_FILE_NAME = "jsync.log";
  static final String DEFAULT_SERVERCMD = "jsync";
  /** Unison's central backup directory when {@code backupdir} is unset: {@code ~/.unison/backup}. */
  static final String CENTRAL_BACKUP_DIR = "backup";

  private final String name;
  private final List<RootSpec> roots;
  private final List<RelPath> paths;
  private final List<RelPath> mountpoints;
  private final IgnoreFilter ignoreFilter;
  private final IgnoreFilter backupFilter;
  private final boolean batch;
  private final boolean silent;
  private final boolean terse;
  private final boolean times;
  private final boolean links;
  private final boolean fastcheck;
  private final boolean confirmbigdel;
  private final boolean log;
  private final int perms;
  private final String label;
  private final Optional<Preference> prefer;
  private final Optional<Preference> force;
  private final Optional<Path> backupdir;
  private final Path backupDirectory;
  private final BackupLocation backuploc;
  private final int maxbackups;
  private final String backupprefix;
  private final String backupsuffix;
  private final Path logfile;
  private final Optional<String> repeat;
  private final String servercmd;
  private final String sshcmd;
  private final String sshargs;
  private final boolean compress;

  private Profile(Builder b) {
    name = b.ctx.profileName();
    roots = List.copyOf(b.rootSpecs());
    paths = List.copyOf(b.paths);
    mountpoints = List.copyOf(b.mountpoints);
    ignoreFilter = IgnoreFilter.of(b.ignore, b.ignorenot);
    backupFilter = IgnoreFilter.of(b.backup, b.backupnot);
    batch = b.batch;
    silent = b.silent;
    terse = b.terse;
    times = b.times;
    links = b.links;
    fastcheck = b.fastcheck;
    confirmbigdel = b.confirmbigdel;
    log = b.log;
    perms = b.perms;
    label = b.label;
    prefer = b.preferred;
    force = b.forced;
    backupdir = Optional.ofNullable(b.backupdir);
    backupDirectory = b.backupdir != null ? b.backupdir : b.ctx.jsyncHome().resolve(CENTRAL_BACKUP_DIR);
    backuploc = b.backuploc != null ? b.backuploc
        : b.backupdir != null ? BackupLocation.CENTRAL : BackupLocation.LOCAL;
    maxbackups = b.maxbackups;
    backupprefix = b.backupprefix;
    backupsuffix = b.backupsuffix;
    logfile = b.logfile != null ? b.logfile : b.ctx.jsyncHome().resolve(LOG_FILE_NAME);
    repeat = Optional.ofNullable(b.repeat);
    servercmd = b.servercmd;
    sshcmd = b.sshcmd;
    sshargs = b.sshargs;
    compress = b.compress;
  }

  /**
   * Interprets settings in order.
   *
   * @throws ProfileException naming the file and line of the first bad setting, or the profile when it does
   *     not name exactly two roots
   */
  public static Profile from(List<Setting> settings, ProfileContext ctx) {
    boolean commandLineRoots = settings.stream()
        .anyMatch(s -> s.fromCommandLine() && UnisonPreferences.canonical(s.key()).equals("root"));
    Builder b = new Builder(ctx, commandLineRoots);
    for (Setting s : settings) {
      b.apply(s);
    }
    b.validate();
    return new Profile(b);
  }

  public String name() {
    return name;
  }

  /** The two roots, alpha then beta, in the order the profile (or command line) gives them. */
  public List<RootSpec> roots() {
    return roots;
  }

  /** The subpaths to synchronize; empty means the whole replicas. */
  public List<RelPath> paths() {
    return paths;
  }

  /** Paths that must exist in both replicas after scanning, or the run stops (a guard against unmounted disks). */
  public List<RelPath> mountpoints() {
    return mountpoints;
  }

  public List<PathSpec> ignore() {
    return ignoreFilter.ignore();
  }

  public List<PathSpec> ignorenot() {
    return ignoreFilter.ignorenot();
  }

  /** The scanner's filter built from {@link #ignore()} and {@link #ignorenot()}. */
  public IgnoreFilter ignoreFilter() {
    return ignoreFilter;
  }

  /** Ask nothing; true when {@code batch}, {@code silent} or {@code repeat} is set, as in Unison. */
  public boolean batch() {
    return batch || silent || repeat.isPresent();
  }

  public boolean silent() {
    return silent;
  }

  /** Less output; implied by {@code silent}. */
  public boolean terse() {
    return terse || silent;
  }

  /** Synchronize file modification times (default false). */
  public boolean times() {
    return times;
  }

  /** Synchronize symbolic links as links (default true). */
  public boolean links() {
    return links;
  }

  /** Trust size and modification time to detect unchanged files (default true; {@code default} = true). */
  public boolean fastcheck() {
    return fastcheck;
  }

  /** Stop a batch run that would empty a whole root or top-level path (default true). */
  public boolean confirmbigdel() {
    return confirmbigdel;
  }

  /** Write the log file (default true). */
  public boolean log() {
    return log;
  }

  /** Which permission bits to synchronize (default {@code 0o1777}; 0 synchronizes none). */
  public int perms() {
    return perms;
  }

  /** A description of the profile for listings (default empty). */
  public String label() {
    return label;
  }

  /** Which side wins a conflict; {@link #force()} takes precedence when both are set, as in Unison. */
  public Optional<Preference> prefer() {
    return prefer;
  }

  /** Which side wins every difference, not only conflicts (mirroring). */
  public Optional<Preference> force() {
    return force;
  }

  public List<PathSpec> backup() {
    return backupFilter.ignore();
  }

  public List<PathSpec> backupnot() {
    return backupFilter.ignorenot();
  }

  /** Whether a file at {@code path} is backed up before it is overwritten or deleted. */
  public boolean shouldBackup(RelPath path) {
    // Same rule as ignore/ignorenot: some backup spec matches and no backupnot spec does.
    return backupFilter.isIgnored(path);
  }

  /** The {@code backupdir} setting ({@code ~} expanded, relative to the jsync home), if given. */
  public Optional<Path> backupdir() {
    return backupdir;
  }

  /** Where central backups go: {@code backupdir}, else {@code <jsync home>/backup} (Unison's default). */
  public Path backupDirectory() {
    return backupDirectory;
  }

  /**
   * Where backups go. Default: {@code CENTRAL} when {@code backupdir} is set, else {@code LOCAL} (next to the
   * file). Unison's default is always central ({@code ~/.unison/backup}); jsync keeps backups next to the
   * file unless told where else, so they stay on the same disk and are easy to find.
   */
  public BackupLocation backuploc() {
    return backuploc;
  }

  /** How many old versions of a file to keep (default 2). */
  public int maxbackups() {
    return maxbackups;
  }

  /** Prefix of backup names (default {@code .bak.$VERSION.}); {@code $VERSION} is the age, 1 = newest. */
  public String backupprefix() {
    return backupprefix;
  }

  /** Suffix of backup names (default empty). */
  public String backupsuffix() {
    return backupsuffix;
  }

  /** The log file (default {@code <jsync home>/jsync.log}; relative paths are relative to the jsync home). */
  public Path logfile() {
    return logfile;
  }

  /** {@code watch}, {@code watch+N} or {@code N} (seconds), if the profile asks to run repeatedly. */
  public Optional<String> repeat() {
    return repeat;
  }

  /**
   * The remote jsync program, as Unison's {@code servercmd} names the remote unison (default {@code jsync},
   * found on the remote user's PATH); jsync adds its own {@code server} argument.
   */
  public String servercmd() {
    return servercmd;
  }

  /** The SSH client to run ({@code sshcmd = ssh}), or empty for jsync's built-in client (the default). */
  public String sshcmd() {
    return sshcmd;
  }

  /** Extra arguments for the SSH client, as Unison's {@code sshargs} (e.g. {@code -p 2222 -i ~/.ssh/key}). */
  public String sshargs() {
    return sshargs;
  }

  /** LZ4-compress what crosses the network when it helps (default true). */
  public boolean compress() {
    return compress;
  }

  @Override
  public String toString() {
    return "Profile[" + name + ": " + roots + "]";
  }

  /** A value and the setting it came from, for errors found after all settings are read. */
  private record Located<T>(T value, Setting setting) {}

  /** Collects settings; mutable, confined to {@link #from}. */
  private static final class Builder {
    final ProfileContext ctx;
    final boolean commandLineRoots;
    final List<Located<RootSpec>> roots = new ArrayList<>();
    final List<RelPath> paths = new ArrayList<>();
    final List<RelPath> mountpoints = new ArrayList<>();
    final List<PathSpec> ignore = new ArrayList<>();
    final List<PathSpec> ignorenot = new ArrayList<>();
    final List<PathSpec> backup = new ArrayList<>();
    final List<PathSpec> backupnot = new ArrayList<>();
    boolean batch;
    boolean silent;
    boolean terse;
    boolean times;
    boolean links = true;
    boolean fastcheck = true;
    boolean confirmbigdel = true;
    boolean log = true;
    int perms = DEFAULT_PERMS;
    String label = "";
    Setting prefer;
    Setting force;
    Optional<Preference> preferred;
    Optional<Preference> forced;
    Path backupdir;
    BackupLocation backuploc;
    int maxbackups = DEFAULT_MAXBACKUPS;
    String backupprefix = DEFAULT_BACKUP_PREFIX;
    String backupsuffix = "";
    Setting backupNaming;
    Path logfile;
    String repeat;
    String servercmd = DEFAULT_SERVERCMD;
    String sshcmd = "";
    String sshargs = "";
    boolean compress = true;

    Builder(ProfileContext ctx, boolean commandLineRoots) {
      this.ctx = ctx;
      this.commandLineRoots = commandLineRoots;
    }

    void apply(Setting s) {
      String key = UnisonPreferences.canonical(s.key());
      String v = s.value();
      try {
        switch (key) {
          case "root" -> {
            if (!commandLineRoots || s.fromCommandLine()) {
              roots.add(new Located<>(RootParser.parse(v, ctx), s));
            }
          }
          case "path" -> paths.add(Values.relPath(key, v));
          case "mountpoint" -> mountpoints.add(Values.relPath(key, v));
          case "ignore" -> ignore.add(PathSpec.parse(v));
          case "ignorenot" -> ignorenot.add(PathSpec.parse(v));
          case "backup" -> backup.add(PathSpec.parse(v));
          case "backupnot" -> backupnot.add(PathSpec.parse(v));
          case "batch" -> batch = Values.bool(key, v);
          case "silent" -> silent = Values.bool(key, v);
          case "terse" -> terse = Values.bool(key, v);
          case "times" -> times = Values.bool(key, v);
          case "links" -> links = Values.bool(key, v);
          case "confirmbigdel" -> confirmbigdel = Values.bool(key, v);
          case "log" -> log = Values.bool(key, v);
          case "fastcheck" -> fastcheck = Values.fastcheck(v);
          case "perms" -> perms = Values.perms(v);
          case "label" -> label = v;
          case "servercmd" -> servercmd = v.isEmpty() ? DEFAULT_SERVERCMD : v;
          case "sshcmd" -> sshcmd = v;
          case "sshargs" -> sshargs = v;
          case "compress" -> compress = Values.bool(key, v);
          // Empty values reset to the default, so the command line can cancel a profile's setting.
          case "prefer" -> prefer = v.isEmpty() ? null : s;
          case "force" -> force = v.isEmpty() ? null : s;
          case "backupdir" -> backupdir = v.isEmpty() ? null : Values.path(v, ctx, ctx.jsyncHome());
          case "backuploc" -> backuploc = Values.backupLocation(v);
          case "maxbackups" -> {
            maxbackups = Values.nonNegativeInt(key, v);
            if (maxbackups == 0) {
              throw new IllegalArgumentException("maxbackups must be at least 1 (to keep no backups, "
                  + "leave out backup)");
            }
          }
          case "backupprefix" -> {
            backupprefix = v;
            backupNaming = s;
          }
          case "backupsuffix" -> {
            backupsuffix = v;
            backupNaming = s;
          }
          case "logfile" -> logfile = v.isEmpty() ? null : Values.path(v, ctx, ctx.jsyncHome());
          case "repeat" -> repeat = v.isEmpty() ? null : Values.repeat(v);
          case "include", "source" -> throw s.error("'" + key + "' is a directive: write '" + key
              + " NAME' without '='");
          default -> throw s.error(UnisonPreferences.NOT_YET_SUPPORTED.contains(key)
              ? "'" + s.key() + "' is a Unison preference that jsync does not support yet"
              : "unknown preference '" + s.key() + "'");
        }
      } catch (IllegalArgumentException e) {
        // Every value parser reports bad input this way, with a message for the user; add where it was.
        throw s.error(e.getMessage());
      }
    }

    void validate() {
      if (roots.size() != 2) {
        List<String> found = rootSpecs().stream().map(RootSpec::display).toList();
        String message = "profile '" + ctx.profileName() + "' must name exactly two roots, found " + found.size()
            + (found.isEmpty() ? "" : " (" + String.join(", ", found) + ")")
            + (commandLineRoots ? "; roots on the command line replace the profile's" : "");
        if (found.isEmpty()) {
          throw new ProfileException(ctx.profileFile().toString(), 0, message);
        }
        // Point at the first root too many, or at the lone root.
        throw roots.get(Math.min(2, roots.size() - 1)).setting().error(message);
      }
      if (roots.get(0).value().sameRoot(roots.get(1).value())) {
        throw roots.get(1).setting().error("both roots name the same place ("
            + roots.get(0).value().display() + " and " + roots.get(1).value().display() + ")");
      }
      if (backupNaming != null) {
        try {
          Values.checkBackupNaming(backupprefix, backupsuffix);
        } catch (IllegalArgumentException e) {
          throw backupNaming.error(e.getMessage());
        }
      }
      // Resolved only now that the roots are final (command-line roots may have replaced the profile's).
      preferred = preference(prefer);
      forced = preference(force);
    }

    List<RootSpec> rootSpecs() {
      return roots.stream().map(Located::value).toList();
    }

    /**
     * {@code newer}, {@code older}, or one of the two roots, compared by what it names rather than how it is
     * spelled (Unison compares the strings exactly, so a trailing '/' made it fail).
     */
    Optional<Preference> preference(Setting s) {
      if (s == null) {
        return Optional.empty();
      }
      String v = s.value();
      if (v.equals("newer")) {
        return Optional.of(Preference.NEWER);
      }
      if (v.equals("older")) {
        // As in Unison: without times, a copy's mtime is the time it was made, so "older" would pick the
        // original over every copy; Unison refuses the combination ("can only be used with times=true").
        if (!times) {
          throw s.error(UnisonPreferences.canonical(s.key()) + " = older can only be used with times = true");
        }
        return Optional.of(Preference.OLDER);
      }
      RootSpec alpha = roots.get(0).value();
      RootSpec beta = roots.get(1).value();
      RootSpec named;
      try {
        named = RootParser.parse(v, ctx);
      } catch (IllegalArgumentException e) {
        // Not a valid root, so it cannot name either root: reported as such below, which is the useful
        // message ("matches neither root"), not the parse detail.
        named = null;
      }
      if (named != null && named.sameRoot(alpha)) {
        return Optional.of(Preference.ALPHA);
      }
      if (named != null && named.sameRoot(beta)) {
        return Optional.of(Preference.BETA);
      }
      throw s.error(UnisonPreferences.canonical(s.key()) + " = " + v + " matches neither root (" + alpha.display()
          + ", " + beta.display() + "); use one of them, newer or older");
    }
  }
}
