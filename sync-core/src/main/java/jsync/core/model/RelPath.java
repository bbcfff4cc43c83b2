package jsync.core.model;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A path relative to a replica root, such as {@code www/index.html}; the root itself is {@link #ROOT}.
 *
 * <p>Names are never empty and never {@code .} or {@code ..}, and contain neither {@code /} nor NUL, so a
 * {@code RelPath} can never escape its root. Paths that come from a peer, an archive or a profile go through
 * {@link #parse}, which enforces this.
 *
 * <p>Order: component by component, each name by Unicode code point (which is UTF-8 byte order), a parent
 * before its children. This is the order of a depth-first walk with sorted children and the order of the
 * archive's keys (see {@code docs/archive.md}), so the scanner can merge the two in one pass.
 */
public final class RelPath implements Comparable<RelPath> {
  public static final RelPath ROOT = new RelPath("");

  private final String path;

  private RelPath(String path) {
    this.path = path;
  }

  /**
   * Parses a {@code /}-separated relative path, rejecting anything that could name a place outside a root:
   * absolute paths, {@code .}, {@code ..}, empty names (double or trailing slashes) and NUL.
   *
   * @throws IllegalArgumentException naming the offending path
   */
  public static RelPath parse(String path) {
    if (path.isEmpty()) {
      return ROOT;
    }
    // One pass, no substrings: archives and peers hand in a path per file.
    int start = 0;
    int n = path.length();
    for (int i = 0; i <= n; i++) {
      char c = i < n ? path.charAt(i) : '/';
      if (c == '/') {
        int len = i - start;
        if (len == 0 || (path.charAt(start) == '.' && (len == 1 || (len == 2 && path.charAt(start + 1) == '.')))) {
          throw invalid(path);
        }
        start = i + 1;
      } else if (c == '\0') {
        throw invalid(path);
      }
    }
    return new RelPath(path);
  }

  private static IllegalArgumentException invalid(String whole) {
    return new IllegalArgumentException("invalid relative path '" + whole.replace("\0", "\\0")
        + "': names must be non-empty, not '.' or '..', and contain no '/' or NUL");
  }

  /** The child of this path named {@code name}. */
  public RelPath resolve(String name) {
    checkName(name, name);
    return new RelPath(path.isEmpty() ? name : path + "/" + name);
  }

  /** Appends a relative path to this one. */
  public RelPath resolve(RelPath other) {
    if (other.isRoot()) {
      return this;
    }
    return isRoot() ? other : new RelPath(path + "/" + other.path);
  }

  private static void checkName(String whole, String name) {
    if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('\0') >= 0
        || name.indexOf('/') >= 0) {
      throw invalid(whole);
    }
  }

  public boolean isRoot() {
    return path.isEmpty();
  }

  /** The last name; empty for the root. */
  public String name() {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** {@code name().startsWith(prefix)} without cutting the name out (the scanner asks it of every entry). */
  public boolean nameStartsWith(String prefix) {
    return path.startsWith(prefix, path.lastIndexOf('/') + 1);
  }

  /** The parent path; the root has none. */
  public RelPath parent() {
    if (isRoot()) {
      throw new IllegalStateException("the root has no parent");
    }
    int slash = path.lastIndexOf('/');
    return slash < 0 ? ROOT : new RelPath(path.substring(0, slash));
  }

  /** Number of names; 0 for the root. */
  public int depth() {
    if (isRoot()) {
      return 0;
    }
    int n = 1;
    for (int i = 0; i < path.length(); i++) {
      if (path.charAt(i) == '/') {
        n++;
      }
    }
    return n;
  }

  public List<String> names() {
    List<String> names = new ArrayList<>();
    if (!isRoot()) {
      int start = 0;
      int slash;
      while ((slash = path.indexOf('/', start)) >= 0) {
        names.add(path.substring(start, slash));
        start = slash + 1;
      }
      names.add(path.substring(start));
    }
    return names;
  }

  /** True if {@code other} is this path or lies below it. */
  public boolean contains(RelPath other) {
    int n = path.length();
    if (n == 0) {
      return true;
    }
    int m = other.path.length();
    // The cheap tests first: the scanner asks this of nearly every record, mostly of a sibling's path.
    return (m == n || (m > n && other.path.charAt(n) == '/')) && other.path.startsWith(path);
  }

  /** True if {@code other} lies strictly below this path. */
  public boolean isAncestorOf(RelPath other) {
    int n = path.length();
    if (n == 0) {
      return !other.path.isEmpty();
    }
    return other.path.length() > n && other.path.charAt(n) == '/' && other.path.startsWith(path);
  }

  /** The {@code /}-separated form, empty for the root. */
  @Override
  public String toString() {
    return path;
  }

  /** The path for messages: the root shows as {@code .}. */
  public String display() {
    return isRoot() ? "." : path;
  }

  /**
   * This path below {@code root}, name by name (never parsed by the filesystem, so a name can never act as
   * a separator or a root on any platform).
   */
  public java.nio.file.Path under(java.nio.file.Path root) {
    java.nio.file.Path p = root;
    if (isRoot()) {
      return p;
    }
    int start = 0;
    int slash;
    while ((slash = path.indexOf('/', start)) >= 0) {
      p = p.resolve(path.substring(start, slash));
      start = slash + 1;
    }
    return p.resolve(path.substring(start));
  }

  /** UTF-8 bytes with NUL between names: the archive key form, whose byte order is this class's order. */
  public byte[] toKeyBytes() {
    return path.replace('/', '\0').getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Inverse of {@link #toKeyBytes}; validates like {@link #parse}, in the same pass that turns NULs into
   * slashes (the walk reads a key per archive record: parsing the decoded string again was a tenth of it).
   */
  public static RelPath fromKeyBytes(byte[] key, int offset, int length) {
    if (length == 0) {
      return ROOT;
    }
    byte[] b = new byte[length];
    int start = 0;
    for (int i = 0; i <= length; i++) {
      byte x = i < length ? key[offset + i] : 0;
      if (x == 0 || x == '/') {
        // A name ends: as parse() checks, not empty, not '.' or '..' (a '/' in a key is a separator to
        // parse(), so it is one here too).
        int len = i - start;
        if (len == 0 || (b[start] == '.' && (len == 1 || (len == 2 && b[start + 1] == '.')))) {
          throw invalid(new String(key, offset, length, StandardCharsets.UTF_8).replace('\0', '/'));
        }
        start = i + 1;
        if (i < length) {
          b[i] = '/';
        }
      } else {
        b[i] = x;
      }
    }
    // Malformed UTF-8 decodes to U+FFFD, never to '/' or NUL: the names checked above stay as checked.
    return new RelPath(new String(b, StandardCharsets.UTF_8));
  }

  @Override
  public int compareTo(RelPath other) {
    return compare(path, other.path);
  }

  /** Compares two names (no {@code /}) by code point, the order of their UTF-8 bytes. */
  public static int compareNames(String a, String b) {
    return compare(a, b);
  }

  /**
   * Sorts names (no {@code /}) into {@link #compareNames} order. String's own order (UTF-16) is the same
   * except where a surrogate meets U+E000..U+FFFF, and its comparisons cost half as much in a fresh JVM
   * (the scanner sorts every directory it lists: 100,000 names, 40 -> 20 ms): sort by it, check the
   * neighbours, and in the rare case they disagree sort again exactly.
   */
  public static void sortNames(List<String> names) {
    names.sort(null);
    for (int i = 1; i < names.size(); i++) {
      if (compareNames(names.get(i - 1), names.get(i)) > 0) {
        names.sort(RelPath::compareNames);
        return;
      }
    }
  }

  /**
   * Compares this path's last name with {@code name} as {@link #compareNames} compares two names, without
   * cutting the name out: the scanner does this once per archive record, against the names it lists.
   */
  public int compareNameTo(String name) {
    return compare(path, path.lastIndexOf('/') + 1, name);
  }

  /**
   * The path of the name directly below {@code ancestor} on the way to this path (this path itself if it
   * is one), or null if {@code ancestor} is not strictly above this path. The scanner asks it once per
   * archive record, to find which child of a directory the record is in.
   */
  public RelPath childUnder(RelPath ancestor) {
    if (!ancestor.isAncestorOf(this)) {
      return null;
    }
    int slash = path.indexOf('/', ancestor.isRoot() ? 0 : ancestor.path.length() + 1);
    return slash < 0 ? this : new RelPath(path.substring(0, slash));
  }

  /** Compares two {@code /}-separated paths in {@link RelPath} order without allocating. */
  static int compare(String a, String b) {
    return compare(a, 0, b);
  }

  /** {@link #compare(String, String)} of {@code a} from index {@code from} on, against all of {@code b}. */
  private static int compare(String a, int from, String b) {
    int la = a.length() - from;
    int n = Math.min(la, b.length());
    for (int i = 0; i < n; i++) {
      char ca = a.charAt(from + i);
      char cb = b.charAt(i);
      if (ca != cb) {
        // '/' ends a name, so it sorts before every character a name can hold.
        if (ca == '/') {
          return -1;
        }
        if (cb == '/') {
          return 1;
        }
        // UTF-16 order is code point order except that surrogates (U+D800..DFFF, the halves of code
        // points above U+FFFF) sort below U+E000..U+FFFF; only then compare whole code points.
        if (Character.isSurrogate(ca) || Character.isSurrogate(cb)) {
          return Integer.compare(a.codePointAt(from + i), b.codePointAt(i));
        }
        return Character.compare(ca, cb);
      }
    }
    return Integer.compare(la, b.length());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RelPath other && path.equals(other.path);
  }

  @Override
  public int hashCode() {
    return path.hashCode();
  }
}
