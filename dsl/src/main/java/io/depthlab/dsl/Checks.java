package io.depthlab.dsl;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Argument checks shared by the layer builders. */
final class Checks {

    private Checks() {}

    /** Fails if a builder property is set a second time. */
    static void unset(Object current, String property) {
        if (current != null) {
            // Array-valued properties (kernel, stride, padding) would print as [I@1b6d3586.
            String value =
                    current instanceof int[] array ? Arrays.toString(array) : current.toString();
            throw new IllegalStateException(
                    property + ": expected to be set once, found it already set to " + value);
        }
    }

    /** Adds a penalty, refusing a second one of the same kind. */
    static void addPenalty(List<Penalty> penalties, Penalty penalty) {
        Objects.requireNonNull(penalty, "penalty");
        for (Penalty existing : penalties) {
            if (existing.kind() == penalty.kind()) {
                throw new IllegalStateException(
                        String.format(
                                "%s penalty: expected to be set once, found it already set to %s",
                                penalty.kind(), existing.coefficient()));
            }
        }
        penalties.add(penalty);
    }

    /**
     * Copies a layer's penalty list, refusing a second penalty of the same kind: the builders never
     * make one, so a list with two came from elsewhere (e.g. a corrupt file).
     */
    static List<Penalty> penalties(List<Penalty> penalties, String kind) {
        List<Penalty> copy = List.copyOf(penalties);
        for (int i = 0; i < copy.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (copy.get(i).kind() == copy.get(j).kind()) {
                    throw new IllegalArgumentException(
                            String.format(
                                    "%s penalties: expected at most one of each kind, found %s",
                                    kind, copy));
                }
            }
        }
        return copy;
    }

    static int positive(int value, String property) {
        if (value < 1) {
            throw new IllegalArgumentException(
                    property + ": expected a positive number, found " + value);
        }
        return value;
    }

    static int nonNegative(int value, String property) {
        if (value < 0) {
            throw new IllegalArgumentException(
                    property + ": expected a number >= 0, found " + value);
        }
        return value;
    }

    static String name(String name) {
        Objects.requireNonNull(name, "name");
        if (name.contains(".") || name.contains("/") || name.isBlank() && !name.isEmpty()) {
            throw new IllegalArgumentException(
                    "layer name: expected no '.', '/' or blank, found '" + name + "'");
        }
        return name;
    }

    /** Requires a rank-1 input, naming the layer kind and the fix. */
    static void vector(Shape input, String kind) {
        if (input.rank() != 1) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s expects a rank-1 input (features), found %s; add flatten or"
                                    + " global average pooling before it",
                            kind, input));
        }
    }

    /** Requires an image input [channels, height, width]. */
    static void image(Shape input, String kind) {
        if (input.rank() != 3) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s expects an image input [channels, height, width], found %s",
                            kind, input));
        }
    }

    /** The output length of a sliding window: {@code (in + 2 * padding - kernel) / stride + 1}. */
    static int windowOutput(int in, int kernel, int stride, int padding, String kind, String axis) {
        // long: a padding near Integer.MAX_VALUE (e.g. from a corrupt file) must not wrap around.
        long padded = in + 2L * padding;
        if (kernel > padded) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s kernel %s: expected at most %d (input %s %d + 2 * padding %d),"
                                    + " found %d",
                            kind, axis, padded, axis, in, padding, kernel));
        }
        long out = (padded - kernel) / stride + 1;
        if (out > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s output %s: expected at most %d, found %d (padding %d)",
                            kind, axis, Integer.MAX_VALUE, out, padding));
        }
        return (int) out;
    }
}
