package jsync.core.profile;

import java.util.Map;
import java.util.Set;

/**
 * What jsync knows about Unison's preference names beyond the ones it implements: the real Unison
 * preferences it does not support yet (so a Unison profile gets "not supported yet" rather than "unknown",
 * which would suggest a typo), and Unison's aliases for supported ones. Taken from the {@code Prefs.create*}
 * and {@code Pred.create} calls in Unison 2.53's sources; see {@code docs/profiles.md}.
 */
final class UnisonPreferences {
  static final Set<String> NOT_YET_SUPPORTED = Set.of(
      // remote shell and server
      "addversionno", "rsh", "rshargs", "clientHostName", "listen",
      "socket", "server", "testserver", "killserver", "contactquietly", "rootalias",
      // transfer
      "rsync", "maxthreads", "copythreshold", "copyprog", "copyprogrest", "copymax", "xferbycopying",
      "stream", "halfduplex", "moves-experimental",
      // properties
      "owner", "group", "numericids", "xattrs", "xattrignore", "xattrignorenot", "acl", "dontchmod",
      "fat", "ignorecase", "unicode", "rsrc",
      // what to sync and how
      "follow", "immutable", "immutablenot", "atomic", "merge", "confirmmerge", "copyonconflict",
      "nodeletion", "noupdate", "nocreation", "nodeletionpartial", "noupdatepartial", "nocreationpartial",
      "preferpartial", "forcepartial", "maxsizethreshold", "backupcurr", "backupcurrnot", "backups",
      // update detection and archives
      "ignoreinodenumbers", "fastercheckUNSAFE", "ignorearchives", "ignorelocks", "showarchive",
      "dumparchives", "addprefsto",
      // running mode and user interface
      "watch", "auto", "ui", "retry", "maxerrors", "key", "diff", "sortbysize", "sortnewfirst", "sortfirst",
      "sortlast", "dumbtty", "color", "height", "i", "debug");

  /** Unison's alternative names, mapped to the name jsync uses. */
  static final Map<String, String> ALIASES = Map.of(
      "backuplocation", "backuploc",
      "backupversions", "maxbackups",
      "mirrorversions", "maxbackups",
      "mirror", "backup",
      "mirrornot", "backupnot",
      "confirmbigdeletes", "confirmbigdel",
      "pretendwin", "ignoreinodenumbers");

  private UnisonPreferences() {}

  static String canonical(String key) {
    return ALIASES.getOrDefault(key, key);
  }
}
