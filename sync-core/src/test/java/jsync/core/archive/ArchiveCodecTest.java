package jsync.core.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import jsync.core.delta.Signature;
import jsync.core.model.Entry;
import jsync.core.model.Fingerprint;
import jsync.core.model.Observed;
import jsync.core.model.ProblemKind;
import jsync.core.model.Stamp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Archive values: edge values round-trip, and damaged bytes always end in an {@link ArchiveException}. */
class ArchiveCodecTest {
  private static final String WHERE_TEXT = "some/path in /archive";
  private static final java.util.function.Supplier<String> WHERE = () -> WHERE_TEXT;

  private static Observed file(long size, long mtime, int mode, long fp, Stamp stamp) {
    return new Observed(new Entry.File(size, mtime, mode, Fingerprint.of(fp)), stamp);
  }

  static Stream<Observed> edgeValues() {
    return Stream.of(
        file(0, 0, 0, 0, new Stamp(0, 0, 0, 0)),
        file(0, 1_700_000_000_123_456_789L, 0644, -1, new Stamp(0, 1_700_000_000_123_456_789L, 12, 34)),
        file(Long.MAX_VALUE, Long.MAX_VALUE, 07777, Long.MIN_VALUE,
            new Stamp(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE)),
        file(1L << 40, -1, 0600, 42, new Stamp(1L << 40, -1, -1, Long.MIN_VALUE)),
        file(5, Long.MIN_VALUE, 07777, 7, new Stamp(5, Long.MIN_VALUE, 0, -5)),
        file(5, -86_400_000_000_000L, 0755, 7, Stamp.NONE),
        Observed.of(new Entry.Dir(0)),
        Observed.of(new Entry.Dir(07777)),
        Observed.of(new Entry.Dir(0755)),
        Observed.of(new Entry.Link("x")),
        Observed.of(new Entry.Link("../caf\u00e9/\uD83D\uDE00/\uE000 \u00a0/\u4e2d\u6587")),
        Observed.of(new Entry.Link("/".repeat(64 * 1024))));
  }

  @ParameterizedTest
  @MethodSource("edgeValues")
  void edgeValues_roundTrip(Observed o) {
    assertEquals(o, ArchiveCodec.decode(ArchiveCodec.encode(o), WHERE));
  }

  /** The record's location is for error messages only: a scan decodes every record, so it is never built then. */
  @ParameterizedTest
  @MethodSource("edgeValues")
  void validRecord_neverAsksWhereItIs(Observed o) {
    java.util.function.Supplier<String> never = () -> {
      throw new AssertionError("the location of a valid record was asked for");
    };
    assertEquals(o, ArchiveCodec.decode(ArchiveCodec.encode(o), never));
  }

  @ParameterizedTest
  @MethodSource("edgeValues")
  void everyTruncation_isAnArchiveException(Observed o) {
    byte[] full = ArchiveCodec.encode(o);
    for (int n = 0; n < full.length; n = n == 64 ? Math.max(n + 1, full.length - 64) : n + 1) {
      byte[] cut = Arrays.copyOf(full, n);
      ArchiveException e = assertThrows(ArchiveException.class, () -> ArchiveCodec.decode(cut, WHERE),
          "prefix of " + n + " of " + full.length + " bytes of " + o);
      assertTrue(e.getMessage().contains(WHERE_TEXT), e.getMessage());
    }
  }

  @ParameterizedTest
  @MethodSource("edgeValues")
  void trailingBytes_areAnArchiveException(Observed o) {
    byte[] full = ArchiveCodec.encode(o);
    byte[] longer = Arrays.copyOf(full, full.length + 1);
    ArchiveException e = assertThrows(ArchiveException.class, () -> ArchiveCodec.decode(longer, WHERE));
    assertTrue(e.getMessage().contains("trailing"), e.getMessage());
  }

