package jsync.transport.ssh;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import jsync.core.profile.RootSpec;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;

/**
 * Opens a {@link RemotePipe} to a command on an SSH host: with the built-in client (Apache MINA SSHD) by
 * default, or through an external program such as OpenSSH's {@code ssh} when {@link SshOptions#sshcmd()} is
 * set. One call, one connection; the pipe's close ends it.
 *
 * <p>The remote command is given as words and reaches the remote shell quoted ({@link ShellQuote}), so no
 * path or program name can inject shell syntax. With the built-in client the user's {@code ~/.ssh/config},
 * keys and {@code known_hosts} are honoured as {@code docs/ssh.md} describes, and host keys are checked
 * strictly: an unknown or changed key fails with a {@link TransportException} that says how to fix it.
 * Every failure is a {@link TransportException}.
 */
public final class SshConnector {
  private enum Stage {
    CONNECT, LOGIN, COMMAND
  }

  /**
   * Connects to {@code root}'s host and starts {@code remoteCommand} there (the root's path is not used:
   * the command carries whatever it needs).
   *
   * @throws TransportException if the host cannot be reached, its key is not trusted, login is refused or
   *     the command cannot be started; with the external client, such failures show instead at the end of
   *     {@link RemotePipe#in()}, from ssh's exit status and messages
   * @throws IllegalArgumentException if the command is empty or a word contains a NUL character
   */
  public RemotePipe open(RootSpec.Ssh root, List<String> remoteCommand, SshOptions options) {
    String commandLine = ShellQuote.commandLine(remoteCommand);
    return options.builtin() ? openBuiltin(root, remoteCommand, commandLine, options)
        : openExternal(root, remoteCommand, commandLine, options);
  }

  /**
   * The key exchange to prepare for on a first connection to a root, when nothing is remembered of it: the
   * one OpenSSH 9.0 to 9.8 agree on with this client (Debian 12's 9.2 among them). Nothing else runs on the
   * second core then (with no root remembered there is no scan ahead), so a pair the server turns out not
   * to need (OpenSSH 9.9 and later agree on ML-KEM) costs CPU on an idle core, not time.
   */
  public static final String LIKELY_KEY_EXCHANGE = "sntrup761x25519-sha512";

  /**
   * Prepares the key exchange of a connection about to be opened, given the one its server agreed on last
   * time ({@link RemotePipe#keyExchange()}, remembered by the caller): when that needs a key pair that is
   * expensive to generate (sntrup761), the built-in client generates it now on a thread of its own, and the
   * connection takes it ({@link Sntrup761KeyAhead}). A wrong guess costs that generation, never the
   * connection.
   *
   * @return completes once the pair is ready; at once when nothing is generated ahead
   */
  public static CompletableFuture<?> prepareKeyExchange(SshOptions options, String lastKeyExchange) {
    if (options.builtin() && Sntrup761KeyAhead.NAMES.contains(lastKeyExchange)) {
      return Sntrup761KeyAhead.startKeyGeneration();
    }
    return CompletableFuture.completedFuture(null);
  }

  private static RemotePipe openBuiltin(RootSpec.Ssh root, List<String> command, String commandLine,
      SshOptions options) {
    BouncyCastleOnDemand.install(); // before SSHD's security code first looks for Bouncy Castle
    ClientArgs args = ClientArgs.parse(options.sshargs());
    HostSettings host = HostSettings.resolve(root, options, args);
    KeyLoader.Loaded keys = KeyLoader.load(host.identities(), host.identitiesExplicit());
    HostKeyCheck hostKeyCheck = new HostKeyCheck(host);
    SshClient client = SshClientFactory.create(host, hostKeyCheck);
    client.start();
    ClientSession session = null;
    Stage stage = Stage.CONNECT;
    try {
      session = client.connect(host.user(), host.hostName(), host.port()).verify(host.connectTimeout())
          .getSession();
      stage = Stage.LOGIN;
      for (KeyPair kp : keys.keys()) {
        session.addPublicKeyIdentity(kp);
      }
      session.auth().verify(host.connectTimeout());
      stage = Stage.COMMAND;
      RemoteTarget target = new RemoteTarget(host.display(), command, "");
      return MinaPipe.open(client, session, commandLine, target, host.connectTimeout(), options.closeTimeout());
    } catch (IOException | RuntimeException e) {
      if (session != null) {
        session.close(true);
      }
      client.stop();
      throw explain(e, stage, host, hostKeyCheck, keys);
    }
  }

