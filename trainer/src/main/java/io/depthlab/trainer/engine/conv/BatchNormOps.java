package io.depthlab.trainer.engine.conv;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batch normalisation (Ioffe and Szegedy, 2015) over the channels of images in the engine's NHWC
 * layout ({@code [batch, height, width, channels]}) or the features of vectors ({@code [batch,
 * features]}): every statistic is per channel, over the batch and the spatial positions. Both are
 * c-order matrices {@code [rows, channels]}, and every pass works on that view.
 *
 * <p>Built from fast passes rather than libnd4j's {@code moments} and {@code batchnorm_bp}, which
 * take 8 and 16 ms on a [100, 32, 32, 32] float batch here: per-channel sums through oneDNN's
 * pooling (0.2 ms; libnd4j's column reductions take 3 ms), channel-broadcast {@code subtract},
 * {@code multiply} and {@code add} with a {@code [1, channels]} operand (0.3 to 0.5 ms each), and
 * libnd4j's {@code batchnorm} op for the normalisation itself, which oneDNN runs in one pass over
 * NHWC data (0.5 ms). The variance is computed from centred values (two passes), not as {@code
 * E[x^2] - E[x]^2}, which loses digits in float32 when the mean is large.
 *
 * <p>Stateless and thread safe; the arrays are not.
 */
public final class BatchNormOps {
    // Rows of ones for the per-channel sums, per thread, by type and length; at most a few.
    private static final int MAX_ONES = 16;
    private static final ThreadLocal<Map<String, INDArray>> ONES =
            ThreadLocal.withInitial(HashMap::new);

    private BatchNormOps() {}

    /**
     * The training-mode forward pass: writes each channel's batch mean and <em>biased</em> variance
     * (divided by the count, as the normalisation uses) into {@code mean} and {@code variance},
     * both {@code [channels]}, and {@code gamma * (x - mean) / sqrt(variance + epsilon) + beta}
     * into {@code output} (shaped like {@code x}, not {@code x} itself). Four passes: sum, squared
     * deviation, sum, normalise.
     */
    public static void trainingForward(
            INDArray x,
            INDArray gamma,
            INDArray beta,
            double epsilon,
            INDArray mean,
            INDArray variance,
            INDArray output) {
        checkArguments(x, gamma, beta, mean, variance, output);
        INDArray rows = rows(x);
        INDArray outputRows = writableRows(output, "batch norm output");
        double count = rows.size(0);

        channelSum(x, 1 / count, mean);
        // The output holds the squared deviations until the normalisation overwrites it.
        broadcast("squaredsubtract", rows, mean, outputRows);
        channelSum(output, 1 / count, variance);
        normalize(x, mean, variance, gamma, beta, epsilon, output);
    }

    /**
     * Writes {@code gamma * (x - mean) / sqrt(variance + epsilon) + beta} into {@code output}
     * (shaped like {@code x}, not {@code x} itself) with given statistics, e.g. the running ones:
     * one pass through libnd4j's {@code batchnorm}.
     */
    public static void normalize(
            INDArray x,
            INDArray mean,
            INDArray variance,
            INDArray gamma,
            INDArray beta,
            double epsilon,
            INDArray output) {
        checkArguments(x, gamma, beta, mean, variance, output);
        INDArray input = ConvOps.denseCopy(x);

        Nd4j.exec(
                DynamicCustomOp.builder("batchnorm")
                        .addInputs(input, mean, variance, gamma, beta)
                        .addOutputs(output)
                        .addFloatingPointArguments(epsilon)
                        // Apply gamma, apply beta, the channel axis.
                        .addIntegerArguments(1, 1, x.rank() - 1)
                        .build());
        ConvOps.release(input, x);
    }

    /**
     * The backward pass: overwrites {@code gradGamma} and {@code gradBeta}, then writes the
     * gradient with respect to {@code x} into {@code gradInput} and returns it. With {@code xhat =
     * (x - mean) * s}, {@code s = 1 / sqrt(variance + epsilon)} and {@code m} values per channel:
     *
     * <pre>
     * gradBeta  = sum(g)
     * gradGamma = sum(g * xhat)
     * gradX     = gamma * s * g - gamma * s / m * (gradBeta + xhat * gradGamma)  (batch statistics)
     * gradX     = gamma * s * g                                                  (fixed statistics)
     * </pre>
     *
     * Through the batch statistics, six passes: two sums, a product, a channel-broadcast product, a
     * normalisation and an add.
     *
     * @param mean the mean the forward pass normalised with: the batch's, or the running one
     * @param variance likewise; the batch's is the biased one
     * @param gradOutput the gradient with respect to the output; unchanged unless it is also {@code
     *     gradInput}
     * @param gradInput shaped like {@code x}, dense; may be {@code gradOutput}, to work in place
     * @param throughStatistics true after a training forward, whose mean and variance depend on
     *     {@code x}; false after an inference forward with the running statistics held fixed
     */
    public static INDArray backward(
            INDArray x,
            INDArray mean,
            INDArray variance,
            INDArray gamma,
            double epsilon,
            INDArray gradOutput,
            INDArray gradInput,
            INDArray gradGamma,
            INDArray gradBeta,
            boolean throughStatistics) {
        long channels = checkInput(x);
        checkChannels(mean, channels, "mean");
        checkChannels(variance, channels, "variance");
        checkChannels(gamma, channels, "gamma");
        checkChannels(gradGamma, channels, "gamma gradient");
        checkChannels(gradBeta, channels, "beta gradient");
        ConvOps.checkShape(gradOutput, x.shape(), "batch norm output gradient");
        ConvOps.checkShape(gradInput, x.shape(), "batch norm input gradient");
        INDArray rows = rows(x);
        INDArray gradRows = rows(gradOutput);
        INDArray gradInputRows = writableRows(gradInput, "batch norm input gradient");
        double count = rows.size(0);

        // The one temporary lives in the scratch workspace; results go to the caller's arrays.
        try (MemoryWorkspace scratch = Scratch.open()) {
            channelSum(gradOutput, 1, gradBeta);
            INDArray product = x.mul(gradOutput);
            channelSum(product, 1, gradGamma);

            // The per-channel factors in Java: a native op on 32 values costs more in dispatch
            // than the arithmetic. sum(g * xhat) = s * (sum(g * x) - mean * sum(g)), which saves
            // a pass over the batch to centre x; the difference loses digits only when a
            // channel's mean is many times its standard deviation.
            double[] meanValues = values(mean);
            double[] varianceValues = values(variance);
            double[] gammaValues = values(gamma);
            double[] gradGammaValues = values(gradGamma);
            double[] gradBetaValues = values(gradBeta);
            int n = varianceValues.length;
            double[] gradScale = new double[n];
            double[] centredGamma = new double[n];
            double[] shift = new double[n];
            for (int c = 0; c < n; c++) {
                double inverseStd = 1 / Math.sqrt(varianceValues[c] + epsilon);
                gradGammaValues[c] =
                        inverseStd * (gradGammaValues[c] - meanValues[c] * gradBetaValues[c]);
                gradScale[c] = inverseStd * gammaValues[c];
                centredGamma[c] = -gradScale[c] * gradGammaValues[c] / count;
                shift[c] = -gradScale[c] * gradBetaValues[c] / count;
            }
            put(gradGamma, gradGammaValues);
            broadcast("multiply", gradRows, vector(x.dataType(), gradScale), gradInputRows);
            if (!throughStatistics) {
                return gradInput;
            }

            // gradX = gradScale * g + centredGamma * xhat + shift, per channel: the last two
            // terms are a normalisation of x with other gamma and beta, one oneDNN pass into the
            // product's memory.
            normalize(
                    x,
                    mean,
                    variance,
                    vector(x.dataType(), centredGamma),
                    vector(x.dataType(), shift),
                    epsilon,
                    product);
            // libnd4j's add, not BLAS axpy: OpenBLAS's threads fight the OpenMP threads still
            // spinning after the ops above (see LeakyReluOps).
            gradInput.addi(product);
            return gradInput;
        }
    }

    /**
     * Moves a running statistic towards a batch one: {@code running = (1 - momentum) * running +
     * momentum * correction * batch}, in place.
     *
     * @param correction 1 for the mean; {@code m / (m - 1)} for the variance, so that the running
     *     variance averages the unbiased batch variance as PyTorch's does
     */
    public static void updateRunning(
            INDArray running, INDArray batch, double momentum, double correction) {
        Objects.requireNonNull(running, "running");
        checkChannels(batch, running.length(), "batch statistic");
        double[] current = values(running);
        double[] statistic = values(batch);
        for (int c = 0; c < current.length; c++) {
            current[c] = (1 - momentum) * current[c] + momentum * correction * statistic[c];
        }
        put(running, current);
    }

    /** A per-channel vector's values, copied to Java without a native op. */
    static double[] values(INDArray vector) {
        boolean whole = !vector.isView() && vector.data().length() == vector.length();
        return (whole ? vector : vector.dup()).data().asDouble();
    }

    /** Writes {@code values} into a per-channel vector, element by element, without an op. */
    private static void put(INDArray vector, double[] values) {
        for (int c = 0; c < values.length; c++) {
            vector.putScalar(c, values[c]);
        }
    }

    /**
     * Writes {@code values} into {@code vector}, {@code [channels]}, without a native op, and
     * returns it: for per-channel factors computed in Java.
     */
    static INDArray fill(INDArray vector, double[] values) {
        checkChannels(vector, values.length, "per-channel vector");
        put(vector, values);
        return vector;
    }

    /** A new per-channel vector of {@code type} in the current workspace. */
    private static INDArray vector(DataType type, double[] values) {
        if (type == DataType.DOUBLE) {
            return Nd4j.createFromArray(values);
        }
        float[] floats = new float[values.length];
        for (int c = 0; c < values.length; c++) {
            floats[c] = (float) values[c];
        }
        return Nd4j.createFromArray(floats);
    }

    /**
     * {@code out = a op perChannel} for the broadcasting custom ops {@code add}, {@code subtract},
     * {@code squaredsubtract} and {@code multiply} on {@code [rows, channels]} matrices, with
     * {@code perChannel} seen as {@code [1, channels]}. {@code out} may be {@code a}.
     */
    private static void broadcast(String op, INDArray a, INDArray perChannel, INDArray out) {
        Nd4j.exec(
                DynamicCustomOp.builder(op)
                        .addInputs(a, perChannel.reshape(1, a.size(1)))
                        .addOutputs(out)
                        .build());
    }

    /**
     * Writes {@code scale} times each channel's sum over {@code a}, {@code [batch, height, width,
     * channels]} or {@code [batch, channels]}, into {@code out}.
     *
     * <p>Images go through oneDNN's pooling: one pass gives each example's channel means, and Java
     * adds up the {@code batch * channels} means in double precision. A product with a row of ones
     * costs as much alone, but in a network it runs on OpenBLAS's threads, which wait for the
     * OpenMP threads of the op before (VGG-68's step: 56 ms of products against 37 of pooling).
     * Vectors, a few hundred rows, take the product: a row of ones times the matrix, scaled by the
     * product itself.
     */
    private static void channelSum(INDArray a, double scale, INDArray out) {
        if (a.rank() == 4) {
            INDArray means = Nd4j.createUninitialized(a.dataType(), a.size(0), a.size(3));
            PoolOps.globalAverageForward(a, means);
            double[] values = means.data().asDouble();
            double[] sums = new double[Math.toIntExact(a.size(3))];
            for (int i = 0; i < values.length; i++) {
                sums[i % sums.length] += values[i];
            }
            double factor = scale * a.size(1) * a.size(2);
            for (int c = 0; c < sums.length; c++) {
                sums[c] *= factor;
            }
            put(out, sums);
            return;
        }
        INDArray ones = ones(a.dataType(), a.size(0));
        Nd4j.gemm(ones, a, out.reshape(1, a.size(1)), false, false, scale, 0.0);
    }

    /** This thread's {@code [1, length]} row of ones of {@code type}, made once. */
    private static INDArray ones(DataType type, long length) {
        Map<String, INDArray> cache = ONES.get();
        String key = type + ":" + length;
        INDArray ones = cache.get(key);
        if (ones == null) {
            if (cache.size() >= MAX_ONES) {
                // Dropped, not closed: the garbage collector frees them.
                cache.clear();
            }
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                ones = Nd4j.ones(type, 1, length);
            }
            cache.put(key, ones);
        }
        return ones;
    }

    /** {@code [rows, channels]}: the channels are the last axis, so this is a view. */
    private static INDArray rows(INDArray a) {
        return a.reshape('c', a.length() / a.size(a.rank() - 1), a.size(a.rank() - 1));
    }

    /** {@link #rows} of an array written through it, which must be c order and dense. */
    private static INDArray writableRows(INDArray a, String what) {
        if (a.ordering() != 'c' || a.elementWiseStride() != 1) {
            throw new IllegalArgumentException(
                    what + ": expected a dense c-order array, found a strided view");
        }
        return rows(a);
    }

    /** Checks the shapes a normalisation pass relies on and returns the channel count. */
    private static long checkArguments(
            INDArray x,
            INDArray gamma,
            INDArray beta,
            INDArray mean,
            INDArray variance,
            INDArray output) {
        long channels = checkInput(x);
        checkChannels(gamma, channels, "gamma");
        checkChannels(beta, channels, "beta");
        checkChannels(mean, channels, "mean");
        checkChannels(variance, channels, "variance");
        checkOutput(x, output);
        return channels;
    }

    private static void checkOutput(INDArray x, INDArray output) {
        ConvOps.checkShape(output, x.shape(), "batch norm output");
        if (output == x) {
            throw new IllegalArgumentException(
                    "batch norm output: expected an array other than the input, found the input");
        }
    }

    private static long checkInput(INDArray x) {
        Objects.requireNonNull(x, "x");
        if (x.rank() != 2 && x.rank() != 4) {
            throw new IllegalArgumentException(
                    "batch norm input: expected [batch, features] or [batch, height, width,"
                            + " channels], found "
                            + Arrays.toString(x.shape()));
        }
        return x.size(x.rank() - 1);
    }

    private static void checkChannels(INDArray array, long channels, String what) {
        ConvOps.checkShape(array, new long[] {channels}, "batch norm " + what);
    }
}
