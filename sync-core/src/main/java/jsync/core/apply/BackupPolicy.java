package jsync.core.apply;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import jsync.core.model.RelPath;

/**
 * Which overwritten or deleted files to keep, and where (Unison's {@code backup}, {@code backuploc},
 * {@code backupdir}, {@code backupprefix}, {@code backupsuffix}, {@code maxbackups}).
 *
 * <p>A backup of {@code dir/name} is named {@code prefix + name + suffix} with {@code $VERSION} replaced by
 * 1 for the newest; older ones shift up to {@code maxBackups} and the oldest is dropped. Local backups sit
 * next to the file; central ones under {@code centralDir} at the file's relative path.
 */
public record BackupPolicy(Predicate<RelPath> matches, Optional<Path> centralDir, String prefix, String suffix,
    int maxBackups) {
  public static final String VERSION = "$VERSION";
  public static final BackupPolicy NONE =
      new BackupPolicy(p -> false, Optional.empty(), ".bak." + VERSION + ".", "", 2);

  public BackupPolicy {
    Objects.requireNonNull(matches, "matches");
    Objects.requireNonNull(centralDir, "centralDir");
    if (maxBackups < 1) {
      throw new IllegalArgumentException("maxbackups must be at least 1, got " + maxBackups);
    }
    if ((prefix + suffix).isEmpty() && centralDir.isEmpty()) {
      throw new IllegalArgumentException("local backups need a backupprefix or backupsuffix");
    }
  }

  public boolean isVersioned() {
    return (prefix + suffix).contains(VERSION);
  }

  /** The backup name of {@code name} for version {@code n} (1 = newest). */
  public String backupName(String name, int n) {
    String v = Integer.toString(n);
    return prefix.replace(VERSION, v) + name + suffix.replace(VERSION, v);
  }

  /** True if {@code name} is a local backup file's name, which the scanner must ignore. */
  public Predicate<String> localBackupName() {
    if (centralDir.isPresent()) {
      return n -> false;
    }
    int slash = prefix.indexOf('/');
    if (slash > 0) {
      // Backups live in a subdirectory of each directory (backupprefix = .backups/$VERSION-): ignore it.
      String dirName = prefix.substring(0, slash);
      return n -> n.equals(dirName);
    }
    Pattern p = Pattern.compile(quote(prefix) + ".+" + quote(suffix));
    return n -> p.matcher(n).matches();
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    int v;
    while ((v = s.indexOf(VERSION, i)) >= 0) {
      sb.append(Pattern.quote(s.substring(i, v))).append("[0-9]+");
      i = v + VERSION.length();
    }
    if (i < s.length()) {
      sb.append(Pattern.quote(s.substring(i)));
    }
    return sb.toString();
  }
}
