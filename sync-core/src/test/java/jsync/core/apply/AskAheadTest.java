package jsync.core.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import jsync.core.model.Entry;
import jsync.core.model.Fingerprint;
import jsync.core.model.RelPath;
import jsync.core.model.Stamp;
import org.junit.jupiter.api.Test;

/** The order and the budget in which {@link AskAhead} asks a source for files ahead of their copies. */
class AskAheadTest {
  /** A remote-like source that records what it was asked for, in order, and which answers were closed. */
  private static class RecordingSource implements ContentSource {
    final List<String> asked = new ArrayList<>();
    final List<String> closed = new ArrayList<>();

    @Override
    public InputStream open(RelPath path, Entry.File want, Stamp stamp) {
      throw new AssertionError("only asked ahead here");
    }

    @Override
    public boolean remote() {
      return true;
    }

    @Override
    public InputStream askAhead(RelPath path, Entry.File want, Stamp stamp) {
      String name = path.toString();
      asked.add(name);
      return new ByteArrayInputStream(new byte[(int) want.size()]) {
        @Override
        public void close() {
          closed.add(name);
        }
      };
    }
  }

  private static Entry.File file(long size) {
    return new Entry.File(size, 0, 0644, Fingerprint.of(size));
  }

  private static AskAhead.Item add(AskAhead a, String name, long size) {
    return a.add(RelPath.parse(name), file(size), Stamp.NONE);
  }

  @Test
  void asksInTheOrderAdded_upToTheFileLimit_andOneMorePerFileDone() throws IOException {
    RecordingSource source = new RecordingSource();
    AskAhead a = new AskAhead(source, 3, 1 << 20);
    List<AskAhead.Item> items = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      items.add(add(a, "f" + i, 10));
    }
    assertEquals(List.of("f0", "f1", "f2"), source.asked);

    assertNotNull(a.take(items.get(0)));
    assertEquals(List.of("f0", "f1", "f2"), source.asked, "taking does not free the budget; done does");
    a.done(items.get(0));
    assertEquals(List.of("f0", "f1", "f2", "f3"), source.asked);
    assertEquals(List.of("f0"), source.closed, "a file done has its stream closed");
    assertEquals(3, a.inFlight());
  }

  @Test
  void theByteBudget_holdsFilesBack_butOneFileAlwaysGoes() {
    RecordingSource source = new RecordingSource();
    AskAhead a = new AskAhead(source, 100, 1000);
    AskAhead.Item big = add(a, "big", 5000);      // larger than the whole budget, alone: asked
    add(a, "small", 10);                          // would exceed it: waits
    assertEquals(List.of("big"), source.asked);
    a.take(big);
    a.done(big);
    assertEquals(List.of("big", "small"), source.asked);

    RecordingSource bs = new RecordingSource();
    AskAhead b = new AskAhead(bs, 100, 1000);
    add(b, "a", 400);
    add(b, "b", 400);
    add(b, "c", 400);                              // 1200 > 1000
    assertEquals(List.of("a", "b"), bs.asked);
  }

  @Test
  void aFileItsCopyThreadReachedFirst_isNeverAskedAhead_andDoesNotHoldUpTheRest() {
    RecordingSource source = new RecordingSource();
    AskAhead a = new AskAhead(source, 1, 1 << 20);
    AskAhead.Item first = add(a, "first", 10);
    AskAhead.Item second = add(a, "second", 10);
    AskAhead.Item third = add(a, "third", 10);
    assertEquals(List.of("first"), source.asked);

    // The copy thread of "second" starts before "first" is done: it asks itself.
    assertNull(a.take(second));
    a.take(first);
    a.done(first);
    assertEquals(List.of("first", "third"), source.asked, "the file taken unasked is skipped, not asked late");
    a.done(second);
    assertNotNull(a.take(third));
  }

  @Test
  void close_stopsAsking_andClosesWhatWasAskedButNeverTaken() {
    RecordingSource source = new RecordingSource();
    AskAhead a = new AskAhead(source, 2, 1 << 20);
    AskAhead.Item first = add(a, "first", 10);
    add(a, "second", 10);
    add(a, "third", 10);
    a.take(first);
    a.close();
    assertEquals(List.of("second"), source.closed, "taken streams belong to their copy threads");
    a.done(first);
    assertEquals(List.of("first", "second"), source.asked, "nothing asked after close");
    assertTrue(source.closed.contains("first"));
  }

  @Test
  void aSourceThatFailsToAsk_stopsAskingAhead_withoutFailingTheCaller() {
    RecordingSource source = new RecordingSource() {
      @Override
      public InputStream askAhead(RelPath path, Entry.File want, Stamp stamp) {
        if (path.toString().equals("second")) {
          throw new IllegalStateException("connection lost");
        }
        return super.askAhead(path, want, stamp);
      }
    };
    AskAhead a = new AskAhead(source, 10, 1 << 20);
    AskAhead.Item first = add(a, "first", 10);
    AskAhead.Item second = add(a, "second", 10);
    AskAhead.Item third = add(a, "third", 10);
    assertEquals(List.of("first"), source.asked);
    assertNotNull(a.take(first));
    assertNull(a.take(second), "its copy thread asks itself and meets the failure there");
    assertNull(a.take(third));
  }
}
