package jsync.core.archive;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import jsync.core.delta.Signature;
import jsync.core.model.Observed;
import jsync.core.model.Recorded;
import jsync.core.model.RelPath;
import jsync.core.scan.ArchiveView;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.LoggerFactory;

/**
 * One replica's archive: what each path held when it was last synchronized, in a RocksDB database. The
 * layout is documented in {@code docs/archive.md}.
 *
 * <p>Three column families: {@code default} holds metadata (format version, sync id), {@code entries} maps
 * each path (UTF-8 names joined by NUL, so byte order is {@link RelPath} order) to its encoded
 * {@link Observed}, and {@code signatures} holds block signatures of large files, apart so that a scan's
 * full iteration never reads them.
 *
 * <p>Writes go through {@link Batch}es that RocksDB applies atomically. They are not fsynced: a lost archive
 * write after a crash only makes the next run find both replicas already equal, which it records again.
 * Not thread-safe for writes; one run owns it (see {@link PairLock}).
 */
public final class Archive implements ArchiveView, AutoCloseable {
  /** Bump on any change to keys or {@link ArchiveCodec}, and describe the change in docs/archive.md. */
  public static final int FORMAT_VERSION = 1;

  static final byte[] KEY_FORMAT_VERSION = bytes("format-version");
  private static final byte[] ENTRIES = bytes("entries");
  private static final byte[] SIGNATURES = bytes("signatures");

  /** The thread that loaded RocksDB's native library (this class's initialization), for tests. */
  static final String LOADED_ON;

  static {
    RocksDB.loadLibrary();
    LOADED_ON = Thread.currentThread().getName();
  }

  private final Path dir;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final RocksDB db;
  private final ColumnFamilyHandle meta;
  private final ColumnFamilyHandle entries;
  private final ColumnFamilyHandle signatures;
  private final WriteOptions writeOptions;
  /** Reads of a scan: sequential, once, so they do not evict what point lookups cached. */
  private final ReadOptions scanRead = new ReadOptions().setFillCache(false);
  static final long BLOCK_CACHE_BYTES = 4L << 20;
  private LRUCache cache;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  /** Records written since the memtable was last flushed to a table file. */
  private long written;
  /**
   * Flush after this many records even before {@link #close}: the continuous-mode daemon keeps its archive
   * open for weeks, and a first synchronization of 100,000 files would otherwise leave them all in the
   * memtable (and the write-ahead log), resident for as long (see {@link #flushMemtables}).
   */
  static final long FLUSH_RECORDS = 20_000;

  private Archive(Path dir, DBOptions dbOptions, ColumnFamilyOptions cfOptions, RocksDB db,
      List<ColumnFamilyHandle> handles) {
    this.dir = dir;
    this.dbOptions = dbOptions;
    this.cfOptions = cfOptions;
    this.db = db;
    this.meta = handles.get(0);
    this.entries = handles.get(1);
    this.signatures = handles.get(2);
    this.writeOptions = new WriteOptions();
    toClose.addAll(handles);
  }

  /**
   * Opens the archive in {@code dir}, creating an empty one if there is none.
   *
   * @throws ArchiveException if it cannot be opened or has a format version this jsync does not read; an
   *     archive is never silently reset
   */
  public static Archive open(Path dir) {
    DBOptions dbOptions = new DBOptions()
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
        .setKeepLogFileNum(2)
        .setMaxManifestFileSize(4L << 20)
        // One run at a time touches the archive; background threads only cost start-up.
        .setMaxBackgroundJobs(2);
    // A small block cache of the archive's own: a scan reads the whole table once, in order, so caching
    // helps only point lookups. RocksDB's default (32 MiB per database) made a no-change run over a million
    // files peak 56 MiB higher than over 100,000.
    LRUCache cache = new LRUCache(BLOCK_CACHE_BYTES);
    ColumnFamilyOptions cfOptions = new ColumnFamilyOptions().setTableFormatConfig(
        new BlockBasedTableConfig().setBlockCache(cache));
    List<ColumnFamilyDescriptor> descriptors = List.of(
        new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
        new ColumnFamilyDescriptor(ENTRIES, cfOptions),
        new ColumnFamilyDescriptor(SIGNATURES, cfOptions));
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    boolean existed = Files.exists(dir.resolve("CURRENT"));
    RocksDB db;
    try {
      Files.createDirectories(dir);
      db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
    } catch (RocksDBException | java.io.IOException e) {
      dbOptions.close();
      cfOptions.close();
      cache.close();
      throw new ArchiveException("cannot open archive at " + dir + ": " + e.getMessage(), e);
    }
    Archive archive = new Archive(dir, dbOptions, cfOptions, db, handles);
    archive.cache = cache;
    try {
      archive.checkVersion(existed);
    } catch (RuntimeException e) {
      archive.close();
      throw e;
    }
    return archive;
  }

