package io.depthlab.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * Turns a failed command into one line on the console, never a stack trace: bad input (a corrupt
 * file, a wrong shape, an unreachable server) is the user's to fix, and the message says what was
 * expected and found. Set {@code DEPTHLAB_DEBUG=1} to see the stack trace as well.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {

    /** Exit status of a command that failed on its input or environment: {@value}. */
    static final int FAILED = 1;

    @Override
    public int handleExecutionException(
            Exception exception, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        commandLine
                .getErr()
                .println("depthlab " + commandLine.getCommandName() + ": " + describe(exception));
        if (System.getenv("DEPTHLAB_DEBUG") != null) {
            exception.printStackTrace(commandLine.getErr());
        }
        return FAILED;
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
        if (cause instanceof java.nio.file.NoSuchFileException) {
            return "no such file: " + message;
        }
        if (cause instanceof IOException
                || cause instanceof IllegalArgumentException
                || cause instanceof IllegalStateException) {
            return message;
        }
        return cause.getClass().getSimpleName() + ": " + message;
    }
}
