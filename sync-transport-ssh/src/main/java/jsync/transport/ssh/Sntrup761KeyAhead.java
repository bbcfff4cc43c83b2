package jsync.transport.ssh;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.digest.Digest;
import org.apache.sshd.common.kex.AbstractDH;
import org.apache.sshd.common.kex.BuiltinKEM;
import org.apache.sshd.common.kex.DHFactory;
import org.apache.sshd.common.kex.KeyEncapsulationMethod;
import org.apache.sshd.common.kex.MontgomeryCurve;
import org.apache.sshd.common.kex.XDH;
import org.apache.sshd.common.random.JceRandom;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKEMExtractor;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKeyGenerationParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKeyPairGenerator;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimePrivateKeyParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimePublicKeyParameters;

/**
 * The {@code sntrup761x25519-sha512} key exchange as SSHD's own, except that its NTRU Prime key pair can be
 * generated before the connection needs it.
 *
 * <p>Why: Bouncy Castle takes ~0.2 s of CPU in a fresh JVM to generate an sntrup761 key pair, and SSHD does
 * it on its I/O thread after the algorithms are agreed, so the whole login waits. {@link #startKeyGeneration}
 * starts it on a thread of its own as soon as jsync knows it will connect to a server that agreed on this
 * exchange last time; the first key exchange of the process takes that pair, every other one (a rekey, a
 * second connection) generates its own as SSHD would. The pair is fresh, made by this process for one
 * exchange and never stored, so nothing changes for security. The exchange itself (the X25519 half, the
 * hash, decapsulation) is SSHD's {@link XDH} and Bouncy Castle's extractor, exactly as in SSHD's factory.
 */
final class Sntrup761KeyAhead implements DHFactory {
  /** The names SSHD registers for this exchange, the standard one and OpenSSH's original. */
  static final java.util.List<String> NAMES =
      java.util.List.of("sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com");

  /** The pair generated ahead, until the first key exchange takes it (then {@link #TAKEN}). */
  private static final AtomicReference<CompletableFuture<AsymmetricCipherKeyPair>> AHEAD = new AtomicReference<>();
  private static final CompletableFuture<AsymmetricCipherKeyPair> TAKEN = CompletableFuture.completedFuture(null);

  private final String name;

  Sntrup761KeyAhead(String name) {
    this.name = name;
  }

  /**
   * Starts generating the key pair for the first key exchange on a daemon thread, once per process.
   *
   * @return completes when the pair is ready (or its generation failed: the exchange then makes its own)
   */
  static CompletableFuture<?> startKeyGeneration() {
    CompletableFuture<AsymmetricCipherKeyPair> f = new CompletableFuture<>();
    if (!AHEAD.compareAndSet(null, f)) {
      CompletableFuture<?> current = AHEAD.get(); // started before, or already taken
      return current != null ? current : CompletableFuture.completedFuture(null);
    }
    Thread t = new Thread(() -> {
      try {
        f.complete(generate());
      } catch (Throwable e) {
        f.completeExceptionally(e);
      }
    }, "jsync-sntrup761-keygen");
    t.setDaemon(true);
    t.start();
    return f;
  }

  /** True while a pair generated ahead waits for its key exchange (for tests). */
  static boolean pending() {
    CompletableFuture<AsymmetricCipherKeyPair> f = AHEAD.get();
    return f != null && f != TAKEN;
  }

  /** The pair generated ahead if there is one (waiting for it if need be), else a new one. */
  private static AsymmetricCipherKeyPair takeOrGenerate() {
    CompletableFuture<AsymmetricCipherKeyPair> f = AHEAD.getAndSet(TAKEN);
    AsymmetricCipherKeyPair pair = null;
    if (f != null) {
      try {
        pair = f.join();
      } catch (RuntimeException e) {
        // generation ahead failed: generate here, where a failure is reported as SSHD would report it
      }
    }
    return pair != null ? pair : generate();
  }

  /** As SSHD's {@code SNTRUP761.Client.init}. */
  private static AsymmetricCipherKeyPair generate() {
    SNTRUPrimeKeyPairGenerator g = new SNTRUPrimeKeyPairGenerator();
    g.init(new SNTRUPrimeKeyGenerationParameters(JceRandom.getGlobalInstance(), SNTRUPrimeParameters.sntrup761));
    return g.generateKeyPair();
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public boolean isGroupExchange() {
    return false;
  }

  @Override
  public boolean isSupported() {
    return MontgomeryCurve.x25519.isSupported() && BuiltinDigests.sha512.isSupported()
        && BuiltinKEM.sntrup761.isSupported();
  }

  @Override
  public AbstractDH create(Object... params) throws Exception {
    if (params != null && params.length > 0) {
      throw new IllegalArgumentException("No accepted parameters for " + name);
    }
    KeyEncapsulationMethod kem = new KeyEncapsulationMethod() {
      @Override
      public Client getClient() {
        return new KemClient();
      }

      @Override
      public Server getServer() {
        return BuiltinKEM.sntrup761.getServer();
      }
    };
    return new XDH(MontgomeryCurve.x25519, true) {
      @Override
      public KeyEncapsulationMethod getKeyEncapsulation() {
        return kem;
      }

      @Override
      public Digest getHash() throws Exception {
        return BuiltinDigests.sha512.create();
      }
    };
  }

  /** The client's half of the KEM, as SSHD's, with the key pair from {@link #takeOrGenerate}. */
  private static final class KemClient implements KeyEncapsulationMethod.Client {
    private SNTRUPrimeKEMExtractor extractor;
    private SNTRUPrimePublicKeyParameters publicKey;

    @Override
    public void init() {
      AsymmetricCipherKeyPair pair = takeOrGenerate();
      extractor = new SNTRUPrimeKEMExtractor((SNTRUPrimePrivateKeyParameters) pair.getPrivate());
      publicKey = (SNTRUPrimePublicKeyParameters) pair.getPublic();
    }

    @Override
    public byte[] getPublicKey() {
      return publicKey.getEncoded();
    }

    @Override
    public byte[] extractSecret(byte[] encapsulated) {
      if (encapsulated.length != extractor.getEncapsulationLength()) {
        throw new IllegalArgumentException("KEM encapsulation has wrong length: " + encapsulated.length);
      }
      return extractor.extractSecret(encapsulated);
    }

    @Override
    public int getEncapsulationLength() {
      return extractor.getEncapsulationLength();
    }
  }
}
