package jsync.core.profile;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import jsync.core.model.RelPath;

/**
 * Parsers for preference values. Each throws {@link IllegalArgumentException} with a message naming the
 * preference and the bad value; {@link Profile#from} adds the file and line.
 */
final class Values {
  /** Largest mode mask: permission bits plus setuid, setgid and sticky. */
  static final int MAX_PERMS = 07777;
  static final String VERSION_TAG = "$VERSION";

  private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,9}");
  private static final Pattern OCTAL = Pattern.compile("[0-7]{1,9}");
  private static final Pattern REPEAT = Pattern.compile("(watch\\+)?([0-9]{1,9})|watch");

  private Values() {}

  /** Unison's {@code string2bool}: exactly {@code true} or {@code false}. */
  static boolean bool(String key, String value) {
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(key + " expects true or false, not '" + value + "'");
    };
  }

  /**
   * Unison's true/false/default preference ({@code createBoolWithDefault}), where {@code default} means fast
   * checking on every platform. Unison reads anything unrecognized as false; jsync refuses it.
   */
  static boolean fastcheck(String value) {
    return switch (value) {
      case "true", "yes", "default", "auto" -> true;
      case "false", "no" -> false;
      default -> throw new IllegalArgumentException("fastcheck expects true, false or default, not '" + value + "'");
    };
  }

  /**
   * A permission mask: {@code 0o1777} or {@code 01777} (octal), otherwise decimal. OCaml's int_of_string
   * reads {@code 0777} as decimal 777, which is never what a profile author meant; jsync reads it as octal.
   */
  static int perms(String value) {
    String digits = value;
    Pattern syntax = DECIMAL;
    int radix = 10;
    if (value.startsWith("0o") || value.startsWith("0O")) {
      digits = value.substring(2);
      syntax = OCTAL;
      radix = 8;
    } else if (value.length() > 1 && value.startsWith("0")) {
      digits = value.substring(1);
      syntax = OCTAL;
      radix = 8;
    }
    if (!syntax.matcher(digits).matches()) {
      throw new IllegalArgumentException("perms expects a mode mask such as 0o1777, not '" + value + "'");
    }
    int perms = Integer.parseInt(digits, radix);
    if (perms > MAX_PERMS) {
      throw new IllegalArgumentException("perms '" + value + "' is larger than the largest mask 0o7777");
    }
    return perms;
  }

  static int nonNegativeInt(String key, String value) {
    if (!DECIMAL.matcher(value).matches()) {
      throw new IllegalArgumentException(key + " expects a whole number of 0 or more, not '" + value + "'");
    }
    return Integer.parseInt(value);
  }

  /** {@code repeat}: {@code watch}, {@code watch+N} or {@code N}, with N a positive number of seconds. */
  static String repeat(String value) {
    var m = REPEAT.matcher(value);
    if (!m.matches() || m.group(2) != null && Integer.parseInt(m.group(2)) == 0) {
      throw new IllegalArgumentException(
          "repeat expects watch, watch+N or N (N a number of seconds, at least 1), not '" + value + "'");
    }
    return value;
  }

  static BackupLocation backupLocation(String value) {
    return switch (value) {
      case "local" -> BackupLocation.LOCAL;
      case "central" -> BackupLocation.CENTRAL;
      default -> throw new IllegalArgumentException("backuploc expects local or central, not '" + value + "'");
    };
  }

  /**
   * A local path: {@code ~} and {@code ~/x} expand to the home directory, a relative path is resolved
   * against {@code base}; the result is normalized.
   */
  static Path path(String value, ProfileContext ctx, Path base) {
    Path path;
    if (value.equals("~")) {
      path = ctx.home();
    } else if (value.startsWith("~/")) {
      path = ctx.home().resolve(value.substring(2));
    } else if (value.startsWith("~")) {
      throw new IllegalArgumentException("'~user' paths are not supported; write the full path instead of '"
          + value + "'");
    } else {
      try {
        path = base.resolve(ctx.fs().getPath(value));
      } catch (InvalidPathException e) {
        throw new IllegalArgumentException("invalid path '" + value + "': " + e.getReason(), e);
      }
    }
    return path.normalize();
  }

  /**
   * A path relative to the roots ({@code path}, {@code mountpoint}), with trailing {@code /}s removed.
   */
  static RelPath relPath(String key, String value) {
    if (value.startsWith("/")) {
      throw new IllegalArgumentException(key + " must be relative to the roots, not absolute: '" + value + "'");
    }
    String s = value;
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException(key + " must name a path below the roots, not be empty");
    }
    if (key.equals("path") && (s.equals("*") || s.endsWith("/*"))) {
      // Unison 2.53 expands a final "*" to the children of the first local root; taking it literally
      // would silently sync nothing.
      throw new IllegalArgumentException("path '" + value + "': a final '*' is not supported yet; list the paths");
    }
    return RelPath.parse(s);
  }

  /**
   * Checks {@code backupprefix} and {@code backupsuffix} as Unison's {@code stasher.ml} does: {@code $VERSION}
   * must appear in one of them, or backups of different ages would overwrite each other. The prefix may
   * start with a relative directory ({@code .backups/}), the suffix may not contain {@code /}.
   */
  static void checkBackupNaming(String prefix, String suffix) {
    if (suffix.contains("/")) {
      throw new IllegalArgumentException("backupsuffix may not contain '/': '" + suffix + "'");
    }
    String dir = prefix.substring(0, prefix.lastIndexOf('/') + 1);
    String name = prefix.substring(dir.length());
    if (dir.startsWith("/") || ("/" + dir).contains("/../") || ("/" + dir).contains("/./")) {
      throw new IllegalArgumentException("backupprefix may start with a subdirectory, but not an absolute path, "
          + "'.' or '..': '" + prefix + "'");
    }
    if (dir.contains(VERSION_TAG)) {
      throw new IllegalArgumentException(VERSION_TAG + " may not appear in the directory part of backupprefix '"
          + prefix + "'");
    }
    int tags = count(name, VERSION_TAG) + count(suffix, VERSION_TAG);
    if (tags != 1) {
      throw new IllegalArgumentException(VERSION_TAG + " must appear exactly once in backupprefix ('" + prefix
          + "') and backupsuffix ('" + suffix + "') together, so backups of different ages get different names");
    }
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
