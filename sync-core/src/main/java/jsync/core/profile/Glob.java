package jsync.core.profile;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Translates a Unison glob into a {@link java.util.regex.Pattern} source string, following Unison's
 * {@code src/ubase/rx.ml} ({@code explode} for braces, {@code glob_parse} with {@code nodot} for the rest),
 * checked against that source for these rules:
 *
 * <ul>
 *   <li>{@code {a,b}} is expanded first, textually, into alternatives, which may hold any glob syntax and nest;
 *       an unclosed {@code {} is an error, a {@code }} or {@code ,} outside braces is literal.
 *   <li>{@code *} matches any run of characters except {@code /}; {@code ?} one character except {@code /};
 *       {@code [...]} one character from a class with ranges ({@code a-z}, reversed ranges are swapped) and
 *       negation by a leading {@code ^} or {@code !}; a {@code ]} right after the opening bracket (or its
 *       negation) is literal, as is a {@code -} right before the closing one. A class never matches {@code /}.
 *   <li>Backslash makes the next character literal, inside a class too; a trailing lone backslash is an error.
 *   <li>Dot rule: at the start of a name (the start of the pattern or after a {@code /}) a wildcard never
 *       matches a leading {@code .}: {@code *} and {@code *.txt} do not match {@code .profile} or {@code .txt},
 *       and {@code [.]x} matches nothing, but a literal {@code .x} matches {@code .x}, and {@code a*} matches
 *       {@code a.b}. {@code *.txt} also needs at least one character before the dot.
 * </ul>
 *
 * <p>One deliberate difference: Unison matches bytes, so {@code ?} matches one byte of a UTF-8 name; here
 * every rule works on Unicode code points, so {@code ?} matches {@code é}.
 */
final class Glob {
  /**
   * Cap on brace alternatives. Braces expand multiplicatively ({@code {a,b}} ten times is 1024 patterns),
   * and profiles are untrusted input: a short line must not be able to build a huge regex.
   */
  static final int MAX_ALTERNATIVES = 1024;

  private static final String NOT_SLASH = "[^/]";
  private static final String NOT_DOT = "[^./]";
  private static final String NAME_REST = "[^/]*";
  /** What Unison's {@code beg_start'} matches: a non-empty run that does not start with a dot. */
  private static final String UNDOTTED = NOT_DOT + NAME_REST;

  /** Where in a name the translation is: Unison's {@code Beg}, {@code BegAny} and {@code Mid}. */
  private enum Position { NAME_START, AFTER_LEADING_STAR, INSIDE }

  /**
   * A compiled glob.
   *
   * @param regex the Java regex source matching exactly what the glob matches
   * @param literals the strings matched, when no alternative has a wildcard (so a set lookup can replace the
   *     regex); null otherwise
   * @param hasSlash whether some alternative contains a literal {@code /} (so it cannot match a single name)
   */
  record Compiled(String regex, Set<String> literals, boolean hasSlash) {}

  private Glob() {}

  /** @throws IllegalArgumentException with a message saying what is malformed */
  static Compiled compile(String glob) {
    List<String> alternatives = new BraceExpander(glob).expand();
    StringBuilder regex = new StringBuilder();
    Set<String> literals = new LinkedHashSet<>();
    boolean allLiteral = true;
    boolean hasSlash = false;
    for (String alternative : alternatives) {
      Translation t = new Translation(alternative);
      t.run();
      regex.append(regex.length() == 0 ? "" : "|").append("(?:").append(t.regex).append(')');
      allLiteral &= t.literal;
      hasSlash |= t.hasSlash;
      literals.add(t.text.toString());
    }
    return new Compiled(regex.toString(), allLiteral ? Set.copyOf(literals) : null, hasSlash);
  }

  /** Unison's {@code explode}: textual brace expansion that leaves backslash escapes for the translation. */
  private static final class BraceExpander {
    private final String glob;
    private int pos;

    BraceExpander(String glob) {
      this.glob = glob;
    }

    List<String> expand() {
      return sequence(false);
    }

    private List<String> sequence(boolean inner) {
      List<String> acc = List.of("");
      int start = pos;
      while (pos < glob.length()) {
        char c = glob.charAt(pos);
        if (c == '\\') {
          pos = Math.min(pos + 2, glob.length());
        } else if (c == '{') {
          acc = product(acc, List.of(glob.substring(start, pos)));
          pos++;
          acc = product(acc, alternatives());
          start = pos;
        } else if (inner && (c == ',' || c == '}')) {
          break;
        } else {
          pos++;
        }
      }
      return product(acc, List.of(glob.substring(start, pos)));
    }

