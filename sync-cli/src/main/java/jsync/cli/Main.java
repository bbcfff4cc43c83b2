package jsync.cli;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Entry point of the {@code jsync} command. */
public final class Main {
  private Main() {}

  private static void setDefault(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  public static void main(String[] args) {
    // Libraries (and a few core warnings) log through SLF4J: warnings and errors only, shaped like the
    // CLI's own messages ("jsync: warning: ...") rather than "[main] WARN jsync.core...".
    setDefault("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    setDefault("org.slf4j.simpleLogger.showThreadName", "false");
    setDefault("org.slf4j.simpleLogger.showLogName", "false");
    setDefault("org.slf4j.simpleLogger.levelInBrackets", "false");
    setDefault("org.slf4j.simpleLogger.warnLevelString", "jsync: warning:");
    setDefault("org.slf4j.simpleLogger.errorLevelString", "jsync: error:");
    setDefault("org.slf4j.simpleLogger.log.org.apache.sshd", "error");
    if (args.length >= 1 && args[0].equals("server")) {
      // stdout belongs to the protocol: nothing else may write to it.
      PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err),
          StandardCharsets.UTF_8), true);
      int code = new JsyncCli(Environment.system(), new PrintWriter(java.io.Writer.nullWriter()), err)
          .serve(java.util.Arrays.asList(args).subList(1, args.length),
              new java.io.FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out));
      System.exit(code);
    }
    PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out),
        StandardCharsets.UTF_8), false);
    PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err),
        StandardCharsets.UTF_8), true);
    JsyncCli cli = new JsyncCli(Environment.system(), out, err);
    cli.stopSignals = StopSignals::install;
    int code = cli.run(args);
    out.flush();
    err.flush();
    System.exit(code);
  }
}
