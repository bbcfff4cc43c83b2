/**
 * Continuous synchronization ({@code -repeat watch}, {@code -repeat N}): {@link jsync.watch.TreeWatcher}
 * watches a root through inotify ({@code WatchService}), {@link jsync.watch.ChangeQueue} gathers and
 * debounces what both replicas' watchers report, and {@link jsync.watch.ContinuousSync} runs the core's
 * synchronization on the changed paths. See docs/continuous.md.
 */
package jsync.watch;
