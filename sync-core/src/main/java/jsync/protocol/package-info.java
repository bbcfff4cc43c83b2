/**
 * The wire protocol between a jsync client and {@code jsync server}, over any pair of byte streams: framing
 * ({@link jsync.protocol.FrameWriter}, {@link jsync.protocol.FrameReader}: length-prefixed frames on
 * channels, optionally LZ4-compressed), the version handshake ({@link jsync.protocol.Handshake}) and the
 * control messages ({@link jsync.protocol.Message}, encoded as Smile by {@link jsync.protocol.MessageCodec}),
 * which carry the calls of {@link jsync.core.sync.Replica}. The format is described in
 * {@code docs/protocol.md}.
 *
 * <p>Streams only: this package never opens a socket, starts a process or speaks SSH (that is
 * {@code jsync.transport.ssh}), so tests run it over in-memory pipes and the server over stdin and stdout.
 * Every byte read is untrusted: lengths are checked before anything is allocated, values are validated as
 * they are decoded (a path from the peer can never leave the root), and every violation is a
 * {@link jsync.protocol.ProtocolException}, never a hang, an {@link OutOfMemoryError} or a half-built value.
 */
package jsync.protocol;
