package jsync.transport.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * A pipe through an external ssh program ({@code sshcmd = ssh}): its stdin and stdout are the remote
 * command's, its stderr (the remote command's and ssh's own messages) is drained into the tail by a
 * thread. Started without a shell, so nothing in the arguments is interpreted locally.
 */
final class ProcessPipe extends AbstractPipe {
  /** After SIGTERM, how long ssh gets to exit before SIGKILL. */
  private static final long TERM_GRACE_MILLIS = 2000;

  private final Process process;
  private final Thread drainer;

  private ProcessPipe(Process process, Thread drainer, RemoteTarget target, Duration closeTimeout,
      StderrTail tail) {
    super(process.getInputStream(), process.getOutputStream(), target, closeTimeout, tail);
    this.process = process;
    this.drainer = drainer;
  }

  static ProcessPipe start(List<String> argv, RemoteTarget target, Duration closeTimeout) {
    Process process;
    try {
      process = new ProcessBuilder(argv).start();
    } catch (IOException e) {
      throw new TransportException("cannot run sshcmd '" + argv.get(0) + "': " + e.getMessage()
          + ". Install the OpenSSH client (Debian: openssh-client) or set sshcmd to the ssh program's full"
          + " path; leave sshcmd empty to use jsync's built-in SSH client.", e);
    }
    StderrTail tail = new StderrTail();
    Thread drainer = new Thread(() -> drain(process.getErrorStream(), tail),
        "jsync-ssh-stderr " + target.display());
    drainer.setDaemon(true);
    drainer.start();
    return new ProcessPipe(process, drainer, target, closeTimeout, tail);
  }

  private static void drain(InputStream err, StderrTail tail) {
    byte[] buf = new byte[4096];
    try (err) {
      for (int n; (n = err.read(buf)) >= 0; ) {
        tail.write(buf, 0, n);
      }
    } catch (IOException e) {
      // The process is gone and its stderr with it; what was read is in the tail.
    }
  }

  @Override
  public OptionalInt exitStatus() {
    return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
  }

  @Override
  OptionalInt awaitExit(Duration timeout) {
    try {
      process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!process.isAlive()) {
      joinDrainer(); // so that the tail holds ssh's last words before a message is built from it
    }
    return exitStatus();
  }

  @Override
  String abnormalEnd() {
    return null; // a signal shows as status 128+n: the status says it all
  }

  @Override
  void forceClose() {
    if (!process.isAlive()) {
      return;
    }
    // Signals through ProcessHandle, not Process.destroy(): that one also closes our end of ssh's stdin,
    // which blocks behind a writer stuck on the full pipe. Descendants (a ProxyCommand, or whatever the
    // program started) are ended too: one of them holding the pipe would keep that writer blocked.
    List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
    all.add(0, process.toHandle());
    all.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(TERM_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
        all.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(TERM_GRACE_MILLIS, TimeUnit.MILLISECONDS);
      } else {
        all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  void release() {
    joinDrainer();
    try {
      // Normally already closed by the EOF; otherwise the process is gone and this cannot block.
      process.getOutputStream().close();
    } catch (IOException e) {
      // A broken pipe to a process that has exited: nothing left to release.
    }
  }

  private void joinDrainer() {
    try {
      drainer.join(TERM_GRACE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
