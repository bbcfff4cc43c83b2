package jsync.core.delta;

import static jsync.core.delta.Ops.concat;
import static jsync.core.delta.Ops.fingerprint;
import static jsync.core.delta.Ops.random;
import static jsync.core.delta.Ops.slice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import jsync.core.model.Fingerprint;
import jsync.core.testing.HashingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver's side alone: hand-written operations against a basis, and every way the result can fail
 * to be the new version, each of which must be reported, never silently accepted.
 */
class PatcherTest {
  private static final int BS = 1024;
  private static final byte[] F1 = random(5 * BS + 300, 1);
  private static final Signature SIG = Ops.signature(F1, BS, 3);

  /** Blocks 3-5 (the last one short), a literal, blocks 0-1. */
  private static final byte[] LIT = random(77, 2);
  private static final byte[] F2 = concat(slice(F1, 3 * BS, F1.length), LIT, slice(F1, 0, 2 * BS));

  private static Patcher.Result patch(byte[] basis, long size, Fingerprint fp, ByteArrayOutputStream out)
      throws IOException {
    try (Patcher p = new Patcher(SIG, new Ops.BytesChannel(basis), Channels.newChannel(out), size, fp)) {
      p.copy(3, 3);
      p.literal(LIT, 0, LIT.length);
      p.copy(0, 2);
      return p.finish();
    }
  }

