package jsync.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import jsync.transport.ssh.SshConnector;

/**
 * What each {@code ssh://} root answered the last time jsync connected to it, one fact per file under
 * {@code JSYNC_HOME/archives/} (a line per root: the root as written, a tab, the answer):
 * <ul>
 *   <li>{@code remote-roots.txt}: its canonical root. The local replica's archive is named after both
 *       canonical roots; knowing the remote one before the connection is up lets the local replica open its
 *       archive and scan while SSH connects ({@link jsync.core.sync.LocalReplica#scanAhead}).
 *   <li>{@code remote-kex.txt}: the key exchange its server agreed on, so that an expensive key pair can be
 *       generated while the connection is being set up ({@link
 *       jsync.transport.ssh.SshConnector#prepareKeyExchange}).
 * </ul>
 *
 * <p>Only hints: a missing, unreadable or stale entry costs the overlap, never correctness (the scan ahead
 * is dropped when the connected replica names another root; a key pair made for the wrong exchange is not
 * used), so every failure here is silent.
 */
final class RememberedRoots {
  private final Path file;

  /** The canonical roots. */
  RememberedRoots(Path jsyncHome) {
    this(jsyncHome, "remote-roots.txt");
  }

  private RememberedRoots(Path jsyncHome, String fileName) {
    this.file = jsyncHome.resolve("archives").resolve(fileName);
  }

  /** The key exchanges. */
  static RememberedRoots keyExchanges(Path jsyncHome) {
    return new RememberedRoots(jsyncHome, "remote-kex.txt");
  }

  /**
   * The key exchange to prepare a key pair for while connecting to a root: the one its server agreed on last
   * time ({@code rememberedKex}); on a first connection to it ({@code rootKnown} false: no canonical root
   * remembered either, so no scan ahead competes for the other core), the likely one
   * ({@link SshConnector#LIKELY_KEY_EXCHANGE}); otherwise none.
   */
  static Optional<String> keyExchangeToPrepare(Optional<String> rememberedKex, boolean rootKnown) {
    return rememberedKex.or(() -> rootKnown ? Optional.empty() : Optional.of(SshConnector.LIKELY_KEY_EXCHANGE));
  }

  Optional<String> get(String rootAsWritten) {
    return Optional.ofNullable(read().get(rootAsWritten));
  }

  /** Remembers {@code canonical} for {@code rootAsWritten}; writes the file only when that changes it. */
  void put(String rootAsWritten, String canonical) {
    if (!storable(rootAsWritten) || !storable(canonical)) {
      return;
    }
    Map<String, String> all = read();
    if (canonical.equals(all.get(rootAsWritten))) {
      return;
    }
    all.put(rootAsWritten, canonical);
    StringBuilder text = new StringBuilder();
    all.forEach((k, v) -> text.append(k).append('\t').append(v).append('\n'));
    Path tmp = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      // Two runs writing at once: the last rename wins and the other's entry is missed once, no more.
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // a leftover temporary file in jsync's own directory is harmless
      }
    }
  }

  private Map<String, String> read() {
    Map<String, String> all = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        int tab = line.indexOf('\t');
        if (tab > 0 && tab < line.length() - 1) {
          all.put(line.substring(0, tab), line.substring(tab + 1));
        }
      }
    } catch (IOException | RuntimeException e) {
      // none remembered yet, or unreadable: no hints
    }
    return all;
  }

  private static boolean storable(String s) {
    return !s.isEmpty() && s.indexOf('\t') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0;
  }
}
