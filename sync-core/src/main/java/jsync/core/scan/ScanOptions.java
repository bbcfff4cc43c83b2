package jsync.core.scan;

import java.util.List;
import java.util.Objects;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;

/**
 * How to scan one replica.
 *
 * @param scopes the subtrees to scan (the profile's {@code path}s); {@code [ROOT]} for everything
 * @param fastcheck trust an unchanged stamp instead of hashing (Unison's {@code fastcheck})
 * @param links synchronize symbolic links; when false they are reported and skipped
 * @param signatureSeed seed of the strong block checksums stored for large files
 */
public record ScanOptions(List<RelPath> scopes, PathFilter filter, PropsPolicy props, boolean fastcheck,
    boolean links, long signatureSeed) {
  public ScanOptions {
    scopes = List.copyOf(scopes);
    if (scopes.isEmpty()) {
      throw new IllegalArgumentException("nothing to scan: no scopes");
    }
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(props, "props");
  }

  public static ScanOptions defaults() {
    return new ScanOptions(List.of(RelPath.ROOT), PathFilter.NONE, PropsPolicy.DEFAULT, true, true, 0);
  }

  public ScanOptions withFilter(PathFilter f) {
    return new ScanOptions(scopes, f, props, fastcheck, links, signatureSeed);
  }

  public ScanOptions withScopes(List<RelPath> s) {
    return new ScanOptions(s, filter, props, fastcheck, links, signatureSeed);
  }

  public ScanOptions withFastcheck(boolean f) {
    return new ScanOptions(scopes, filter, props, f, links, signatureSeed);
  }

  public ScanOptions withProps(PropsPolicy p) {
    return new ScanOptions(scopes, filter, p, fastcheck, links, signatureSeed);
  }

  public ScanOptions withLinks(boolean l) {
    return new ScanOptions(scopes, filter, props, fastcheck, l, signatureSeed);
  }
}
