package jsync.core.sync;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import jsync.core.model.RelPath;
import jsync.core.reconcile.Policy;
import jsync.core.scan.PathFilter;

/**
 * What a {@link SyncRun} needs from the profile, already interpreted.
 *
 * @param scopes the profile's {@code path}s, or {@code [ROOT]}
 * @param filter ignore rules plus jsync's own temporary and backup names
 * @param confirmBigDeletes refuse to propagate an emptied root or scope unless the listener agrees
 * @param mountpoints paths that must exist in both roots, or the run stops
 * @param lockHolder describes this run to a second run that finds the lock taken
 * @param guards what {@code confirmbigdel} protects when only changed paths are scanned (continuous mode,
 *     see {@link jsync.core.scan.ScanOptions#guards}); empty: the scopes themselves
 */
public record SyncConfig(List<RelPath> scopes, PathFilter filter, Policy policy, boolean fastcheck,
    boolean links, boolean confirmBigDeletes, List<RelPath> mountpoints, String lockHolder, Clock clock,
    List<RelPath> guards) {
  public SyncConfig {
    scopes = List.copyOf(scopes);
    guards = List.copyOf(guards);
    mountpoints = List.copyOf(mountpoints);
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(lockHolder, "lockHolder");
    Objects.requireNonNull(clock, "clock");
  }

  public SyncConfig(List<RelPath> scopes, PathFilter filter, Policy policy, boolean fastcheck, boolean links,
      boolean confirmBigDeletes, List<RelPath> mountpoints, String lockHolder, Clock clock) {
    this(scopes, filter, policy, fastcheck, links, confirmBigDeletes, mountpoints, lockHolder, clock, List.of());
  }

  /** Everything, Unison's defaults. */
  public static SyncConfig defaults(Clock clock) {
    return new SyncConfig(List.of(RelPath.ROOT), PathFilter.NONE, Policy.DEFAULT, true, true, true, List.of(),
        "jsync", clock, List.of());
  }

  public SyncConfig withPolicy(Policy p) {
    return new SyncConfig(scopes, filter, p, fastcheck, links, confirmBigDeletes, mountpoints, lockHolder, clock, guards);
  }

  public SyncConfig withFilter(PathFilter f) {
    return new SyncConfig(scopes, f, policy, fastcheck, links, confirmBigDeletes, mountpoints, lockHolder, clock, guards);
  }

  public SyncConfig withScopes(List<RelPath> s) {
    return new SyncConfig(s, filter, policy, fastcheck, links, confirmBigDeletes, mountpoints, lockHolder, clock, guards);
  }

  /** Only {@code changed} is scanned, while {@code confirmbigdel} still guards the configured scopes. */
  public SyncConfig narrowedTo(List<RelPath> changed) {
    return new SyncConfig(changed, filter, policy, fastcheck, links, confirmBigDeletes, mountpoints, lockHolder,
        clock, guards.isEmpty() ? scopes : guards);
  }

  public SyncConfig withMountpoints(List<RelPath> m) {
    return new SyncConfig(scopes, filter, policy, fastcheck, links, confirmBigDeletes, m, lockHolder, clock, guards);
  }

  public SyncConfig withConfirmBigDeletes(boolean c) {
    return new SyncConfig(scopes, filter, policy, fastcheck, links, c, mountpoints, lockHolder, clock, guards);
  }

  public SyncConfig withFastcheck(boolean f) {
    return new SyncConfig(scopes, filter, policy, f, links, confirmBigDeletes, mountpoints, lockHolder, clock, guards);
  }
}
