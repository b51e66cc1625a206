package io.depthlab.trainer.bundle;

import java.io.IOException;

/** A model bundle file that cannot be used: unreadable, corrupt or of another format. */
public final class BundleException extends IOException {

    private static final long serialVersionUID = 1L;

    public BundleException(String message) {
        super(message);
    }

    public BundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
