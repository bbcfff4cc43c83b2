package jsync.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import jsync.core.reconcile.Direction;
import jsync.core.reconcile.Item;
import jsync.core.reconcile.Plan;
import jsync.core.sync.ItemReport;
import jsync.core.sync.SyncListener;
import jsync.core.sync.SyncReport;

/**
 * The terminal and log side of a run: prints items as they complete (stdout), the plan and the questions of
 * an interactive run, a progress line on a terminal, failures and the summary (stderr, as Unison); writes
 * the log file. Output levels:
 * normal (items and summary), terse (summary with its skipped and failed lines), silent (nothing; the log
 * still gets everything).
 */
final class Reporter implements SyncListener {
  enum Level {
    SILENT, TERSE, NORMAL
  }

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  private final PrintWriter out;
  private final PrintWriter err;
  private final Level level;
  private final boolean interactive;
  private final BufferedReader answers;
  private final LogFile log;
  private final PlanFormatter formatter;
  private final Environment env;
  private final AtomicLong bytes = new AtomicLong();
  private final List<ItemReport> problems = new ArrayList<>();
  private Progress progress;
  private boolean timings;
  private final long started = System.nanoTime();
  private long itemsToDo;
  private long itemsDone;

  Reporter(PrintWriter out, PrintWriter err, Level level, boolean interactive, Environment env, LogFile log,
      PlanFormatter formatter) {
    this.out = out;
    this.err = err;
    this.level = level;
    this.interactive = interactive;
    this.env = env;
    this.answers = new BufferedReader(new InputStreamReader(env.stdin(), StandardCharsets.UTF_8));
    this.log = log;
    this.formatter = formatter;
  }

  /** Counts bytes written to either replica, for the progress line. */
  void bytesWritten(long n) {
    bytes.addAndGet(n);
  }

  @Override
  public void stage(String description) {
    if (timings) {
      err.printf("jsync: %6d ms  %s%n", (System.nanoTime() - started) / 1_000_000, description);
      err.flush();
    }
    if (level == Level.NORMAL && progress != null) {
      progress.stage(description);
    }
  }

  /** With {@code -debug}: each stage's start time on stderr, to see where a run spends its time. */
  void showTimings() {
    timings = true;
  }

  /** Starts the progress line (terminals only; cron gets no carriage returns). */
  void startProgress() {
    if (level == Level.NORMAL && interactive) {
      progress = new Progress(err, bytes, () -> itemsDone, () -> itemsToDo);
      progress.start();
    }
  }

  void stopProgress() {
    if (progress != null) {
      progress.stop();
      progress = null;
    }
  }

  @Override
  public boolean confirm(Plan plan) {
    itemsToDo = plan.items().stream().filter(i -> i.direction().propagates()).count();
    if (!interactive) {
      return true;
    }
    boolean paused = progress != null;
    stopProgress();
    out.println("Changes to propagate (first root " + "on the left):");
    for (Item item : plan.items()) {
      if (PlanFormatter.shown(item)) {
        out.println("  " + formatter.line(item) + suffix(item));
      }
    }
    out.printf("%d to propagate, %d conflicts. Proceed? [y/N] ", itemsToDo, plan.conflicts());
    out.flush();
    boolean yes = answer();
    if (paused) {
      startProgress();
    }
    return yes;
  }

  @Override
  public boolean confirmBigDeletion(String message) {
    if (!interactive) {
      return false;
    }
    stopProgress();
    out.println(message);
    out.print("Propagate these deletions anyway? [y/N] ");
    out.flush();
    return answer();
  }

  private boolean answer() {
    try {
      String line = answers.readLine();
      return line != null && (line.trim().equalsIgnoreCase("y") || line.trim().equalsIgnoreCase("yes"));
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void itemDone(ItemReport r) {
    Item item = r.item();
    if (item.direction().propagates()) {
      itemsDone++;
    }
    String line = formatter.line(item) + suffix(item);
    switch (r.status()) {
      case DONE -> {
        if (item.direction() != Direction.ARCHIVE_ONLY) {
          log.line(line);
          if (level == Level.NORMAL) {
            printAbove(line);
          }
        }
      }
      case SKIPPED -> {
        problems.add(r);
        log.line(line + "\n[" + (item.direction() == Direction.CONFLICT ? "CONFLICT" : "ERROR") + "] Skipping "
            + item.path().display() + "\n  " + r.message());
        if (level == Level.NORMAL) {
          printAbove(line);
        }
      }
      case FAILED -> {
        problems.add(r);
        log.line("Failed [" + item.path().display() + "]: " + r.message());
        if (level != Level.SILENT) {
          printAboveErr("Failed [" + item.path().display() + "]: " + r.message());
        }
      }
    }
  }

  private static String suffix(Item item) {
    return item.override().isEmpty() ? "" : "  (" + item.override() + ")";
  }

  @Override
  public void warning(String message) {
    log.line("Warning: " + message);
    if (level != Level.SILENT) {
      printAboveErr("jsync: warning: " + message);
    }
  }

  private void printAbove(String line) {
    if (progress != null) {
      progress.clear();
    }
    out.println(line);
    out.flush();
  }

  private void printAboveErr(String line) {
    if (progress != null) {
      progress.clear();
    }
    err.println(line);
    err.flush();
  }

  /** Everything settled was archive-only: both replicas had changed in the same way. */
  private static boolean onlyRecorded(SyncReport report) {
    return report.items().isEmpty() && report.transferred() == 0;
  }

  /**
   * The summary of one synchronization of a daemon: nothing at all when nothing changed (most of them see
   * only jsync's own writes coming back), so the log holds one line per change.
   */
  void summaryIfAnything(SyncReport report) {
    if (report.nothingToDo() || onlyRecorded(report)) {
      stopProgress();
      stage("done");
      return;
    }
    summary(report);
  }

  /** The summary, in Unison's form, then one line per skipped or failed item. */
  void summary(SyncReport report) {
    stopProgress();
    stage("done");
    String time = LocalTime.now(env.clock()).format(TIME);
    List<String> lines = new ArrayList<>();
    if (report.cancelled()) {
      lines.add("Nothing propagated: the plan was not confirmed.");
    } else if (report.nothingToDo()) {
      lines.add("Nothing to do: replicas have not changed since last sync.");
    } else if (onlyRecorded(report)) {
      lines.add("Nothing to do: replicas have been changed only in identical ways since last sync.");
    } else {
      long n = report.transferred();
      lines.add(String.format("Synchronization %s at %s  (%d item%s transferred, %d skipped, %d failed)",
          report.failed() > 0 ? "incomplete" : "complete", time, n, n == 1 ? "" : "s", report.skipped(),
          report.failed()));
      for (ItemReport r : problems) {
        lines.add("  " + (r.status() == ItemReport.Status.FAILED ? "failed: " : "skipped: ")
            + r.item().path().display() + " (" + r.message() + ")");
      }
    }
    for (String l : lines) {
      log.line(l);
    }
    boolean quietNothing = (report.nothingToDo() || onlyRecorded(report)) && level == Level.TERSE;
    // Like Unison, the summary and its skipped/failed lines go to stderr: "jsync -batch p >/dev/null" in a
    // crontab still mails what went wrong.
    out.flush();
    if (level != Level.SILENT && !quietNothing) {
      lines.forEach(err::println);
    }
    err.flush();
  }
}
