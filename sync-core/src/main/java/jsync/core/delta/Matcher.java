package jsync.core.delta;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import jsync.core.model.Fingerprint;
import net.jpountz.xxhash.StreamingXXHash64;

/**
 * The sender's half of the rsync algorithm: finds the receiver's blocks, described by its {@link Signature},
 * in the new version of a file and describes that version to a {@link DeltaSink} as block copies and
 * literal bytes. While the bytes stream past it also computes the new version's length and whole-file
 * xxHash64 (seed 0, the {@link Fingerprint}), so the file is read once.
 *
 * <p>The new version is read from an {@link InputStream} through a sliding buffer of about
 * {@code 2 * blockSize + 64 KiB}, so a file of any size is matched in bounded memory. The block index
 * (weak checksum to blocks) is built once, in the constructor, and serves any number of {@link #deltify}
 * calls. A matcher is not thread-safe: use one per thread.
 *
 * <p>What is matched, and how:
 * <ul>
 *   <li>A window of {@code blockSize} bytes slides over the new version one byte at a time with the
 *       {@link RollingChecksum}; only when its weak checksum is in the index is the strong xxHash64 (with the
 *       signature's seed) computed, once per window, and compared with the candidates' (rsync's
 *       {@code hash_search}). A match moves the window a whole block on, where the block after the match
 *       is tried first, by its strong checksum alone: in a file that changed little that is the common
 *       case, and it saves a pass over the block for the weak checksum.
 *   <li>When several blocks match, the one after the previous match wins (rsync's {@code want_i}), so
 *       repeated blocks still come out as one long copy.
 *   <li>The basis file's last block, when shorter than {@code blockSize}, is matched only by the last bytes
 *       of the new version, as rsync does: it keeps a single window length (a second rolling window for
 *       one block would double the per-byte work), and the case it serves, an unchanged tail, is the
 *       common one. An old tail that ends up in the middle of the new version costs at most one block of
 *       literal bytes.
 *   <li>Identical blocks are indexed once, and at most {@link #MAX_CHAIN} distinct blocks per hash bucket.
 * </ul>
 * Consecutive copies are coalesced into one {@link DeltaSink#copy}; literal runs are passed on in pieces of
 * at most 64 KiB (the format's limit).
 */
public final class Matcher {
  /**
   * Most blocks kept per hash bucket. Without a cap, a basis with many distinct blocks that share a weak
   * checksum (or a peer that sends such a signature on purpose) turns every probe into a long scan, and
   * matching becomes O(new size x blocks) instead of linear: the reason jgit's {@code DeltaIndex} caps its
   * chains at 64 ({@code MAX_CHAIN_LENGTH}). rsync's {@code match.c} does not cap them. Random data has
   * about 0.5 blocks per bucket here (the table is sized for that), and identical blocks are indexed once
   * anyway, so real files never reach the cap; when one does, the dropped blocks are sent as literals,
   * which costs bytes, never correctness.
   */
  public static final int MAX_CHAIN = 64;

  /**
   * Largest block size accepted. A signature comes from the peer; its block size sizes this matcher's
   * buffer, so it must be checked before allocating. {@link SignatureBuilder} never goes above 128 KiB.
   */
  public static final int MAX_BLOCK_SIZE = 1 << 20;

  /** Fibonacci hashing: spreads the weak checksum, whose low half is a plain byte sum, over the table. */
  private static final int GOLDEN = 0x9E3779B9;

  private final Signature signature;
  private final int blockSize;
  private final long seed;

  // The index of full-length blocks, grouped by bucket: bucket k holds entries start[k] .. start[k+1]-1,
  // each a weak checksum, strong checksum and block number, in block order. Plain int/long arrays: no
  // boxing.
  private final int shift;
  private final int[] start;
  private final int[] keys;
  private final long[] strongs;
  private final int[] blocks;
  // In front of it, a filter: one bit per hashed weak checksum, 64 bits per block (at most 2 MiB, 256 KiB
  // for a 1 GiB file), so ~98.5 % of windows of unrelated data are rejected by one load and a
  // predictable branch. Measured on 64 MiB of random data (thread CPU time, shared 2-core machine):
  // probing the bucket table directly, two loads and a branch taken at random for ~40 % of windows,
  // ran the miss loop at ~60 MB/s; the filter at 16, 32, 64 and 128 bits per block at ~200, ~260, ~300
  // and ~330 MB/s. 64 keeps the filter well inside a core's L2 for files up to a few GiB.
  private final int filterShift;
  private final long[] filter;
  /** The basis file's last block if it is shorter than a block (matched only at the end), or -1. */
  private final int tailBlock;

  private final byte[] buf;
  private final RollingChecksum weak = new RollingChecksum();

