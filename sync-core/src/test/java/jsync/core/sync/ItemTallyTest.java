package jsync.core.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jsync.core.apply.Op;
import jsync.core.apply.Outcome;
import jsync.core.apply.Step;
import jsync.core.apply.StepResult;
import jsync.core.model.Entry;
import jsync.core.model.Fingerprint;
import jsync.core.model.Observed;
import jsync.core.model.RelPath;
import jsync.core.reconcile.Direction;
import jsync.core.reconcile.Item;
import jsync.core.reconcile.PathState;
import org.junit.jupiter.api.Test;

/** One report per item, whatever number of steps (parts) it took, saying what the steps did. */
class ItemTallyTest {
  private static final Item ITEM = new Item(PathState.of(RelPath.parse("t"), Entry.ABSENT, new Entry.Dir(0755),
      Entry.ABSENT), Direction.ALPHA_TO_BETA, Direction.ALPHA_TO_BETA, "", "", List.of());

  /** A step of {@code n} file puts of 10 bytes; outcome i fails with "why i" where {@code failing} says. */
  private static StepResult step(int n, boolean... failing) {
    List<Op> ops = new ArrayList<>();
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Entry.File f = new Entry.File(10, 0, 0644, Fingerprint.of(i));
      Op op = Op.put(RelPath.parse("t/f" + i), f, Observed.ABSENT);
      ops.add(op);
      boolean fails = i < failing.length && failing[i];
      outcomes.add(fails ? new Outcome(op, false, Observed.ABSENT, "why " + i, 0, Optional.empty())
          : new Outcome(op, true, Observed.of(f), "", 10, Optional.empty()));
    }
    return new StepResult(new Step(0, ops), outcomes);
  }

  @Test
  void anItemIsReportedOnce_whenItsLastStepIsComplete_withTheBytesOfAll() {
    ItemTally t = new ItemTally(3, List.of());
    assertEquals(Optional.empty(), t.add(ITEM, step(2)));
    assertEquals(Optional.empty(), t.add(ITEM, step(3)));
    ItemReport r = t.add(ITEM, step(1)).orElseThrow();
    assertEquals(ItemReport.Status.DONE, r.status());
    assertEquals(60, r.bytes());
    assertEquals("", r.message());
  }

  @Test
  void aFailedStep_failsTheItem_withItsFirstFailure_andHowManyMore() {
    ItemTally one = new ItemTally(2, List.of());
    one.add(ITEM, step(2));
    ItemReport r = one.add(ITEM, step(3, false, true)).orElseThrow();
    assertEquals(ItemReport.Status.FAILED, r.status());
    assertEquals("why 1", r.message());
    assertEquals(40, r.bytes());

    ItemTally many = new ItemTally(2, List.of());
    many.add(ITEM, step(3, true, false, true));
    r = many.add(ITEM, step(2, false, true)).orElseThrow();
    assertEquals("why 0 (and 2 more paths failed)", r.message());
  }

  @Test
  void problemsFailTheItem_unlessAStepFailed_whoseFailureComesFirst() {
    ItemReport r = new ItemTally(1, List.of("t/x: unreadable", "t/y: unreadable")).add(ITEM, step(1)).orElseThrow();
    assertEquals(ItemReport.Status.FAILED, r.status());
    assertEquals("t/x: unreadable; t/y: unreadable", r.message());

    r = new ItemTally(1, List.of("t/x: unreadable")).add(ITEM, step(1, true)).orElseThrow();
    assertEquals("why 0", r.message());
  }

  @Test
  void stepsAbandonedByAStop_leaveTheItemSkipped_onceTheOthersAreComplete() {
    ItemTally pending = new ItemTally(4, List.of());
    pending.add(ITEM, step(1));
    assertEquals(Optional.empty(), pending.abandon(ITEM, 2), "one step still to complete");
    ItemReport r = pending.add(ITEM, step(1)).orElseThrow();
    assertEquals(ItemReport.Status.SKIPPED, r.status());
    assertTrue(r.message().contains("next run"), r.message());
    assertEquals(20, r.bytes());

    ItemTally completed = new ItemTally(3, List.of());
    completed.add(ITEM, step(1));
    assertEquals(ItemReport.Status.SKIPPED, completed.abandon(ITEM, 2).orElseThrow().status());

    ItemTally failed = new ItemTally(3, List.of());
    failed.add(ITEM, step(1, true));
    assertEquals(ItemReport.Status.FAILED, failed.abandon(ITEM, 2).orElseThrow().status());
  }
}
