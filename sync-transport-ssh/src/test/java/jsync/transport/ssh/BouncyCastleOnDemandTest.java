package jsync.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.Signature;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;

class BouncyCastleOnDemandTest {
  private static final Provider REAL = new BouncyCastleProvider();

  @Test
  void everyEntryIsTheClassTheRealProviderNames() {
    for (String[] row : BouncyCastleOnDemand.TABLE) {
      Provider.Service real = REAL.getService(row[0], row[1]);
      assertNotNull(real, () -> "Bouncy Castle has no " + row[0] + " " + row[1]);
      assertEquals(real.getClassName(), row[2], () -> row[0] + " " + row[1]);
    }
  }

  @Test
  void theTableAnswersWithoutBuildingTheRealProvider_inAnyCase() throws Exception {
    BouncyCastleOnDemand p = new BouncyCastleOnDemand();
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519", p).generateKeyPair();
    byte[] data = "jsync".getBytes(StandardCharsets.UTF_8);
    Signature signer = Signature.getInstance("EdDSA", p);
    signer.initSign(pair.getPrivate());
    signer.update(data);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("ed25519", p);
    verifier.initVerify(pair.getPublic());
    verifier.update(data);
    assertTrue(verifier.verify(signature));
    assertArrayEquals(MessageDigest.getInstance("SHA-256", REAL).digest(data),
        MessageDigest.getInstance("sha-256", p).digest(data));
    assertSame(p, p.getService("KeyFactory", "ED25519").getProvider());
    assertFalse(p.built());
  }

  /**
   * In a JVM of its own, where nothing registered Bouncy Castle before: what an ed25519 login does builds
   * no full provider, neither ours nor the one Bouncy Castle's signature class would make for itself.
   */
  @Test
  void anEd25519SignatureInAFreshJvm_buildsNoFullProvider() throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), BouncyCastleOnDemandProbe.class.getName())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals("installed=true verified=true built=false helperShares=true", out);
  }

  @Test
  void anythingElseComesFromTheRealProvider_builtOnce() throws Exception {
    BouncyCastleOnDemand p = new BouncyCastleOnDemand();
    KeyPair rsa = KeyPairGenerator.getInstance("RSA", p).generateKeyPair();
    assertTrue(p.built());
    Signature s = Signature.getInstance("SHA256withRSA", p);
    s.initSign(rsa.getPrivate());
    assertEquals(REAL.getService("Signature", "SHA256withRSA").getClassName(),
        p.getService("Signature", "SHA256withRSA").getClassName());
    assertEquals(REAL.getServices().size(), p.getServices().size());
    assertNull(p.getService("Signature", "no-such-algorithm"));
  }
}
