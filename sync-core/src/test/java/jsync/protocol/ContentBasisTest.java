package jsync.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import jsync.core.apply.Basis;
import jsync.core.delta.Signature;
import jsync.core.delta.SignatureBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which signature a receiver sends for a delta: never one that cannot fit in its request frame, which would
 * fail the file on every run; the file then comes whole.
 */
class ContentBasisTest {
  @TempDir Path tmp;

  private Path randomFile(int size) throws IOException {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return Files.write(tmp.resolve("basis-" + size), b);
  }

  private static Signature signatureOf(Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    SignatureBuilder sb = new SignatureBuilder(b.length, 0);
    sb.update(b, 0, b.length);
    return sb.finish();
  }

  @Test
  void aStoredSignatureThatFits_isSentAsItIs() throws IOException {
    Path file = randomFile(300_000);
    Signature stored = signatureOf(file);
    assertSame(stored, Content.basisSignature(new Basis(file, Optional.of(stored))).orElseThrow());
  }

  @Test
  void noStoredSignature_oneIsComputed() throws IOException {
    Path file = randomFile(300_000);
    assertEquals(signatureOf(file), Content.basisSignature(new Basis(file, Optional.empty())).orElseThrow());
  }

  /**
   * A rebuilt file can keep its basis's smaller block size (SignatureBuilder.blockSizeFor(long, int)), and
   * so more blocks than a request holds: a signature with the usual block size is computed instead.
   */
  @Test
  void aStoredSignatureTooLargeForARequest_isReplacedByOneComputedNow() throws IOException {
    Path file = randomFile(300_000);
    int blocks = ReplicaServer.MAX_SIGNATURE_BYTES / 12 + 1;
    Signature oversized = new Signature(1024, 0, (long) blocks * 1024, new int[blocks], new long[blocks]);
    assertTrue(ReplicaServer.oversized(Optional.of(oversized)));
    assertEquals(signatureOf(file), Content.basisSignature(new Basis(file, Optional.of(oversized))).orElseThrow());
  }

  /** A basis of 6 GiB (sparse here) has more blocks than a request holds: no delta, and it is not read. */
  @Test
  void aBasisWhoseSignatureCannotFit_goesWhole() throws IOException {
    Path file = tmp.resolve("huge");
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(6L << 30);
    }
    assertEquals(Optional.empty(), Content.basisSignature(new Basis(file, Optional.empty())));
    Path fits = tmp.resolve("fits");
    try (RandomAccessFile f = new RandomAccessFile(fits.toFile(), "rw")) {
      f.setLength(5L << 30);
    }
    long blocks = Signature.blockCount(5L << 30, SignatureBuilder.blockSizeFor(5L << 30));
    assertTrue(blocks * 12 <= ReplicaServer.MAX_SIGNATURE_BYTES, "5 GiB still fits: " + blocks + " blocks");
  }
}
