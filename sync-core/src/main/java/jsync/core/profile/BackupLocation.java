package jsync.core.profile;

/**
 * Where backups go ({@code backuploc}): next to the file ({@code LOCAL}) or under one directory
 * ({@code CENTRAL}, see {@link Profile#backupDirectory()}).
 */
public enum BackupLocation {
  LOCAL, CENTRAL
}
