package jsync.core.apply;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import jsync.core.delta.Signature;
import jsync.core.model.Entry;

/**
 * The version of a file the receiving replica already has, against which a new version can come as a delta:
 * the file itself, what the scan saw there, and its block signature if the archive has one for that
 * content (else the source computes one by reading the file).
 */
public record Basis(Path file, Entry.File entry, Optional<Signature> stored) {
  public Basis {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(stored, "stored");
  }
}
