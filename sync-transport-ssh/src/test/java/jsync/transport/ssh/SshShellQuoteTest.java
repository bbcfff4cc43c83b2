package jsync.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import jsync.transport.ssh.testing.ShellWords;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The remote command line: every word comes back as itself, whatever it holds. */
class SshShellQuoteTest {
  @ParameterizedTest
  @ValueSource(strings = {"plain", "/opt/jsync/bin/jsync", "'; rm -rf / #", "$(id)", "`id`", "a b", "x\ny",
      "it's", "''", "\\", "*", "~", "~user", "-e", "", " ", "\t", "!", "$HOME", "a;b", "a|b", "a&b", "(x)", "#x",
      "é", "%d", "key=value"})
  void quote_splitsBackToTheSameWord(String word) {
    assertEquals(List.of(word), ShellWords.split(ShellQuote.quote(word)));
  }

  @Test
  void safeWordsStayBare_othersAreSingleQuoted() {
    assertEquals("jsync server /srv/www", ShellQuote.commandLine(List.of("jsync", "server", "/srv/www")));
    assertEquals("'it'\\''s' '$(id)' '' '~'", ShellQuote.commandLine(List.of("it's", "$(id)", "", "~")));
  }

  @Test
  void nulAndEmptyCommand_areRefused() {
    assertThrows(IllegalArgumentException.class, () -> ShellQuote.quote("a\0b"));
    assertThrows(IllegalArgumentException.class, () -> ShellQuote.commandLine(List.of()));
  }
}
