package io.depthlab.server;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where exceptions thrown while answering a call become gRPC statuses.
 *
 * <p>Refusals ({@link InferenceException}) keep their code and message. An {@link
 * IllegalArgumentException} from the classifier is the caller's mistake (INVALID_ARGUMENT), an
 * {@link IllegalStateException} means the model is closed (UNAVAILABLE). Anything else is a bug:
 * INTERNAL with a fixed description, the details going to the log only, so that no stack trace or
 * payload ever reaches a client.
 */
final class StatusMapping {

    private static final Logger log = LoggerFactory.getLogger(StatusMapping.class);

    private StatusMapping() {}

    /**
     * The status to answer with.
     *
     * @param method the RPC being answered, e.g. {@code ModelInfer}; only for the log and the
     *     INTERNAL description
     */
    static StatusRuntimeException toStatusException(RuntimeException e, String method) {
        return toStatus(e, method).asRuntimeException();
    }

    static Status toStatus(RuntimeException e, String method) {
        if (e instanceof InferenceException refusal) {
            return Status.fromCode(refusal.code()).withDescription(oneLine(refusal.getMessage()));
        }
        if (e instanceof StatusRuntimeException sre) {
            return sre.getStatus();
        }
        if (e instanceof IllegalArgumentException) {
            return Status.INVALID_ARGUMENT.withDescription(oneLine(e.getMessage()));
        }
        if (e instanceof IllegalStateException) {
            return Status.UNAVAILABLE.withDescription(oneLine(e.getMessage()));
        }
        // A bug: the client learns only that, the log keeps the details for whoever fixes it.
        log.error("{} failed with an unexpected exception", method, e);
        return Status.INTERNAL.withDescription(method + " failed: internal server error");
    }

    private static String oneLine(String message) {
        if (message == null || message.isBlank()) {
            return "request refused without a reason (a server bug)";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline).stripTrailing();
    }
}
