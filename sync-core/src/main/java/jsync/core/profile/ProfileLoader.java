package jsync.core.profile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a profile in Unison's syntax from the jsync home directory into an ordered list of {@link Setting}s,
 * splicing in {@code include}, {@code include?}, {@code source} and {@code source?} files where they appear.
 *
 * <p>Line syntax, as in Unison's {@code prefs.ml}: blank lines and lines whose first non-blank character is
 * {@code #} are skipped; {@code #} anywhere else belongs to the value ({@code ignore = Name #*#} is legal);
 * every other line is a directive or {@code key = value}, split at the first {@code =} and trimmed. A UTF-8
 * byte-order mark and CRLF line ends are accepted. Values are not interpreted here; see {@link Profile#from}.
 *
 * <p>Include resolution, matching Unison 2.53's {@code profilePathname}: {@code include NAME} reads
 * {@code <home>/NAME} if that file exists and {@code <home>/NAME.prf} otherwise; {@code NAME} must not contain
 * {@code /}. {@code source NAME} reads {@code <home>/NAME} exactly, and unlike Unison also accepts a relative
 * path below the home (or an absolute path). The {@code ?} forms skip a missing file silently. Unlike Unison,
 * which recurses until the stack overflows, an include cycle or nesting deeper than
 * {@value #MAX_INCLUDE_DEPTH} files is an error.
 */
public final class ProfileLoader {
  /** Nesting limit for includes; generous for real profiles, and stops runaway recursion with a clear message. */
  static final int MAX_INCLUDE_DEPTH = 20;

  /**
   * Largest profile file read. Real profiles are a few KB; a larger one is almost certainly the wrong file
   * (a log, a binary), and profiles are untrusted input that we read whole into memory.
   */
  static final long MAX_FILE_BYTES = 1 << 20;

  private static final String EXTENSION = ".prf";
  private static final Pattern DIRECTIVE = Pattern.compile("(include|source)(\\??)\\s+(.*)");
  private static final char BYTE_ORDER_MARK = '\uFEFF';

  private final Path jsyncHome;

  /** @param jsyncHome the directory holding profiles (Unison's {@code ~/.unison}) */
  public ProfileLoader(Path jsyncHome) {
    this.jsyncHome = Objects.requireNonNull(jsyncHome, "jsyncHome");
  }

  /**
   * Reads profile {@code profileName}: the file {@code <home>/profileName.prf}, or {@code <home>/profileName}
   * if the name already ends in {@code .prf}.
   *
   * @throws ProfileException if the name is not a plain file name, the profile or a non-optional include is
   *     missing or unreadable, a line is malformed, or includes nest too deep or form a cycle
   */
  public List<Setting> load(String profileName) {
    if (profileName.isEmpty() || profileName.contains("/") || profileName.indexOf('\0') >= 0
        || profileName.equals(".") || profileName.equals("..")) {
      throw new ProfileException("invalid profile name '" + profileName.replace("\0", "\\0")
          + "': give the name of a profile in " + jsyncHome + ", without '/'");
    }
    Path file = jsyncHome.resolve(profileName.endsWith(EXTENSION) ? profileName : profileName + EXTENSION);
    if (!Files.isRegularFile(file)) {
      throw new ProfileException("profile '" + profileName + "' not found: there is no file " + file
          + availableProfiles());
    }
    List<Setting> settings = new ArrayList<>();
    read(file, new ArrayDeque<>(), settings);
    return List.copyOf(settings);
  }

  private void read(Path file, Deque<Path> including, List<Setting> out) {
    String source = file.toString();
    including.push(realPath(file));
    List<String> lines = readLines(file);
    for (int i = 0; i < lines.size(); i++) {
      int lineNo = i + 1;
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.charAt(0) == '#') {
        continue;
      }
      Matcher directive = DIRECTIVE.matcher(line);
      if (directive.matches()) {
        include(directive, source, lineNo, including, out);
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        throw new ProfileException(source, lineNo,
            "expected 'key = value' or an include/source directive, found '" + line + "'");
      }
      String key = line.substring(0, eq).strip();
      if (key.isEmpty()) {
        throw new ProfileException(source, lineNo, "missing preference name before '=' in '" + line + "'");
      }
      out.add(new Setting(key, line.substring(eq + 1).strip(), source, lineNo));
    }
    including.pop();
  }

  private void include(Matcher directive, String source, int lineNo, Deque<Path> including,
      List<Setting> out) {
    String keyword = directive.group(1);
    boolean optional = !directive.group(2).isEmpty();
    String name = directive.group(3).strip();
    if (name.startsWith("=")) {
      throw new ProfileException(source, lineNo, "'" + keyword + "' is a directive: write '" + keyword
          + directive.group(2) + " NAME' without '='");
    }
    // Unison splits the line into words and wants exactly two, so names cannot hold spaces.
    if (name.isEmpty() || name.chars().anyMatch(Character::isWhitespace)) {
      throw new ProfileException(source, lineNo, "malformed " + keyword + " directive: expected '"
          + keyword + directive.group(2) + " NAME' with one file name");
    }
    Path file;
    if (keyword.equals("include")) {
      if (name.contains("/")) {
        throw new ProfileException(source, lineNo, "include takes the name of a profile in " + jsyncHome
            + ", not a path ('" + name + "'); use 'source' for a path");
      }
      Path exact = jsyncHome.resolve(name);
      file = Files.isRegularFile(exact) ? exact : jsyncHome.resolve(name + EXTENSION);
    } else {
      file = jsyncHome.resolve(name).normalize();
    }
    if (!Files.isRegularFile(file)) {
      if (optional) {
        return;
      }
      String lookedFor = keyword.equals("include") ? jsyncHome.resolve(name) + " or " + file : file.toString();
      throw new ProfileException(source, lineNo, keyword + " '" + name + "': no such file (looked for "
          + lookedFor + ")");
    }
    Path real = realPath(file);
    if (including.contains(real)) {
      List<String> chain = new ArrayList<>();
      for (Iterator<Path> it = including.descendingIterator(); it.hasNext(); ) {
        chain.add(it.next().toString());
      }
      chain.add(real.toString());
      throw new ProfileException(source, lineNo, "include cycle: " + String.join(" -> ", chain));
    }
    if (including.size() >= MAX_INCLUDE_DEPTH) {
      throw new ProfileException(source, lineNo,
          "includes are nested more than " + MAX_INCLUDE_DEPTH + " files deep");
    }
    read(file, including, out);
  }

  /** The file's real path, so that a cycle through a symlink or a {@code ..} path is still found. */
  private static Path realPath(Path file) {
    try {
      return file.toRealPath();
    } catch (IOException e) {
      throw new ProfileException(file.toString(), 0, "cannot read profile file: " + e, e);
    }
  }

  private static List<String> readLines(Path file) {
    String text;
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new ProfileException(file.toString(), 0, "file is " + size + " bytes; profiles larger than "
            + MAX_FILE_BYTES + " bytes are refused (is this the right file?)");
      }
      byte[] bytes = Files.readAllBytes(file);
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ProfileException(file.toString(), 0, "profile is not valid UTF-8", e);
    } catch (IOException e) {
      throw new ProfileException(file.toString(), 0, "cannot read profile file: " + e, e);
    }
    if (!text.isEmpty() && text.charAt(0) == BYTE_ORDER_MARK) {
      // Windows editors often start UTF-8 files with a byte-order mark; Unison skips it too.
      text = text.substring(1);
    }
    // split keeps interior empty lines, so line numbers stay right; \r is removed by strip() later.
    return List.of(text.split("\n", -1));
  }

  /** A hint listing the profiles that do exist, for the "not found" message. */
  private String availableProfiles() {
    if (!Files.isDirectory(jsyncHome)) {
      return " (the directory " + jsyncHome + " does not exist)";
    }
    TreeSet<String> names = new TreeSet<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(jsyncHome, "*" + EXTENSION)) {
      for (Path p : dir) {
        String n = p.getFileName().toString();
        names.add(n.substring(0, n.length() - EXTENSION.length()));
      }
    } catch (IOException e) {
      // The list is only a hint in an error message that is already being built; the missing profile is
      // the error the user needs to see, so a failed listing just leaves the hint out.
      return "";
    }
    return names.isEmpty() ? " (there are no profiles in " + jsyncHome + ")"
        : " (available profiles: " + String.join(", ", names) + ")";
  }
}
