package io.depthlab.cli;

import io.depthlab.proto.bundle.ModelBundle;
import io.depthlab.trainer.bundle.Bundles;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code depthlab serve --bundle FILE}: serves a model until Ctrl-C. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve a model bundle over gRPC: the KServe Open Inference Protocol v2"
                    + " (inference.GRPCInferenceService), grpc.health.v1 and server reflection,"
                    + " with Prometheus metrics at /metrics on their own port.",
            "Runs until Ctrl-C."
        })
final class ServeCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = "--bundle",
            required = true,
            paramLabel = "FILE",
            description = "The model bundle to serve (.dlb), e.g. runs/<run>/model.dlb.")
    Path bundleFile;

    @Mixin ServingOptions serving;

    @Override
    public Integer call() throws Exception {
        // Ports and host first: a mistake there costs no read of a large bundle.
        Serving.checkAvailable(serving);
        ModelBundle bundle = Bundles.read(bundleFile);
        try (Serving running = Serving.start(bundle, serving)) {
            spec.commandLine()
                    .getOut()
                    .printf(
                            "Serving '%s' version '%s': gRPC %s, metrics %s (Ctrl-C stops)%n",
                            bundle.getModelName(),
                            bundle.getModelVersion(),
                            running.grpcAddress(),
                            running.metricsUrl());
            spec.commandLine().getOut().flush();
            running.serveUntilInterrupted();
        }
        return 0;
    }
}
