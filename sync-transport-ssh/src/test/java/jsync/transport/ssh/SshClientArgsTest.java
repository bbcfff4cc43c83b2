package jsync.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The sshargs subset of the built-in client: OpenSSH's spellings, first value wins, the rest refused. */
class SshClientArgsTest {
  @Test
  void separateAndAttachedValues_bothParse() {
    ClientArgs a = ClientArgs.parse(List.of("-p2222", "-l", "bob", "-i", "/k1", "-i/k2", "-F", "/cfg",
        "-oConnectTimeout=5", "-o", "ServerAliveInterval 10", "-T", "-q"));
    assertEquals(OptionalInt.of(2222), a.port());
    assertEquals(Optional.of("bob"), a.user());
    assertEquals(List.of("/k1", "/k2"), a.identities());
    assertEquals(Optional.of("/cfg"), a.configFile());
    assertEquals("5", a.options().get("ConnectTimeout"));
    assertEquals("10", a.options().get("ServerAliveInterval"));
  }

  @Test
  void firstValueWins_identitiesAccumulate() {
    ClientArgs a = ClientArgs.parse(List.of("-p", "1", "-p", "2", "-o", "Port=3", "-o", "IdentityFile=/a",
        "-o", "userknownhostsfile=/kh1", "-o", "UserKnownHostsFile=/kh2", "-i", "/b"));
    assertEquals(OptionalInt.of(1), a.port());
    assertEquals(List.of("/a", "/b"), a.identities());
    assertEquals("/kh1", a.options().get("UserKnownHostsFile"));
  }

  @Test
  void portAndUserFromDashO() {
    ClientArgs a = ClientArgs.parse(List.of("-o", "Port=2200", "-o", "User=deploy"));
    assertEquals(OptionalInt.of(2200), a.port());
    assertEquals(Optional.of("deploy"), a.user());
  }

  @Test
  void badValues_areRefusedNamingTheOption() {
    for (List<String> args : List.of(List.of("-p", "0"), List.of("-p", "x"), List.of("-o", "ConnectTimeout=0"),
        List.of("-o", "ServerAliveCountMax=-1"), List.of("-o", "Ciphers=aes128-cbc"),
        List.of("-o", "KexAlgorithms=diffie-hellman-group1-sha1"),
        List.of("-o", "KexAlgorithms=+curve25519-sha256"), List.of("-p"),
        List.of("web1"), List.of("-o", "StrictHostKeyChecking=ask"))) {
      TransportException e = assertThrows(TransportException.class, () -> ClientArgs.parse(args));
      assertTrue(e.getMessage().length() > 20, e.getMessage());
    }
  }

  @Test
  void chosenKeyExchanges_areAccepted() {
    ClientArgs a = ClientArgs.parse(List.of("-o", "KexAlgorithms=curve25519-sha256,sntrup761x25519-sha512"));
    assertEquals("curve25519-sha256,sntrup761x25519-sha512", a.options().get("KexAlgorithms"));
  }

  @Test
  void chosenCiphers_areAccepted() {
    ClientArgs a = ClientArgs.parse(List.of("-o", "Ciphers=chacha20-poly1305@openssh.com,aes256-ctr"));
    assertEquals("chacha20-poly1305@openssh.com,aes256-ctr", a.options().get("Ciphers"));
  }

  @Test
  void splitSshargs_splitsAtWhitespaceLikeUnison() {
    assertEquals(List.of("-p", "2222", "-i", "/k"), SshOptions.splitSshargs("  -p 2222\t-i /k "));
    assertEquals(List.of(), SshOptions.splitSshargs("   "));
  }
}
