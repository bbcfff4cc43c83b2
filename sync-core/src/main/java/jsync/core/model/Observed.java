package jsync.core.model;

import java.util.Objects;

/**
 * An entry together with the stamp it had on one replica when it was last looked at: what the scanner sees
 * now, or what the archive recorded at the last synchronization.
 */
public record Observed(Entry entry, Stamp stamp) {
  public static final Observed ABSENT = new Observed(Entry.ABSENT, Stamp.NONE);

  public Observed {
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(stamp, "stamp");
  }

  public static Observed of(Entry entry) {
    return new Observed(entry, Stamp.NONE);
  }
}