  // State of one deltify call: its parts are split into methods, so it lives in fields.
  private InputStream in;
  private DeltaSink sink;
  /** The new version's hash as it is read; null when not wanted ({@link #deltifyUnhashed}). */
  private StreamingXXHash64 whole;
  private long length;
  private boolean eof;
  private int end;
  private int lit;
  private int runBlock;
  private int runCount;
  private int nextBlock;
  private int nextWeak;
  /** The window position whose strong checksum is {@link #hashedValue}, or -1. */
  private int hashedAt;
  private long hashedValue;
  private long literalBytes;
  private long copiedBytes;
  private long falseAlarms;

  /**
   * Indexes the blocks of {@code signature}.
   *
   * @throws IllegalArgumentException if its block size exceeds {@link #MAX_BLOCK_SIZE}
   */
  public Matcher(Signature signature) {
    int bs = signature.blockSize();
    if (bs > MAX_BLOCK_SIZE) {
      throw new IllegalArgumentException("block size " + bs + " exceeds the limit of " + MAX_BLOCK_SIZE);
    }
    this.signature = signature;
    this.blockSize = bs;
    this.seed = signature.seed();
    int n = signature.blockCount();
    int full = n > 0 && signature.blockLength(n - 1) < bs ? n - 1 : n;
    this.tailBlock = full < n ? n - 1 : -1;

    // At least two buckets per block, so a probe looks at about one entry besides its candidates.
    int bits = 1;
    while (bits < 30 && (1L << bits) < 2L * full) {
      bits++;
    }
    this.shift = 32 - bits;
    int buckets = 1 << bits;

    // Counting sort of the blocks by bucket, keeping block order within a bucket.
    int[] bucketOf = new int[full];
    int[] first = new int[buckets + 1];
    for (int i = 0; i < full; i++) {
      int k = bucket(signature.weak(i));
      bucketOf[i] = k;
      first[k + 1]++;
    }
    for (int k = 0; k < buckets; k++) {
      first[k + 1] += first[k];
    }
    int[] order = new int[full];
    int[] fill = first.clone();
    for (int i = 0; i < full; i++) {
      order[fill[bucketOf[i]]++] = i;
    }

    // Copy bucket by bucket, dropping repeats of a (weak, strong) pair and anything past the cap.
    this.start = new int[buckets + 1];
    int[] k2 = new int[full];
    long[] s2 = new long[full];
    int[] b2 = new int[full];
    int kept = 0;
    for (int k = 0; k < buckets; k++) {
      start[k] = kept;
      for (int j = first[k]; j < first[k + 1]; j++) {
        int block = order[j];
        int w = signature.weak(block);
        long s = signature.strong(block);
        boolean repeat = false;
        for (int e = start[k]; e < kept; e++) {
          if (k2[e] == w && s2[e] == s) {
            repeat = true;
            break;
          }
        }
        if (!repeat && kept - start[k] < MAX_CHAIN) {
          k2[kept] = w;
          s2[kept] = s;
          b2[kept] = block;
          kept++;
        }
      }
    }
    start[buckets] = kept;
    this.keys = Arrays.copyOf(k2, kept);
    this.strongs = Arrays.copyOf(s2, kept);
    this.blocks = Arrays.copyOf(b2, kept);

    int filterBits = 10;
    while (filterBits < 24 && (1L << filterBits) < 64L * full) {
      filterBits++;
    }
    this.filterShift = 32 - filterBits;
    this.filter = new long[1 << (filterBits - 6)];
    for (int e = 0; e < kept; e++) {
      int f = (keys[e] * GOLDEN) >>> filterShift;
      filter[f >>> 6] |= 1L << f;
    }

    // One block of window, one block of look-ahead, and room for a full literal piece: a refill then
    // moves at most one block of bytes and reads at least one block plus 64 KiB.
    this.buf = new byte[2 * bs + DeltaFormat.MAX_LITERAL];
  }

  /**
   * What one {@link #deltify} call saw.
   *
   * @param length length of the new version
   * @param fingerprint its xxHash64 with seed 0, as {@link Fingerprint} defines it
   * @param literalBytes bytes passed on as literals
   * @param copiedBytes bytes covered by block copies
   * @param falseAlarms windows whose weak checksum matched a block but whose strong checksum did not
   *     (rsync's name for them)
   */
  public record Result(
      long length, Fingerprint fingerprint, long literalBytes, long copiedBytes, long falseAlarms) {}

  /**
   * Reads {@code newVersion} to its end and describes it to {@code out} in terms of the signature's blocks.
   * Neither stream is closed.
   *
   * @return the new version's length and fingerprint, and match statistics
   * @throws IOException from reading {@code newVersion} or from {@code out}
   */
  public Result deltify(InputStream newVersion, DeltaSink out) throws IOException {
    try (StreamingXXHash64 h = XxHash.streaming(0)) {
      return deltify(newVersion, out, h);
    }
  }

