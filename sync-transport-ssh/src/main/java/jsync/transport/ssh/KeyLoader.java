package jsync.transport.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Loads the user's private keys for the built-in client. Unencrypted OpenSSH and PEM keys of type ed25519,
 * ECDSA and RSA load; an encrypted key is skipped and noted (there is no terminal to ask for its passphrase
 * and no agent support), as is a file in a format MINA cannot read. The notes go into the login failure
 * message, which is where the user needs them.
 */
final class KeyLoader {
  /** The keys loaded, what each was (for messages), and the files skipped with the reason. */
  record Loaded(List<KeyPair> keys, List<String> tried, List<String> skipped) {}

  /** Thrown by the password provider: the key is encrypted, and we will not guess a passphrase. */
  private static final class EncryptedKeyException extends IOException {
    EncryptedKeyException() {
      super("encrypted");
    }
  }

  private static final FilePasswordProvider NO_PASSPHRASE = (session, resource, retry) -> {
    throw new EncryptedKeyException();
  };

  private KeyLoader() {}

  static Loaded load(List<Path> files, boolean explicit) {
    List<KeyPair> keys = new ArrayList<>();
    List<String> tried = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (Path f : files) {
      try (InputStream in = Files.newInputStream(f)) {
        int before = keys.size();
        Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(f.toString()),
            in, NO_PASSPHRASE);
        if (pairs != null) {
          for (KeyPair kp : pairs) {
            keys.add(kp);
            tried.add(f + " (" + KeyUtils.getKeyType(kp) + " " + KeyUtils.getFingerPrint(kp.getPublic()) + ")");
          }
        }
        if (keys.size() == before) {
          // SSHD returns nothing, without an error, for a key type it has no provider for (ed25519
          // without Bouncy Castle) or a file that is not a private key.
          skipped.add(f + ": not a private key jsync can read (supported: unencrypted ed25519, ECDSA, RSA)");
        }
      } catch (EncryptedKeyException e) {
        skipped.add(f + ": encrypted with a passphrase, which jsync's built-in SSH client cannot ask for"
            + " (no agent support either)");
      } catch (NoSuchFileException e) {
        if (explicit) {
          skipped.add(f + ": no such file");
        }
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        skipped.add(f + ": cannot read it (" + e.getMessage() + ")");
      }
    }
    return new Loaded(keys, tried, skipped);
  }
}
