package jsync.core.delta;

import net.jpountz.xxhash.StreamingXXHash64;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The one place that picks the xxHash64 implementation. lz4-java's JNI build is the fastest (~9.5 GB/s
 * here) but is loaded by extracting a native library to a temporary file at start-up; the Unsafe-free Java
 * build (~2 GB/s) starts instantly. {@code fastestInstance()} picks JNI when it loads.
 */
public final class XxHash {
  private static final XXHashFactory FACTORY = XXHashFactory.fastestInstance();
  private static final XXHash64 HASH64 = FACTORY.hash64();

  private XxHash() {}

  public static long hash(byte[] buf, int off, int len, long seed) {
    return HASH64.hash(buf, off, len, seed);
  }

  public static StreamingXXHash64 streaming(long seed) {
    return FACTORY.newStreamingHash64(seed);
  }
}
