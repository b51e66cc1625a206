package io.depthlab.trainer.engine;

import io.depthlab.dsl.Initializer;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fills new parameter tensors as an {@link Initializer} says. Values are drawn on the Java side
 * from the given generator, so that one seed gives the same network on every machine and ND4J
 * version.
 */
public final class Initializers {

    private Initializers() {}

    /**
     * A new c-order tensor of ND4J's default floating-point type, filled per {@code init}.
     *
     * @param shape the tensor shape, e.g. {@code [inputs, units]}
     * @param fanIn inputs per output unit: a dense layer's inputs, a convolution's {@code channels
     *     * kernel area}
     * @param fanOut outputs per input unit: a dense layer's units, a convolution's {@code filters *
     *     kernel area}
     * @param random the generator, advanced by one draw per value (none for constants)
     */
    public static INDArray create(
            Initializer init, long[] shape, long fanIn, long fanOut, SplittableRandom random) {
        DataType type = Nd4j.defaultFloatingPointType();
        long length = 1;
        for (long dim : shape) {
            length = Math.multiplyExact(length, dim);
        }
        return switch (init.kind()) {
            case ZEROS -> Nd4j.zeros(type, shape);
            case CONSTANT -> Nd4j.valueArrayOf(shape, init.a(), type);
            default -> Nd4j.create(draw(init, length, fanIn, fanOut, random), shape, type);
        };
    }

    private static double[] draw(
            Initializer init, long length, long fanIn, long fanOut, SplittableRandom random) {
        double[] values = new double[Math.toIntExact(length)];
        for (int i = 0; i < values.length; i++) {
            values[i] = sample(init, fanIn, fanOut, random);
        }
        return values;
    }

    private static double sample(
            Initializer init, long fanIn, long fanOut, SplittableRandom random) {
        return switch (init.kind()) {
            case UNIFORM -> init.a() + (init.b() - init.a()) * random.nextDouble();
            case NORMAL -> init.a() + init.b() * random.nextGaussian();
            case GLOROT_UNIFORM -> symmetric(Math.sqrt(6.0 / (fanIn + fanOut)), random);
            case GLOROT_NORMAL -> Math.sqrt(2.0 / (fanIn + fanOut)) * random.nextGaussian();
            case HE_NORMAL -> Math.sqrt(2.0 / fanIn) * random.nextGaussian();
            case HE_UNIFORM -> symmetric(Math.sqrt(6.0 / fanIn), random);
            case FAN_IN_UNIFORM -> symmetric(1.0 / Math.sqrt(fanIn), random);
            case ZEROS, CONSTANT -> throw new AssertionError("not drawn: " + init.kind());
        };
    }

    private static double symmetric(double limit, SplittableRandom random) {
        return limit * (2 * random.nextDouble() - 1);
    }
}
