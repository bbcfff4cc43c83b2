package jsync.core.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import jsync.core.model.RelPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IgnoreFilterTest {

  private static List<PathSpec> specs(String semicolonSeparated) {
    if (semicolonSeparated == null || semicolonSeparated.isBlank()) {
      return List.of();
    }
    return Arrays.stream(semicolonSeparated.split(";")).map(PathSpec::parse).collect(Collectors.toList());
  }

  /** ignore specs | ignorenot specs | path | ignored? */
  @ParameterizedTest(name = "[{index}] ignore={0} ignorenot={1}: {2} -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
      Name *.o                  |                         | a/x.o       | true
      Name *.o                  |                         | a/x.c       | false
      Name *.o                  | Name keep.o             | a/keep.o    | false
      Name *.o                  | Name keep.o             | a/drop.o    | true
      Name *.o; Path build      | Path build              | build       | false
      Name *.o; Path build      | Path build              | build/x.o   | true
      Path *                    | Path docs               | docs        | false
      Path *                    | Path docs               | src         | true
                                | Name *                  | a           | false
      Name .*                   | Name .gitignore         | .gitignore  | false
      Name .*                   | Name .gitignore         | .git        | true
      """)
  void ignoredWhenSomeIgnoreMatchesAndNoIgnorenotDoes(String ignore, String ignorenot, String path,
      boolean expected) {
    assertEquals(expected, IgnoreFilter.of(specs(ignore), specs(ignorenot)).isIgnored(RelPath.parse(path)));
  }

  /** Walks a tree depth-first the way the scanner does, never descending below an ignored directory. */
  private static List<String> walk(IgnoreFilter filter, RelPath dir, List<String> tree, List<String> out) {
    for (String p : tree) {
      RelPath path = RelPath.parse(p);
      if (!path.isRoot() && path.parent().equals(dir)) {
        if (!filter.isIgnored(path)) {
          out.add(p);
          walk(filter, path, tree, out);
        }
      }
    }
    return out;
  }

  @Test
  void ignoredParentWins_overIgnorenotOnChild() {
    IgnoreFilter filter = IgnoreFilter.of(specs("Path *"), specs("Path docs/readme"));
    List<String> tree = List.of("docs", "docs/readme", "docs/other");
    // Unison: "ignore = Path *" plus ignorenot on a child does not work; use 'path' instead.
    assertEquals(List.of(), walk(filter, RelPath.ROOT, tree, new ArrayList<>()));
    assertFalse(filter.isIgnored(RelPath.parse("docs/readme")));
  }

  @Test
  void ignorenotOnDirectory_keepsItsSubtreeWalked() {
    IgnoreFilter filter = IgnoreFilter.of(specs("Name tmp*"), specs("Path src/tmpl"));
    List<String> tree = List.of("src", "src/tmpl", "src/tmpl/a", "src/tmp1", "src/tmp1/b");
    assertEquals(List.of("src", "src/tmpl", "src/tmpl/a"), walk(filter, RelPath.ROOT, tree, new ArrayList<>()));
  }

  @Test
  void emptyIgnoreList_isNone() {
    assertSame(IgnoreFilter.NONE, IgnoreFilter.of(List.of(), specs("Name x")));
    assertFalse(IgnoreFilter.NONE.isIgnored(RelPath.parse("anything")));
  }
}
