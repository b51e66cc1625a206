package io.depthlab.cli;

import picocli.CommandLine.Option;

/** Where a command's server listens: shared by {@code serve} and {@code quickstart}. */
final class ServingOptions {

    /** The default gRPC port, Triton's: {@value}. 0 picks a free port. */
    static final int DEFAULT_PORT = 8001;

    /** The default metrics port, Triton's: {@value}. 0 picks a free port. */
    static final int DEFAULT_METRICS_PORT = 8002;

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description =
                    "Address to listen on (default: ${DEFAULT-VALUE}). Use 0.0.0.0 only behind a"
                            + " trusted network: there is no TLS or authentication.")
    String host;

    @Option(
            names = "--port",
            defaultValue = "" + DEFAULT_PORT,
            description = "gRPC port, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--metrics-port",
            defaultValue = "" + DEFAULT_METRICS_PORT,
            description =
                    "Port of the Prometheus /metrics endpoint, 0 for any free one (default:"
                            + " ${DEFAULT-VALUE}).")
    int metricsPort;
}
