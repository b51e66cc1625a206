package io.depthlab.cli;

import java.nio.file.Path;

/** Where the depthlab checkout is, for the data it ships; the launcher script sets it. */
final class Home {

    /** The system property the {@code depthlab} script sets to the checkout's root. */
    static final String PROPERTY = "depthlab.home";

    private Home() {}

    /** {@code data} if given, else the EMNIST sample shipped with the checkout. */
    static Path dataOrSample(Path data) {
        if (data != null) {
            return data;
        }
        return Path.of(System.getProperty(PROPERTY, ".")).resolve("data").resolve("emnist-sample");
    }
}