  @Test
  void stampNone_isStoredAsAbsentAndComesBackAsNone() {
    Observed racy = file(3, 1000, 0644, 9, Stamp.NONE);
    Observed stamped = file(3, 1000, 0644, 9, new Stamp(3, 1000, 0, 0));
    byte[] a = ArchiveCodec.encode(racy);
    byte[] b = ArchiveCodec.encode(stamped);
    assertEquals(b.length - 9, a.length, "a 0 flag instead of a 1, a 1-byte inode varint and an 8-byte ctime");
    assertEquals(0, a[a.length - 1]);
    assertEquals(Stamp.NONE, ArchiveCodec.decode(a, WHERE).stamp());
  }

  @Test
  void stampThatDisagreesWithTheEntry_isStoredAsAbsent() {
    // The stamp's size and mtime are the entry's own on disk; one that differs cannot be stored and only
    // costs one more hash on the next scan.
    Observed o = file(3, 1000, 0644, 9, new Stamp(4, 1000, 77, 88));
    assertEquals(Stamp.NONE, ArchiveCodec.decode(ArchiveCodec.encode(o), WHERE).stamp());
  }

  @Test
  void absentAndProblems_areNeverEncoded() {
    assertThrows(IllegalArgumentException.class, () -> ArchiveCodec.encode(Observed.ABSENT));
    assertThrows(IllegalArgumentException.class,
        () -> ArchiveCodec.encode(Observed.of(new Entry.Problem(ProblemKind.UNREADABLE, "x"))));
  }

