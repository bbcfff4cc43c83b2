package jsync.core.model;

import java.util.Objects;

/**
 * What is at a path of one replica, or what the archive recorded there: a regular file, a directory, a
 * symbolic link, nothing ({@link Absent}), or a {@link Problem} that kept the scanner from knowing.
 *
 * <p>Entries carry only what is compared between replicas: content (fingerprint and size, link target) and
 * properties (permission bits, file modification time). Replica-local details used for the fast check live
 * in {@link Stamp}.
 */
public sealed interface Entry {
  Absent ABSENT = new Absent();

  /**
   * The kind of an entry, for exhaustive {@code switch} expressions: Java 17 has sealed types but no pattern
   * matching in {@code switch} (a preview feature there), and a switch over this enum without a
   * {@code default} branch fails to compile when a kind is added.
   */
  enum Kind {
    ABSENT, FILE, DIR, LINK, PROBLEM
  }

  Kind kind();

  /** Nothing at this path. */
  record Absent() implements Entry {
    @Override
    public Kind kind() {
      return Kind.ABSENT;
    }

    // equals and hashCode of every kind of entry are written out: a record's generated ones are bound
    // through invokedynamic on first use, which spins method-handle classes (~20 ms at the start of each
    // side's scan, seen in -Xlog:class+load), and stay slow until the JIT reaches them. The scanner compares
    // entries of every path.
    @Override
    public boolean equals(Object o) {
      return o instanceof Absent;
    }

    @Override
    public int hashCode() {
      return 0;
    }
  }

  /**
   * A regular file.
   *
   * @param mtimeNanos modification time in nanoseconds since the epoch
   * @param mode permission bits ({@code 07777} at most)
   */
  record File(long size, long mtimeNanos, int mode, Fingerprint fingerprint) implements Entry {
    public File {
      if (size < 0) {
        throw new IllegalArgumentException("negative file size " + size);
      }
      Objects.requireNonNull(fingerprint, "fingerprint");
      checkMode(mode);
    }

    @Override
    public Kind kind() {
      return Kind.FILE;
    }

    /** The same file with its content hash now known. */
    public File withFingerprint(Fingerprint fp) {
      return new File(size, mtimeNanos, mode, fp);
    }

    // Written out for speed in the scanner's hot path, as in Stamp.
    @Override
    public boolean equals(Object o) {
      return o instanceof File f && size == f.size && mtimeNanos == f.mtimeNanos && mode == f.mode
          && fingerprint.equals(f.fingerprint);
    }

    @Override
    public int hashCode() {
      return fingerprint.hashCode() * 31 + Long.hashCode(size);
    }
  }

  /** A directory; its children are separate entries. */
  record Dir(int mode) implements Entry {
    public Dir {
      checkMode(mode);
    }

    @Override
    public Kind kind() {
      return Kind.DIR;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Dir d && mode == d.mode;
    }

    @Override
    public int hashCode() {
      return mode;
    }
  }

  /** A symbolic link, never followed; its target is its content. */
  record Link(String target) implements Entry {
    public Link {
      if (target.isEmpty() || target.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("invalid symlink target '" + target + "'");
      }
    }

    @Override
    public Kind kind() {
      return Kind.LINK;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Link l && target.equals(l.target);
    }

    @Override
    public int hashCode() {
      return target.hashCode();
    }
  }

  /** The scanner could not tell what is here; reconciliation leaves the path (and anything below) alone. */
  record Problem(ProblemKind problem, String message) implements Entry {
    public Problem {
      Objects.requireNonNull(problem, "problem");
      Objects.requireNonNull(message, "message");
    }

    @Override
    public Kind kind() {
      return Kind.PROBLEM;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Problem p && problem == p.problem && message.equals(p.message);
    }

    @Override
    public int hashCode() {
      return problem.hashCode() * 31 + message.hashCode();
    }
  }

  private static void checkMode(int mode) {
    if ((mode & ~07777) != 0) {
      throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " has bits beyond 07777");
    }
  }

  default boolean isAbsent() {
    return kind() == Kind.ABSENT;
  }

  default boolean isDir() {
    return kind() == Kind.DIR;
  }

  /** A short word for messages: file, directory, symlink, absent, problem. */
  default String kindName() {
    return switch (kind()) {
      case ABSENT -> "absent";
      case FILE -> "file";
      case DIR -> "directory";
      case LINK -> "symlink";
      case PROBLEM -> "problem";
    };
  }
}
