// Micro-benchmark (docs/benchmarks.md, 2026-12-07 eighth session): iterating an archive's entries column
// family with RocksDB read options (mode: none|arr|dbb|reuse plus -nocrc, -ird, -pin, -ra). Usage: see bench/micro/run.sh.
import java.nio.ByteBuffer;
import java.util.*;
import org.rocksdb.*;

public class IterBench {
  public static void main(String[] a) throws Exception {
    String mode = a[0]; int reps = Integer.parseInt(a[1]);
    RocksDB.loadLibrary();
    DBOptions dbo = new DBOptions();
    ColumnFamilyOptions cfo = new ColumnFamilyOptions().setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(new LRUCache(4<<20)));
    List<ColumnFamilyDescriptor> d = List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfo),
        new ColumnFamilyDescriptor("entries".getBytes(), cfo), new ColumnFamilyDescriptor("signatures".getBytes(), cfo));
    List<ColumnFamilyHandle> h = new ArrayList<>();
    RocksDB db = RocksDB.openReadOnly(dbo, a[2], d, h);
    ColumnFamilyHandle e = h.get(1);
    for (int r = 0; r < reps; r++) {
      long t0 = System.nanoTime(); long n = 0, sum = 0;
      ReadOptions ro = new ReadOptions().setFillCache(false);
      if (mode.contains("nocrc")) ro.setVerifyChecksums(false);
      if (mode.contains("ra")) ro.setReadaheadSize(2<<20);
      if (mode.contains("ird")) ro.setIgnoreRangeDeletions(true);
      if (mode.contains("pin")) ro.setPinData(true);
      try (RocksIterator it = db.newIterator(e, ro)) {
        it.seekToFirst();
        ByteBuffer kb = ByteBuffer.allocateDirect(4096), vb = ByteBuffer.allocateDirect(4096);
        byte[] ka = new byte[64], va = new byte[64];
        while (it.isValid()) {
          if (mode.startsWith("arr")) { byte[] k = it.key(); byte[] v = it.value(); sum += k.length + v.length; }
          else if (mode.startsWith("dbb")) { kb.clear(); vb.clear(); int kl = it.key(kb); int vl = it.value(vb); sum += kl + vl; }
          else if (mode.startsWith("reuse")) { int kl = it.key(ka); if (kl > ka.length) { ka = new byte[2 * kl]; kl = it.key(ka); } int vl = it.value(va); if (vl > va.length) { va = new byte[2 * vl]; vl = it.value(va); } sum += kl + vl; }
          n++; it.next();
        }
      }
      long t1 = System.nanoTime();
      System.out.printf("%s rep %d: %d entries, %d bytes, %.1f ms%n", mode, r, n, sum, (t1 - t0) / 1e6);
    }
  }
}
