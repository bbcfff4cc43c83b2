package jsync.core.delta;

import static jsync.core.delta.Ops.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import jsync.core.model.Fingerprint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The encoded form of a delta: exact bytes of a small one (the format of docs/delta.md, version 1),
 * operations surviving encode and decode, and hostile input that must end in {@link DeltaException}
 * without a hang or a large allocation.
 */
@Timeout(30)
class DeltaCodecTest {
  private static final int BS = 1024;
  /** A basis of 3000 bytes: blocks 0 and 1 of 1024, block 2 of 952. */
  private static final Signature SIG = Ops.signature(random(3000, 1), BS, 5);
  private static final Fingerprint FP = Fingerprint.of(0x0123_4567_89ab_cdefL);
  private static final HexFormat HEX = HexFormat.of();

  private static byte[] encode(boolean compress, Ops.Step... steps) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DeltaEncoder enc = new DeltaEncoder(SIG, out, compress);
    long length = 0;
    for (Ops.Step s : steps) {
      length += s.apply(enc, SIG);
    }
    enc.finish(length, FP);
    assertEquals(out.size(), enc.bytesWritten());
    return out.toByteArray();
  }

  private static DeltaDecoder.Trailer decode(byte[] delta, Ops sink) throws IOException {
    return DeltaDecoder.decode(new ByteArrayInputStream(delta), SIG, sink);
  }

  private static void assertMalformed(String hex, String messagePart) {
    DeltaException e = assertThrows(DeltaException.class, () -> decode(HEX.parseHex(hex), new Ops()));
    assertTrue(e.getMessage().contains(messagePart), e.getMessage());
  }

  /** Header for SIG: version 1, block size 1024 (80 08), file size 3000 (b8 17). */
  private static final String HEADER = "01" + "8008" + "b817";

  @Test
  void smallDelta_hasTheDocumentedBytes() throws IOException {
    byte[] delta = encode(false, Ops.copyStep(0, 2), Ops.literalStep("abc".getBytes()), Ops.copyStep(2, 1));
    String expected = HEADER
        + "01" + "00" + "02" // copy blocks 0+2
        + "02" + "03" + "616263" // literal "abc"
        + "01" + "02" + "01" // copy block 2 (952 bytes)
        + "00" + "bb17" + "efcdab8967452301"; // end: 2048 + 3 + 952 = 3003 bytes, fingerprint LE
    assertEquals(expected, HEX.formatHex(delta));
    Ops ops = new Ops();
    DeltaDecoder.Trailer t = decode(delta, ops);
    assertEquals("C0+2 L3 C2+1", ops.script());
    assertEquals(new DeltaDecoder.Trailer(3003, FP), t);
  }

  @Test
  void emptyNewFile_isHeaderAndEnd() throws IOException {
    byte[] delta = encode(true);
    assertEquals(HEADER + "00" + "00" + "efcdab8967452301", HEX.formatHex(delta));
    Ops ops = new Ops();
    assertEquals(0, decode(delta, ops).length());
    assertEquals("", ops.script());
  }

  @Test
  void compressibleLiterals_goAsLz4_incompressibleOnesAsTheyAre() throws IOException {
    byte[] text = new byte[20_000];
    for (int i = 0; i < text.length; i++) {
      text[i] = (byte) "the quick brown fox jumps over the lazy dog\n".charAt(i % 44);
    }
    byte[] noise = random(20_000, 2);
    byte[] packed = encode(true, Ops.literalStep(text), Ops.literalStep(noise));
    byte[] plain = encode(false, Ops.literalStep(text), Ops.literalStep(noise));
    assertEquals(DeltaFormat.LITERAL_LZ4, packed[HEADER.length() / 2]);
    assertTrue(packed.length < 20_000 + 2_000, "text should shrink: " + packed.length);
    assertTrue(plain.length > 40_000);
    for (byte[] delta : new byte[][] {packed, plain}) {
      Ops ops = new Ops();
      decode(delta, ops);
      assertArrayEquals(Ops.concat(text, noise), ops.literals());
    }
    // A short literal is never worth compressing.
    byte[] tiny = encode(true, Ops.literalStep(Arrays.copyOf(text, 40)));
    assertEquals(DeltaFormat.LITERAL, tiny[HEADER.length() / 2]);
  }

  @Test
  void literalsLongerThanTheLimit_areSplit() throws IOException {
    byte[] big = random(3 * DeltaFormat.MAX_LITERAL + 5, 3);
    Ops ops = new Ops();
    decode(encode(false, Ops.literalStep(big)), ops);
    assertArrayEquals(big, ops.literals());
    assertEquals(4, ops.literalCalls);
  }

  @Test
  void randomOperations_surviveEncodeAndDecode_atAnyReadSize() throws IOException {
    Random r = new Random(4);
    Ops.Step[] steps = new Ops.Step[200];
    for (int i = 0; i < steps.length; i++) {
      if (r.nextBoolean()) {
        int block = r.nextInt(SIG.blockCount());
        steps[i] = Ops.copyStep(block, 1 + r.nextInt(SIG.blockCount() - block));
      } else {
        byte[] b = r.nextBoolean() ? random(1 + r.nextInt(3000), i) : new byte[1 + r.nextInt(3000)];
        steps[i] = Ops.literalStep(b);
      }
    }
    for (boolean compress : new boolean[] {false, true}) {
      byte[] delta = encode(compress, steps);
      Ops expected = new Ops();
      for (Ops.Step s : steps) {
        s.apply(expected, SIG);
      }
      Ops bulk = new Ops();
      decode(delta, bulk);
      Ops slow = new Ops();
      DeltaDecoder.decode(new Ops.OneByte(new ByteArrayInputStream(delta)), SIG, slow);
      Ops pieces = new Ops();
      DeltaDecoder d = new DeltaDecoder(SIG, pieces);
      for (int at = 0; at < delta.length; ) {
        int n = Math.min(delta.length - at, r.nextInt(20_000));
        d.update(delta, at, n);
        at += n;
      }
      d.finish();
      for (Ops got : new Ops[] {bulk, slow, pieces}) {
        assertEquals(expected.script(), got.script());
        assertArrayEquals(expected.literals(), got.literals());
      }
    }
  }

  /** A delta with every kind of operation, each cut at every byte, must be reported as truncated. */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void truncatedAtEveryByte_isMalformed(boolean compress) throws IOException {
    byte[] text = new byte[3000];
    Arrays.fill(text, (byte) 'x');
    byte[] delta = encode(compress, Ops.copyStep(1, 2), Ops.literalStep(random(300, 5)), Ops.literalStep(text),
        Ops.copyStep(0, 1));
    for (int cut = 0; cut < delta.length; cut++) {
      byte[] prefix = Arrays.copyOf(delta, cut);
      DeltaException e = assertThrows(DeltaException.class, () -> decode(prefix, new Ops()), "cut " + cut);
      assertTrue(e.getMessage().contains("truncated"), e.getMessage());
      assertThrows(DeltaException.class,
          () -> DeltaDecoder.decode(new Ops.OneByte(new ByteArrayInputStream(prefix)), SIG, new Ops()));
    }
  }

  @Test
  void trailingBytes_areMalformed() throws IOException {
    byte[] delta = encode(false, Ops.copyStep(0, 1));
    byte[] longer = Arrays.copyOf(delta, delta.length + 1);
    DeltaException e = assertThrows(DeltaException.class, () -> decode(longer, new Ops()));
    assertTrue(e.getMessage().contains("trailing"), e.getMessage());
    assertTrue(e.getMessage().contains("at byte " + delta.length), e.getMessage());
    // A second delta glued on is trailing bytes too.
    assertThrows(DeltaException.class, () -> decode(Ops.concat(delta, delta), new Ops()));
  }

  /** A length the decoder would have to wait for and buffer is refused as soon as it is read. */
  @Test
  void hugeLengths_areRefusedBeforeTheirBytesArrive() throws IOException {
    DeltaDecoder d = new DeltaDecoder(SIG, new Ops());
    d.update(HEX.parseHex(HEADER), 0, HEADER.length() / 2);
    byte[] huge = HEX.parseHex("02ffffffff07"); // literal of 2^31-1 bytes
    DeltaException e = assertThrows(DeltaException.class, () -> d.update(huge, 0, huge.length));
    assertTrue(e.getMessage().contains("at byte 5: literal of 2147483647 bytes"), e.getMessage());

    assertMalformed(HEADER + "02" + "818004", "literal of 65537 bytes"); // MAX_LITERAL + 1
    assertMalformed(HEADER + "02" + "00", "literal of 0 bytes");
    assertMalformed(HEADER + "03" + "808004" + "ffffffff07", "compressed literal of 2147483647 bytes for 65536");
    assertMalformed(HEADER + "03" + "0a" + "ffffffff07", "compressed literal of 2147483647 bytes");
    assertMalformed(HEADER + "03" + "0a" + "00", "compressed literal of 0 bytes");
    assertMalformed(HEADER + "00" + "ffffffffffffffffff7f" + "0000000000000000", "varint");
  }

  @Test
  void blocksOutsideTheBasis_areMalformed() {
    assertMalformed(HEADER + "01" + "03" + "01", "copy of blocks 3+1 from a basis of 3 blocks");
    assertMalformed(HEADER + "01" + "02" + "02", "copy of blocks 2+2");
    assertMalformed(HEADER + "01" + "00" + "00", "copy of blocks 0+0");
    assertMalformed(HEADER + "01" + "ffffffff07" + "ffffffff07", "copy of blocks 2147483647+2147483647");
    assertMalformed(HEADER + "01" + "ffffffff0f" + "01", "varint out of range");
  }

  @Test
  void badHeadersTagsAndVarints_areMalformed() {
    assertMalformed("02" + "8008" + "b817" + "00" + "00" + "0000000000000000", "version 2");
    assertMalformed("01" + "8010" + "b817" + "00" + "00" + "0000000000000000", "blocks of 2048");
    assertMalformed("01" + "8008" + "b917" + "00" + "00" + "0000000000000000", "basis of 3001 bytes");
    assertMalformed(HEADER + "07", "unknown operation 7");
    assertMalformed(HEADER + "01" + "8000" + "01", "over-long varint");
    assertMalformed(HEADER + "01" + "ffffffffff01" + "01", "varint longer than 5 bytes");
    assertMalformed(HEADER + "00" + "05" + "efcdab8967452301", "end marker says 5 bytes, the operations make 0");
  }

  @Test
  void badLz4Data_isMalformed() throws IOException {
    // Tag, 100 bytes once decompressed, 10 bytes of compressed garbage.
    assertMalformed(HEADER + "03" + "64" + "0a" + "ff".repeat(10), "compressed literal");
    // Valid LZ4 of 100 bytes announced as 99 or 101.
    byte[] text = new byte[100];
    byte[] good = encode(true, Ops.literalStep(text));
    assertEquals(DeltaFormat.LITERAL_LZ4, good[5]);
    assertEquals(100, good[6]);
    for (int n : new int[] {99, 101}) {
      byte[] bad = good.clone();
      bad[6] = (byte) n;
      assertThrows(DeltaException.class, () -> decode(bad, new Ops()), "announced " + n);
    }
  }

  /** Random bytes after a valid header: every failure is a DeltaException, and none hangs. */
  @Test
  void randomGarbage_failsCleanly() throws IOException {
    Random r = new Random(6);
    byte[] header = HEX.parseHex(HEADER);
    for (int i = 0; i < 5000; i++) {
      byte[] garbage = Ops.concat(header, random(1 + r.nextInt(200), i));
      if (r.nextInt(4) == 0) {
        garbage[header.length] = (byte) r.nextInt(4); // a valid tag, to get past the first byte
      }
      try {
        decode(garbage, new Ops());
        fail("decoded garbage " + HEX.formatHex(garbage));
      } catch (DeltaException expected) {
        // the point of the test
      }
    }
  }
}
