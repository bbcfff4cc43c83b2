package jsync.transport.ssh;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Builds the command line an SSH server hands to the remote user's shell ({@code $SHELL -c LINE}) from a
 * list of words, so that the shell splits it back into exactly those words: no word can inject a command,
 * a redirection or an expansion, whatever it holds ({@code '; rm -rf / #}, {@code $(id)}, spaces,
 * newlines). SSH has no argv: the line is all the server gets.
 *
 * <p>Each word that is not plainly safe is put in single quotes, inside which a POSIX shell interprets
 * nothing; a {@code '} is written as {@code '\''} (close, escaped quote, reopen), as rsync and Unison do. This
 * assumes the remote login shell is POSIX-like (sh, bash, dash, zsh, ksh); csh-family shells treat {@code !}
 * and newlines inside quotes differently, and jsync does not support them as login shells.
 */
final class ShellQuote {
  // Words made only of these characters mean the same quoted or not; leaving them bare keeps the line
  // readable in logs and error messages. '~' is not among them: unquoted it would expand to a home directory.
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_./=:,+@%-]+");

  private ShellQuote() {}

  /** One word, quoted if needed. */
  static String quote(String word) {
    if (word.indexOf('\0') >= 0) {
      // A NUL cannot travel in a C string on the far side: refuse rather than truncate silently.
      throw new IllegalArgumentException("a remote command word cannot contain a NUL character: "
          + word.replace("\0", "\\0"));
    }
    if (SAFE.matcher(word).matches()) {
      return word;
    }
    return "'" + word.replace("'", "'\\''") + "'";
  }

  /** The whole command line: each word quoted, separated by single spaces. */
  static String commandLine(List<String> words) {
    if (words.isEmpty()) {
      throw new IllegalArgumentException("the remote command is empty");
    }
    StringBuilder sb = new StringBuilder();
    for (String w : words) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(quote(w));
    }
    return sb.toString();
  }
}
