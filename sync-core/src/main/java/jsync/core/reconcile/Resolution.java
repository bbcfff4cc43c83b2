package jsync.core.reconcile;

/**
 * A way to settle a conflict (Unison's {@code prefer}) or every difference (its {@code force}): toward one
 * replica, or toward the side whose file was modified more recently ({@code NEWER}) or less recently
 * ({@code OLDER}).
 */
public enum Resolution {
  ALPHA, BETA, NEWER, OLDER
}
