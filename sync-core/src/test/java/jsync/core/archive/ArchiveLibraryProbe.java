package jsync.core.archive;

/**
 * Run in a JVM of its own by {@link ArchiveLibraryTest}: starts the load ahead, waits for it, and prints the
 * name of the thread that loaded RocksDB's native library.
 */
public final class ArchiveLibraryProbe {
  private ArchiveLibraryProbe() {}

  public static void main(String[] args) throws InterruptedException {
    ArchiveLibrary.loadAhead().join();
    System.out.println(Archive.LOADED_ON);
  }
}
