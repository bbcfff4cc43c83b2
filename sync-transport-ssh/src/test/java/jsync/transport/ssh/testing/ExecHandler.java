package jsync.transport.ssh.testing;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * What an exec request to {@link TestSshServer} runs, in-process on a thread of its own: the command's
 * streams and its words (the command line split as a POSIX shell would, see {@link ShellWords}). Returns the
 * exit status. {@code in} reaches its end when the client closes its output; the server flushes both output
 * streams and sends the status when the handler returns (an exception becomes status 255 with its message on
 * {@code err}). A handler blocked when the client goes away is interrupted.
 */
@FunctionalInterface
public interface ExecHandler {
  int run(InputStream in, OutputStream out, OutputStream err, List<String> argv) throws Exception;
}
