package jsync.core.sync;

import java.util.List;
import jsync.core.scan.ScanStats;
import jsync.core.scan.Update;

/** One replica's update set and scan counters. */
public record ScanResult(List<Update> updates, ScanStats stats) {
  public ScanResult {
    updates = List.copyOf(updates);
  }
}
