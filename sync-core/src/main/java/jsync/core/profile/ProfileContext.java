package jsync.core.profile;

import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The environment a profile is interpreted in, passed in so that this package never reads environment
 * variables, system properties or the process's working directory (and tests can use Jimfs).
 *
 * @param fs the file system local roots and files live on
 * @param home the user's home directory, for {@code ~} expansion ({@code $HOME})
 * @param jsyncHome the directory holding profiles, logs and central backups (Unison's {@code ~/.unison})
 * @param profileName the profile being interpreted, for messages
 * @param cwd the directory relative local roots are resolved against, as Unison does
 */
public record ProfileContext(FileSystem fs, Path home, Path jsyncHome, String profileName, Path cwd) {
  public ProfileContext {
    Objects.requireNonNull(fs, "fs");
    Objects.requireNonNull(profileName, "profileName");
    checkAbsolute(fs, "home", home);
    checkAbsolute(fs, "jsyncHome", jsyncHome);
    checkAbsolute(fs, "cwd", cwd);
  }

  private static void checkAbsolute(FileSystem fs, String what, Path path) {
    Objects.requireNonNull(path, what);
    if (path.getFileSystem() != fs || !path.isAbsolute()) {
      throw new IllegalArgumentException(what + " must be an absolute path on " + fs + ", not " + path);
    }
  }

  /** The file a profile named {@link #profileName} is read from, for messages about the profile as a whole. */
  public Path profileFile() {
    return jsyncHome.resolve(profileName.endsWith(".prf") ? profileName : profileName + ".prf");
  }
}
