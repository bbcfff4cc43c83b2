package jsync.transport.ssh;

import java.util.List;

/**
 * Where a pipe goes and what it runs, for error messages: the host as the user wrote it, the command, and
 * with the external client the ssh command line to try by hand.
 *
 * @param display the host as written in the root ({@code user@host:port})
 * @param command the remote command's words
 * @param sshCommandLine the external ssh command line, or empty for the built-in client
 */
record RemoteTarget(String display, List<String> command, String sshCommandLine) {
  /** Most of a message is the remote stderr's last lines; more than this is noise in a terminal. */
  private static final int MESSAGE_STDERR_CHARS = 1500;

  boolean external() {
    return !sshCommandLine.isEmpty();
  }

  TransportException commandFailed(int status, String stderr) {
    String program = command.get(0);
    String err = quoteStderr(stderr);
    if (external() && status == 255) {
      // 255 is ssh's own failure (connect, host key, login), not the remote command's.
      return new TransportException("ssh to " + display + " failed (exit status 255)" + endSentence(err)
          + " Run the same command by hand to see why: " + sshCommandLine);
    }
    if (status == 127) {
      return new TransportException("the remote command '" + program + "' was not found on " + display
          + " (exit status 127)" + endSentence(err) + " Install it there or give its full path (for jsync:"
          + " servercmd = /path/to/jsync); a non-interactive SSH session's PATH is often shorter than a login"
          + " shell's.");
    }
    if (status == 126) {
      return new TransportException("the remote command '" + program + "' on " + display
          + " could not be run (exit status 126: not executable or not a program)" + endSentence(err));
    }
    return new TransportException("the remote command '" + ShellQuote.commandLine(command) + "' on " + display
        + " exited with status " + status + endSentence(err));
  }

  TransportException commandEnded(String how, String stderr) {
    return new TransportException("the remote command '" + program() + "' on " + display + " " + how
        + endSentence(quoteStderr(stderr)));
  }

  private String program() {
    return command.get(0);
  }

  /** Ends the message's sentence after quoted stderr, which often ends with its own full stop. */
  private static String endSentence(String text) {
    return text.endsWith(".") || text.endsWith("!") || text.endsWith("?") ? text : text + ".";
  }

  private static String quoteStderr(String stderr) {
    if (stderr.isBlank()) {
      return "";
    }
    String s = stderr.strip();
    if (s.length() > MESSAGE_STDERR_CHARS) {
      s = "..." + s.substring(s.length() - MESSAGE_STDERR_CHARS);
    }
    return ": " + s.replace("\n", "\n  ");
  }
}
