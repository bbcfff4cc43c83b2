package jsync.transport.ssh.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * An embedded SSH server for tests (after apache/mina-sshd's {@code CoreTestSupportUtils}): MINA SSHD on
 * 127.0.0.1, a free port, freshly generated host keys, public-key login for the keys {@link #authorize}d,
 * and exec requests run in-process by an {@link ExecHandler} (later: the jsync server itself). No shell, no
 * processes, no files.
 */
public final class TestSshServer implements AutoCloseable {
  /** Host key types the server can offer. */
  public enum HostKeyType {
    ED25519("ssh-ed25519", 256), RSA("ssh-rsa", 2048);

    final String sshName;
    final int bits;

    HostKeyType(String sshName, int bits) {
      this.sshName = sshName;
      this.bits = bits;
    }
  }

  private volatile SshServer server;
  private final Map<HostKeyType, KeyPair> hostKeys;
  private final List<PublicKey> authorized = new CopyOnWriteArrayList<>();
  private final List<String> commandLines = new CopyOnWriteArrayList<>();
  private final List<String> users = new CopyOnWriteArrayList<>();
  private final List<String> ciphers = new CopyOnWriteArrayList<>();
  private final List<String> kex = new CopyOnWriteArrayList<>();
  private final AtomicInteger running = new AtomicInteger();
  private volatile ExecHandler handler;

  private TestSshServer(SshServer server, Map<HostKeyType, KeyPair> hostKeys, ExecHandler handler) {
    this.server = server;
    this.hostKeys = hostKeys;
    this.handler = handler;
  }

  /** Starts a server offering host keys of the given types (ed25519 if none given). */
  public static TestSshServer start(ExecHandler handler, HostKeyType... types) throws IOException {
    Map<HostKeyType, KeyPair> keys = new EnumMap<>(HostKeyType.class);
    try {
      for (HostKeyType t : types.length == 0 ? new HostKeyType[] {HostKeyType.ED25519} : types) {
        keys.put(t, KeyUtils.generateKeyPair(t.sshName, t.bits));
      }
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot generate a test host key", e);
    }
    TestSshServer s = new TestSshServer(null, keys, handler);
    s.server = s.listen(0);
    return s;
  }

  private SshServer listen(int port) throws IOException {
    SshServer sshd = SshServer.setUpDefaultServer();
    sshd.setHost("127.0.0.1");
    sshd.setPort(port);
    CoreModuleProperties.TCP_NODELAY.set(sshd, true); // as OpenSSH's sshd; else round trips wait ~40 ms
    sshd.setKeyPairProvider(KeyPairProvider.wrap(new ArrayList<>(hostKeys.values())));
    sshd.setPublickeyAuthenticator((user, key, session) -> {
      boolean ok = authorized.stream().anyMatch(k -> KeyUtils.compareKeys(k, key));
      if (ok) {
        users.add(user);
        ciphers.add(session.getNegotiatedKexParameter(KexProposalOption.C2SENC));
        kex.add(session.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS));
      }
      return ok;
    });
    sshd.setCommandFactory((channel, command) -> new HandlerCommand(command));
    sshd.start();
    return sshd;
  }

  /**
   * Stops the server, dropping every connection, and starts it again on the same port with the same host
   * keys after {@code downMillis} (a restarted sshd, as a daemon's client meets it).
   */
  public void restart(long downMillis) throws IOException, InterruptedException {
    int port = port();
    server.stop(true);
    Thread.sleep(downMillis);
    server = listen(port);
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return server.getPort();
  }

  public PublicKey hostKey(HostKeyType type) {
    KeyPair kp = hostKeys.get(type);
    if (kp == null) {
      throw new IllegalArgumentException("this server has no " + type + " host key");
    }
    return kp.getPublic();
  }

  /** Lets the holder of this key's private half log in (as any user). */
  public TestSshServer authorize(PublicKey userKey) {
    authorized.add(userKey);
    return this;
  }

  /** Replaces the handler for the following exec requests. */
  public void handler(ExecHandler handler) {
    this.handler = handler;
  }

  /** Every command line received, in order. */
  public List<String> commandLines() {
    return List.copyOf(commandLines);
  }

  /** The user names of successful logins, in order (a name may repeat within one login). */
  public List<String> users() {
    return List.copyOf(users);
  }

  /** The client-to-server cipher of each successful login, in order. */
  public List<String> ciphers() {
    return List.copyOf(ciphers);
  }

  /** The key exchange of each successful login, in order. */
  public List<String> keyExchanges() {
    return List.copyOf(kex);
  }

  /** How many handlers are running now. */
  public int running() {
    return running.get();
  }

  @Override
  public void close() throws IOException {
    server.stop(true);
  }

  /** One exec request: the handler on its own thread, then flush, exit status, close. */
  private final class HandlerCommand implements Command {
    private final String commandLine;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private Thread thread;

    HandlerCommand(String commandLine) {
      this.commandLine = commandLine;
    }

    @Override
    public void setInputStream(InputStream in) {
      this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
      this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback exit) {
      this.exit = exit;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
      commandLines.add(commandLine);
      ExecHandler h = handler;
      running.incrementAndGet();
      thread = new Thread(() -> run(h), "test-ssh-exec");
      thread.setDaemon(true);
      thread.start();
    }

    private void run(ExecHandler h) {
      int status;
      try {
        status = h.run(in, out, err, ShellWords.split(commandLine));
      } catch (Throwable t) {
        PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);
        ps.println("test handler failed: " + t);
        status = 255;
      }
      try {
        out.flush();
        err.flush();
      } catch (IOException e) {
        // The client went away; there is nobody to deliver the output to.
      }
      running.decrementAndGet();
      exit.onExit(status);
    }

    @Override
    public void destroy(ChannelSession channel) {
      // The client closed the channel: a handler still blocked (never reading, sleeping) is told to stop.
      if (thread != null && thread.isAlive()) {
        thread.interrupt();
      }
    }
  }
}
