package jsync.core.profile;

/**
 * The value of {@code prefer} or {@code force}: which side wins. {@code ALPHA} and {@code BETA} are the
 * profile's first and second root; {@code NEWER} and {@code OLDER} choose by modification time.
 */
public enum Preference {
  ALPHA, BETA, NEWER, OLDER
}
