package io.depthlab.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code depthlab} command: its subcommands train, inspect and serve networks. */
@Command(
        name = "depthlab",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {
            "Declare networks in Java, train them on ND4J, export them as bundles and serve them"
                    + " over gRPC."
        },
        subcommands = {
            QuickstartCommand.class,
            TrainCommand.class,
            ServeCommand.class,
            PredictCommand.class,
            InspectCommand.class,
            DataCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Depthlab implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /**
     * grpc-java logs through java.util.logging, with stack traces, for what the command already
     * reports in one line (an unresolvable host, a refused connection). Held here so that the
     * setting is not collected with a weakly referenced logger.
     */
    private static final java.util.logging.Logger GRPC_LOG =
            java.util.logging.Logger.getLogger("io.grpc");

    public static void main(String[] args) {
        GRPC_LOG.setLevel(java.util.logging.Level.SEVERE);
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, also used by tests. */
    static CommandLine commandLine() {
        ErrorReporter reporter = new ErrorReporter();
        CommandLine commandLine = new CommandLine(new Depthlab());
        commandLine.setExecutionExceptionHandler(reporter);
        commandLine.setParameterExceptionHandler(reporter);
        return commandLine;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "expected a command, e.g. depthlab quickstart");
    }
}
