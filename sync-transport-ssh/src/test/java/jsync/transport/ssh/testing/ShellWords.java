package jsync.transport.ssh.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line into words as a POSIX shell does for the subset that matters: blanks separate
 * words; single quotes keep everything literally; double quotes keep everything but {@code \"}, {@code \\},
 * {@code \$} and {@code \`}; a backslash outside quotes escapes the next character. Expansions and operators
 * are not interpreted: a line that relies on them is refused, so a test cannot pass by accident on a line a
 * real shell would read differently. (The OpenSSH tests check the quoting against a real shell.)
 */
public final class ShellWords {
  private ShellWords() {}

  public static List<String> split(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inWord = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'') {
        int end = line.indexOf('\'', i + 1);
        if (end < 0) {
          throw new IllegalArgumentException("unterminated ' in: " + line);
        }
        cur.append(line, i + 1, end);
        i = end;
        inWord = true;
      } else if (c == '"') {
        i++;
        for (; i < line.length() && line.charAt(i) != '"'; i++) {
          char d = line.charAt(i);
          if (d == '\\' && i + 1 < line.length() && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
            d = line.charAt(++i);
          } else if (d == '$' || d == '`') {
            throw new IllegalArgumentException("expansion inside \" is not supported: " + line);
          }
          cur.append(d);
        }
        if (i >= line.length()) {
          throw new IllegalArgumentException("unterminated \" in: " + line);
        }
        inWord = true;
      } else if (c == '\\') {
        if (i + 1 >= line.length()) {
          throw new IllegalArgumentException("trailing \\ in: " + line);
        }
        cur.append(line.charAt(++i));
        inWord = true;
      } else if (c == ' ' || c == '\t') {
        if (inWord) {
          words.add(cur.toString());
          cur.setLength(0);
          inWord = false;
        }
      } else if ("|&;<>()$`*?[#~\n".indexOf(c) >= 0 && !(c == '#' && inWord) && !(c == '~' && inWord)) {
        throw new IllegalArgumentException("unquoted shell syntax '" + c + "' at " + i + " in: " + line);
      } else {
        cur.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      words.add(cur.toString());
    }
    return words;
  }
}
