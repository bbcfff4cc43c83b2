package jsync.transport.ssh;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;

/**
 * Run in a fresh JVM by {@link BouncyCastleOnDemandTest}: installs the provider as the SSH client does,
 * signs and verifies with ed25519 through it (what a login does), and prints whether Bouncy Castle's full
 * provider was built on the way, by us or by Bouncy Castle's own helper.
 */
public final class BouncyCastleOnDemandProbe {
  private BouncyCastleOnDemandProbe() {}

  public static void main(String[] args) throws Exception {
    BouncyCastleOnDemand.install();
    Provider bc = Security.getProvider(BouncyCastleOnDemand.NAME);
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519", bc).generateKeyPair();
    byte[] data = "jsync".getBytes(StandardCharsets.UTF_8);
    Signature signer = Signature.getInstance("EdDSA", bc);
    signer.initSign(pair.getPrivate());
    signer.update(data);
    Signature verifier = Signature.getInstance("EdDSA", bc);
    verifier.initVerify(pair.getPublic());
    verifier.update(data);
    boolean verified = verifier.verify(signer.sign());
    java.lang.reflect.Field helper =
        Class.forName("org.bouncycastle.jcajce.util.BCJcaJceHelper").getDeclaredField("bcProvider");
    helper.setAccessible(true);
    System.out.println("installed=" + (bc instanceof BouncyCastleOnDemand) + " verified=" + verified
        + " built=" + ((BouncyCastleOnDemand) bc).built() + " helperShares=" + (helper.get(null) == bc));
  }
}
