package jsync.transport.ssh;

import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.kex.KexProposalOption;

/**
 * A pipe over the built-in client: one client, one session, one exec channel, all owned by the pipe and
 * ended by its close. The remote stdout is read from the channel's inverted output; stderr goes straight
 * into the tail from SSHD's I/O thread (an unread stderr pipe would otherwise fill the channel window and
 * stall the command).
 */
final class MinaPipe extends AbstractPipe {
  /** For a finished command the close handshake is one round trip; this only bounds a peer gone silent. */
  private static final Duration GRACEFUL_CLOSE = Duration.ofSeconds(2);

  private final SshClient client;
  private final ClientSession session;
  private final ChannelExec channel;

  /**
   * Opens the exec channel on an authenticated session. The stderr tail must be in place before the channel
   * opens, hence the factory shape.
   */
  static MinaPipe open(SshClient client, ClientSession session, String commandLine, RemoteTarget target,
      Duration openTimeout, Duration closeTimeout) throws IOException {
    ChannelExec channel = session.createExecChannel(commandLine);
    StderrTail tail = new StderrTail();
    channel.setErr(tail);
    channel.open().verify(openTimeout);
    return new MinaPipe(client, session, channel, target, closeTimeout, tail);
  }

  private MinaPipe(SshClient client, ClientSession session, ChannelExec channel, RemoteTarget target,
      Duration closeTimeout, StderrTail tail) {
    super(channel.getInvertedOut(), channel.getInvertedIn(), target, closeTimeout, tail);
    this.client = client;
    this.session = session;
    this.channel = channel;
  }

  @Override
  public Optional<String> keyExchange() {
    String kex = session.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS);
    return kex == null || kex.isEmpty() ? Optional.empty() : Optional.of(kex);
  }

  @Override
  public OptionalInt exitStatus() {
    Integer s = channel.getExitStatus();
    return s == null ? OptionalInt.empty() : OptionalInt.of(s);
  }

  @Override
  OptionalInt awaitExit(Duration timeout) {
    if (channel.getExitStatus() == null && !timeout.isZero()) {
      channel.waitFor(EnumSet.of(ClientChannelEvent.EXIT_STATUS, ClientChannelEvent.EXIT_SIGNAL,
          ClientChannelEvent.CLOSED), timeout);
    }
    return exitStatus();
  }

  @Override
  String abnormalEnd() {
    String signal = channel.getExitSignal();
    return signal == null ? null : "was killed by signal " + signal;
  }

  @Override
  void forceClose() {
    if (channel.getExitStatus() != null || channel.getExitSignal() != null) {
      // The command is done: say goodbye properly, so the server does not log a connection reset.
      try {
        if (session.close(false).await(GRACEFUL_CLOSE)) {
          return;
        }
      } catch (IOException e) {
        // Fall through to the immediate close.
      }
    }
    channel.close(true);
    session.close(true);
  }

  @Override
  void release() {
    // stop() shuts the client's I/O threads down; without it each connection would leak a thread pool.
    client.stop();
  }
}
