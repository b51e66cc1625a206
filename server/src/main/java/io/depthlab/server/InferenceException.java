package io.depthlab.server;

import io.grpc.Status;
import java.util.Objects;

/**
 * A request the server refuses, with the gRPC status code that says why.
 *
 * <p>The message becomes the status description as it is, so it must be one line that says what was
 * expected and what was found, and must never quote payload values.
 */
final class InferenceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The longest client-supplied text quoted in a description: {@value} characters. */
    static final int MAX_QUOTED_CHARS = 64;

    private final Status.Code code;

    private InferenceException(Status.Code code, String message) {
        super(message, null, false, false);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** A malformed request: wrong datatype, shape, element count or parameter. */
    static InferenceException invalidArgument(String message) {
        return new InferenceException(Status.Code.INVALID_ARGUMENT, message);
    }

    /** A model or model version this server does not serve. */
    static InferenceException notFound(String message) {
        return new InferenceException(Status.Code.NOT_FOUND, message);
    }

    /** A request too large to accept: refused before anything is allocated for it. */
    static InferenceException resourceExhausted(String message) {
        return new InferenceException(Status.Code.RESOURCE_EXHAUSTED, message);
    }

    /** The model cannot answer yet (warming up) or any more (closed). */
    static InferenceException unavailable(String message) {
        return new InferenceException(Status.Code.UNAVAILABLE, message);
    }

    Status.Code code() {
        return code;
    }

    /**
     * Client-supplied text (a name, a datatype) made safe to quote in a description: at most
     * {@value #MAX_QUOTED_CHARS} characters, control characters replaced, in single quotes.
     */
    static String quote(String clientText) {
        String text =
                clientText.length() <= MAX_QUOTED_CHARS
                        ? clientText
                        : clientText.substring(0, MAX_QUOTED_CHARS) + "...";
        return "'" + text.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
