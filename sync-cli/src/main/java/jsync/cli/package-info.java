/**
 * The {@code jsync} command line: picocli parsing in Unison's single-dash style ({@link jsync.cli.Options}),
 * one run per invocation ({@link jsync.cli.JsyncCli}), terminal and log output ({@link jsync.cli.Reporter}),
 * and the single mapping of outcomes to Unison's exit codes 0/1/2/3.
 */
package jsync.cli;
