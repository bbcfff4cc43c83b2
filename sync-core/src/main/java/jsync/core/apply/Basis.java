package jsync.core.apply;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import jsync.core.delta.CopiedBlocks;
import jsync.core.delta.Signature;

/**
 * What the receiving replica already has toward a new version of a file, so that it can come as a delta:
 * its current version, or the part of the new one an interrupted transfer left behind; with its block
 * signature if the archive has one for that content (else the receiver computes one by reading the file).
 * {@code copies} collects where the new version holds this basis's blocks, as the delta is applied, so that
 * the new version's signature can take their checksums over: a basis serves one transfer attempt (a retry
 * gets a new one, or none).
 */
public record Basis(Path file, Optional<Signature> stored, CopiedBlocks copies) {
  public Basis {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(stored, "stored");
    Objects.requireNonNull(copies, "copies");
  }

  public Basis(Path file, Optional<Signature> stored) {
    this(file, stored, new CopiedBlocks());
  }
}
