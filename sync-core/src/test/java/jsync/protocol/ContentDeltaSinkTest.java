package jsync.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import jsync.core.apply.Basis;
import jsync.core.apply.DeltaMismatchException;
import jsync.core.delta.XxHash;
import jsync.core.model.Entry;
import jsync.core.model.Fingerprint;
import jsync.core.model.RelPath;
import jsync.core.model.Stamp;
import jsync.core.testing.HashingSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A delta received into a sink that hashes what it is given (the applier's) is checked with that hash:
 * the rebuilt bytes are hashed once, not by the patcher and the sink both.
 */
class ContentDeltaSinkTest {
  @TempDir Path tmp;
  private byte[] newVersion;
  private SessionPair sessions;
  private Session asker;

  @BeforeEach
  void connect() throws Exception {
    sessions = SessionPair.start((s, id, m) ->
        Content.send(s, (Message.ReadRequest) m, new ByteArrayInputStream(newVersion)));
    asker = sessions.client();
  }

  @AfterEach
  void close() {
    sessions.close();
  }

  private static Entry.File entry(byte[] content) {
    return new Entry.File(content.length, 0, 0644,
        Fingerprint.of(XxHash.hash(content, 0, content.length, 0)));
  }

  /** A 600 KB basis and a new version that differs from it in its middle. */
  private Basis setUpVersions() throws IOException {
    byte[] old = new byte[600_000];
    new Random(1).nextBytes(old);
    newVersion = old.clone();
    for (int i = 300_000; i < 300_100; i++) {
      newVersion[i] ^= 0x5a;
    }
    return new Basis(Files.write(tmp.resolve("old"), old), Optional.empty());
  }

  @Test
  void theDeltaIsCheckedWithTheSinksHash() throws Exception {
    Basis basis = setUpVersions();
    HashingSink sink = new HashingSink();
    Content.receive(asker, RelPath.parse("f"), entry(newVersion), Stamp.NONE, Optional.of(basis), sink);
    assertArrayEquals(newVersion, sink.toByteArray());
    assertEquals(1, sink.hashQueries());
  }

  @Test
  void aSinkHashThatDoesNotMatch_failsTheDelta_soTheFileIsSentWhole() throws Exception {
    Basis basis = setUpVersions();
    HashingSink sink = new HashingSink(new byte[] {1, 2, 3});
    assertThrows(DeltaMismatchException.class, () ->
        Content.receive(asker, RelPath.parse("f"), entry(newVersion), Stamp.NONE, Optional.of(basis), sink));
  }
}
