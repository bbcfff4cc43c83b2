package jsync.core.archive;

import org.slf4j.LoggerFactory;

/**
 * Loads RocksDB's native library (~0.05-0.1 s in a fresh JVM) on a thread of its own, so that a process that
 * will open an archive once something else is done ({@code jsync server}, answering the client's handshake)
 * does not wait for it then. A class apart from {@link Archive} on purpose: calling a static method of
 * {@code Archive} would initialize it, which is the load, on the calling thread (as this method did while it
 * lived there: the server loaded the library on its main thread, ~47 ms before its handshake).
 */
public final class ArchiveLibrary {
  private ArchiveLibrary() {}

  /** Starts the load; returns the thread doing it. Opening an archive meanwhile waits for it. */
  public static Thread loadAhead() {
    Thread t = jsync.core.DaemonThreads.named("jsync-load-archive").newThread(() -> {
      // The class's initialization is the load. If it fails, the open that needs the class later gets only
      // "Could not initialize class" (JDK 17 does not say why), so the cause is told here.
      try {
        Class.forName("jsync.core.archive.Archive", true, ArchiveLibrary.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        Throwable why = e.getCause() != null ? e.getCause() : e;
        LoggerFactory.getLogger(ArchiveLibrary.class).error("cannot load RocksDB's native library: {}",
            why.toString());
      }
    });
    t.start();
    return t;
  }
}