  private static TransportException explain(Exception e, Stage stage, HostSettings host,
      HostKeyCheck hostKeyCheck, KeyLoader.Loaded keys) {
    if (hostKeyCheck.rejection() != null) {
      return new TransportException(hostKeyCheck.rejection(), e);
    }
    if (e instanceof TransportException te) {
      return te;
    }
    String where = host.display();
    String detail = rootMessage(e);
    if (stage == Stage.CONNECT) {
      String hostPort = host.hostName() + " port " + host.port();
      if (hasCause(e, ConnectException.class)) {
        return new TransportException("cannot connect to " + hostPort + " (for " + where + "): connection"
            + " refused. Is the SSH server running there, and is the port right (ssh://host:PORT/... in the"
            + " root, or Port in ~/.ssh/config)?", e);
      }
      if (hasCause(e, UnknownHostException.class) || hasCause(e, UnresolvedAddressException.class)) {
        return new TransportException("cannot resolve the host name '" + host.hostName() + "' (for " + where
            + "). Check its spelling, or the HostName for it in ~/.ssh/config.", e);
      }
      if (hasCause(e, NoRouteToHostException.class)) {
        return new TransportException("no route to " + hostPort + " (for " + where + "): " + detail, e);
      }
      if (isTimeout(e)) {
        return new TransportException("could not connect to " + hostPort + " (for " + where + ") within "
            + host.connectTimeout().toSeconds() + " s. Is the host up and reachable? (ConnectTimeout in"
            + " sshargs or ~/.ssh/config changes the limit)", e);
      }
      return new TransportException("cannot connect to " + hostPort + " (for " + where + "): " + detail, e);
    }
    if (stage == Stage.LOGIN) {
      if (isTimeout(e)) {
        return new TransportException("the SSH server of " + where + " did not complete the login within "
            + host.connectTimeout().toSeconds() + " s: " + detail, e);
      }
      if (!detail.toLowerCase(Locale.ROOT).contains("authentication")) {
        // Key exchange failed (no common algorithm) or the server dropped us before login.
        return new TransportException("the SSH connection to " + where + " failed before login: " + detail
            + (detail.contains("negotiate") ? ". The server and jsync's built-in client share no algorithm;"
                + " use the system's ssh client: sshcmd = ssh" : ""), e);
      }
      return new TransportException(loginRefused(host, keys), e);
    }
    return new TransportException("cannot start the remote command on " + where + ": " + detail, e);
  }

  private static String loginRefused(HostSettings host, KeyLoader.Loaded keys) {
    StringBuilder sb = new StringBuilder();
    if (keys.keys().isEmpty()) {
      sb.append("cannot log in to ").append(host.display()).append(": no usable private key. Looked for ")
          .append(String.join(", ", host.identities().stream().map(Object::toString).toList())).append('.');
    } else {
      sb.append("login to ").append(host.display()).append(" was refused for the keys tried: ")
          .append(String.join(", ", keys.tried())).append('.');
    }
    if (!keys.skipped().isEmpty()) {
      sb.append(" Skipped: ").append(String.join("; ", keys.skipped())).append('.');
    }
    String keyFile = keys.keys().isEmpty() ? "~/.ssh/id_ed25519" : host.identities().get(0).toString();
    sb.append(" Add your public key to ~/.ssh/authorized_keys of ").append(host.user()).append(" on the host,"
        + " e.g. with: ssh-copy-id -i ").append(keyFile).append(".pub")
        .append(host.port() == 22 ? "" : " -p " + host.port()).append(' ').append(host.user()).append('@')
        .append(host.hostName()).append(" (create a key first with ssh-keygen -t ed25519 if you have none),"
            + " or name the right key with IdentityFile in ~/.ssh/config or -i in sshargs. For keys with a"
            + " passphrase, use ssh-agent through the system's ssh client: sshcmd = ssh.");
    return sb.toString();
  }

  private static RemotePipe openExternal(RootSpec.Ssh root, List<String> command, String commandLine,
      SshOptions options) {
    List<String> argv = new ArrayList<>();
    argv.add(options.sshcmd());
    argv.addAll(options.sshargs());
    // -e none: no escape character, the stream is binary. BatchMode: never prompt (there is no one to
    // answer); an unknown host key or a refused login then fails instead of hanging.
    argv.addAll(List.of("-e", "none", "-o", "BatchMode=yes"));
    if (root.port() != RootSpec.Ssh.DEFAULT_PORT) {
      argv.addAll(List.of("-p", Integer.toString(root.port())));
    }
    root.user().ifPresent(u -> argv.addAll(List.of("-l", u)));
    // "--" ends ssh's options: the host can never be read as one (RootSpec refuses a leading '-' as well).
    argv.add("--");
    argv.add(root.host());
    argv.add(commandLine);
    String display = root.user().map(u -> u + "@").orElse("") + root.host()
        + (root.port() == RootSpec.Ssh.DEFAULT_PORT ? "" : ":" + root.port());
    RemoteTarget target = new RemoteTarget(display, command, ShellQuote.commandLine(argv));
    return ProcessPipe.start(argv, target, options.closeTimeout());
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isTimeout(Throwable t) {
    if (hasCause(t, SocketTimeoutException.class) || hasCause(t, InterruptedIOException.class)
        || hasCause(t, java.nio.channels.InterruptedByTimeoutException.class)) {
      return true;
    }
    String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
    return m.contains("timeout") || m.contains("timed out");
  }

  /** The innermost message, which is where SSHD puts the reason. */
  private static String rootMessage(Throwable t) {
    String msg = t.getMessage();
    for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
      if (c.getMessage() != null) {
        msg = c.getMessage();
      }
    }
    return msg == null ? t.getClass().getSimpleName() : msg;
  }
}
