package io.depthlab.dsl;

import java.util.List;

/**
 * One layer of a network specification. Specs are immutable values; the engine gives them
 * behaviour.
 *
 * <p>A layer built on its own may have an empty name; {@link Network.Builder#build()} names every
 * unnamed layer after its kind and position ({@code dense_1}, {@code relu_2}, ...) and checks that
 * names are unique.
 */
public sealed interface Layer
        permits Dense,
                Activation,
                Dropout,
                SoftmaxOutput,
                Conv2d,
                BatchNorm,
                Pool2d,
                GlobalAveragePool,
                Flatten,
                Residual {

    /** The layer's name; empty until the network names it. */
    String name();

    /** The kind in lower case, as used in automatic names and summaries, e.g. {@code dense}. */
    String kind();

    /** A copy of this layer with another name. */
    Layer withName(String name);

    /**
     * The shape this layer produces from {@code input}.
     *
     * @throws IllegalArgumentException naming the rule and the numbers when the layer cannot take
     *     {@code input}
     */
    Shape outputShape(Shape input);

    /** The number of trained parameters for the given input shape. */
    default long parameterCount(Shape input) {
        return 0;
    }

    /**
     * Forward floating-point operations per example: two per multiply-add of dense layers and
     * convolutions; other layers count 0, as in the study's figures.
     */
    default long flops(Shape input) {
        return 0;
    }

    /** Weight penalties of this layer, on top of the network-wide ones. */
    default List<Penalty> penalties() {
        return List.of();
    }

    /** Builds a layer; the fluent DSL passes builders to {@link Network.Builder#layer}. */
    interface Builder {
        Layer build();
    }
}
