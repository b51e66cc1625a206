package io.depthlab.trainer.bench;

import io.depthlab.dsl.Network;
import io.depthlab.dsl.Shape;
import io.depthlab.trainer.engine.Nd4jNetwork;
import io.depthlab.trainer.engine.NdArrays;
import io.depthlab.trainer.engine.Parameter;
import io.depthlab.trainer.optim.Optimizer;
import io.depthlab.trainer.optim.OptimizerSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measures one model in this process, as the PyTorch anchor's worker does: a training step on a
 * random batch of 100 (forward, cross-entropy, backward, Adam at 1e-3), inference on a batch of 64
 * and on a single example, then this process's peak resident memory.
 */
final class BenchWorker {
    static final int TRAIN_BATCH = 100;
    static final int INFERENCE_BATCH = 64;
    static final double LEARNING_RATE = 1e-3;

    private BenchWorker() {}

    /**
     * The measurements of {@code model} as named values (see {@link Benchmark} for the keys).
     *
     * @param budgetSeconds time for the timed training runs; inference gets half and a quarter
     */
    static Map<String, String> run(BenchModel model, double budgetSeconds) throws Exception {
        Network spec = model.network();
        Map<String, String> result = new LinkedHashMap<>();
        result.put("model", model.name());
        try (Nd4jNetwork network = Nd4jNetwork.create(spec, 0);
                Optimizer adam = OptimizerSpec.adam().create(network.parameters())) {
            long parameters = network.parameters().stream().mapToLong(Parameter::length).sum();
            result.put("params", Long.toString(parameters));
            result.put("fwd_mflop", format(spec.flops() / 1e6));
            Timing train = train(network, adam, model, budgetSeconds);
            put(result, "train", train, TRAIN_BATCH);
            Timing batch =
                    infer(
                            network,
                            spec.inputShape(),
                            INFERENCE_BATCH,
                            3,
                            10,
                            budgetSeconds / 2,
                            500);
            put(result, "infer64", batch, INFERENCE_BATCH);
            Timing single = infer(network, spec.inputShape(), 1, 5, 20, budgetSeconds / 4, 2000);
            put(result, "infer1", single, 1);
            double foreign =
                    Math.max(
                            train.foreignShare(),
                            Math.max(batch.foreignShare(), single.foreignShare()));
            result.put("foreign_cpu_pct", format(100 * foreign));
        }
        result.put("peak_rss_mb", format(CpuLoad.peakResidentMib()));
        return result;
    }

    private static Timing train(
            Nd4jNetwork network, Optimizer adam, BenchModel model, double budgetSeconds)
            throws Exception {
        INDArray features = features(network, model.network().inputShape(), TRAIN_BATCH, 1);
        int[] labels = new Random(2).ints(TRAIN_BATCH, 0, model.classes()).toArray();
        try {
            return Timing.measure(
                    () -> {
                        network.trainStep(features, labels);
                        adam.step(LEARNING_RATE);
                    },
                    3,
                    10,
                    budgetSeconds,
                    300);
        } finally {
            NdArrays.release(features);
        }
    }

    private static Timing infer(
            Nd4jNetwork network,
            Shape shape,
            int batch,
            int warmUps,
            int minReps,
            double budgetSeconds,
            int maxReps)
            throws Exception {
        INDArray features = features(network, shape, batch, 3);
        try {
            return Timing.measure(
                    () -> NdArrays.release(network.output(features)),
                    warmUps,
                    minReps,
                    budgetSeconds,
                    maxReps);
        } finally {
            NdArrays.release(features);
        }
    }

    /** Standard normal features {@code [batch, shape...]}, like {@code torch.randn}. */
    private static INDArray features(Nd4jNetwork network, Shape shape, int batch, long seed) {
        long[] dims = new long[shape.rank() + 1];
        dims[0] = batch;
        for (int i = 0; i < shape.rank(); i++) {
            dims[i + 1] = shape.dim(i);
        }
        DataType type = network.dataType();
        return Nd4j.randn(seed, dims).castTo(type);
    }

    private static void put(Map<String, String> result, String key, Timing timing, int batch) {
        result.put(key + "_ms", format(1e3 * timing.median()));
        result.put(key + "_min_ms", format(1e3 * timing.min()));
        result.put(key + "_reps", Integer.toString(timing.seconds().length));
        result.put(key + "_img_s", format(batch / timing.median()));
    }

    private static String format(double value) {
        return String.format(java.util.Locale.ROOT, "%.3f", value);
    }
}
