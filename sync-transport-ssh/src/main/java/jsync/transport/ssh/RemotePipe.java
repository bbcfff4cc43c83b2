package jsync.transport.ssh;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A byte pipe to a command running on a remote host: its standard input and output, its standard error kept
 * for messages, and its exit status. What runs over the pipe (the jsync protocol) is not this interface's
 * business. One pipe is one SSH connection; {@link #close()} ends both.
 *
 * <p>Thread use: one thread may read {@link #in()} while another writes {@link #out()}; {@link #close()} may
 * be called from any thread and unblocks both.
 */
public interface RemotePipe extends AutoCloseable {
  /**
   * The remote command's standard output. At its end, {@code read} returns -1 when the command exited with
   * status 0 (or its status is unknown, e.g. the connection dropped) but throws {@link TransportException}
   * when it exited with another status or was killed, with a message built from the status and
   * {@link #stderrTail()} ("command 'jsync' not found on web1 ..."): a peer that vanishes mid-protocol is then
   * explained instead of reported as a truncated frame.
   */
  InputStream in();

  /** The remote command's standard input. Closing it sends end-of-file; the command sees EOF on its stdin. */
  OutputStream out();

  /**
   * The last few kilobytes the remote command wrote to its standard error (with the external {@code ssh}
   * command, also ssh's own messages), for error messages. Never blocks; empty if nothing was written.
   */
  String stderrTail();

  /**
   * The remote command's exit status once it is known: after it exited, typically after {@link #in()}
   * reached its end or after {@link #close()}. Empty while it runs, and when it was killed by a signal or the
   * connection ended without a status.
   */
  OptionalInt exitStatus();

  /**
   * The key exchange algorithm the connection agreed on, e.g. {@code sntrup761x25519-sha512}: known with the
   * built-in client, empty with an external one. A caller may remember it for {@link
   * SshConnector#prepareKeyExchange} next time.
   */
  default Optional<String> keyExchange() {
    return Optional.empty();
  }

  /**
   * Ends the pipe: sends EOF on the remote stdin (if {@link #out()} is still open), waits a bounded time
   * ({@link SshOptions#closeTimeout()}) for the command to exit so that {@link #exitStatus()} is known, then
   * closes the channel and the connection (or ends the ssh process). Idempotent; never throws: a failure
   * here cannot be acted on, and the exit status tells whether the remote side finished.
   */
  @Override
  void close();
}
