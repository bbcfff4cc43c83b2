package jsync.core.apply;

import java.util.Objects;
import java.util.Optional;
import jsync.core.model.Entry;
import jsync.core.model.Observed;
import jsync.core.model.RelPath;
import jsync.core.model.Stamp;

/**
 * One change to one path of the replica being written, with the state the path must still be in for the
 * change to go ahead ({@code expected}: what the scan saw there). The applier re-checks it just before
 * acting and refuses when the disk no longer matches, so a change made on the destination while jsync runs
 * is never overwritten.
 *
 * @param want the entry to leave at the path ({@link Entry.Absent} for {@link Kind#REMOVE})
 * @param reuseFrom for a file, a path in this same replica believed to hold the same content (e.g. the old
 *     name of a renamed file): copied locally instead of transferred; verified by hash like any transfer
 * @param sourceStamp for a file whose fingerprint is unknown (never hashed), its stamp on the source replica
 *     as scanned: the source then checks the file still has it, in place of a hash comparison
 */
public record Op(Kind kind, RelPath path, Entry want, Observed expected, Optional<RelPath> reuseFrom,
    Stamp sourceStamp) {
  /** What an op does. */
  public enum Kind {
    /** Create or replace a file, symlink or directory with {@code want}. */
    PUT,
    /** Same content, new properties (permissions, mtime). */
    SET_PROPS,
    /** Remove the file, symlink or (empty) directory. */
    REMOVE
  }

  public Op {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(want, "want");
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(reuseFrom, "reuseFrom");
    Objects.requireNonNull(sourceStamp, "sourceStamp");
    if (path.isRoot()) {
      throw new IllegalArgumentException("an op never touches the root itself");
    }
    if ((kind == Kind.REMOVE) != want.isAbsent()) {
      throw new IllegalArgumentException(kind + " with want " + want + " at " + path.display());
    }
    if (want.kind() == Entry.Kind.PROBLEM) {
      throw new IllegalArgumentException("cannot write a problem entry at " + path.display());
    }
  }

  public static Op put(RelPath path, Entry want, Observed expected) {
    return new Op(Kind.PUT, path, want, expected, Optional.empty(), Stamp.NONE);
  }

  public static Op setProps(RelPath path, Entry want, Observed expected) {
    return new Op(Kind.SET_PROPS, path, want, expected, Optional.empty(), Stamp.NONE);
  }

  public static Op remove(RelPath path, Observed expected) {
    return new Op(Kind.REMOVE, path, Entry.ABSENT, expected, Optional.empty(), Stamp.NONE);
  }

  public Op reusing(RelPath local) {
    return new Op(kind, path, want, expected, Optional.of(local), sourceStamp);
  }

  public Op withSourceStamp(Stamp stamp) {
    return new Op(kind, path, want, expected, reuseFrom, stamp);
  }
}
