package io.depthlab.server;

import io.depthlab.proto.inference.GRPCInferenceServiceGrpc;
import io.depthlab.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Test fixture: a started {@link ModelServer} on an in-process transport, and a channel to it. */
final class InProcessServing implements AutoCloseable {

    final LinearSoftmaxClassifier classifier;
    final MeterRegistry registry;
    final ModelServer server;
    final ManagedChannel channel;

    private InProcessServing(LinearSoftmaxClassifier classifier, MeterRegistry registry) {
        this.classifier = classifier;
        this.registry = registry;
        String name = InProcessServerBuilder.generateName();
        // A short grace: tests that leave a stream open should not wait 10 s on close.
        this.server =
                new ModelServer(
                        InProcessServerBuilder.forName(name).directExecutor(),
                        classifier,
                        registry,
                        Duration.ofMillis(500));
        this.channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    /** The standard test model, started, with a {@link SimpleMeterRegistry}. */
    static InProcessServing start() {
        return start(LinearSoftmaxClassifier.standard(), new SimpleMeterRegistry());
    }

    static InProcessServing start(LinearSoftmaxClassifier classifier, MeterRegistry registry) {
        InProcessServing serving = new InProcessServing(classifier, registry);
        try {
            serving.server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return serving;
    }

    GRPCInferenceServiceBlockingStub stub() {
        return GRPCInferenceServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.close();
        classifier.close();
    }
}