  /**
   * As {@link #deltify(InputStream, DeltaSink)} without hashing the new version: for a sender whose receiver
   * checks the rebuilt file against a fingerprint it already has (the one the sender's scan computed), so
   * the hash here would only repeat it (1 GiB: ~0.08 s of the sender's busiest thread). The result's
   * fingerprint is {@link Fingerprint#UNKNOWN}.
   */
  public Result deltifyUnhashed(InputStream newVersion, DeltaSink out) throws IOException {
    return deltify(newVersion, out, null);
  }

  private Result deltify(InputStream newVersion, DeltaSink out, StreamingXXHash64 h) throws IOException {
    try {
      in = newVersion;
      sink = out;
      whole = h;
      length = 0;
      eof = false;
      end = 0;
      lit = 0;
      runBlock = 0;
      runCount = 0;
      literalBytes = 0;
      copiedBytes = 0;
      falseAlarms = 0;
      expectNext(0);
      hashedAt = -1;

      fill();
      int p = keys.length > 0 ? search() : skipToTail();
      tail(p);
      flushRun();
      return new Result(length, h != null ? Fingerprint.of(h.getValue()) : Fingerprint.UNKNOWN, literalBytes,
          copiedBytes, falseAlarms);
    } finally {
      in = null;
      sink = null;
      whole = null;
    }
  }

  /**
   * The rsync search: slides the window until fewer than {@code blockSize} bytes are left, emitting
   * matched blocks and the literal bytes between them. Returns the window position where it stopped;
   * bytes from {@code lit} on are not emitted yet.
   */
  private int search() throws IOException {
    final byte[] b = buf;
    final int bs = blockSize;
    int p = 0;
    boolean fresh = true;
    for (;;) {
      if (p + bs > end) {
        if (eof) {
          return p;
        }
        p = compact(p);
        fill();
        if (p + bs > end) {
          return p;
        }
      }
      if (fresh) {
        // After a match (and at the start) the likeliest next match is the following block, so its
        // strong checksum is tried first, alone: on a file that mostly matches, this skips the weak
        // checksum of every block (a serial pass over its bytes that took most of the matcher's time).
        // The 64-bit seeded strong checksum decides every match anyway; the weak one only filters,
        // and the whole-file fingerprint guards the result.
        if (nextBlock >= 0) {
          long h = XxHash.hash(b, p, bs, seed);
          if (h == signature.strong(nextBlock)) {
            emitLiteral(lit, p);
            addCopy(nextBlock);
            p += bs;
            lit = p;
            continue;
          }
          hashedAt = p;
          hashedValue = h;
        }
        weak.reset(b, p, bs);
        fresh = false;
      }
      // Test windows at p, p+1, ... up to the last one that still has a byte to roll in and keeps the
      // pending literal within one piece.
      int limit = Math.min(end - bs - 1, lit + DeltaFormat.MAX_LITERAL - 1);
      int m = -1;
      for (;;) {
        p = scan(p, limit);
        int w = weak.value();
        if (candidate(w)) {
          m = probe(w, p);
          if (m >= 0) {
            break;
          }
        }
        if (p >= limit) {
          break;
        }
        weak.roll(b[p], b[p + bs]);
        p++;
      }
      if (m >= 0) {
        emitLiteral(lit, p);
        addCopy(m);
        p += bs;
        lit = p;
        fresh = true;
        continue;
      }
      // The window at p missed and it is the last one this round: byte p is literal.
      if (p + 1 - lit >= DeltaFormat.MAX_LITERAL) {
        emitLiteral(lit, p + 1);
        lit = p + 1;
      }
      if (p + bs >= end) {
        if (!eof) {
          p = compact(p);
          fill();
        }
        if (p + bs >= end) {
          return p + 1;
        }
      }
      weak.roll(b[p], b[p + bs]);
      p++;
    }
  }

  /**
   * The inner loop, on its own so that it has no call in it: rolls the window from {@code p} while it is
   * not a {@link #candidate}, up to {@code limit}, and returns where it stopped. On random data nearly
   * every byte goes through here once. Its own method ran ~25 % faster than the same loop inline in
   * {@link #search} with the probe call in its body; {@link RollingChecksum#roll} costs no more than
   * the same arithmetic on locals (both measured on 64 MiB of random data).
   */
  private int scan(int p, int limit) {
    final byte[] b = buf;
    final int bs = blockSize;
    final long[] filt = filter;
    final int fsh = filterShift;
    final int nw = nextWeak;
    final RollingChecksum c = weak;
    while (p < limit) {
      int w = c.value();
      int f = (w * GOLDEN) >>> fsh;
      if ((filt[f >>> 6] & (1L << f)) != 0 || w == nw) {
        break;
      }
      c.roll(b[p], b[p + bs]);
      p++;
    }
    return p;
  }

