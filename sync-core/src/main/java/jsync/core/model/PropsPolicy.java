package jsync.core.model;

/**
 * Which properties take part in comparing two entries, from the profile's {@code perms} and {@code times}.
 *
 * <p>Content: a file's size and fingerprint, a link's target; directories have no content. Properties: the
 * permission bits within {@code permMask} for files and directories, and, with {@code times}, a file's
 * modification time. Times compare at whole seconds, as Unison's do, so a replica on a filesystem with coarse
 * timestamps does not see a change on every run.
 */
public record PropsPolicy(int permMask, boolean times) {
  /** Unison's defaults: {@code perms = 0o1777}, {@code times = false}. */
  public static final PropsPolicy DEFAULT = new PropsPolicy(01777, false);

  public PropsPolicy {
    if ((permMask & ~07777) != 0) {
      throw new IllegalArgumentException("perms mask " + Integer.toOctalString(permMask) + " beyond 07777");
    }
  }

  // Written out, as Entry's: a record's generated equals is bound through invokedynamic on first use, which
  // spins method-handle classes (~20 ms) in a run that compares scan options once.
  @Override
  public boolean equals(Object o) {
    return o instanceof PropsPolicy p && permMask == p.permMask && times == p.times;
  }

  @Override
  public int hashCode() {
    return permMask * 31 + Boolean.hashCode(times);
  }

  /** True if both are the same kind with the same content; properties are not looked at. */
  public boolean sameContent(Entry a, Entry b) {
    if (a.kind() != b.kind()) {
      return false;
    }
    return switch (a.kind()) {
      case ABSENT, DIR -> true;
      case FILE -> {
        Entry.File fa = (Entry.File) a;
        Entry.File fb = (Entry.File) b;
        // Unknown contents are never the same as anything: callers hash both sides before comparing.
        yield fa.size() == fb.size() && fa.fingerprint().known() && fa.fingerprint().equals(fb.fingerprint());
      }
      case LINK -> ((Entry.Link) a).target().equals(((Entry.Link) b).target());
      // A problem is never the same as anything: the scanner does not know what is there.
      case PROBLEM -> false;
    };
  }

  /** True if both are the same kind and agree on every compared property (content aside). */
  public boolean sameProps(Entry a, Entry b) {
    if (a.kind() != b.kind()) {
      return false;
    }
    return switch (a.kind()) {
      case ABSENT, LINK -> true;
      case DIR -> sameMode(((Entry.Dir) a).mode(), ((Entry.Dir) b).mode());
      case FILE -> {
        Entry.File fa = (Entry.File) a;
        Entry.File fb = (Entry.File) b;
        yield sameMode(fa.mode(), fb.mode()) && (!times || sameTime(fa.mtimeNanos(), fb.mtimeNanos()));
      }
      case PROBLEM -> false;
    };
  }

  /** Content and compared properties both agree: nothing to propagate between these two. */
  public boolean same(Entry a, Entry b) {
    return sameContent(a, b) && sameProps(a, b);
  }

  private boolean sameMode(int a, int b) {
    return (a & permMask) == (b & permMask);
  }

  static boolean sameTime(long aNanos, long bNanos) {
    return Math.floorDiv(aNanos, 1_000_000_000L) == Math.floorDiv(bNanos, 1_000_000_000L);
  }
}