  private void checkVersion(boolean existed) {
    byte[] v = getRaw(meta, KEY_FORMAT_VERSION);
    if (v == null) {
      if (existed && hasAnyEntry()) {
        throw new ArchiveException("archive at " + dir + " has records but no format version; "
            + "it was not written by jsync, or is damaged. Move it away to start over.");
      }
      putRaw(meta, KEY_FORMAT_VERSION, bytes(Integer.toString(FORMAT_VERSION)));
      return;
    }
    String s = new String(v, StandardCharsets.UTF_8);
    if (!s.equals(Integer.toString(FORMAT_VERSION))) {
      throw new ArchiveException("archive at " + dir + " has format version " + s + "; this jsync reads "
          + "version " + FORMAT_VERSION + ". Use the jsync that wrote it, or move the archive away to "
          + "start over with first-sync rules.");
    }
  }

  public Path directory() {
    return dir;
  }

  /** The record at {@code path}, or {@link Observed#ABSENT}. */
  public Observed get(RelPath path) {
    byte[] v = getRaw(entries, path.toKeyBytes());
    return v == null ? Observed.ABSENT : ArchiveCodec.decode(v, new Where(path));
  }

  public Optional<Signature> signature(RelPath path) {
    byte[] v = getRaw(signatures, path.toKeyBytes());
    return v == null ? Optional.empty() : Optional.of(ArchiveCodec.decodeSignature(v, new Where(path)));
  }

  public Optional<String> meta(String key) {
    byte[] v = getRaw(meta, bytes("m:" + key));
    return v == null ? Optional.empty() : Optional.of(new String(v, StandardCharsets.UTF_8));
  }

  /** True if the archive has no path records: nothing was ever synchronized (or everything deleted). */
  public boolean isEmpty() {
    return !hasAnyEntry();
  }

  private boolean hasAnyEntry() {
    try (RocksIterator it = db.newIterator(entries)) {
      it.seekToFirst();
      return it.isValid();
    }
  }

  @Override
  public Records records(RelPath scope) {
    return new RecordIterator(scope);
  }

  /** Starts a set of writes that {@link #commit} applies atomically. */
  public Batch batch() {
    return new Batch();
  }

  public void commit(Batch batch) {
    try {
      db.write(writeOptions, batch.batch);
      written += batch.size;
      if (written >= FLUSH_RECORDS) {
        flushMemtables();
        written = 0;
      }
    } catch (RocksDBException e) {
      throw new ArchiveException("cannot write archive at " + dir + ": " + e.getMessage(), e);
    } finally {
      batch.batch.close();
    }
  }

  /** Writes to be committed together. */
  public final class Batch {
    private final WriteBatch batch = new WriteBatch();
    private int size;

    /** Records {@code observed} at {@code path}; a given signature replaces the stored one, else it is dropped. */
    public Batch put(RelPath path, Observed observed, Optional<Signature> signature) {
      byte[] key = path.toKeyBytes();
      try {
        if (observed.entry().isAbsent()) {
          batch.delete(entries, key);
          batch.delete(signatures, key);
        } else {
          batch.put(entries, key, ArchiveCodec.encode(observed));
          if (signature.isPresent()) {
            batch.put(signatures, key, ArchiveCodec.encode(signature.get()));
          } else {
            batch.delete(signatures, key);
          }
        }
      } catch (RocksDBException e) {
        throw new ArchiveException("cannot prepare archive write at " + dir + ": " + e.getMessage(), e);
      }
      size++;
      return this;
    }

    /** Updates the record's stamp and entry but keeps whatever signature is stored. */
    public Batch restamp(RelPath path, Observed observed) {
      try {
        batch.put(entries, path.toKeyBytes(), ArchiveCodec.encode(observed));
      } catch (RocksDBException e) {
        throw new ArchiveException("cannot prepare archive write at " + dir + ": " + e.getMessage(), e);
      }
      size++;
      return this;
    }

    public Batch putMeta(String key, String value) {
      try {
        batch.put(meta, bytes("m:" + key), bytes(value));
      } catch (RocksDBException e) {
        throw new ArchiveException("cannot prepare archive write at " + dir + ": " + e.getMessage(), e);
      }
      size++;
      return this;
    }

    public int size() {
      return size;
    }
  }