  @Test
  void operations_rebuildTheNewVersion() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Patcher.Result r = patch(F1, F2.length, fingerprint(F2), out);
    assertTrue(r.verified(), r.toString());
    assertArrayEquals(F2, out.toByteArray());
    assertEquals(new Patcher.Result(F2.length, fingerprint(F2), java.util.Optional.empty()), r);
  }

  @Test
  void anOutputThatHashes_providesTheHashTheResultIsCheckedWith() throws IOException {
    HashingSink out = new HashingSink();
    Patcher.Result r;
    try (Patcher p = new Patcher(SIG, new Ops.BytesChannel(F1), Patcher.channelTo(out), F2.length,
        fingerprint(F2), null, out)) {
      p.copy(3, 3);
      p.literal(LIT, 0, LIT.length);
      p.copy(0, 2);
      r = p.finish();
    }
    assertTrue(r.verified(), r.toString());
    assertArrayEquals(F2, out.toByteArray());
    assertEquals(fingerprint(F2), r.fingerprint());
    assertEquals(1, out.hashQueries());
  }

  @Test
  void anOutputThatHashes_isBelieved_soAWrongHashThereFailsTheResult() throws IOException {
    // The bytes are right, but the output reports the hash of something else: the patcher, not hashing
    // them itself, must report a mismatch (it would pass if the patcher still hashed on its own).
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    HashedOutput lying = () -> fingerprint(F1).xxh64();
    Patcher.Result r;
    try (Patcher p = new Patcher(SIG, new Ops.BytesChannel(F1), Channels.newChannel(bytes), F2.length,
        fingerprint(F2), null, lying)) {
      p.copy(3, 3);
      p.literal(LIT, 0, LIT.length);
      p.copy(0, 2);
      r = p.finish();
    }
    assertArrayEquals(F2, bytes.toByteArray());
    assertFalse(r.verified());
    assertEquals(fingerprint(F1), r.fingerprint());
    assertTrue(r.mismatch().get().contains("fingerprint"), r.mismatch().get());
  }

  /**
   * A long run of copied blocks reaches a stream in the patcher's 128 KiB pieces, one {@code write} call
   * each: the receiver's stream is a file, and {@code Channels.newChannel} would have cut each piece into
   * sixteen 8 KiB system calls.
   */
  @Test
  void channelTo_passesEachPieceInOneWrite() throws IOException {
    int bs = 64 * 1024;
    byte[] old = random(32 * bs, 5);
    Signature sig = Ops.signature(old, bs, 0);
    java.util.List<Integer> writes = new java.util.ArrayList<>();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    java.io.OutputStream counting = new java.io.OutputStream() {
      @Override
      public void write(int b) {
        throw new AssertionError("one byte at a time");
      }

      @Override
      public void write(byte[] b, int off, int len) {
        writes.add(len);
        bytes.write(b, off, len);
      }
    };
    try (Patcher p = new Patcher(sig, new Ops.BytesChannel(old), Patcher.channelTo(counting), old.length,
        fingerprint(old))) {
      p.copy(0, 32);
      assertTrue(p.finish().verified());
    }
    assertArrayEquals(old, bytes.toByteArray());
    assertEquals(java.util.Collections.nCopies(16, 128 * 1024), writes);
  }

  @Test
  void channelTo_takesDirectBuffersToo_andRefusesWritesOnceClosed() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    java.nio.channels.WritableByteChannel ch = Patcher.channelTo(out);
    java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(3).put(new byte[] {7, 8, 9}).flip();
    assertEquals(3, ch.write(direct));
    assertFalse(direct.hasRemaining());
    assertArrayEquals(new byte[] {7, 8, 9}, out.toByteArray());
    ch.close();
    assertFalse(ch.isOpen());
    assertThrows(java.nio.channels.ClosedChannelException.class, () -> ch.write(java.nio.ByteBuffer.allocate(1)));
  }

  @Test
  void basisInAFile_isReadByPosition(@TempDir Path dir) throws IOException {
    Path basis = Files.write(dir.resolve("F1"), F1);
    Path rebuilt = dir.resolve("F2");
    try (FileChannel in = FileChannel.open(basis);
        FileChannel out = FileChannel.open(rebuilt, java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE);
        Patcher p = new Patcher(SIG, in, out, F2.length, fingerprint(F2))) {
      p.copy(3, 3);
      p.literal(LIT, 0, LIT.length);
      p.copy(0, 2);
      assertTrue(p.finish().verified());
      assertEquals(0, in.position(), "positional reads leave the channel's position alone");
    }
    assertArrayEquals(F2, Files.readAllBytes(rebuilt));
  }

  @Test
  void basisChangedWithTheSameSize_isAMismatch() throws IOException {
    byte[] changed = F1.clone();
    changed[3 * BS + 10]++;
    Patcher.Result r = patch(changed, F2.length, fingerprint(F2), new ByteArrayOutputStream());
    assertFalse(r.verified());
    assertTrue(r.mismatch().get().contains("fingerprint"), r.mismatch().get());
    assertEquals(F2.length, r.size());
  }

  @Test
  void basisOfAnotherSize_isAMismatch_andNothingIsWritten() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Patcher.Result r = patch(slice(F1, 0, F1.length - 1), F2.length, fingerprint(F2), out);
    assertFalse(r.verified());
    assertTrue(r.mismatch().get().contains("the basis file is 5419 bytes, its signature says 5420"),
        r.mismatch().get());
    assertEquals(0, out.size());
  }

  @Test
  void basisThatEndsEarly_isAMismatch() throws IOException {
    // A channel that claims the signature's size but holds fewer bytes: shrunk while we read it.
    Ops.BytesChannel shrinking = new Ops.BytesChannel(slice(F1, 0, 4 * BS)) {
      @Override
      public long size() {
        return F1.length;
      }
    };
    try (Patcher p = new Patcher(SIG, shrinking, Channels.newChannel(new ByteArrayOutputStream()),
        F2.length, fingerprint(F2))) {
      p.copy(3, 3);
      p.literal(LIT, 0, LIT.length);
      Patcher.Result r = p.finish();
      assertFalse(r.verified());
      assertTrue(r.mismatch().get().contains("ended at byte 4096"), r.mismatch().get());
    }
  }

  @Test
  void senderAnnouncedOtherContent_isAMismatch() throws IOException {
    Patcher.Result r = patch(F1, F2.length, Fingerprint.of(1), new ByteArrayOutputStream());
    assertFalse(r.verified());
    assertEquals(fingerprint(F2), r.fingerprint());
    Patcher.Result longer = patch(F1, F2.length + 1, fingerprint(F2), new ByteArrayOutputStream());
    assertTrue(longer.mismatch().get().contains("rebuilt " + F2.length + " bytes, expected"));
  }

  /** More bytes than announced: the patcher stops writing at the announced size. */
  @Test
  void outputPastTheExpectedSize_isCutOff() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Patcher.Result r = patch(F1, 1000, fingerprint(F2), out);
    assertFalse(r.verified());
    assertTrue(r.mismatch().get().contains("more than the expected 1000 bytes"), r.mismatch().get());
    assertTrue(out.size() <= 1000, "wrote " + out.size());
  }

  @Test
  void blocksOutsideTheBasis_areMalformed() throws IOException {
    try (Patcher p = new Patcher(SIG, new Ops.BytesChannel(F1),
        Channels.newChannel(new ByteArrayOutputStream()), 10, fingerprint(F2))) {
      assertThrows(DeltaException.class, () -> p.copy(6, 1));
      assertThrows(DeltaException.class, () -> p.copy(5, 2));
      assertThrows(DeltaException.class, () -> p.copy(-1, 1));
      assertThrows(DeltaException.class, () -> p.copy(0, 0));
      assertThrows(DeltaException.class, () -> p.copy(1, Integer.MAX_VALUE));
    }
  }

  @Test
  void afterFinish_nothingMoreIsAccepted() throws IOException {
    Patcher p = new Patcher(SIG, new Ops.BytesChannel(F1), Channels.newChannel(new ByteArrayOutputStream()),
        0, fingerprint(new byte[0]));
    assertTrue(p.finish().verified());
    assertThrows(IllegalStateException.class, () -> p.copy(0, 1));
    assertThrows(IllegalStateException.class, () -> p.literal(LIT, 0, 1));
    assertThrows(IllegalStateException.class, p::finish);
    p.close();
    assertThrows(IllegalArgumentException.class, () -> new Patcher(SIG, new Ops.BytesChannel(F1),
        Channels.newChannel(new ByteArrayOutputStream()), 0, Fingerprint.UNKNOWN));
  }
}
