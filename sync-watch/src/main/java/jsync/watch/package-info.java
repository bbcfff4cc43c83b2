/**
 * Continuous synchronization ({@code -repeat watch}): inotify via {@code WatchService}, debouncing and
 * dirty-path sets handed to the core pipeline. Not built yet: issue 4.
 */
package jsync.watch;