  private final class RecordIterator implements Records {
    private final RocksIterator it;
    private final byte[] scopeKey;
    private Recorded next;
    /**
     * The current key and value, copied into arrays reused from record to record (grown when one is too
     * small): {@code key()} and {@code value()} allocate two arrays from native code per record, ~15 ms of a
     * no-change scan of 100,000 files (bench/micro/run.sh IterBench arr vs reuse).
     */
    private byte[] keyBuf = new byte[256];
    private byte[] valueBuf = new byte[64];

    RecordIterator(RelPath scope) {
      it = db.newIterator(entries, scanRead);
      scopeKey = scope.toKeyBytes();
      it.seek(scopeKey);
      advance();
    }

    private void advance() {
      next = null;
      if (!it.isValid()) {
        checkStatus();
        return;
      }
      int keyLength = it.key(keyBuf);
      if (keyLength > keyBuf.length) {
        keyBuf = new byte[Math.max(keyLength, 2 * keyBuf.length)];
        keyLength = it.key(keyBuf);
      }
      if (!within(keyBuf, keyLength)) {
        return;
      }
      RelPath path;
      try {
        path = RelPath.fromKeyBytes(keyBuf, 0, keyLength);
      } catch (IllegalArgumentException e) {
        throw new ArchiveException("corrupt archive key in " + dir + ": " + e.getMessage(), e);
      }
      int valueLength = it.value(valueBuf);
      if (valueLength > valueBuf.length) {
        valueBuf = new byte[Math.max(valueLength, 2 * valueBuf.length)];
        valueLength = it.value(valueBuf);
      }
      next = new Recorded(path, ArchiveCodec.decode(valueBuf, valueLength, new Where(path)));
      it.next();
    }

    /** Whether the key in {@code key[0..length)} is the scope's or below it. */
    private boolean within(byte[] key, int length) {
      if (scopeKey.length == 0) {
        return true;
      }
      if (length < scopeKey.length
          || !Arrays.equals(key, 0, scopeKey.length, scopeKey, 0, scopeKey.length)) {
        return false;
      }
      return length == scopeKey.length || key[scopeKey.length] == 0;
    }

    private void checkStatus() {
      try {
        it.status();
      } catch (RocksDBException e) {
        throw new ArchiveException("cannot read archive at " + dir + ": " + e.getMessage(), e);
      }
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
      advance();
      return r;
    }

    @Override
    public void close() {
      it.close();
    }
  }

  /**
   * Writes this run's records from RocksDB's memtable to a table file. Without it they stay in the
   * write-ahead log, which every later open replays and whose memtable every scan iterates, until 64 MiB
   * of writes fill the memtable: after a first sync of 100,000 files each no-change run re-read a 10 MB
   * log (measured: 1.4 s instead of 0.8 s). Best effort: the log still holds everything if it fails.
   */
  private void flushMemtables() {
    try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
      db.flush(fo, List.of(meta, entries, signatures));
    } catch (RocksDBException e) {
      LoggerFactory.getLogger(Archive.class).warn("cannot flush archive {}: {}", dir, e.getMessage());
    }
  }

  private byte[] getRaw(ColumnFamilyHandle cf, byte[] key) {
    try {
      return db.get(cf, key);
    } catch (RocksDBException e) {
      throw new ArchiveException("cannot read archive at " + dir + ": " + e.getMessage(), e);
    }
  }

  private void putRaw(ColumnFamilyHandle cf, byte[] key, byte[] value) {
    try {
      db.put(cf, writeOptions, key, value);
    } catch (RocksDBException e) {
      throw new ArchiveException("cannot write archive at " + dir + ": " + e.getMessage(), e);
    }
  }

  private String where(RelPath path) {
    return path.display() + " in " + dir;
  }

  /**
   * {@link #where} of a record, made only for an error message. A class, not a lambda: the scan makes one
   * per record, and a capturing lambda is instantiated through a method handle, which stayed slow in a
   * fresh JVM (async-profiler: ~5% of the walk in {@code DirectMethodHandle.allocateInstance}).
   */
  private final class Where implements java.util.function.Supplier<String> {
    private final RelPath path;

    Where(RelPath path) {
      this.path = path;
    }

    @Override
    public String get() {
      return where(path);
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    if (written > 0) {
      flushMemtables();
    }
    for (AutoCloseable c : toClose) {
      try {
        c.close();
      } catch (Exception e) {
        // Handles only free native memory; nothing to report or undo.
      }
    }
    writeOptions.close();
    scanRead.close();
    db.close();
    dbOptions.close();
    cfOptions.close();
    if (cache != null) {
      cache.close();
    }
  }
}
