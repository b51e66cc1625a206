package io.depthlab.dsl;

import java.util.Objects;

/** Argument checks shared by the layer builders. */
final class Checks {

    private Checks() {}

    /** Fails if a builder property is set a second time. */
    static void unset(Object current, String property) {
        if (current != null) {
            throw new IllegalStateException(property + " is already set to " + current);
        }
    }

    /** Adds a penalty, refusing a second one of the same kind. */
    static void addPenalty(java.util.List<Penalty> penalties, Penalty penalty) {
        if (penalties.stream().anyMatch(p -> p.kind() == penalty.kind())) {
            throw new IllegalStateException(penalty.kind() + " penalty is already set");
        }
        penalties.add(penalty);
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
        int padded = in + 2 * padding;
        if (kernel > padded) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s kernel %s %d does not fit the input %s %d with padding %d",
                            kind, axis, kernel, axis, in, padding));
        }
        return (padded - kernel) / stride + 1;
    }
}
