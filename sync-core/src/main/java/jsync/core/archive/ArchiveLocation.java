package jsync.core.archive;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jsync.core.delta.XxHash;

/**
 * Where a replica pair's archives and lock live: {@code JSYNC_HOME/archives/PAIR/} with one RocksDB
 * directory per side ({@code SIDE}) and the pair's {@code lock}. {@code PAIR} hashes the two canonical
 * roots in sorted order, so swapping the roots in a profile finds the same archives; {@code SIDE} hashes
 * the side's own canonical root. A canonical root names host and absolute real path, as Unison's archive
 * names do, so two machines sharing a home directory never share an archive.
 */
public record ArchiveLocation(Path pairDir, Path archiveDir, Path lockFile) {
  public static ArchiveLocation of(Path jsyncHome, String canonicalSelf, String canonicalOther) {
    String first = canonicalSelf.compareTo(canonicalOther) <= 0 ? canonicalSelf : canonicalOther;
    String second = first == canonicalSelf ? canonicalOther : canonicalSelf;
    Path pair = jsyncHome.resolve("archives").resolve(hex(first + "\n" + second));
    return new ArchiveLocation(pair, pair.resolve(hex(canonicalSelf)), pair.resolve("lock"));
  }

  private static String hex(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return String.format("%016x", XxHash.hash(b, 0, b.length, 0));
  }
}
