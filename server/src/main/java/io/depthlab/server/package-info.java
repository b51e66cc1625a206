/**
 * Serving: a gRPC server speaking the KServe Open Inference Protocol v2 for one loaded {@link
 * io.depthlab.trainer.inference.Classifier}, with gRPC health, server reflection and Prometheus
 * metrics, plus a blocking client.
 *
 * <p>Typical use, as {@code depthlab serve} does it:
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * try (Classifier classifier = Nd4jClassifier.load(Bundles.read(bundleFile));
 *         MetricsEndpoint metrics = MetricsEndpoint.onLoopback(registry, 8002)) {
 *     metrics.start();
 *     ModelServer server = ModelServer.startOn(new InetSocketAddress(host, 8001), classifier,
 *             registry);
 *     Runtime.getRuntime().addShutdownHook(new Thread(server::close));
 *     server.awaitTermination();
 * }
 * }</pre>
 *
 * <p>and a client, as {@code depthlab predict} does:
 *
 * <pre>{@code
 * try (InferenceClient client = InferenceClient.connect("127.0.0.1", 8001)) {
 *     client.waitUntilReady(Duration.ofSeconds(30));
 *     float[][] probabilities = client.classify("emnist-mlp", pixels, batchSize);
 * }
 * }</pre>
 */
package io.depthlab.server;
