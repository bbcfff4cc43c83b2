/**
 * Remote replicas over SSH: a byte pipe to a command on a remote host ({@code jsync server}), for the protocol
 * to run over. {@link jsync.transport.ssh.SshConnector} opens a {@link jsync.transport.ssh.RemotePipe} with
 * the built-in Apache MINA SSHD client (the user's {@code ~/.ssh/config}, keys and {@code known_hosts},
 * strict host-key checking, AES-GCM first) or through an external program such as OpenSSH's {@code ssh}
 * ({@code sshcmd}). Every failure is a {@link jsync.transport.ssh.TransportException} saying what to do.
 *
 * <p>This package knows nothing of the protocol, and sync-core knows nothing of this package: the protocol
 * runs over any pair of streams. It must never hand a command line to a local shell, nor accept a host key
 * it cannot verify. See {@code docs/ssh.md}.
 */
package jsync.transport.ssh;