  static Stream<byte[]> damaged() {
    byte[] badStampFlag = ArchiveCodec.encode(file(3, 1000, 0644, 9, Stamp.NONE));
    badStampFlag[badStampFlag.length - 1] = 7; // neither 0 (no stamp) nor 1 (a stamp follows)
    byte[] bigMode = {ArchiveCodec.DIR, (byte) 0x80, (byte) 0x40}; // mode 010000 octal
    return Stream.of(
        new byte[0],
        new byte[] {'X'},
        new byte[] {ArchiveCodec.DIR},
        bigMode,
        // A file whose size varint has its top bit set: negative.
        concat(new byte[] {ArchiveCodec.FILE}, varint10(-1L), new byte[17]),
        // A varint longer than 10 bytes.
        new byte[] {ArchiveCodec.DIR, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
            (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0},
        new byte[] {ArchiveCodec.LINK, 0},
        new byte[] {ArchiveCodec.LINK, 5, 'a'},
        new byte[] {ArchiveCodec.LINK, 2, (byte) 0xC3, (byte) 0x28}, // invalid UTF-8
        new byte[] {ArchiveCodec.LINK, 1, 0}, // NUL in a target
        badStampFlag);
  }

  @ParameterizedTest
  @MethodSource("damaged")
  void damagedValues_areAnArchiveExceptionNamingThePath(byte[] value) {
    ArchiveException e = assertThrows(ArchiveException.class, () -> ArchiveCodec.decode(value, WHERE),
        () -> "decoded " + Arrays.toString(value));
    assertTrue(e.getMessage().contains("corrupt archive record at " + WHERE_TEXT), e.getMessage());
  }

  @Test
  void randomBytes_decodeOrThrowArchiveException() {
    Random random = new Random(20261121);
    List<byte[]> valid = edgeValues().map(ArchiveCodec::encode).toList();
    for (int i = 0; i < 5_000; i++) {
      byte[] b;
      if (i % 2 == 0) {
        b = new byte[random.nextInt(40)];
        random.nextBytes(b);
        if (b.length > 0) {
          b[0] = new byte[] {ArchiveCodec.FILE, ArchiveCodec.DIR, ArchiveCodec.LINK}[random.nextInt(3)];
        }
      } else {
        b = valid.get(random.nextInt(valid.size())).clone();
        b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
      }
      byte[] value = b;
      try {
        ArchiveCodec.decode(value, WHERE);
      } catch (ArchiveException e) {
        // expected for most
      } catch (RuntimeException e) {
        throw new AssertionError("decode of " + Arrays.toString(value) + " threw " + e, e);
      }
      try {
        ArchiveCodec.decodeSignature(value, WHERE);
      } catch (ArchiveException e) {
        // expected for most
      } catch (RuntimeException e) {
        throw new AssertionError("decodeSignature of " + Arrays.toString(value) + " threw " + e, e);
      }
    }
  }

  // ---- signatures -------------------------------------------------------------------------------------

  static Stream<Signature> signatures() {
    return Stream.of(
        new Signature(1024, 0, 0, new int[0], new long[0]),
        new Signature(1024, -1, 1, new int[] {7}, new long[] {8}),
        new Signature(1024, Long.MIN_VALUE, 1024, new int[] {-1}, new long[] {Long.MAX_VALUE}),
        new Signature(1024, 5, 1025, new int[] {1, 2}, new long[] {3, 4}),
        new Signature(Integer.MAX_VALUE, 5, 3L * Integer.MAX_VALUE, new int[] {1, 2, 3}, new long[] {4, 5, 6}));
  }

  @ParameterizedTest
  @MethodSource("signatures")
  void signatures_roundTrip(Signature s) {
    assertEquals(s, ArchiveCodec.decodeSignature(ArchiveCodec.encode(s), WHERE));
  }

  @ParameterizedTest
  @MethodSource("signatures")
  void truncatedSignatures_areAnArchiveException(Signature s) {
    byte[] full = ArchiveCodec.encode(s);
    for (int n = 0; n < full.length; n++) {
      byte[] cut = Arrays.copyOf(full, n);
      int length = n;
      ArchiveException e = assertThrows(ArchiveException.class,
          () -> ArchiveCodec.decodeSignature(cut, WHERE), () -> length + " bytes of " + s);
      assertTrue(e.getMessage().contains(WHERE_TEXT), e.getMessage());
    }
    byte[] longer = Arrays.copyOf(full, full.length + 12);
    assertThrows(ArchiveException.class, () -> ArchiveCodec.decodeSignature(longer, WHERE));
  }

  @Test
  void signatureClaimingMoreBlocksThanItsBytes_isRejectedBeforeAllocating() {
    // 2^62 + 1 blocks of 1 byte: blocks * 12 wraps around to 12, the length of one block.
    long blocks = (1L << 62) + 1;
    byte[] value = concat(varint(1), new byte[8], varint(blocks), new byte[12]);
    assertThrows(ArchiveException.class, () -> ArchiveCodec.decodeSignature(value, WHERE));
  }

  private static byte[] varint(long v) {
    byte[] out = new byte[10];
    int n = 0;
    while ((v & ~0x7fL) != 0) {
      out[n++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out[n++] = (byte) v;
    return Arrays.copyOf(out, n);
  }

  private static byte[] varint10(long v) {
    byte[] b = varint(v);
    assertEquals(10, b.length);
    return b;
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  @Test
  void linkTargetTheDecoderWouldRefuse_isNeverEncoded() {
    // 21846 three-byte characters: 65538 bytes, over the 64 KiB the decoder accepts. Writing it would make
    // the whole archive unreadable on the next run.
    Observed o = Observed.of(new Entry.Link("\u4e2d".repeat(21846)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArchiveCodec.encode(o));
    assertTrue(e.getMessage().contains("65538"), e.getMessage());
  }

  @Test
  void linkTargetBytes_areUtf8() {
    String target = "\uD83D\uDE00";
    byte[] enc = ArchiveCodec.encode(Observed.of(new Entry.Link(target)));
    byte[] utf8 = target.getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(utf8, Arrays.copyOfRange(enc, 2, enc.length));
    assertEquals(ArchiveCodec.LINK, enc[0]);
    assertEquals(utf8.length, enc[1]);
  }
}
