package jsync.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import jsync.transport.ssh.testing.ExecHandler;
import jsync.transport.ssh.testing.TestSshHome;
import jsync.transport.ssh.testing.TestSshServer;

/**
 * Both ends of an in-process {@code ssh://} test, below the test's temporary directory: a local user whose
 * HOME ({@code home}) holds a key the embedded server accepts and a known_hosts that trusts it, and a remote
 * host whose {@code jsync server} is the CLI's server mode run in-process with the remote's own HOME
 * ({@code remote-home}) and JSYNC_HOME. The test owns the server (one per class, or one per test where it
 * restarts it) and hands it in; this only authorizes the key and installs the exec handler.
 */
final class EmbeddedRemote {
  private final Path tmp;
  private final TestSshServer server;
  private final TestSshHome sshHome;
  private final Path remoteHome;
  /** Every command line the remote host was asked to run, in order (added on the server's threads). */
  final List<List<String>> commands = new CopyOnWriteArrayList<>();

  EmbeddedRemote(Path tmp, TestSshServer server) throws IOException {
    this.tmp = tmp;
    this.server = server;
    sshHome = TestSshHome.create(tmp.resolve("home"));
    server.authorize(sshHome.userKey().getPublic());
    sshHome.trust(server.host(), server.port(), server.hostKey(TestSshServer.HostKeyType.ED25519));
    remoteHome = Files.createDirectories(tmp.resolve("remote-home"));
    server.handler(jsyncServer());
  }

  /** The local user's SSH home (HOME, with {@code .ssh}). */
  TestSshHome sshHome() {
    return sshHome;
  }

  /** HOME on the remote host. */
  Path remoteHome() {
    return remoteHome;
  }

  /** {@code path} on the remote host as an {@code ssh://} root (an absolute path gives a double slash). */
  String root(Path path) {
    return "ssh://" + server.host() + ":" + server.port() + "/" + path;
  }

  /**
   * The local side's surroundings: the SSH home as HOME, a JSYNC_HOME apart from the remote's, not on a
   * terminal, nothing on stdin. A new one each call, as each run of the CLI gets.
   */
  Environment localEnvironment() {
    Map<String, String> vars = new HashMap<>();
    vars.put("HOME", sshHome.home().toString());
    vars.put("JSYNC_HOME", tmp.resolve("local-jsync").toString());
    vars.put("JSYNC_HOSTNAME", "local");
    return new Environment(vars, tmp, false, Clock.systemUTC(), new ByteArrayInputStream(new byte[0]),
        FileSystems.getDefault());
  }

  /**
   * What the remote host runs for "jsync server": the CLI's server mode, with the remote's environment and
   * the hints the client put after "server".
   */
  private ExecHandler jsyncServer() {
    return (in, out, err, argv) -> {
      commands.add(argv);
      if (argv.size() < 2 || !argv.subList(0, 2).equals(List.of("jsync", "server"))) {
        // What a shell says: the test of a wrong -servercmd looks for it.
        new PrintWriter(err, true).println("sh: " + argv.get(0) + ": not found");
        return 127;
      }
      Map<String, String> vars = Map.of("HOME", remoteHome.toString(), "JSYNC_HOME",
          remoteHome.resolve(".jsync").toString(), "JSYNC_HOSTNAME", "remote");
      Environment env = new Environment(vars, remoteHome, false, Clock.systemUTC(),
          new ByteArrayInputStream(new byte[0]), FileSystems.getDefault());
      StringWriter errText = new StringWriter();
      int code = new JsyncCli(env, new PrintWriter(new StringWriter()), new PrintWriter(errText, true))
          .serve(argv.subList(2, argv.size()), in, out);
      err.write(errText.toString().getBytes(StandardCharsets.UTF_8));
      return code;
    };
  }
}
