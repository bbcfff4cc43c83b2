package jsync.core.sync;

import java.util.Objects;
import java.util.Optional;
import jsync.core.delta.Signature;
import jsync.core.model.Observed;
import jsync.core.model.RelPath;

/**
 * One record to write to a replica's archive: the path's new state there ({@link Observed#ABSENT} removes
 * the record). With {@code keepSignature} only the entry and stamp change and any stored block signature
 * stays (a re-stamp of unchanged content); otherwise {@code signature} replaces it.
 */
public record ArchiveWrite(RelPath path, Observed observed, Optional<Signature> signature, boolean keepSignature) {
  public ArchiveWrite {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(observed, "observed");
    Objects.requireNonNull(signature, "signature");
  }

  public static ArchiveWrite record(RelPath path, Observed observed, Optional<Signature> signature) {
    return new ArchiveWrite(path, observed, signature, false);
  }

  public static ArchiveWrite restamp(RelPath path, Observed observed) {
    return new ArchiveWrite(path, observed, Optional.empty(), true);
  }
}
