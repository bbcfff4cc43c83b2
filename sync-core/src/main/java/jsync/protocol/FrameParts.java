package jsync.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Splits a list carried by a control message into consecutive parts whose encoding fits a frame. How big
 * an item encodes depends on paths, symlink targets and block signatures, so the size is measured rather
 * than estimated: the whole list is encoded once, and only a list that does not fit is halved (and its
 * halves measured again), which costs a few encodings of a large answer and nothing for a small one.
 */
final class FrameParts {
  /** What a part may take: the frame limit less the envelope's type, id and framing. */
  static final int LIMIT = Frame.MAX_PAYLOAD - 4096;

  private FrameParts() {
  }

  /**
   * @param wrap makes the message that carries a part
   * @return the parts, in order, at least one (an empty list gives one empty part)
   * @throws ProtocolException if a single item alone does not fit a frame
   */
  static <T> List<List<T>> split(MessageCodec codec, List<T> items, Function<List<T>, Message> wrap,
      Function<T, Optional<List<T>>> divide) {
    return split(codec, items, wrap, divide, LIMIT);
  }

  /**
   * @param divide splits one item that alone does not fit into smaller consecutive items, if it can
   */
  static <T> List<List<T>> split(MessageCodec codec, List<T> items, Function<List<T>, Message> wrap,
      Function<T, Optional<List<T>>> divide, int limit) {
    List<List<T>> parts = new ArrayList<>();
    collect(codec, items, wrap, divide, limit, parts);
    return parts;
  }

  private static <T> void collect(MessageCodec codec, List<T> items, Function<List<T>, Message> wrap,
      Function<T, Optional<List<T>>> divide, int limit, List<List<T>> parts) {
    if (items.isEmpty() || codec.encode(0, wrap.apply(items)).length <= limit) {
      parts.add(items);
    } else if (items.size() > 1) {
      int half = items.size() / 2;
      collect(codec, items.subList(0, half), wrap, divide, limit, parts);
      collect(codec, items.subList(half, items.size()), wrap, divide, limit, parts);
    } else {
      List<T> pieces = divide.apply(items.get(0)).orElseThrow(() -> new ProtocolException(
          "one item of a " + MessageCodec.nameOf(wrap.apply(items).getClass()) + " does not fit a frame of "
              + limit + " bytes"));
      collect(codec, pieces, wrap, divide, limit, parts);
    }
  }
}
