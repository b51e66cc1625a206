package io.depthlab.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/**
 * Turns a failed command into one line on the console, never a stack trace: bad input (a corrupt
 * file, a wrong shape, an unreachable server) is the user's to fix, and the message says what was
 * expected and found. Set {@code DEPTHLAB_DEBUG=1} to see the stack trace as well.
 */
final class ErrorReporter
        implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {

    /** Exit status of a command that failed on its input or environment: {@value}. */
    static final int FAILED = 1;

    /** Exit status of a command line that could not be parsed: {@value}. */
    static final int USAGE = 2;

    @Override
    public int handleExecutionException(
            Exception exception, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        commandLine.getErr().println(prefix(commandLine) + describe(exception));
        if (System.getenv("DEPTHLAB_DEBUG") != null) {
            exception.printStackTrace(commandLine.getErr());
        }
        return FAILED;
    }

    /** A bad flag: the message and where to look, without the whole usage text. */
    @Override
    public int handleParseException(CommandLine.ParameterException exception, String[] args) {
        CommandLine commandLine = exception.getCommandLine();
        // picocli starts some messages with "Error: "; the prefix already says it failed.
        String message = exception.getMessage().replaceFirst("^Error: ", "");
        commandLine.getErr().println(prefix(commandLine) + message);
        commandLine
                .getErr()
                .printf(
                        "Try '%s --help' for the options.%n",
                        commandLine.getCommandSpec().qualifiedName());
        return USAGE;
    }

    private static String prefix(CommandLine commandLine) {
        return commandLine.getCommandSpec().qualifiedName() + ": ";
    }

    static String describe(Throwable exception) {
        Throwable cause = exception;
        if (cause instanceof UncheckedIOException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            return cause.getClass().getSimpleName();
        }
        if (cause instanceof NoSuchFileException) {
            return "no such file: " + message;
        }
        if (cause instanceof IOException
                || cause instanceof IllegalArgumentException
                || cause instanceof IllegalStateException
                || cause.getClass().getName().startsWith("io.depthlab.")) {
            return message;
        }
        return cause.getClass().getSimpleName() + ": " + message;
    }
}
