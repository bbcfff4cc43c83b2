/**
 * The shared vocabulary of every stage: {@link jsync.core.model.RelPath} (a path inside a root),
 * {@link jsync.core.model.Entry} (what is at a path), {@link jsync.core.model.Fingerprint} (content hash),
 * {@link jsync.core.model.Stamp} (fast-check metadata) and {@link jsync.core.model.PropsPolicy} (what counts
 * as a difference). Pure immutable values: no I/O here.
 */
package jsync.core.model;
