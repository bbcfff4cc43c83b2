package jsync.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing (hostile input included), navigation, and the order that must equal archive key order. */
class RelPathTest {
  @ParameterizedTest
  @ValueSource(strings = {"/abs", "a//b", "a/", "/", ".", "..", "a/./b", "a/../b", "../x", "a/..", "x\0y"})
  void parse_refusesAnythingThatCouldLeaveTheRoot(String hostile) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RelPath.parse(hostile));
    assertTrue(e.getMessage().contains("invalid relative path"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "a/b/c", ".hidden", "..dots", "a.", "...", "x y", "café/日本", "a\\b", "🎉"})
  void parse_acceptsOrdinaryNames_andRoundTrips(String ok) {
    RelPath p = RelPath.parse(ok);
    assertEquals(ok, p.toString());
    assertEquals(p, RelPath.fromKeyBytes(p.toKeyBytes(), 0, p.toKeyBytes().length));
  }

  @Test
  void navigation() {
    RelPath p = RelPath.parse("a/b/c");
    assertEquals("c", p.name());
    assertEquals(RelPath.parse("a/b"), p.parent());
    assertEquals(RelPath.ROOT, RelPath.parse("a").parent());
    assertEquals(3, p.depth());
    assertEquals(List.of("a", "b", "c"), p.names());
    assertTrue(RelPath.parse("a").isAncestorOf(p));
    assertTrue(RelPath.ROOT.isAncestorOf(p));
    assertFalse(p.isAncestorOf(p));
    assertTrue(p.contains(p));
    assertFalse(RelPath.parse("a/b/c2").contains(p));
    assertFalse(RelPath.parse("a/bb").contains(RelPath.parse("a/b")));
    assertEquals(".", RelPath.ROOT.display());
    assertEquals(RelPath.parse("a/b/c/d"), p.resolve("d"));
    assertThrows(IllegalArgumentException.class, () -> p.resolve(".."));
    assertThrows(IllegalArgumentException.class, () -> p.resolve("x/y"));
    assertThrows(IllegalStateException.class, () -> RelPath.ROOT.parent());
  }

  @Test
  void under_placesTheNamesBelowTheRoot() {
    Path root = Path.of("/r");
    assertEquals(Path.of("/r/a/b"), RelPath.parse("a/b").under(root));
    assertEquals(root, RelPath.ROOT.under(root));
  }

  /**
   * The scanner merges a sorted walk with the archive's key order: for any two paths the RelPath order
   * must be the order of their key bytes (names joined by NUL, UTF-8), including names with '.', ' ', NUL
   * neighbours, and characters above U+FFFF against U+E000..U+FFFF.
   */
  @Test
  void order_isTheOrderOfArchiveKeyBytes() {
    String[] names = {"a", "a.b", "a b", "ab", "b", "\u0001", "z", "é", "\uE000", "\uFFFD", "😀", "A", "a-"};
    List<RelPath> paths = new ArrayList<>();
    Random rnd = new Random(7);
    for (int i = 0; i < 400; i++) {
      StringBuilder sb = new StringBuilder();
      int depth = 1 + rnd.nextInt(3);
      for (int d = 0; d < depth; d++) {
        if (d > 0) {
          sb.append('/');
        }
        sb.append(names[rnd.nextInt(names.length)]);
        if (rnd.nextBoolean()) {
          sb.append(names[rnd.nextInt(names.length)]);
        }
      }
      paths.add(RelPath.parse(sb.toString()));
    }
    for (RelPath x : paths) {
      for (RelPath y : paths) {
        assertEquals(Integer.signum(Arrays.compareUnsigned(x.toKeyBytes(), y.toKeyBytes())),
            Integer.signum(x.compareTo(y)), x + " vs " + y);
      }
    }
  }

  @Test
  void keyBytes_areUtf8NamesJoinedByNul() {
    assertArrayEquals("a\0é".getBytes(StandardCharsets.UTF_8), RelPath.parse("a/é").toKeyBytes());
    assertTrue(RelPath.parse("a").compareTo(RelPath.parse("a/b")) < 0, "a parent sorts before its children");
    assertTrue(RelPath.parse("a/b").compareTo(RelPath.parse("a.b")) < 0, "children before the next sibling");
  }

  /** Names around the places where the order is subtle: '/' and prefixes, surrogates against U+E000..U+FFFF. */
  private static final List<String> NAMES = List.of("a", "b", "ab", "a b", "a.b", "a-", "a0", "A", "z",
      "\u00e9", "\u00e9t\u00e9", "\u4e2d", "\uE000", "\uFFFD", "\uD83D\uDE00", "\uD83D\uDE00x",
      "x\uD83D\uDE00", "x\uE000", "x\uFFFF", "xy");

  @Test
  void compareNameTo_isCompareNamesOfTheLastName() {
    List<String> dirs = List.of("", "d", "d/e", "\uD83D\uDE00", "a/b/c");
    for (String dir : dirs) {
      for (String n : NAMES) {
        RelPath p = dir.isEmpty() ? RelPath.parse(n) : RelPath.parse(dir + "/" + n);
        for (String other : NAMES) {
          assertEquals(Integer.signum(RelPath.compareNames(p.name(), other)), Integer.signum(p.compareNameTo(other)),
              p + " vs " + other);
        }
      }
    }
    assertEquals(0, RelPath.ROOT.compareNameTo(""));
    assertTrue(RelPath.ROOT.compareNameTo("a") < 0);
  }

  /** childUnder gives what climbing parents until the ancestor gives, and null off the ancestor's tree. */
  @Test
  void childUnder_isTheAncestorsChildOnTheWay() {
    List<String> paths = List.of("a", "a/b", "a/b/c", "a/bc/d", "ab/c", "\uD83D\uDE00/x/y", "a/b/c/d/e");
    List<RelPath> all = new ArrayList<>();
    all.add(RelPath.ROOT);
    for (String p : paths) {
      all.add(RelPath.parse(p));
    }
    for (RelPath ancestor : all) {
      for (RelPath p : all) {
        RelPath expected = null;
        if (ancestor.isAncestorOf(p)) {
          expected = p;
          while (!expected.parent().equals(ancestor)) {
            expected = expected.parent();
          }
        }
        assertEquals(expected, p.childUnder(ancestor), p + " under " + ancestor);
      }
    }
    RelPath direct = RelPath.parse("a/b");
    assertTrue(direct.childUnder(RelPath.parse("a")) == direct, "a direct child is itself, not a copy");
  }

  /** The old fromKeyBytes: NULs to slashes, decode, then parse. */
  private static RelPath fromKeyBytesByParse(byte[] key) {
    byte[] b = key.clone();
    for (int i = 0; i < b.length; i++) {
      if (b[i] == 0) {
        b[i] = '/';
      }
    }
    return RelPath.parse(new String(b, StandardCharsets.UTF_8));
  }

  /** Every key of up to 5 bytes over an alphabet of separators, dots and broken UTF-8: as parse decides. */
  @Test
  void fromKeyBytes_decidesEveryKeyAsParseDoes() {
    byte[] alphabet = {0, '/', '.', 'a', (byte) 0xC3, (byte) 0xA9, (byte) 0x80, (byte) 0xFF, (byte) 0xF0};
    int checked = 0;
    for (int len = 0; len <= 5; len++) {
      int[] digits = new int[len];
      while (true) {
        byte[] key = new byte[len + 2];
        key[0] = 'z'; // offset and length are honoured: bytes around the key are not part of it
        key[len + 1] = 'z';
        for (int i = 0; i < len; i++) {
          key[i + 1] = alphabet[digits[i]];
        }
        byte[] bare = Arrays.copyOfRange(key, 1, len + 1);
        RelPath expected = null;
        try {
          expected = fromKeyBytesByParse(bare);
        } catch (IllegalArgumentException e) {
          expected = null;
        }
        if (expected == null) {
          assertThrows(IllegalArgumentException.class, () -> RelPath.fromKeyBytes(key, 1, bare.length),
              Arrays.toString(bare));
        } else {
          assertEquals(expected, RelPath.fromKeyBytes(key, 1, bare.length), Arrays.toString(bare));
        }
        checked++;
        int d = 0;
        while (d < len && ++digits[d] == alphabet.length) {
          digits[d++] = 0;
        }
        if (d == len) {
          break;
        }
      }
    }
    assertTrue(checked > 60_000, "checked " + checked);
  }

  /** contains and isAncestorOf as first written: equality and a string prefix ending at a slash. */
  @Test
  void containsAndIsAncestorOf_agreeWithTheirDefinition() {
    List<String> paths = List.of("", "a", "ab", "a/b", "a/bc", "a/b/c", "ab/c", "a.b", "b", "a/b.c",
        "\uD83D\uDE00", "\uD83D\uDE00/x", "x/\uD83D\uDE00");
    for (String x : paths) {
      for (String y : paths) {
        RelPath a = x.isEmpty() ? RelPath.ROOT : RelPath.parse(x);
        RelPath b = y.isEmpty() ? RelPath.ROOT : RelPath.parse(y);
        boolean contains = x.isEmpty() || y.equals(x) || y.startsWith(x + "/");
        assertEquals(contains, a.contains(b), x + " contains " + y);
        assertEquals(contains && !x.equals(y), a.isAncestorOf(b), x + " above " + y);
      }
    }
  }

  /** sortNames gives compareNames order, surrogates against U+E000..U+FFFF included. */
  @Test
  void sortNames_isCompareNamesOrder() {
    Random random = new Random(7);
    String[] pieces = {"a", "b", "Z", "0", ".", "\u00e9", "\u4e2d", "\uE000", "\uFFFD", "\uFFFF",
        "\uD83D\uDE00", "\uD800\uDC00", "\uDBFF\uDFFF"};
    for (int round = 0; round < 2_000; round++) {
      List<String> names = new ArrayList<>();
      int n = random.nextInt(12);
      for (int i = 0; i < n; i++) {
        StringBuilder b = new StringBuilder();
        int len = 1 + random.nextInt(3);
        for (int j = 0; j < len; j++) {
          b.append(pieces[random.nextInt(round % 2 == 0 ? 5 : pieces.length)]);
        }
        names.add(b.toString());
      }
      List<String> expected = new ArrayList<>(names);
      expected.sort(RelPath::compareNames);
      RelPath.sortNames(names);
      assertEquals(expected, names);
    }
    List<String> tricky = new ArrayList<>(List.of("\uE000", "\uD83D\uDE00", "a"));
    RelPath.sortNames(tricky);
    assertEquals(List.of("a", "\uE000", "\uD83D\uDE00"), tricky, "U+E000 before U+1F600, unlike UTF-16");
  }

  @Test
  void nameStartsWith_isNameStartsWith() {
    for (String p : List.of("", "a", ".jsync-x", "d/.jsync-x", "d/e/.jsync", "d/.js", ".jsync-x/y", "ab/c")) {
      RelPath path = p.isEmpty() ? RelPath.ROOT : RelPath.parse(p);
      for (String prefix : List.of("", ".jsync", ".jsync-", "a", "d", "c")) {
        assertEquals(path.name().startsWith(prefix), path.nameStartsWith(prefix), p + " / " + prefix);
      }
    }
  }
}
