package jsync.cli;

import jsync.core.model.Entry;
import jsync.core.model.PropsPolicy;
import jsync.core.reconcile.Direction;
import jsync.core.reconcile.Item;
import jsync.core.reconcile.PathState;

/**
 * Unison-style one-line descriptions of plan items, e.g. {@code changed  ---->            www/index.html}:
 * what happened on the first root, the direction, what happened on the second root, the path. Arrows:
 * {@code ---->}/{@code <----} propagate, {@code ====>}/{@code <====} propagate because of prefer/force,
 * {@code <-?->} conflict or problem (skipped).
 */
final class PlanFormatter {
  private final PropsPolicy props;

  PlanFormatter(PropsPolicy props) {
    this.props = props;
  }

  String line(Item item) {
    PathState s = item.state();
    Entry ancestor = props.same(s.archiveAlpha(), s.archiveBeta()) ? s.archiveAlpha() : Entry.ABSENT;
    String left = describe(ancestor, s.alpha());
    String right = describe(ancestor, s.beta());
    return String.format("%-8s %s %-8s  %s", left, arrow(item), right, item.path().display());
  }

  private static String arrow(Item item) {
    boolean overridden = item.direction() != item.defaultDirection();
    return switch (item.direction()) {
      case ALPHA_TO_BETA -> overridden ? "====>" : "---->";
      case BETA_TO_ALPHA -> overridden ? "<====" : "<----";
      case CONFLICT, PROBLEM -> "<-?->";
      case ARCHIVE_ONLY -> "<--->";
    };
  }

  /** How an entry differs from the common ancestor, in Unison's words. */
  String describe(Entry ancestor, Entry now) {
    if (now.kind() == Entry.Kind.PROBLEM) {
      return "error";
    }
    if (props.same(ancestor, now)) {
      return "";
    }
    if (now.isAbsent()) {
      return "deleted";
    }
    if (ancestor.kind() != now.kind()) {
      return switch (now.kind()) {
        case FILE -> "new file";
        case DIR -> "new dir";
        case LINK -> "new link";
        case ABSENT, PROBLEM -> "";
      };
    }
    return switch (now.kind()) {
      case FILE -> props.sameContent(ancestor, now) ? "props" : "changed";
      case LINK -> "chgd lnk";
      case DIR -> "props";
      case ABSENT, PROBLEM -> "";
    };
  }

  /** True if the item is worth showing: everything but archive-only bookkeeping. */
  static boolean shown(Item item) {
    return item.direction() != Direction.ARCHIVE_ONLY;
  }
}
