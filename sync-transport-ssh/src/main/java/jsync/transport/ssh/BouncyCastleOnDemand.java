package jsync.transport.ssh;

import java.lang.reflect.Field;
import java.security.Provider;
import java.security.Security;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Bouncy Castle's JCA provider as SSHD uses it, without building all of it up front.
 *
 * <p>Why: SSHD needs Bouncy Castle for ed25519 keys (and takes its digests, X25519 and a few more from it
 * once it is there). Constructing {@code BouncyCastleProvider} registers some 3,000 algorithms: 0.2 s of CPU
 * in a fresh JVM, before the built-in client can even open its TCP connection, for the ~20 services a
 * connection asks for. This provider, registered under Bouncy Castle's own name ({@code BC}) before SSHD
 * looks for it, answers those from a small table of Bouncy Castle's own implementation classes, and builds
 * the real provider only when asked for anything else (an RSA or ECDSA key, a server-side algorithm), to
 * which it then hands every such request. So behaviour is the real provider's either way; only the start
 * is cheaper (docs/benchmarks.md). {@code BouncyCastleOnDemandTest} checks that each entry of the table is
 * the class the real provider names for it, so a Bouncy Castle upgrade that moves one fails the build.
 */
final class BouncyCastleOnDemand extends Provider {
  private static final long serialVersionUID = 1L;
  static final String NAME = "BC";

  private static final String EDEC = "org.bouncycastle.jcajce.provider.asymmetric.edec.";
  private static final String DIGEST = "org.bouncycastle.jcajce.provider.digest.";

  /** Type, algorithm, class: what an ed25519 login to OpenSSH asked Bouncy Castle for, traced. */
  static final String[][] TABLE = {
      {"KeyFactory", "Ed25519", EDEC + "KeyFactorySpi$Ed25519"},
      {"Signature", "EdDSA", EDEC + "SignatureSpi$EdDSA"},
      {"Signature", "Ed25519", EDEC + "SignatureSpi$Ed25519"},
      {"KeyPairGenerator", "Ed25519", EDEC + "KeyPairGeneratorSpi$Ed25519"},
      {"KeyAgreement", "X25519", EDEC + "KeyAgreementSpi$X25519"},
      {"KeyFactory", "X25519", EDEC + "KeyFactorySpi$X25519"},
      {"KeyPairGenerator", "X25519", EDEC + "KeyPairGeneratorSpi$X25519"},
      {"KeyAgreement", "X448", EDEC + "KeyAgreementSpi$X448"},
      {"KeyFactory", "X448", EDEC + "KeyFactorySpi$X448"},
      {"KeyPairGenerator", "X448", EDEC + "KeyPairGeneratorSpi$X448"},
      {"KeyPairGenerator", "DH", "org.bouncycastle.jcajce.provider.asymmetric.dh.KeyPairGeneratorSpi"},
      {"KeyPairGenerator", "EC", "org.bouncycastle.jcajce.provider.asymmetric.ec.KeyPairGeneratorSpi$EC"},
      {"AlgorithmParameters", "EC", "org.bouncycastle.jcajce.provider.asymmetric.ec.AlgorithmParametersSpi"},
      {"Signature", "SHA512withRSA", "org.bouncycastle.jcajce.provider.asymmetric.rsa.DigestSignatureSpi$SHA512"},
      {"MessageDigest", "MD5", DIGEST + "MD5$Digest"},
      {"MessageDigest", "SHA-1", DIGEST + "SHA1$Digest"},
      {"MessageDigest", "SHA-224", DIGEST + "SHA224$Digest"},
      {"MessageDigest", "SHA-256", DIGEST + "SHA256$Digest"},
      {"MessageDigest", "SHA-384", DIGEST + "SHA384$Digest"},
      {"MessageDigest", "SHA-512", DIGEST + "SHA512$Digest"},
  };

  /** By {@link #key}: the services of {@link #TABLE}, owned by this provider. */
  private final transient Map<String, Service> table = new HashMap<>();
  private transient volatile Provider full;

  BouncyCastleOnDemand() {
    super(NAME, "1.0", "Bouncy Castle's provider, built when first needed beyond SSH's usual algorithms");
    for (String[] row : TABLE) {
      table.put(key(row[0], row[1]), new Service(this, row[0], row[1], row[2], null, null));
    }
  }

  /**
   * Registers this provider unless one named {@code BC} already is (the real one, from another user of
   * Bouncy Castle in this JVM): before SSHD first looks, which is the first use of SSHD's security code.
   */
  static synchronized void install() {
    if (Security.getProvider(NAME) == null) {
      BouncyCastleOnDemand p = new BouncyCastleOnDemand();
      Security.addProvider(p);
      shareWithBouncyCastleItself(p);
    }
  }

  /**
   * Bouncy Castle's own classes look algorithms up through {@code BCJcaJceHelper}, which uses the provider
   * registered as {@code BC} only if it is a {@code BouncyCastleProvider}, and otherwise builds one of its
   * own, once per JVM: its ed25519 signature class makes such a helper in its constructor (and then does
   * not use it). Handing it this provider instead keeps that from building the table after all. If a
   * Bouncy Castle version has no such field, or it is set already, nothing changes but the speed.
   */
  private static void shareWithBouncyCastleItself(Provider p) {
    try {
      Field f = Class.forName("org.bouncycastle.jcajce.util.BCJcaJceHelper").getDeclaredField("bcProvider");
      f.setAccessible(true);
      synchronized (f.getDeclaringClass()) { // the lock its getBouncyCastleProvider() holds
        if (f.get(null) == null) {
          f.set(null, p);
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      // only speed is lost: Bouncy Castle builds its own provider when it first needs one
    }
  }

  @Override
  public Service getService(String type, String algorithm) {
    Service s = table.get(key(type, algorithm));
    return s != null ? s : full().getService(type, algorithm);
  }

  @Override
  public Set<Service> getServices() {
    return full().getServices();
  }

  /** Whether the real provider has been built (for tests). */
  boolean built() {
    return full != null;
  }

  private Provider full() {
    Provider p = full;
    if (p == null) {
      synchronized (this) {
        p = full;
        if (p == null) {
          p = new org.bouncycastle.jce.provider.BouncyCastleProvider();
          full = p;
        }
      }
    }
    return p;
  }

  /** JCA matches types and algorithm names without regard to case. */
  private static String key(String type, String algorithm) {
    return type.toUpperCase(Locale.ROOT) + '/' + algorithm.toUpperCase(Locale.ROOT);
  }
}
