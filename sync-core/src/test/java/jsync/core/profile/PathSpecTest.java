package jsync.core.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jsync.core.model.RelPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathSpecTest {

  /** spec | path | expected. Rules checked against Unison's rx.ml (glob_parse, explode) and pred.ml. */
  @ParameterizedTest(name = "[{index}] {0} ~ {1} -> {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      # Name: the last name only, at any depth
      Name foo              | foo                  | true
      Name foo              | a/b/foo              | true
      Name foo              | foo/bar              | false
      Name foo              | foobar               | false
      Name *.o              | x.o                  | true
      Name *.o              | src/deep/x.o         | true
      Name *.o              | x.o/y                | false
      Name *.o              | x.oo                 | false
      # dot rule: a leading wildcard never matches a leading dot
      Name *                | .profile             | false
      Name *                | profile              | true
      Name *.txt            | .txt                 | false
      Name *.txt            | .a.txt               | false
      Name *.txt            | a.txt                | true
      Name *~               | .swp~                | false
      Name *~               | x~                   | true
      Name *~               | ~                    | true
      Name ?x               | .x                   | false
      Name ?x               | ax                   | true
      Name [.a]x            | .x                   | false
      Name [.a]x            | ax                   | true
      Name .*               | .profile             | true
      Name .*               | profile              | false
      Name a*               | a.b                  | true
      Name a?c              | a.c                  | true
      Name *[.]b            | .b                   | false
      Name *[.]b            | a.b                  | true
      Name *?               | .a                   | false
      Name *?               | ab                   | true
      # ? and *: any character but '/'
      Name a?c              | abc                  | true
      Name a?c              | ac                   | false
      Name a*c              | ac                   | true
      Name a*c              | a-b-c                | true
      # classes: ranges, negation with ^ and !, literal ] first, literal - last, reversed range
      Name [a-c]x           | bx                   | true
      Name [a-c]x           | dx                   | false
      Name [^a-c]x          | dx                   | true
      Name [^a-c]x          | ax                   | false
      Name [!a-c]x          | dx                   | true
      Name []]x             | ]x                   | true
      Name [a-]x            | -x                   | true
      Name [c-a]x           | bx                   | true
      Name x[\\]]            | x]                   | true
      # braces: alternatives, containing globs, nested, empty alternative
      Name *.{o,a}          | lib.a                | true
      Name *.{o,a}          | lib.so               | false
      Name {*.o,core}       | core                 | true
      Name {*.o,core}       | x.o                  | true
      Name {a,{b,c}}d       | cd                   | true
      Name x{,.bak}         | x                    | true
      Name x{,.bak}         | x.bak                | true
      # escapes make wildcards literal; } and , outside braces are literal
      Name a\\*b             | a*b                  | true
      Name a\\*b             | axb                  | false
      Name a\\{b             | a{b                  | true
      Name a}b,c            | a}b,c                | true
      # # is an ordinary character (Unison: ignore = Name #*#)
      Name #*#              | #draft#              | true
      # Unicode: one code point per ?, names compared as strings
      Name caf?             | café                 | true
      Name ?.txt            | 日.txt               | true
      Name 日本*            | 日本語.md            | true
      Name ??               | 😀x                  | true
      # Name with '/' matches the last names (Unison compiles Name to (.*/)?GLOB)
      Name b/*.o            | a/b/x.o              | true
      Name b/*.o            | b/x.o                | true
      Name b/*.o            | c/x.o                | false
      # Path: the whole relative path; * does not cross '/'
      Path logs             | logs                 | true
      Path logs             | a/logs               | false
      Path logs             | logs/x               | false
      Path logs/*           | logs/x               | true
      Path logs/*           | logs/x/y             | false
      Path logs/*           | logs/.hidden         | false
      Path {logs/*}         | logs/access.log      | true
      Path */build          | a/build              | true
      Path */build          | .git/build           | false
      Path */build          | a/b/build            | false
      Path a/b              | a/b                  | true
      # trailing '/' is dropped (Unison: Path logs/ never matched anything)
      Path logs/            | logs                 | true
      # BelowPath: the path and everything below it
      BelowPath logs        | logs                 | true
      BelowPath logs        | logs/a/b             | true
      BelowPath logs        | logsx                | false
      BelowPath logs        | a/logs               | false
      BelowPath */cache     | a/cache/x            | true
      BelowPath */cache     | a/cachex/x           | false
      BelowPath a/{b,c}     | a/c/d                | true
      # Regex: Java syntax, whole path
      Regex .*\\.o           | a/b.o                | true
      Regex .*\\.o           | a/b.oo               | false
      Regex a/.*            | a/b/c                | true
      Regex b               | ab                   | false
      # literal kinds, with optional quotes
      NameString '*.o'      | x/*.o                | true
      NameString '*.o'      | x/a.o                | false
      String a/[b]          | a/[b]                | true
      BelowString 'a b'     | a b/c                | true
      BelowString 'a b'     | a bc                 | false
      """)
  void matches(String spec, String path, boolean expected) {
    assertEquals(expected, PathSpec.parse(spec).matches(RelPath.parse(path)));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', textBlock = """
      Foo bar          | unknown kind 'Foo'
      name foo         | unknown kind 'name'
      Name             | expected a kind
      ''               | empty pattern
      Name [abc        | unbalanced '['
      Name {a,b        | unbalanced '{'
      Name {a,{b}      | unbalanced '{'
      Name abc\\       | lone '\\'
      Path /etc        | may not begin with '/'
      Regex /etc       | may not begin with '/'
      Regex (a         | bad regular expression
      Path /           | empty pattern
      """)
  void malformedSpecs_areRejectedWithReason(String spec, String reason) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PathSpec.parse(spec));
    assertTrue(e.getMessage().startsWith("bad pattern '" + spec.strip() + "'"), e.getMessage());
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }

  @Test
  void braceExplosion_isCapped() {
    String spec = "Name " + "{a,b}".repeat(11);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PathSpec.parse(spec));
    assertTrue(e.getMessage().contains("more than 1024 alternatives"), e.getMessage());
    PathSpec.parse("Name " + "{a,b}".repeat(10));
  }

  @Test
  void rootIsNeverMatched() {
    assertFalse(PathSpec.parse("Path *").matches(RelPath.ROOT));
    assertFalse(PathSpec.parse("Regex .*").matches(RelPath.ROOT));
    assertTrue(PathSpec.parse("Regex .*").matches(RelPath.parse("a")));
  }

  @Test
  void regexDotMatchesNewlineInNames_asUnisonRxDoes() {
    assertTrue(PathSpec.parse("Regex a.b").matches(RelPath.parse("a\nb")));
  }

  @Test
  void toString_givesBackTheSpec() {
    assertEquals("Name *.o", PathSpec.parse("  Name   *.o ").toString().replaceAll("\\s+", " "));
    assertEquals("Path {logs/*}", PathSpec.parse("Path {logs/*}").toString());
    assertEquals(PathSpec.parse("Name x"), PathSpec.parse("Name x"));
  }
}
