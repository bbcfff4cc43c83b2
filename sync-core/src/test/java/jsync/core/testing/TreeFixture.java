package jsync.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds and describes small trees on a real or in-memory filesystem for tests: {@code write(root,
 * "d/f", "text")}, and {@link #describe} gives a sorted map path → "file:text", "dir", "link:target"
 * that two replicas can be compared with.
 */
public final class TreeFixture {
  private TreeFixture() {}

  public static Path write(Path root, String rel, String content) throws IOException {
    Path p = root.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
    return p;
  }

  public static Path mkdir(Path root, String rel) throws IOException {
    return Files.createDirectories(root.resolve(rel));
  }

  public static Path link(Path root, String rel, String target) throws IOException {
    Path p = root.resolve(rel);
    Files.createDirectories(p.getParent());
    return Files.createSymbolicLink(p, p.getFileSystem().getPath(target));
  }

  public static String read(Path root, String rel) throws IOException {
    return Files.readString(root.resolve(rel));
  }

  /** Every path below {@code root} (jsync temp files included, so leftovers show) with its kind and content. */
  public static Map<String, String> describe(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        if (!dir.equals(root)) {
          out.put(rel(root, dir), "dir");
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (Files.isSymbolicLink(file)) {
          out.put(rel(root, file), "link:" + Files.readSymbolicLink(file));
        } else if (attrs.isRegularFile()) {
          out.put(rel(root, file), "file:" + new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
        } else {
          out.put(rel(root, file), "other");
        }
        return FileVisitResult.CONTINUE;
      }
    });
    return out;
  }

  private static String rel(Path root, Path p) {
    return root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
  }

  public static boolean exists(Path root, String rel) {
    return Files.exists(root.resolve(rel), LinkOption.NOFOLLOW_LINKS);
  }
}
