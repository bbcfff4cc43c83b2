/**
 * Remote replicas over SSH (Apache MINA SSHD client, exec channel to {@code jsync server}). Not built yet:
 * issue 3. Until then a {@code ssh://} root is refused with a clear "not yet supported" error by the CLI.
 */
package jsync.transport.ssh;
