package jsync.core.scan;

import java.util.Iterator;
import jsync.core.model.Recorded;
import jsync.core.model.RelPath;

/** What the scanner reads from a replica's archive: its records under a path, in {@link RelPath} order. */
public interface ArchiveView {
  /** An archive with no records: a first synchronization. */
  ArchiveView EMPTY = scope -> new Records() {
    @Override
    public boolean hasNext() {
      return false;
    }

    @Override
    public Recorded next() {
      throw new java.util.NoSuchElementException();
    }

    @Override
    public void close() {}
  };

  /** The records at {@code scope} and below it, in order; the caller closes the iterator. */
  Records records(RelPath scope);

  /** An iterator over records that may hold a native resource. */
  interface Records extends Iterator<Recorded>, AutoCloseable {
    @Override
    void close();
  }
}
