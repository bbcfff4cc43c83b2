package jsync.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jsync.core.apply.Step;
import jsync.core.apply.StepResult;
import org.junit.jupiter.api.Test;

/** Lists and steps split to fit frames, and joined back unchanged. */
class FramePartsTest {
  private final MessageCodec codec = new MessageCodec();

  private int size(Message m) {
    return codec.encode(0, m).length;
  }

  @Test
  void aListThatFits_isOnePart_andAnEmptyListTooSo() {
    List<StepResult> results = List.of(ProtocolFixtures.RESULT_OK, ProtocolFixtures.RESULT_FAILED);
    assertEquals(List.of(results), FrameParts.split(codec, results, Message.FlushResponse::new,
        StepPieces::halve, 1 << 20));
    assertEquals(List.of(List.of()), FrameParts.split(codec, List.<StepResult>of(), Message.FlushResponse::new,
        StepPieces::halve, 1 << 20));
  }

  @Test
  void aLongList_isSplitIntoConsecutivePartsUnderTheLimit() {
    List<StepResult> results = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      results.add(i % 2 == 0 ? ProtocolFixtures.RESULT_OK : ProtocolFixtures.RESULT_FAILED);
    }
    int limit = size(new Message.FlushResponse(results)) / 7;
    List<List<StepResult>> parts = FrameParts.split(codec, results, Message.FlushResponse::new,
        StepPieces::halve, limit);
    assertTrue(parts.size() >= 7, parts.size() + " parts");
    List<StepResult> joined = new ArrayList<>();
    for (List<StepResult> p : parts) {
      assertTrue(size(new Message.FlushResponse(p)) <= limit);
      joined.addAll(p);
    }
    assertEquals(results, joined);
  }

  @Test
  void aStepTooLargeAlone_travelsInPieces_thatJoinBackToIt() {
    Step big = bigStep(500);
    int limit = size(new Message.ApplyStep(big)) / 5;
    List<List<Step>> parts = FrameParts.split(codec, List.of(big), p -> new Message.ApplyStep(StepPieces.join(p)),
        StepPieces::halve, limit);
    assertTrue(parts.size() >= 5, parts.size() + " parts");
    List<Step> pieces = new ArrayList<>();
    for (List<Step> p : parts) {
      assertTrue(size(new Message.ApplyStep(StepPieces.join(p))) <= limit);
      pieces.add(StepPieces.join(p));
    }
    assertEquals(big, StepPieces.join(pieces));
  }

  @Test
  void aResultThatStoppedPartWay_keepsItsOutcomesAlignedWithItsOps() {
    Step big = bigStep(9);
    // Outcomes for the first four ops only: the apply stopped there.
    StepResult r = new StepResult(big, ProtocolFixtures.RESULT_OK.outcomes().subList(0, 1).stream()
        .flatMap(o -> java.util.stream.Stream.of(o, o, o, o)).toList());
    List<StepResult> pieces = new ArrayList<>(List.of(r));
    for (int round = 0; round < 3; round++) {
      List<StepResult> next = new ArrayList<>();
      for (StepResult p : pieces) {
        next.addAll(StepPieces.halve(p).orElse(List.of(p)));
      }
      pieces = next;
    }
    assertTrue(pieces.size() > 4);
    assertEquals(List.of(r), StepPieces.joinResults(pieces));
    // Other results around the pieces stay as they are.
    List<StepResult> mixed = new ArrayList<>();
    mixed.add(ProtocolFixtures.RESULT_FAILED);
    mixed.addAll(pieces);
    mixed.add(ProtocolFixtures.RESULT_FAILED);
    assertEquals(List.of(ProtocolFixtures.RESULT_FAILED, r, ProtocolFixtures.RESULT_FAILED),
        StepPieces.joinResults(mixed));
  }

  @Test
  void oneOpThatCannotFit_isAClearError() {
    Step one = bigStep(1);
    ProtocolException e = assertThrows(ProtocolException.class, () -> FrameParts.split(codec, List.of(one),
        p -> new Message.ApplyStep(StepPieces.join(p)), StepPieces::halve, 10));
    assertTrue(e.getMessage().contains("does not fit a frame of 10 bytes"), e.getMessage());
    assertEquals(Optional.empty(), StepPieces.halve(one));
  }

  @Test
  void piecesOfDifferentSteps_areNotJoined() {
    assertThrows(ProtocolException.class, () -> StepPieces.join(List.of(ProtocolFixtures.STEP_OK,
        ProtocolFixtures.STEP_FAILING)));
  }

  private static Step bigStep(int ops) {
    List<jsync.core.apply.Op> list = new ArrayList<>();
    for (int i = 0; i < ops; i++) {
      list.add(ProtocolFixtures.STEP_OK.ops().get(i % 2));
    }
    return new Step(42, list);
  }
}
