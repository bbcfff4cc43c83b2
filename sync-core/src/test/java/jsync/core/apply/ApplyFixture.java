package jsync.core.apply;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jsync.core.delta.XxHash;
import jsync.core.model.Entry;
import jsync.core.model.Fingerprint;
import jsync.core.model.Observed;
import jsync.core.model.RelPath;
import jsync.core.scan.FileStat;
import org.junit.jupiter.api.Assumptions;

/**
 * Helpers for apply tests on a real filesystem: wanted entries built from text, what a scan would observe
 * at a path now, a {@link ContentSource} over an in-memory map that records what was opened, and
 * {@code chattr +i} for permission failures that root cannot bypass.
 */
final class ApplyFixture {
  /** A fixed modification time with a sub-second part, in nanoseconds since the epoch. */
  static final long T1 = 1_600_000_000_123_456_789L;
  static final long T2 = 1_700_000_000_987_654_321L;

  private ApplyFixture() {}

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static Fingerprint fingerprint(String content) {
    byte[] b = utf8(content);
    return Fingerprint.of(XxHash.hash(b, 0, b.length, 0));
  }

  static Entry.File file(String content, int mode, long mtimeNanos) {
    return new Entry.File(utf8(content).length, mtimeNanos, mode, fingerprint(content));
  }

  /** A file entry for arbitrary bytes (mode 0644, mtime 0). */
  static Entry.File fileOf(byte[] content) {
    return new Entry.File(content.length, 0, 0644,
        jsync.core.model.Fingerprint.of(jsync.core.delta.XxHash.hash(content, 0, content.length, 0)));
  }

  static Entry.File file(String content) {
    return file(content, 0644, T1);
  }

  /** What a scan of {@code root} would record at {@code rel} now, with its stamp. */
  static Observed observe(Path root, String rel) throws IOException {
    Path p = root.resolve(rel);
    FileStat st;
    try {
      st = FileStat.read(p);
    } catch (NoSuchFileException e) {
      return Observed.ABSENT;
    }
    return switch (st.type()) {
      case FILE -> {
        byte[] b = Files.readAllBytes(p);
        yield new Observed(new Entry.File(st.size(), st.mtimeNanos(), st.mode(),
            Fingerprint.of(XxHash.hash(b, 0, b.length, 0))), st.stamp());
      }
      case DIR -> Observed.of(new Entry.Dir(st.mode()));
      case LINK -> Observed.of(new Entry.Link(Files.readSymbolicLink(p).toString()));
      case OTHER -> throw new IllegalStateException("unexpected special file " + p);
    };
  }

  static int mode(Path p) throws IOException {
    return FileStat.read(p).mode();
  }

  static long mtimeNanos(Path p) throws IOException {
    return Files.getLastModifiedTime(p).to(TimeUnit.NANOSECONDS);
  }

  /** jsync temporary files left anywhere below {@code dir}. */
  static List<Path> temps(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(Applier.TEMP_PREFIX)).toList();
    }
  }

  /** A content source over a map of path to text; records every path opened. */
  static final class MapSource implements ContentSource {
    final Map<RelPath, byte[]> content = new HashMap<>();
    final List<RelPath> opened = new ArrayList<>();

    MapSource put(String path, String text) {
      content.put(RelPath.parse(path), utf8(text));
      return this;
    }

    @Override
    public java.io.InputStream open(RelPath path, Entry.File want, jsync.core.model.Stamp stamp)
        throws IOException {
      opened.add(path);
      byte[] b = content.get(path);
      if (b == null) {
        throw new NoSuchFileException(path.display());
      }
      return new ByteArrayInputStream(b);
    }
  }

  /**
   * Runs {@code chattr flag path}; skips the test (by assumption) if chattr is missing or the filesystem
   * does not support the flag. Root ignores permission bits, but not the immutable flag.
   */
  static void chattr(String flag, Path path) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("chattr", flag, path.toString()).redirectErrorStream(true).start();
    } catch (IOException e) {
      Assumptions.abort("chattr is not available: " + e.getMessage());
      return;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroy();
      throw new IOException("chattr " + flag + " " + path + " did not finish");
    }
    if (p.exitValue() != 0) {
      if (flag.startsWith("+")) {
        Assumptions.abort("chattr " + flag + " not supported here: " + out.trim());
      }
      throw new IOException("chattr " + flag + " " + path + " failed: " + out.trim());
    }
  }
}
