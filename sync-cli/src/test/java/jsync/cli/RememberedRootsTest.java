package jsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Optional;
import jsync.transport.ssh.SshConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What is remembered of ssh:// roots between runs, and the key pair a run prepares from it. */
class RememberedRootsTest {
  @TempDir Path tmp;

  @Test
  void keyExchangeToPrepare_rememberedFirst_thenTheLikelyOneOnlyOnAFirstConnection() {
    // Remembered: that one, whatever else is known.
    assertEquals(Optional.of("mlkem768x25519-sha256"),
        RememberedRoots.keyExchangeToPrepare(Optional.of("mlkem768x25519-sha256"), true));
    assertEquals(Optional.of("curve25519-sha256"),
        RememberedRoots.keyExchangeToPrepare(Optional.of("curve25519-sha256"), false));
    // A first connection: nothing scans ahead, the other core is free for the likely pair.
    assertEquals(Optional.of(SshConnector.LIKELY_KEY_EXCHANGE),
        RememberedRoots.keyExchangeToPrepare(Optional.empty(), false));
    // The root is known (its scan ahead takes the other core) but not its exchange: nothing made ahead.
    assertEquals(Optional.empty(), RememberedRoots.keyExchangeToPrepare(Optional.empty(), true));
  }

  @Test
  void putAndGet_perRoot_andKeyExchangesInTheirOwnFile() {
    RememberedRoots roots = new RememberedRoots(tmp);
    RememberedRoots kex = RememberedRoots.keyExchanges(tmp);
    roots.put("ssh://a//x", "remote:/x");
    kex.put("ssh://a//x", "sntrup761x25519-sha512");
    assertEquals(Optional.of("remote:/x"), new RememberedRoots(tmp).get("ssh://a//x"));
    assertEquals(Optional.of("sntrup761x25519-sha512"), RememberedRoots.keyExchanges(tmp).get("ssh://a//x"));
    assertEquals(Optional.empty(), roots.get("ssh://b//y"));
  }
}
