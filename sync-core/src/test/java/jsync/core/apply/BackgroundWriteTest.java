package jsync.core.apply;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import jsync.core.delta.Signature;
import jsync.core.delta.SignatureBuilder;
import org.junit.jupiter.api.Test;

/**
 * What is written aside is what was handed over, in order, with the signature computed in line, however
 * the bytes are cut; failures reach the producer, and nothing waits for ever.
 */
class BackgroundWriteTest {
  private static final BackgroundWrite.AfterWrite NOTHING = n -> { };

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static Signature inLine(byte[] content) {
    SignatureBuilder b = new SignatureBuilder(content.length, 7);
    b.update(content, 0, content.length);
    return b.finish();
  }

  @Test
  void chunksOfAnySize_areWrittenInOrder_withTheSignatureOfInLine() throws Exception {
    byte[] content = random(5 * BackgroundWrite.CHUNK + 12345, 1);
    Random cuts = new Random(2);
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    List<Integer> written = new ArrayList<>();
    try (BackgroundWrite aside = new BackgroundWrite(Channels.newChannel(file), written::add,
        new SignatureBuilder(content.length, 7))) {
      int off = 0;
      while (off < content.length) {
        // Tiny pieces, pieces larger than a buffer (cut by it), and everything between.
        int n = Math.min(content.length - off, cuts.nextInt(3) == 0 ? 1 + cuts.nextInt(100)
            : cuts.nextInt(3 * BackgroundWrite.CHUNK));
        aside.write(content, off, n);
        off += n;
      }
      assertEquals(inLine(content), aside.finish());
    }
    assertArrayEquals(content, file.toByteArray());
    assertEquals(content.length, written.stream().mapToInt(Integer::intValue).sum());
  }

  @Test
  void theProducerMayReuseItsBufferAtOnce() throws Exception {
    byte[] content = random(40 * BackgroundWrite.CHUNK, 3);
    byte[] reused = new byte[1000];
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    try (BackgroundWrite aside = new BackgroundWrite(Channels.newChannel(file), NOTHING,
        new SignatureBuilder(content.length, 7))) {
      for (int off = 0; off < content.length; off += reused.length) {
        int n = Math.min(reused.length, content.length - off);
        System.arraycopy(content, off, reused, 0, n);
        aside.write(reused, 0, n);
        java.util.Arrays.fill(reused, (byte) 0x55);
      }
      assertEquals(inLine(content), aside.finish());
    }
    assertArrayEquals(content, file.toByteArray());
  }

  /** A channel that fails once it has taken {@code limit} bytes, as a full disk does. */
  private static WritableByteChannel failingAfter(long limit) {
    return new WritableByteChannel() {
      long taken;

      @Override
      public int write(ByteBuffer src) throws IOException {
        if (taken + src.remaining() > limit) {
          throw new IOException("No space left on device");
        }
        taken += src.remaining();
        int n = src.remaining();
        src.position(src.limit());
        return n;
      }

      @Override
      public boolean isOpen() {
        return true;
      }

      @Override
      public void close() {
      }
    };
  }

  @Test
  void aFailedWrite_reachesTheProducer_atTheNextHandOverOrAtTheEnd() {
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      byte[] content = random(BackgroundWrite.CHUNK, 4);
      try (BackgroundWrite aside = new BackgroundWrite(failingAfter(3L * BackgroundWrite.CHUNK), NOTHING,
          new SignatureBuilder(100L * content.length, 7))) {
        IOException e = assertThrows(IOException.class, () -> {
          for (int i = 0; i < 100; i++) {
            aside.write(content, 0, content.length);
          }
          aside.finish();
        });
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
      }
      // Failed on the last chunk: finish throws.
      try (BackgroundWrite aside = new BackgroundWrite(failingAfter(0), NOTHING,
          new SignatureBuilder(content.length, 7))) {
        aside.write(content, 0, content.length);
        assertThrows(IOException.class, aside::finish);
      }
    });
  }

  @Test
  void fewerBytesThanAnnounced_isAnError_andMoreStopTheProducer_withoutAHang() {
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      byte[] content = random(3 * BackgroundWrite.CHUNK, 4);
      try (BackgroundWrite aside = new BackgroundWrite(Channels.newChannel(new ByteArrayOutputStream()),
          NOTHING, new SignatureBuilder(content.length + 1, 7))) {
        aside.write(content, 0, content.length);
        assertThrows(IllegalStateException.class, aside::finish);
      }
      // Announced far less than written: the write thread fails; the producer learns it, never blocks.
      try (BackgroundWrite aside = new BackgroundWrite(Channels.newChannel(new ByteArrayOutputStream()),
          NOTHING, new SignatureBuilder(1000, 7))) {
        assertThrows(IllegalStateException.class, () -> {
          for (int i = 0; i < 100; i++) {
            aside.write(content, 0, content.length);
          }
        });
      }
    });
  }

  /** A copy that failed half-way: close stops the thread, after which nothing more is written. */
  @Test
  void closedBeforeTheEnd_stopsTheWriteThread_andWritesNoMore() {
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      byte[] content = random(6 * BackgroundWrite.CHUNK, 5);
      ByteArrayOutputStream file = new ByteArrayOutputStream();
      BackgroundWrite aside = new BackgroundWrite(Channels.newChannel(file), NOTHING,
          new SignatureBuilder(10L * content.length, 7));
      aside.write(content, 0, content.length);
      aside.close();
      int size = file.size();
      assertTrue(size <= content.length && size % BackgroundWrite.CHUNK == 0, "whole chunks only: " + size);
      Thread.sleep(50);
      assertEquals(size, file.size());
      assertThrows(IllegalStateException.class, aside::finish);
    });
  }
}
