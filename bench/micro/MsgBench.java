// Micro-benchmark (docs/benchmarks.md, 2026-12-07 ninth session): what asking for one file costs in CPU,
// a ReadRequest encoded and decoded (Smile, MessageCodec) per file of a tree, in one fresh C1 JVM.
// Usage: see bench/micro/run.sh.
import java.nio.file.*;
import java.util.*;
import jsync.core.model.*;
import jsync.protocol.*;

public class MsgBench {
  public static void main(String[] a) throws Exception {
    Path root = Path.of(a[0]);
    List<RelPath> paths = new ArrayList<>();
    try (var s = Files.walk(root)) {
      s.filter(Files::isRegularFile).forEach(p -> paths.add(RelPath.parse(root.relativize(p).toString())));
    }
    MessageCodec codec = new MessageCodec();
    long t0 = System.nanoTime(); long bytes = 0; int i = 0; long tFirst = 0;
    for (RelPath p : paths) {
      Entry.File want = new Entry.File(2600 + i, 1700000000_000000000L + i, 0644, Fingerprint.of(i * 31L));
      Stamp st = new Stamp(2600 + i, 1700000000_000000000L + i, 1000000 + i, 1700000000_000000000L + i);
      var m = new Message.ReadRequest(2 * i + 2, p, want, st, Optional.empty());
      Frame f = codec.frame(i, m);
      bytes += f.payload().length;
      Envelope e = codec.decode(f);
      if (e == null) throw new AssertionError();
      if (++i == 10000) tFirst = System.nanoTime() - t0;
    }
    long t = System.nanoTime() - t0;
    System.out.printf("%d requests, %d bytes (%.0f per request); first 10000: %.1f ms; all: %.1f ms; after 10000: %.2f us each%n",
        i, bytes, (double) bytes / i, tFirst / 1e6, t / 1e6, (t - tFirst) / 1e3 / (i - 10000));
  }
}
