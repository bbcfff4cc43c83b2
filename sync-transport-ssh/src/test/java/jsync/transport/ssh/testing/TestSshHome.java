package jsync.transport.ssh.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import jsync.core.testing.TestTimeouts;
import jsync.transport.ssh.SshOptions;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;

/**
 * A temporary home directory with a {@code .ssh} as a user would have it: a client key
 * ({@code id_ed25519}, OpenSSH format), and on request {@code known_hosts} lines (plain or hashed), a
 * {@code config} and further keys. {@link #options()} points {@link SshOptions#home()} at it, so tests never
 * read or write the real {@code ~/.ssh}.
 */
public final class TestSshHome {
  private final Path home;
  private final KeyPair userKey;

  private TestSshHome(Path home, KeyPair userKey) {
    this.home = home;
    this.userKey = userKey;
  }

  /** Makes {@code home/.ssh} with a fresh ed25519 key pair as {@code id_ed25519}. */
  public static TestSshHome create(Path home) throws IOException {
    Files.createDirectories(home.resolve(".ssh"));
    TestSshHome h = new TestSshHome(home, generate("ssh-ed25519", 256));
    h.writeKey("id_ed25519", h.userKey, null);
    return h;
  }

  public static KeyPair generate(String type, int bits) {
    try {
      return KeyUtils.generateKeyPair(type, bits);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a " + type + " key", e);
    }
  }

  public Path home() {
    return home;
  }

  public Path sshDir() {
    return home.resolve(".ssh");
  }

  public KeyPair userKey() {
    return userKey;
  }

  /** Options using this home, the built-in client and test-scaled time limits. */
  public SshOptions options() {
    return SshOptions.defaults().withHome(home).withConnectTimeout(TestTimeouts.seconds(20))
        .withCloseTimeout(TestTimeouts.seconds(10));
  }

  /** Writes a private key (encrypted if a passphrase is given) as {@code .ssh/NAME}, and NAME.pub. */
  public Path writeKey(String name, KeyPair kp, String passphrase) throws IOException {
    Path file = sshDir().resolve(name);
    OpenSSHKeyEncryptionContext enc = null;
    if (passphrase != null) {
      enc = new OpenSSHKeyEncryptionContext();
      enc.setPassword(passphrase);
      enc.setCipherName("AES");
      enc.setCipherType("256");
      enc.setCipherMode("CTR");
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(kp, "test@jsync", enc, out);
      Files.writeString(sshDir().resolve(name + ".pub"), publicLine(kp.getPublic()) + " test@jsync\n");
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot write test key " + file, e);
    }
    return file;
  }

  /** Appends a known_hosts line for {@code host:port} with this key. */
  public TestSshHome trust(String host, int port, PublicKey hostKey) throws IOException {
    return appendKnownHosts(hostPattern(host, port) + " " + publicLine(hostKey));
  }

  /** Appends a hashed known_hosts line ({@code |1|salt|hmac}, as {@code ssh-keygen -H} writes). */
  public TestSshHome trustHashed(String host, int port, PublicKey hostKey) throws IOException {
    byte[] salt = new byte[20];
    new SecureRandom().nextBytes(salt);
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(salt, "HmacSHA1"));
      byte[] hash = mac.doFinal(hostPattern(host, port).getBytes(StandardCharsets.UTF_8));
      Base64.Encoder b64 = Base64.getEncoder();
      return appendKnownHosts("|1|" + b64.encodeToString(salt) + "|" + b64.encodeToString(hash) + " "
          + publicLine(hostKey));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public TestSshHome appendKnownHosts(String line) throws IOException {
    Files.writeString(sshDir().resolve("known_hosts"), line + "\n", StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    return this;
  }

  /** Writes {@code .ssh/config}. */
  public TestSshHome config(String text) throws IOException {
    Files.writeString(sshDir().resolve("config"), text);
    return this;
  }

  public static String hostPattern(String host, int port) {
    return port == 22 ? host : "[" + host + "]:" + port;
  }

  /** {@code type base64} as in authorized_keys and known_hosts. */
  public static String publicLine(PublicKey key) {
    return PublicKeyEntry.toString(key);
  }
}
