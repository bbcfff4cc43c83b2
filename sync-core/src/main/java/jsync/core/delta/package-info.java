/**
 * Delta transfer, rsync style: sending a file's new version as copies of blocks the receiver already has,
 * plus the bytes it lacks. Pure over bytes and streams: nothing here opens a file by name or touches a
 * socket; the protocol carries signatures and encoded deltas, and apply provides the channels.
 *
 * <ul>
 *   <li>{@link jsync.core.delta.SignatureBuilder} computes the {@link jsync.core.delta.Signature} of the
 *       receiver's old version (the basis): per block, a {@link jsync.core.delta.RollingChecksum} and an
 *       xxHash64 ({@link jsync.core.delta.XxHash}).
 *   <li>{@link jsync.core.delta.Matcher} (sender) finds those blocks in the new version and describes it
 *       to a {@link jsync.core.delta.DeltaSink} as copies and literals, computing its fingerprint as it
 *       reads.
 *   <li>{@link jsync.core.delta.DeltaEncoder} writes the operations as bytes (format in
 *       {@code docs/delta.md}); {@link jsync.core.delta.DeltaDecoder} reads them back, treating them as
 *       hostile ({@link jsync.core.delta.DeltaException}).
 *   <li>{@link jsync.core.delta.Patcher} (receiver) carries the operations out against the basis and
 *       reports whether the result is the new version the sender announced.
 * </ul>
 *
 * The split follows jgit's {@code DeltaIndexScanner}/{@code DeltaIndex}, {@code DeltaEncoder} and
 * {@code BinaryDelta}. Memory is bounded by the block size, never by the file size.
 */
package jsync.core.delta;
