package jsync.core.model;

/**
 * What the fast check compares to decide whether a file may have changed without reading it: size,
 * modification time, inode number and status-change time, all as this replica's filesystem reports them.
 * Stamps are local to one replica (inodes differ between machines), so they live in that replica's archive
 * and never cross to the other side. {@code ctime} is 0 where the filesystem does not report one; the check
 * then relies on the other three, as Unison does.
 */
public record Stamp(long size, long mtimeNanos, long inode, long ctimeNanos) {
  public static final Stamp NONE = new Stamp(-1, 0, 0, 0);
}
