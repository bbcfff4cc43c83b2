/**
 * Apply: carries out a plan's changes on one replica ({@link jsync.core.apply.Applier}) as
 * {@link jsync.core.apply.Op}s grouped in {@link jsync.core.apply.Step}s: temporary file, content check,
 * re-check of the destination, optional backup, atomic rename, grouped syncs to disk. Writes only below the
 * replica's root.
 */
package jsync.core.apply;
