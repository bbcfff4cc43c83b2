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
    int start = 0;
    while (true) {
      int slash = path.indexOf('/', start);
      int end = slash < 0 ? path.length() : slash;
      checkName(path, path.substring(start, end));
      if (slash < 0) {
        break;
      }
      start = slash + 1;
    }
    return new RelPath(path);
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
      throw new IllegalArgumentException("invalid relative path '" + whole.replace("\0", "\\0")
          + "': names must be non-empty, not '.' or '..', and contain no '/' or NUL");
    }
  }

  public boolean isRoot() {
    return path.isEmpty();
  }

  /** The last name; empty for the root. */
  public String name() {
    return path.substring(path.lastIndexOf('/') + 1);
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
    if (isRoot()) {
      return true;
    }
    return other.path.startsWith(path)
        && (other.path.length() == path.length() || other.path.charAt(path.length()) == '/');
  }

  /** True if {@code other} lies strictly below this path. */
  public boolean isAncestorOf(RelPath other) {
    return !equals(other) && contains(other);
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

  /** UTF-8 bytes with NUL between names: the archive key form, whose byte order is this class's order. */
  public byte[] toKeyBytes() {
    return path.replace('/', '\0').getBytes(StandardCharsets.UTF_8);
  }

  /** Inverse of {@link #toKeyBytes}; validates like {@link #parse}. */
  public static RelPath fromKeyBytes(byte[] key, int offset, int length) {
    return parse(new String(key, offset, length, StandardCharsets.UTF_8).replace('\0', '/'));
  }

  @Override
  public int compareTo(RelPath other) {
    return compare(path, other.path);
  }

  /** Compares two names (no {@code /}) by code point, the order of their UTF-8 bytes. */
  public static int compareNames(String a, String b) {
    return compare(a, b);
  }

  /** Compares two {@code /}-separated paths in {@link RelPath} order without allocating. */
  static int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        // '/' ends a name, so it sorts before every character a name can hold.
        int ka = ca == '/' ? -1 : ca;
        int kb = cb == '/' ? -1 : cb;
        return Integer.compare(ka, kb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
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
