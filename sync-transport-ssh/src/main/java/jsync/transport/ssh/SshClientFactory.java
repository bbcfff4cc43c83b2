package jsync.transport.ssh;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.DHFactory;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * Builds the MINA SSHD client for one connection, with every default that matters replaced: host keys are
 * checked ({@link HostKeyCheck}), nothing is read from the JVM user's {@code ~/.ssh} behind our back (the
 * host was resolved by {@link HostSettings}), only public-key login is tried (no password prompt can be
 * answered), and ciphers are ordered for speed.
 */
final class SshClientFactory {
  /**
   * AES-GCM first: SunJCE runs it with AES-NI and CLMUL, while SSHD's ChaCha20-Poly1305 (its default first
   * choice) is pure Java. Measured over loopback to OpenSSH sshd on this project's 2-core machine: see
   * docs/ssh.md (STACK.md: chacha 36-82 MB/s, AES-GCM/CTR 120-290 MB/s). CTR next (also AES-NI, but
   * encrypt-then-MAC costs a separate HMAC pass), ChaCha20 last for servers that offer nothing else. CBC
   * is left out, as OpenSSH does by default.
   */
  static final List<BuiltinCiphers> DEFAULT_CIPHERS = List.of(
      BuiltinCiphers.aes128gcm, BuiltinCiphers.aes256gcm,
      BuiltinCiphers.aes128ctr, BuiltinCiphers.aes192ctr, BuiltinCiphers.aes256ctr,
      BuiltinCiphers.cc20p1305_openssh);
  static final String DEFAULT_CIPHERS_TEXT =
      DEFAULT_CIPHERS.stream().map(BuiltinCiphers::getName).collect(Collectors.joining(","));

  /**
   * A writer waits this long for the remote side to read before failing. SSHD's default is 30 s, but a
   * remote jsync may legitimately not read for minutes (scanning a large tree); a dead peer is detected by
   * keep-alives instead. Closing the pipe unblocks a waiting writer at once.
   */
  private static final Duration WAIT_FOR_SPACE = Duration.ofDays(1);

  private SshClientFactory() {}

  static SshClient create(HostSettings host, HostKeyCheck hostKeyCheck) {
    SshClient client = SshClient.setUpDefaultClient();
    client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
    client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
    client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
    client.setServerKeyVerifier(hostKeyCheck);
    client.setCipherFactories(ciphers(host.ciphers()));
    client.setKeyExchangeFactories(NamedFactory.setUpTransformedFactories(false,
        kexFactories(host.kexAlgorithms()), ClientBuilder.DH2KEX));
    client.setSignatureFactories(preferKnownKeyTypes(client.getSignatureFactories(), knownKeyTypes(host)));

    CoreModuleProperties.IO_CONNECT_TIMEOUT.set(client, host.connectTimeout());
    CoreModuleProperties.AUTH_TIMEOUT.set(client, host.connectTimeout());
    CoreModuleProperties.CHANNEL_OPEN_TIMEOUT.set(client, host.connectTimeout());
    CoreModuleProperties.WAIT_FOR_SPACE_TIMEOUT.set(client, WAIT_FOR_SPACE);
    // The protocol is request/response: with Nagle's algorithm a small request waits for the ACK of the
    // previous packet, which the peer delays by up to 40 ms (measured: 45-85 ms per 1-byte echo without
    // this, against the embedded server). OpenSSH sets TCP_NODELAY for interactive sessions too.
    CoreModuleProperties.TCP_NODELAY.set(client, true);
    // TCP keep-alive as OpenSSH's default TCPKeepAlive=yes: a dead peer's connection is eventually dropped
    // even with keep-alive messages off.
    CoreModuleProperties.SOCKET_KEEPALIVE.set(client, true);
    // SSHD closes a session idle for 10 minutes by default; a long remote scan is silent that long. Liveness
    // is the keep-alives' job.
    CoreModuleProperties.IDLE_TIMEOUT.set(client, Duration.ZERO);
    if (!host.aliveInterval().isZero()) {
      CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, host.aliveInterval());
      CoreModuleProperties.HEARTBEAT_REQUEST.set(client, "keepalive@openssh.com");
      CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, host.aliveCountMax());
    }
    return client;
  }

  /**
   * Key exchanges in OpenSSH 10's order: the post-quantum hybrids first, ML-KEM before NTRU Prime (the same
   * protection, much less computation: SSHD's default puts sntrup761 first). The SHA-1 and NIST-P256/384
   * hybrid ones SSHD also has are left out, as OpenSSH leaves them out by default.
   */
  static final List<String> KEX_NAMES = List.of(
      "mlkem768x25519-sha256", "sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com",
      "curve25519-sha256", "curve25519-sha256@libssh.org", "curve448-sha512",
      "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
      "diffie-hellman-group-exchange-sha256", "diffie-hellman-group16-sha512",
      "diffie-hellman-group18-sha512", "diffie-hellman-group14-sha256");

  private static List<DHFactory> kexFactories(List<String> names) {
    List<DHFactory> out = new ArrayList<>();
    for (String n : names.isEmpty() ? KEX_NAMES : names) {
      String name = n.strip();
      DHFactory f = Sntrup761KeyAhead.NAMES.contains(name)
          ? new Sntrup761KeyAhead(name) // SSHD's, with a key pair that may be generated ahead
          : BuiltinDHFactories.fromFactoryName(name); // sshargs names validated in ClientArgs
      if (f != null && f.isSupported()) {
        out.add(f);
      }
    }
    return out;
  }

  private static List<NamedFactory<Cipher>> ciphers(List<String> names) {
    List<NamedFactory<Cipher>> out = new ArrayList<>();
    if (names.isEmpty()) {
      for (BuiltinCiphers c : DEFAULT_CIPHERS) {
        if (c.isSupported()) {
          out.add(c);
        }
      }
    } else {
      for (String n : names) {
        out.add(BuiltinCiphers.fromFactoryName(n.strip())); // validated in ClientArgs
      }
    }
    return out;
  }

  /** The key types known_hosts holds for the host, e.g. only {@code ssh-rsa}. */
  private static Set<String> knownKeyTypes(HostSettings host) {
    Set<String> types = new LinkedHashSet<>();
    try {
      for (KnownHostEntry e : KnownHostEntry.readKnownHostEntries(host.knownHosts())) {
        if (e.getKeyEntry() != null && e.getMarker() == null && e.isHostMatch(host.hostName(), host.port())) {
          types.add(KeyUtils.getCanonicalKeyType(e.getKeyEntry().getKeyType()));
        }
      }
    } catch (NoSuchFileException e) {
      // No known hosts at all: the host key check will explain.
    } catch (IOException | RuntimeException e) {
      // Unreadable lines: the host key check reads the file again and reports it.
    }
    return types;
  }

  /**
   * Puts the host-key algorithms of the key types already known for this host first, as OpenSSH does. A
   * server has several host keys; without this, SSHD asks for its own favourite (ECDSA) and a host known
   * only by its ed25519 or RSA key (e.g. from {@code ssh-keyscan -t}) would fail as "unknown".
   */
  static List<NamedFactory<Signature>> preferKnownKeyTypes(List<NamedFactory<Signature>> all, Set<String> known) {
    if (known.isEmpty()) {
      return all;
    }
    List<NamedFactory<Signature>> first = new ArrayList<>();
    List<NamedFactory<Signature>> rest = new ArrayList<>();
    for (NamedFactory<Signature> f : all) {
      String type = KeyUtils.getCanonicalKeyType(f.getName());
      (known.contains(type) ? first : rest).add(f);
    }
    first.addAll(rest);
    return first;
  }
}
