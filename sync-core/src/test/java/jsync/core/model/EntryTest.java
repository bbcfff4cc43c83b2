package jsync.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Entries' written-out equals and hashCode mean what a record's generated ones mean. */
class EntryTest {
  private static final Fingerprint FP = Fingerprint.UNKNOWN;

  /**
   * Every kind, and per kind a variant differing in each component in turn. Each call makes new objects,
   * strings included, so two calls give equal values that are never the same objects.
   */
  private static List<Entry> distinct() {
    return List.of(
        new Entry.Absent(),
        new Entry.File(5, 7, 0644, FP), new Entry.File(6, 7, 0644, FP), new Entry.File(5, 8, 0644, FP),
        new Entry.File(5, 7, 0600, FP),
        new Entry.Dir(0755), new Entry.Dir(0700),
        new Entry.Link(new String("target")), new Entry.Link(new String("other")),
        new Entry.Problem(ProblemKind.UNREADABLE, new String("why")),
        new Entry.Problem(ProblemKind.BAD_NAME, new String("why")),
        new Entry.Problem(ProblemKind.UNREADABLE, new String("another reason")));
  }

  @Test
  void equalExactlyWhenKindAndEveryComponentAreEqual() {
    List<Entry> a = distinct();
    List<Entry> b = distinct();
    for (int i = 0; i < a.size(); i++) {
      for (int j = 0; j < b.size(); j++) {
        if (i == j) {
          assertEquals(a.get(i), b.get(j));
          assertEquals(a.get(i).hashCode(), b.get(j).hashCode(), a.get(i).toString());
        } else {
          assertNotEquals(a.get(i), b.get(j), a.get(i) + " vs " + b.get(j));
        }
      }
      assertNotEquals(a.get(i), null);
      assertNotEquals(a.get(i), "not an entry");
    }
  }
}
