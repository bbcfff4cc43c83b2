/**
 * The archive: each replica's record of the last synchronized state, in RocksDB
 * ({@link jsync.core.archive.Archive}), where it lives ({@link jsync.core.archive.ArchiveLocation}) and the
 * lock that keeps two runs on one replica pair apart ({@link jsync.core.archive.PairLock}). Format:
 * {@code docs/archive.md}.
 */
package jsync.core.archive;
