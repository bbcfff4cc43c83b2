/**
 * What continuous mode ({@code -repeat watch}) needs from the core: a {@link jsync.core.watch.ChangeSink}
 * that watchers report to, and a {@link jsync.core.watch.WatchFactory} that starts one on a root. The
 * daemon loop and the inotify watcher are in {@code sync-watch}.
 */
package jsync.core.watch;
