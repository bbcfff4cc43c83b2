package jsync.core.apply;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import jsync.core.delta.Signature;

/**
 * What the receiving replica already has toward a new version of a file, so that it can come as a delta:
 * its current version, or the part of the new one an interrupted transfer left behind; with its block
 * signature if the archive has one for that content (else the receiver computes one by reading the file).
 */
public record Basis(Path file, Optional<Signature> stored) {
  public Basis {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(stored, "stored");
  }
}
