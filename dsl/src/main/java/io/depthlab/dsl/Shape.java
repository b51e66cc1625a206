package io.depthlab.dsl;

import java.util.Arrays;
import java.util.List;

/**
 * The shape of one example as it flows through a network, without the batch dimension: {@code
 * [features]} for vectors, {@code [channels, height, width]} for images.
 *
 * @param dims the dimensions, each at least 1
 */
public record Shape(List<Integer> dims) {

    /**
     * Copies and checks the dimensions.
     *
     * @throws IllegalArgumentException if there are none, one is below 1, or the example would hold
     *     more values than a {@code long} counts
     */
    public Shape {
        dims = List.copyOf(dims);
        if (dims.isEmpty()) {
            throw new IllegalArgumentException("a shape needs at least one dimension");
        }
        long size = 1;
        for (int dim : dims) {
            if (dim < 1) {
                throw new IllegalArgumentException("expected positive dimensions, found " + dims);
            }
            // Checked here so that size() can never overflow, whatever a file declares.
            if (size > Long.MAX_VALUE / dim) {
                throw new IllegalArgumentException(
                        "expected at most " + Long.MAX_VALUE + " values, found shape " + dims);
            }
            size *= dim;
        }
    }

    /** A shape with the given dimensions, e.g. {@code Shape.of(3, 32, 32)}. */
    public static Shape of(int... dims) {
        return new Shape(Arrays.stream(dims).boxed().toList());
    }

    /** The number of dimensions. */
    public int rank() {
        return dims.size();
    }

    /** The dimension at {@code index}, counted from 0. */
    public int dim(int index) {
        return dims.get(index);
    }

    /** The number of values in one example: the product of the dimensions. */
    public long size() {
        long size = 1;
        for (int dim : dims) {
            size *= dim;
        }
        return size;
    }

    /** The dimensions as an array, a fresh copy. */
    public int[] toArray() {
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String toString() {
        return dims.toString();
    }
}