  /** Whether the window with weak checksum {@code w} may match: worth a {@link #probe}. */
  private boolean candidate(int w) {
    int f = (w * GOLDEN) >>> filterShift;
    return (filter[f >>> 6] & (1L << f)) != 0 || w == nextWeak;
  }

  /**
   * Without full-length blocks in the index no window can match, so skip the rolling: pass the bytes on
   * as literals, keeping only the last block's worth for {@link #tail}. Returns the position for it.
   */
  private int skipToTail() throws IOException {
    for (;;) {
      int p = Math.max(lit, end - blockSize);
      if (eof) {
        return p;
      }
      p = compact(p);
      fill();
    }
  }

  /**
   * Fewer than a block of bytes is left after {@code p} and the input has ended: the basis file's short
   * last block may match the very end; everything else left is literal.
   */
  private void tail(int p) throws IOException {
    if (tailBlock >= 0) {
      int len = signature.blockLength(tailBlock);
      int at = end - len;
      if (at >= p && at >= lit
          && RollingChecksum.of(buf, at, len) == signature.weak(tailBlock)) {
        if (XxHash.hash(buf, at, len, seed) == signature.strong(tailBlock)) {
          emitLiteral(lit, at);
          addCopy(tailBlock);
          lit = end;
          return;
        }
        falseAlarms++;
      }
    }
    emitLiteral(lit, end);
    lit = end;
  }

  /**
   * A window whose weak checksum {@code w} may be indexed: the block it matches, or -1. The strong
   * checksum is computed at most once, and only if some candidate has the same weak checksum.
   */
  private int probe(int w, int p) {
    boolean hashed = hashedAt == p;
    long h = hashed ? hashedValue : 0;
    boolean weakHit = false;
    if (nextBlock >= 0 && w == nextWeak) {
      weakHit = true;
      if (!hashed) {
        h = XxHash.hash(buf, p, blockSize, seed);
        hashed = true;
      }
      if (h == signature.strong(nextBlock)) {
        return nextBlock;
      }
    }
    int k = bucket(w);
    for (int e = start[k], stop = start[k + 1]; e < stop; e++) {
      if (keys[e] == w) {
        weakHit = true;
        if (!hashed) {
          h = XxHash.hash(buf, p, blockSize, seed);
          hashed = true;
        }
        if (strongs[e] == h) {
          return blocks[e];
        }
      }
    }
    if (weakHit) {
      falseAlarms++;
    }
    return -1;
  }

  private int bucket(int w) {
    return (w * GOLDEN) >>> shift;
  }

  /** Remembers the block a following match should prefer: the one after {@code block}, if full-length. */
  private void expectNext(int block) {
    if (block < signature.blockCount() && block != tailBlock) {
      nextBlock = block;
      nextWeak = signature.weak(block);
    } else {
      nextBlock = -1;
      nextWeak = 0; // may equal a window's checksum: probe() checks nextBlock first
    }
  }

  private void addCopy(int block) throws IOException {
    copiedBytes += signature.blockLength(block);
    if (runCount > 0 && block == runBlock + runCount) {
      runCount++;
    } else {
      flushRun();
      runBlock = block;
      runCount = 1;
    }
    expectNext(block + 1);
  }

  private void flushRun() throws IOException {
    if (runCount > 0) {
      sink.copy(runBlock, runCount);
      runCount = 0;
    }
  }

  /** Passes {@code buf[from, to)} on as literal pieces of at most {@code MAX_LITERAL} bytes. */
  private void emitLiteral(int from, int to) throws IOException {
    if (from >= to) {
      return;
    }
    flushRun();
    literalBytes += to - from;
    while (from < to) {
      int n = Math.min(to - from, DeltaFormat.MAX_LITERAL);
      sink.literal(buf, from, n);
      from += n;
    }
  }

  /**
   * Makes room: emits the pending literal before {@code p}, moves {@code buf[p, end)} (at most a block) to
   * the front, and returns the window's new position, 0. Flushing the literal here, instead of moving it
   * along, keeps the move to one block; it only splits a literal run at buffer boundaries.
   */
  private int compact(int p) throws IOException {
    if (lit < p) {
      emitLiteral(lit, p);
      lit = p;
    }
    System.arraycopy(buf, p, buf, 0, end - p);
    end -= p;
    lit -= p;
    hashedAt = hashedAt == p ? 0 : -1;
    return 0;
  }

  /** Reads until the buffer is full or the input ends, hashing what arrives. */
  private void fill() throws IOException {
    while (end < buf.length && !eof) {
      int n = in.read(buf, end, buf.length - end);
      if (n < 0) {
        eof = true;
      } else {
        if (whole != null) {
          whole.update(buf, end, n);
        }
        length += n;
        end += n;
      }
    }
  }
}
