package io.depthlab.cli;

import picocli.CommandLine;

/** The version printed by {@code depthlab --version}: the jar's implementation version. */
final class Version implements CommandLine.IVersionProvider {

    static String current() {
        String version = Version.class.getPackage().getImplementationVersion();
        return version == null ? "development build" : version;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"depthlab " + current()};
    }
}
