package io.depthlab.server;

import io.grpc.Status;
import java.util.Objects;

/**
 * A call of {@link InferenceClient} that failed: the server refused it, could not be reached, or
 * answered with something the client cannot read. The message is the server's status description
 * (one line saying what was expected and what was found), or the status code's name when the server
 * gave none.
 */
public final class InferenceClientException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final Status.Code code;

    /**
     * @param code the status code of the failed call
     * @param message the server's status description, or what was wrong with its answer
     * @param cause the gRPC exception, or null when the answer itself was unreadable
     */
    public InferenceClientException(Status.Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** The gRPC status code: e.g. INVALID_ARGUMENT for a bad request, UNAVAILABLE if down. */
    public Status.Code code() {
        return code;
    }
}
