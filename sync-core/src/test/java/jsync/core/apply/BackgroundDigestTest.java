package jsync.core.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Random;
import jsync.core.delta.Signature;
import jsync.core.delta.SignatureBuilder;
import org.junit.jupiter.api.Test;

/** The signature and hash computed aside are those computed in line, however the bytes are cut. */
class BackgroundDigestTest {
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
  void chunksOfAnySize_giveTheSameSignatureAsInLine() throws Exception {
    byte[] content = random(5 * BackgroundDigest.CHUNK + 12345, 1);
    Random cuts = new Random(2);
    try (BackgroundDigest aside = new BackgroundDigest(new SignatureBuilder(content.length, 7))) {
      int off = 0;
      while (off < content.length) {
        // Tiny pieces, pieces larger than a buffer (cut by it), and everything between.
        int n = Math.min(content.length - off, cuts.nextInt(3) == 0 ? 1 + cuts.nextInt(100)
            : cuts.nextInt(3 * BackgroundDigest.CHUNK));
        aside.update(content, off, n);
        off += n;
      }
      BackgroundDigest.Digest d = aside.finish();
      assertEquals(inLine(content), d.signature());
      assertEquals(hashOf(content, content.length), d.hash());
    }
  }

  private static long hashOf(byte[] content, int length) {
    return jsync.core.delta.XxHash.hash(content, 0, length, 0);
  }

  /** The hash so far, asked between pieces, is that of the bytes handed over until then. */
  @Test
  void hashSoFar_isTheHashOfThePrefixHandedOver() throws Exception {
    byte[] content = random(20 * BackgroundDigest.CHUNK + 999, 6);
    Random cuts = new Random(7);
    try (BackgroundDigest aside = new BackgroundDigest(new SignatureBuilder(content.length, 7))) {
      int off = 0;
      while (off < content.length) {
        int n = Math.min(content.length - off, 1 + cuts.nextInt(2 * BackgroundDigest.CHUNK));
        aside.update(content, off, n);
        off += n;
        assertEquals(hashOf(content, off), aside.hashSoFar(), "after " + off + " bytes");
      }
      assertEquals(hashOf(content, content.length), aside.finish().hash());
    }
  }

  /** A digest thread that failed makes hashSoFar throw, not wait for ever. */
  @Test
  void hashSoFar_afterTheDigestThreadFailed_throws() {
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      byte[] content = random(3 * BackgroundDigest.CHUNK, 8);
      // Announced 1000 bytes: the signature builder refuses more, which ends the digest thread.
      try (BackgroundDigest aside = new BackgroundDigest(new SignatureBuilder(1000, 7))) {
        try {
          aside.update(content, 0, content.length);
        } catch (IllegalStateException e) {
          return; // the failure was already seen by the writer: nothing left to check
        }
        assertThrows(IllegalStateException.class, aside::hashSoFar);
      }
    });
  }

  @Test
  void theWriterMayReuseItsBufferAtOnce() throws Exception {
    byte[] content = random(40 * BackgroundDigest.CHUNK, 3);
    byte[] reused = new byte[1000];
    try (BackgroundDigest aside = new BackgroundDigest(new SignatureBuilder(content.length, 7))) {
      for (int off = 0; off < content.length; off += reused.length) {
        int n = Math.min(reused.length, content.length - off);
        System.arraycopy(content, off, reused, 0, n);
        aside.update(reused, 0, n);
        java.util.Arrays.fill(reused, (byte) 0x55);
      }
      BackgroundDigest.Digest d = aside.finish();
      assertEquals(inLine(content), d.signature());
      assertEquals(hashOf(content, content.length), d.hash());
    }
  }

  @Test
  void fewerBytesThanAnnounced_isAnError_andMoreStopTheWriter_withoutAHang() {
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      byte[] content = random(3 * BackgroundDigest.CHUNK, 4);
      try (BackgroundDigest aside = new BackgroundDigest(new SignatureBuilder(content.length + 1, 7))) {
        aside.update(content, 0, content.length);
        assertThrows(IllegalStateException.class, aside::finish);
      }
      // Announced far less than written: the signature thread fails; the writer learns it, never blocks.
      try (BackgroundDigest aside = new BackgroundDigest(new SignatureBuilder(1000, 7))) {
        assertThrows(IllegalStateException.class, () -> {
          for (int i = 0; i < 100; i++) {
            aside.update(content, 0, content.length);
          }
        });
      }
    });
  }

  @Test
  void closedBeforeTheEnd_stopsTheSignatureThread() throws Exception {
    byte[] content = random(2 * BackgroundDigest.CHUNK, 5);
    BackgroundDigest aside = new BackgroundDigest(new SignatureBuilder(10 * content.length, 7));
    aside.update(content, 0, content.length);
    aside.close(); // a copy that failed half-way
    assertThrows(java.util.concurrent.CancellationException.class, aside::finish);
  }
}
