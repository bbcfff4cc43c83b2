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
 * @param guards the subtrees whose emptying {@link ScanStats#emptied} reports: empty means the scopes
 *     themselves (a batch run). Continuous mode scans only the paths that changed, and guards the
 *     profile's paths (or the root) that contain them: deleting one file is not emptying its scope.
 */
public record ScanOptions(List<RelPath> scopes, PathFilter filter, PropsPolicy props, boolean fastcheck,
    boolean links, long signatureSeed, List<RelPath> guards) {
  public ScanOptions {
    scopes = List.copyOf(scopes);
    guards = List.copyOf(guards);
    if (scopes.isEmpty()) {
      throw new IllegalArgumentException("nothing to scan: no scopes");
    }
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(props, "props");
  }

  public ScanOptions(List<RelPath> scopes, PathFilter filter, PropsPolicy props, boolean fastcheck,
      boolean links, long signatureSeed) {
    this(scopes, filter, props, fastcheck, links, signatureSeed, List.of());
  }

  // equals and hashCode written out: a record's generated ones are bound through invokedynamic on first use,
  // which spins method-handle classes, ~20 ms when a run checks its scan ahead against these options
  // (-Xlog:class+load). ScanOptionsTest fails when a component is added, as a reminder to compare it here.
  @Override
  public boolean equals(Object o) {
    return o instanceof ScanOptions x && scopes.equals(x.scopes) && filter.equals(x.filter)
        && props.equals(x.props) && fastcheck == x.fastcheck && links == x.links
        && signatureSeed == x.signatureSeed && guards.equals(x.guards);
  }

  @Override
  public int hashCode() {
    return Objects.hash(scopes, filter, props, fastcheck, links, signatureSeed, guards);
  }

  public static ScanOptions defaults() {
    return new ScanOptions(List.of(RelPath.ROOT), PathFilter.NONE, PropsPolicy.DEFAULT, true, true, 0);
  }

  public ScanOptions withFilter(PathFilter f) {
    return new ScanOptions(scopes, f, props, fastcheck, links, signatureSeed, guards);
  }

  public ScanOptions withScopes(List<RelPath> s) {
    return new ScanOptions(s, filter, props, fastcheck, links, signatureSeed, guards);
  }

  public ScanOptions withFastcheck(boolean f) {
    return new ScanOptions(scopes, filter, props, f, links, signatureSeed, guards);
  }

  public ScanOptions withProps(PropsPolicy p) {
    return new ScanOptions(scopes, filter, p, fastcheck, links, signatureSeed, guards);
  }

  public ScanOptions withGuards(List<RelPath> g) {
    return new ScanOptions(scopes, filter, props, fastcheck, links, signatureSeed, g);
  }

  public ScanOptions withLinks(boolean l) {
    return new ScanOptions(scopes, filter, props, fastcheck, l, signatureSeed, guards);
  }
}
