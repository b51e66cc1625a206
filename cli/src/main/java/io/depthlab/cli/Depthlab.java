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
            CommandLine.HelpCommand.class
        })
public final class Depthlab implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, also used by tests. */
    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Depthlab());
        commandLine.setExecutionExceptionHandler(new ErrorReporter());
        return commandLine;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "expected a command, e.g. depthlab quickstart");
    }
}
