package jsync.transport.ssh;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.security.PublicKey;
import java.util.List;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;

/**
 * Strict host-key checking against one known_hosts file (plain and hashed entries, {@code [host]:port}
 * forms, markers), with MINA's own matcher: the rejecting delegate refuses every host not in the file, and
 * a changed key is always refused. SSHD's default client accepts any key; this replaces it. With
 * {@code StrictHostKeyChecking=accept-new} the delegate accepts instead, and MINA appends the first-seen key
 * to the file, as OpenSSH does; a changed key is still refused.
 *
 * <p>Why a key was refused is kept in {@link #rejection()}, because SSHD reports only "server key did not
 * validate"; the connector turns it into the message the user sees.
 */
final class HostKeyCheck extends KnownHostsServerKeyVerifier {
  private final HostSettings host;
  private volatile String rejection;

  HostKeyCheck(HostSettings host) {
    super(host.acceptNew() ? AcceptAllServerKeyVerifier.INSTANCE : RejectAllServerKeyVerifier.INSTANCE,
        host.knownHosts());
    this.host = host;
  }

  /** The message explaining why the host key was refused, or null if it was not. */
  String rejection() {
    return rejection;
  }

  @Override
  protected boolean acceptUnknownHostKey(ClientSession session, SocketAddress remote, PublicKey serverKey) {
    boolean accepted = super.acceptUnknownHostKey(session, remote, serverKey);
    if (!accepted) {
      rejection = unknownMessage(serverKey);
    }
    return accepted;
  }

  @Override
  public boolean acceptModifiedServerKey(ClientSession session, SocketAddress remote, KnownHostEntry entry,
      PublicKey expected, PublicKey actual) {
    rejection = changedMessage(entry, expected, actual);
    return false; // never, whatever StrictHostKeyChecking says: this is what an attack looks like
  }

  @Override
  protected void handleRevokedKey(ClientSession session, SocketAddress remote, PublicKey serverKey) {
    rejection = "the host key of " + host.knownHostsName() + " (" + describe(serverKey) + ") is marked"
        + " @revoked in " + host.knownHosts() + ". Do not connect until the host's administrator has"
        + " installed a new key.";
    super.handleRevokedKey(session, remote, serverKey);
  }

  @Override
  protected boolean acceptIncompleteHostKeys(ClientSession session, SocketAddress remote, PublicKey serverKey,
      Throwable reason) {
    rejection = "cannot read the known hosts file " + host.knownHosts() + " to check the host key of "
        + host.knownHostsName() + ": " + reason.getMessage() + ". Fix or remove the unreadable lines.";
    return false;
  }

  private String unknownMessage(PublicKey key) {
    String keyscan = "ssh-keyscan" + (host.port() == 22 ? "" : " -p " + host.port()) + " " + host.hostName()
        + " >> " + host.knownHosts();
    String ssh = "ssh" + (host.port() == 22 ? "" : " -p " + host.port()) + " " + host.user() + "@"
        + host.hostName();
    return "the host key of " + host.knownHostsName() + " is not known: it is not in " + host.knownHosts()
        + ". The server offered " + describe(key) + ". jsync never accepts an unknown host key. If this is"
        + " the right host, add its key, e.g. with: " + keyscan + " (then check the fingerprint with"
        + " ssh-keygen -lf " + host.knownHosts() + "), or connect once with: " + ssh;
  }

  private String changedMessage(KnownHostEntry entry, PublicKey expected, PublicKey actual) {
    int line = lineOf(entry);
    String name = host.knownHostsName();
    return "WARNING: the host key of " + name + " has CHANGED. " + host.knownHosts()
        + (line > 0 ? " line " + line : "") + " holds " + describe(expected) + " for it, but the server"
        + " offered " + describe(actual) + ". Someone may be intercepting the connection (a man-in-the-middle"
        + " attack), or the host was reinstalled and got a new key. Check with the host's administrator"
        + " before going on. If the new key is genuine, remove the old one with: ssh-keygen -R '" + name
        + "' -f " + host.knownHosts() + ", then add the new one (ssh-keyscan"
        + (host.port() == 22 ? "" : " -p " + host.port()) + " " + host.hostName() + " >> "
        + host.knownHosts() + ").";
  }

  /** The 1-based line of the file holding the entry, or 0 if not found (the file changed meanwhile). */
  private int lineOf(KnownHostEntry entry) {
    String wanted = entry.getConfigLine();
    if (wanted == null) {
      return 0;
    }
    try {
      List<String> lines = Files.readAllLines(host.knownHosts());
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).strip().equals(wanted.strip())) {
          return i + 1;
        }
      }
    } catch (IOException e) {
      // The line number is a convenience; the message still names the file.
    }
    return 0;
  }

  private static String describe(PublicKey key) {
    // Every SSH key type name starts with a vowel sound: ssh-..., ecdsa-..., sk-...
    return "an " + KeyUtils.getKeyType(key) + " key with fingerprint " + KeyUtils.getFingerPrint(key);
  }
}
