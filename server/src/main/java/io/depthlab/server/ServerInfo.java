package io.depthlab.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The server's name and release, as ServerMetadata reports them. */
public final class ServerInfo {

    /** The server name reported by ServerMetadata: {@value}. */
    public static final String NAME = "depthlab";

    private static final String VERSION = readVersion();

    private ServerInfo() {}

    /** The depthlab release this server was built as, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        return VERSION;
    }

    private static String readVersion() {
        Properties properties = new Properties();
        try (InputStream in = ServerInfo.class.getResourceAsStream("server.properties")) {
            if (in == null) {
                throw new IllegalStateException(
                        "expected io/depthlab/server/server.properties on the class path, found"
                                + " none (a broken build)");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read io/depthlab/server/server.properties", e);
        }
        return properties.getProperty("version", "unknown");
    }
}