    private List<String> alternatives() {
      List<String> alternatives = new ArrayList<>();
      while (true) {
        alternatives.addAll(sequence(true));
        if (pos >= glob.length()) {
          throw new IllegalArgumentException("unbalanced '{'");
        }
        if (glob.charAt(pos++) == '}') {
          return alternatives;
        }
      }
    }

    private static List<String> product(List<String> prefixes, List<String> suffixes) {
      if ((long) prefixes.size() * suffixes.size() > MAX_ALTERNATIVES) {
        throw new IllegalArgumentException("braces expand to more than " + MAX_ALTERNATIVES + " alternatives");
      }
      List<String> out = new ArrayList<>(prefixes.size() * suffixes.size());
      for (String p : prefixes) {
        for (String s : suffixes) {
          out.add(p + s);
        }
      }
      return out;
    }
  }

  /** Unison's {@code glob_parse} for one brace-free alternative. */
  private static final class Translation {
    private final String glob;
    private int pos;
    private Position where = Position.NAME_START;
    final StringBuilder regex = new StringBuilder();
    final StringBuilder text = new StringBuilder();
    boolean literal = true;
    boolean hasSlash;

    Translation(String glob) {
      this.glob = glob;
    }

    void run() {
      while (pos < glob.length()) {
        int c = next();
        if (c == '*') {
          literal = false;
          if (where == Position.INSIDE) {
            regex.append(NAME_REST);
          } else {
            // Decided by what follows: a leading '*' must not match a leading dot.
            where = Position.AFTER_LEADING_STAR;
          }
        } else if (c == '?') {
          literal = false;
          regex.append(switch (where) {
            case NAME_START -> NOT_DOT;
            case AFTER_LEADING_STAR -> UNDOTTED;
            case INSIDE -> NOT_SLASH;
          });
          where = Position.INSIDE;
        } else if (c == '[') {
          literal = false;
          String set = bracket();
          regex.append(switch (where) {
            case NAME_START -> "[" + set + "&&[^./]]";
            case AFTER_LEADING_STAR -> "(?:(?:" + UNDOTTED + ")?[" + set + "&&[^./]]|" + UNDOTTED + "[" + set
                + "&&[.]])";
            case INSIDE -> "[" + set + "&&[^/]]";
          });
          where = Position.INSIDE;
        } else {
          if (c == '\\') {
            if (pos >= glob.length()) {
              throw new IllegalArgumentException("ends with a lone '\\'");
            }
            c = next();
          }
          if (where == Position.AFTER_LEADING_STAR) {
            // "*." needs a non-empty undotted run before the dot; "*x" may match the empty run.
            regex.append(c == '.' ? UNDOTTED : "(?:" + UNDOTTED + ")?");
          }
          regex.append(quote(c));
          text.appendCodePoint(c);
          hasSlash |= c == '/';
          where = c == '/' ? Position.NAME_START : Position.INSIDE;
        }
      }
      if (where == Position.AFTER_LEADING_STAR) {
        regex.append("(?:").append(UNDOTTED).append(")?");
      }
    }

    /** Parses a class after its '[' into a Java class such as {@code [a-c]} or {@code [^a-c]}. */
    private String bracket() {
      StringBuilder set = new StringBuilder("[");
      if (pos < glob.length() && (glob.charAt(pos) == '^' || glob.charAt(pos) == '!')) {
        pos++;
        set.append('^');
      }
      boolean first = true;
      while (true) {
        if (!first && accept(']')) {
          break;
        }
        first = false;
        int c = classChar();
        if (accept('-')) {
          if (accept(']')) {
            set.append(quote(c)).append(quote('-'));
            break;
          }
          int d = classChar();
          set.append(quote(Math.min(c, d))).append('-').append(quote(Math.max(c, d)));
        } else {
          set.append(quote(c));
        }
      }
      return set.append(']').toString();
    }

    private int classChar() {
      accept('\\');
      if (pos >= glob.length()) {
        throw new IllegalArgumentException("unbalanced '['");
      }
      return next();
    }

    private boolean accept(char c) {
      if (pos < glob.length() && glob.charAt(pos) == c) {
        pos++;
        return true;
      }
      return false;
    }

    private int next() {
      int c = glob.codePointAt(pos);
      pos += Character.charCount(c);
      return c;
    }

    private static String quote(int c) {
      return Character.isLetterOrDigit(c) ? Character.toString(c) : "\\x{" + Integer.toHexString(c) + "}";
    }
  }
}
