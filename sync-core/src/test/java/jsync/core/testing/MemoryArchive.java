package jsync.core.testing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import jsync.core.model.Entry;
import jsync.core.model.Observed;
import jsync.core.model.Recorded;
import jsync.core.model.RelPath;
import jsync.core.scan.ArchiveView;
import jsync.core.scan.Update;

/**
 * An in-memory {@link ArchiveView} for tests: a {@code TreeMap} in {@link RelPath} order, the same order as
 * the RocksDB archive's keys. {@link #record} folds a scan's updates in, the way a run that propagated
 * nothing would, so "scan, record, scan again" tests the fast path.
 */
public final class MemoryArchive implements ArchiveView {
  private final TreeMap<RelPath, Observed> records = new TreeMap<>();
  private int openIterators;

  public MemoryArchive put(String path, Observed observed) {
    return put(RelPath.parse(path), observed);
  }

  public MemoryArchive put(RelPath path, Observed observed) {
    if (observed.entry().isAbsent()) {
      records.remove(path);
    } else if (observed.entry().kind() == Entry.Kind.PROBLEM) {
      throw new IllegalArgumentException("the archive never records a problem: " + path);
    } else {
      records.put(path, observed);
    }
    return this;
  }

  /** Records what each update found now; problems leave the old record alone, as a run would. */
  public MemoryArchive record(Collection<Update> updates) {
    for (Update u : updates) {
      if (u.current().entry().kind() != Entry.Kind.PROBLEM) {
        put(u.path(), u.current());
      }
    }
    return this;
  }

  public Observed get(String path) {
    return records.getOrDefault(RelPath.parse(path), Observed.ABSENT);
  }

  /** A copy of every record, in order. */
  public Map<RelPath, Observed> snapshot() {
    return new LinkedHashMap<>(records);
  }

  public List<RelPath> paths() {
    return new ArrayList<>(records.keySet());
  }

  public boolean isEmpty() {
    return records.isEmpty();
  }

  /** Iterators handed out by {@link #records} and not yet closed: a scan must close what it opens. */
  public int openIterators() {
    return openIterators;
  }

  @Override
  public Records records(RelPath scope) {
    // '/' sorts before every character a name can hold, so a scope's descendants directly follow it.
    NavigableMap<RelPath, Observed> tail = records.tailMap(scope, true);
    Iterator<Map.Entry<RelPath, Observed>> it = tail.entrySet().iterator();
    openIterators++;
    return new Records() {
      private Recorded next = advance();
      private boolean closed;

      private Recorded advance() {
        if (it.hasNext()) {
          Map.Entry<RelPath, Observed> e = it.next();
          if (scope.contains(e.getKey())) {
            return new Recorded(e.getKey(), e.getValue());
          }
        }
        return null;
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public Recorded next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        Recorded r = next;
        next = advance();
        return r;
      }

      @Override
      public void close() {
        if (!closed) {
          closed = true;
          openIterators--;
        }
      }
    };
  }
}
