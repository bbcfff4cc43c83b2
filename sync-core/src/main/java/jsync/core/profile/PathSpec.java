package jsync.core.profile;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import jsync.core.model.RelPath;

/**
 * A Unison pathspec, as used by {@code ignore}, {@code ignorenot}, {@code backup} and {@code backupnot}: a kind
 * followed by a pattern, matched against a path relative to the root ({@code /}-separated, no leading or
 * trailing {@code /}). Compiled once at parse time, because the scanner asks for every path it walks.
 *
 * <ul>
 *   <li>{@code Name GLOB}: the last name of the path matches the glob. Unison's {@code pred.ml} compiles it to
 *       "any prefix ending in {@code /}, then GLOB", so a glob containing {@code /} matches the path's last
 *       names: {@code Name a/b} matches {@code x/a/b}. jsync does the same.
 *   <li>{@code Path GLOB}: the whole path matches the glob.
 *   <li>{@code BelowPath GLOB}: the path or one of its ancestors matches the glob (Unison:
 *       {@code GLOB(/.*)?}).
 *   <li>{@code Regex RE}: a {@link Pattern} (Java syntax, {@code .} also matches newlines as in Unison) that
 *       must match the whole path.
 *   <li>{@code NameString S}, {@code String S}, {@code BelowString S}: as Name, Path and BelowPath, but
 *       {@code S} is literal (optionally in single quotes), as in Unison 2.52+.
 * </ul>
 *
 * <p>Glob syntax is described in {@link Glob}. As in Unison, no pattern may start with {@code /}. Unlike Unison,
 * trailing {@code /}s are removed from glob and string patterns: Unison compares them with paths that never
 * end in {@code /}, so {@code Path logs/} silently matched nothing there, while jsync takes it to mean
 * {@code Path logs}. The root itself is never matched, so no rule can ignore a whole replica.
 */
public final class PathSpec {
  private static final List<String> KINDS =
      List.of("Name", "Path", "BelowPath", "Regex", "NameString", "String", "BelowString");

  private final String spec;
  /** Match {@link RelPath#name()} instead of the whole path. */
  private final boolean onName;
  /** Also match paths below a matching one (literal case only; the regex carries the suffix itself). */
  private final boolean below;
  /** The exact strings matched, when there is no wildcard; null when {@link #pattern} is used. */
  private final Set<String> literals;
  private final Pattern pattern;

  private PathSpec(String spec, boolean onName, boolean below, Set<String> literals, Pattern pattern) {
    this.spec = spec;
    this.onName = onName;
    this.below = below;
    this.literals = literals;
    this.pattern = pattern;
  }

  /**
   * Parses and compiles a pathspec such as {@code Name *.o}.
   *
   * @throws IllegalArgumentException naming the spec and what is wrong with it: unknown kind, empty or
   *     absolute pattern, unbalanced {@code [} or {@code {}, bad regex
   */
  public static PathSpec parse(String spec) {
    String text = spec.strip();
    int space = 0;
    while (space < text.length() && !Character.isWhitespace(text.charAt(space))) {
      space++;
    }
    String kind = text.substring(0, space);
    String body = text.substring(space).strip();
    if (body.isEmpty()) {
      throw bad(text, kind.isEmpty() ? "empty pattern"
          : "expected a kind (" + String.join(", ", KINDS) + ") and a pattern");
    }
    if (!KINDS.contains(kind)) {
      throw bad(text, "unknown kind '" + kind + "'; expected one of " + String.join(", ", KINDS));
    }
    boolean literal = kind.endsWith("String");
    String pattern = kind.equals("Regex") ? body : stripTrailingSlashes(text, literal ? unquote(body) : body);
    if (pattern.startsWith("/")) {
      throw bad(text, "patterns are relative to the root and may not begin with '/'");
    }
    try {
      return switch (kind) {
        case "Name" -> name(text, Glob.compile(pattern));
        case "Path" -> path(text, Glob.compile(pattern), false);
        case "BelowPath" -> path(text, Glob.compile(pattern), true);
        case "NameString" -> name(text, literal(pattern));
        case "String" -> path(text, literal(pattern), false);
        case "BelowString" -> path(text, literal(pattern), true);
        default -> new PathSpec(text, false, false, null, Pattern.compile(pattern, Pattern.DOTALL));
      };
    } catch (PatternSyntaxException e) {
      throw bad(text, "bad regular expression: " + e.getDescription() + " near index " + e.getIndex());
    } catch (IllegalArgumentException e) {
      // Glob errors carry only the detail ("unbalanced '['"); add the spec.
      throw bad(text, e.getMessage());
    }
  }

  private static PathSpec name(String text, Glob.Compiled glob) {
    if (glob.hasSlash()) {
      // Unison's "(.*/)?GLOB" over the whole path: the glob covers the last few names.
      return new PathSpec(text, false, false, null,
          Pattern.compile("(?:.*/)?(?:" + glob.regex() + ")", Pattern.DOTALL));
    }
    return glob.literals() != null ? new PathSpec(text, true, false, glob.literals(), null)
        : new PathSpec(text, true, false, null, Pattern.compile(glob.regex()));
  }

  private static PathSpec path(String text, Glob.Compiled glob, boolean below) {
    if (glob.literals() != null) {
      return new PathSpec(text, false, below, glob.literals(), null);
    }
    String regex = below ? "(?:" + glob.regex() + ")(?:/.*)?" : glob.regex();
    return new PathSpec(text, false, false, null, Pattern.compile(regex, Pattern.DOTALL));
  }

  private static Glob.Compiled literal(String s) {
    return new Glob.Compiled(Pattern.quote(s), Set.of(s), s.contains("/"));
  }

  /** Unison's {@code del_quotes}: one pair of surrounding single quotes is removed. */
  private static String unquote(String s) {
    return s.length() >= 2 && s.startsWith("'") && s.endsWith("'") ? s.substring(1, s.length() - 1) : s;
  }

  private static String stripTrailingSlashes(String text, String body) {
    String s = body;
    while (s.endsWith("/") && !s.endsWith("\\/")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.isEmpty()) {
      throw bad(text, "empty pattern");
    }
    return s;
  }

  private static IllegalArgumentException bad(String spec, String why) {
    return new IllegalArgumentException("bad pattern '" + spec + "': " + why);
  }

  /** Whether {@code path} matches; never true for the root. */
  public boolean matches(RelPath path) {
    if (path.isRoot()) {
      return false;
    }
    String s = onName ? path.name() : path.toString();
    if (literals == null) {
      return pattern.matcher(s).matches();
    }
    if (literals.contains(s)) {
      return true;
    }
    if (below) {
      // Check each ancestor: a set lookup per level, instead of a prefix test per literal.
      for (int slash = s.indexOf('/'); slash >= 0; slash = s.indexOf('/', slash + 1)) {
        if (literals.contains(s.substring(0, slash))) {
          return true;
        }
      }
    }
    return false;
  }

  /** The spec as written (trimmed), e.g. {@code Name *.o}. */
  @Override
  public String toString() {
    return spec;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PathSpec other && spec.equals(other.spec);
  }

  @Override
  public int hashCode() {
    return spec.hashCode();
  }
}
