/**
 * Delta transfer building blocks, rsync style: {@link jsync.core.delta.RollingChecksum},
 * {@link jsync.core.delta.Signature} and its builder. Pure over bytes and streams; never touches a socket.
 * The matcher, encoder and patcher come with the remote transport (issue 3).
 */
package jsync.core.delta;
