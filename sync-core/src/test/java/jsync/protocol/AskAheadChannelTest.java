package jsync.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import jsync.core.model.Entry;
import jsync.core.model.Fingerprint;
import jsync.core.model.RelPath;
import jsync.core.model.Stamp;
import jsync.core.testing.TestTimeouts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Contents asked ahead of their reader ({@link Content#askAhead}): the session's reader thread never waits
 * for them to be read, and a peer cannot make one buffer more than was asked for.
 */
class AskAheadChannelTest {
  /** What the serving side sends for each path: possibly more than the asker's size (a hostile peer). */
  private final Map<String, byte[]> served = new ConcurrentHashMap<>();
  private SessionPair sessions;
  private Session asker;

  @BeforeEach
  void connect() throws Exception {
    sessions = SessionPair.start((s, id, m) -> {
      Message.ReadRequest r = (Message.ReadRequest) m;
      Content.send(s, r, new ByteArrayInputStream(served.get(r.path().toString())));
    });
    asker = sessions.client();
  }

  @AfterEach
  void close() {
    sessions.close();
  }

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static Entry.File entry(long size) {
    return new Entry.File(size, 0, 0644, Fingerprint.of(1));
  }

  /**
   * Twelve files of 1.5 MiB (12 frames each, twice what a channel read on demand buffers) asked ahead and
   * left unread: a file asked for after them still arrives, so the reader thread went on past them; then
   * every one of them reads back whole.
   */
  @Test
  void unreadAnswers_neverStopTheReader() throws Exception {
    List<InputStream> ahead = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      served.put("f" + i, random(3 << 19, i));
      ahead.add(Content.askAhead(asker, RelPath.parse("f" + i), entry(3 << 19), Stamp.NONE));
    }
    served.put("last", random(1000, 99));
    CompletableFuture<byte[]> last = CompletableFuture.supplyAsync(() -> {
      try (InputStream in = Content.request(asker, RelPath.parse("last"), entry(1000), Stamp.NONE)) {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    assertArrayEquals(served.get("last"), last.get(TestTimeouts.seconds(30).toMillis(), TimeUnit.MILLISECONDS));
    for (int i = 0; i < 12; i++) {
      try (InputStream in = ahead.get(i)) {
        assertArrayEquals(served.get("f" + i), in.readAllBytes(), "f" + i);
      }
    }
  }

  /** A peer that answers with far more than the size asked for: an error on that channel, the rest dropped. */
  @Test
  void aPeerSendingMoreThanAskedFor_getsAnError_andTheSessionGoesOn() throws Exception {
    served.put("huge", random(8 << 20, 1));
    InputStream in = Content.askAhead(asker, RelPath.parse("huge"), entry(1000), Stamp.NONE);
    IOException e = assertThrows(IOException.class, in::readAllBytes);
    assertTrue(e.getMessage().contains("more than the 1000 bytes asked for"), e.getMessage());
    in.close();

    served.put("next", random(5000, 2));
    try (InputStream next = Content.askAhead(asker, RelPath.parse("next"), entry(5000), Stamp.NONE)) {
      assertArrayEquals(served.get("next"), next.readAllBytes());
    }
  }

  /**
   * A file that grew a little since the scan arrives whole, for its copy thread to report as changed; a peer
   * sending more than a frame beyond the size asked for (here 300 KiB) gets the error, so 1,024 channels
   * asked ahead cannot hold more than about 128 MiB between them.
   */
  @Test
  void aFrameBeyondTheSizeGetsThrough_butNoMore() throws Exception {
    served.put("grew", random(1500, 5));
    try (InputStream in = Content.askAhead(asker, RelPath.parse("grew"), entry(1000), Stamp.NONE)) {
      assertArrayEquals(served.get("grew"), in.readAllBytes());
    }
    served.put("flood", random(1000 + (300 << 10), 6));
    InputStream in = Content.askAhead(asker, RelPath.parse("flood"), entry(1000), Stamp.NONE);
    IOException e = assertThrows(IOException.class, in::readAllBytes);
    assertTrue(e.getMessage().contains("more than the 1000 bytes asked for"), e.getMessage());
    in.close();
  }

  /** A reader that gives up early (a failed copy) closes the channel; what still arrives is dropped. */
  @Test
  void anAnswerClosedUnread_isDropped_andTheSessionGoesOn() throws Exception {
    served.put("dropped", random(3 << 20, 3));
    Content.askAhead(asker, RelPath.parse("dropped"), entry(3 << 20), Stamp.NONE).close();
    served.put("kept", random(70_000, 4));
    try (InputStream in = Content.askAhead(asker, RelPath.parse("kept"), entry(70_000), Stamp.NONE)) {
      assertArrayEquals(served.get("kept"), in.readAllBytes());
    }
  }
}
