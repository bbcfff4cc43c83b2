// Micro-benchmark (docs/benchmarks.md, 2026-12-07 eighth session): sorting every listing of a tree with
// RelPath's comparator (cmp) or String's natural order (nat), in one fresh JVM. Usage: see bench/micro/run.sh.
import java.util.*;
import jsync.core.model.RelPath;
public class SortBench {
  public static void main(String[] a) throws Exception {
    java.io.File root = new java.io.File(a[1]);
    List<String[]> lists = new ArrayList<>();
    Deque<java.io.File> q = new ArrayDeque<>(); q.add(root); while (!q.isEmpty()) { java.io.File d = q.poll(); String[] n = d.list(); if (n == null) continue; lists.add(n); for (String x : n) { java.io.File c = new java.io.File(d, x); if (c.isDirectory()) q.add(c); } }
    long t0 = System.nanoTime(); long tot = 0;
    for (String[] n : lists) {
      List<String> names = new ArrayList<>(Arrays.asList(n));
      if (a[0].equals("cmp")) names.sort(RelPath::compareNames); else names.sort(null);
      tot += names.size();
    }
    System.out.printf("%s: %d names in %d lists, %.1f ms%n", a[0], tot, lists.size(), (System.nanoTime() - t0) / 1e6);
  }
}
