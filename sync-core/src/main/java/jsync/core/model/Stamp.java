package jsync.core.model;

/**
 * What the fast check compares to decide whether a file may have changed without reading it: size,
 * modification time, inode number and status-change time, all as this replica's filesystem reports them.
 * Stamps are local to one replica (inodes differ between machines), so they live in that replica's archive
 * and never cross to the other side. {@code ctime} is 0 where the filesystem does not report one; the check
 * then relies on the other three, as Unison does.
 *
 * <p>{@link #NONE} matches nothing: an entry recorded with it is hashed again on the next scan. The scanner
 * records it for files modified too recently to trust their timestamps (see {@code Scanner}).
 */
public record Stamp(long size, long mtimeNanos, long inode, long ctimeNanos) {
  public static final Stamp NONE = new Stamp(-1, 0, 0, 0);

  /** True if both stamps are real and equal: the file is taken to be unchanged. */
  public boolean matches(Stamp other) {
    return size >= 0 && equals(other);
  }

  // equals and hashCode written out: the scanner compares two stamps per file, and a record's generated
  // ones go through invokedynamic, slow until the JIT gets to them, which a short cron run never lets it.
  @Override
  public boolean equals(Object o) {
    return o instanceof Stamp s && size == s.size && mtimeNanos == s.mtimeNanos && inode == s.inode
        && ctimeNanos == s.ctimeNanos;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(size) * 31 + Long.hashCode(mtimeNanos ^ inode ^ ctimeNanos);
  }
}
