package io.depthlab.dsl.family;

import io.depthlab.dsl.Activation;
import io.depthlab.dsl.BatchNorm;
import io.depthlab.dsl.Conv2d;
import io.depthlab.dsl.Dense;
import io.depthlab.dsl.GlobalAveragePool;
import io.depthlab.dsl.Initializer;
import io.depthlab.dsl.Layer;
import io.depthlab.dsl.Network;
import io.depthlab.dsl.Penalty;
import io.depthlab.dsl.Pool2d;
import io.depthlab.dsl.Residual;
import io.depthlab.dsl.Shape;
import io.depthlab.dsl.SoftmaxOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The VGG family of the CIFAR-100 depth study: plain, batch-normalised and residual networks of
 * {@code 6b + 8} weight layers for 3x32x32 images.
 *
 * <pre>{@code
 * Network vgg = Vgg.depth(38).batchNorm(true).residual(true).build(); // "vgg-38-bn-res"
 * }</pre>
 *
 * <p>Architecture, with F the width ({@value #DEFAULT_WIDTH} by default), every convolution 3x3
 * with stride 1 and padding 1, every activation a LeakyReLU with slope {@value #NEGATIVE_SLOPE}:
 *
 * <ul>
 *   <li>Input: convolution 3 to F channels without bias, batch norm (in every variant), LeakyReLU.
 *   <li>Three stages at 32x32, 16x16 and 8x8. Each has b processing blocks, then a reduction block:
 *       <ul>
 *         <li>processing block: convolution without bias, LeakyReLU, convolution without bias,
 *             LeakyReLU;
 *         <li>reduction block: convolution with bias, LeakyReLU, average pooling 2x2 with stride 2,
 *             convolution with bias, LeakyReLU.
 *       </ul>
 *   <li>Head: global average pooling (4x4 to F), dense F to {@code classes} with bias, softmax.
 * </ul>
 *
 * <p>Which convolutions have a bias was settled by the study's parameter counts, which only add up
 * this way: VGG-8 59,716 = 864 (input convolution, no bias) + 64 (input batch norm) + 6 x 9,248
 * (reduction convolutions with bias) + 3,300 (dense); VGG-38 adds 30 x 9,216 (processing
 * convolutions without bias) for 336,196. The batch-norm variant puts a batch norm after every
 * convolution, before its activation, and keeps the reduction biases: 36 x 64 more, 338,500. The
 * residual variant wraps each processing block as {@code leakyRelu(body(x) + x)}, the identity skip
 * ending just before the block's last activation; it adds no parameters. Reduction blocks have no
 * skip. Every weight and bias starts {@link Initializer#fanInUniform()}, uniform in
 * +-1/sqrt(fan_in).
 *
 * <p>Forward cost (2 FLOPs per multiply-add, {@link Network#flops()}): VGG-8 32.7 MFLOP, VGG-38
 * 280.5, VGG-68 528.2; batch norm and residual sums are not counted.
 *
 * <p>Layers get names that say where they sit: {@code input_conv}, {@code stage2_block3} (a
 * residual block), {@code stage2_block3_conv1}, {@code stage3_reduce_pool}, {@code head_dense},
 * {@code output}. The activation after a residual sum is the exception: it keeps the automatic name
 * {@code leaky_relu_<n>}, because a model bundle cannot store another one (see {@link
 * io.depthlab.dsl.NetworkProtos}).
 */
public final class Vgg {

    /** The default width F, channels of every convolution: {@value}. */
    public static final int DEFAULT_WIDTH = 32;

    /** The default number of classes, CIFAR-100's: {@value}. */
    public static final int DEFAULT_CLASSES = 100;

    /** The slope of every LeakyReLU for negative inputs: {@value}. */
    public static final double NEGATIVE_SLOPE = 0.01;

    /** The smallest depth, b = 0: {@value}. */
    public static final int MIN_DEPTH = 8;

    /** The number of stages; each halves the image size: {@value}. */
    public static final int STAGES = 3;

    /** One example: a 32x32 RGB image. */
    public static final Shape INPUT_SHAPE = Shape.of(3, 32, 32);

    private Vgg() {}

    /**
     * Starts a network of {@code depth} weight layers.
     *
     * @param depth {@code 6b + 8} for b processing blocks per stage, b >= 0: 8, 14, 20, ..., 38,
     *     ..., 68, ...
     * @throws IllegalArgumentException for any other depth, listing the valid ones around it
     */
    public static Builder depth(int depth) {
        return new Builder(blocksPerStage(depth), depth);
    }

    /**
     * The processing blocks per stage, b, for a depth of {@code 6b + 8}.
     *
     * @throws IllegalArgumentException if {@code depth} is not of that form
     */
    public static int blocksPerStage(int depth) {
        // b grows by one block of 2 convolutions in each of the 3 stages: 6 weight layers.
        int step = 2 * STAGES;
        if (depth < MIN_DEPTH || (depth - MIN_DEPTH) % step != 0) {
            String nearest = "";
            if (depth > MIN_DEPTH) {
                int below = depth - (depth - MIN_DEPTH) % step;
                nearest = String.format("; the nearest are %d and %d", below, below + step);
            }
            throw new IllegalArgumentException(
                    String.format(
                            "VGG depth: expected 6b + 8 weight layers with b >= 0 (8, 14, 20, 26,"
                                    + " 32, 38, ..., 68, ...), found %d%s",
                            depth, nearest));
        }
        return (depth - MIN_DEPTH) / step;
    }

    /** Optional properties of a VGG network; each may be set once. */
    public static final class Builder {
        private final int blocks;
        private final int depth;
        private Integer width;
        private Boolean batchNorm;
        private Boolean residual;
        private Integer classes;
        private Double l1;
        private Double l2;

        private Builder(int blocks, int depth) {
            this.blocks = blocks;
            this.depth = depth;
        }

        /** The channels F of every convolution, at least 1; default {@value #DEFAULT_WIDTH}. */
        public Builder width(int width) {
            unset(this.width, "width");
            this.width = atLeast(width, 1, "width");
            return this;
        }

        /** Whether to put batch norm after every convolution; default false. */
        public Builder batchNorm(boolean batchNorm) {
            unset(this.batchNorm, "batchNorm");
            this.batchNorm = batchNorm;
            return this;
        }

        /**
         * Whether processing blocks get an identity skip; default false. Depth 8 has no processing
         * blocks, so asking it for skips is refused rather than ignored.
         */
        public Builder residual(boolean residual) {
            unset(this.residual, "residual");
            if (residual && blocks == 0) {
                throw new IllegalArgumentException(
                        String.format(
                                "VGG residual: depth %d has no processing blocks to skip; expected"
                                        + " a depth of %d or more",
                                depth, MIN_DEPTH + 6));
            }
            this.residual = residual;
            return this;
        }

        /** The number of classes, at least 2; default {@value #DEFAULT_CLASSES}. */
        public Builder classes(int classes) {
            unset(this.classes, "classes");
            this.classes = atLeast(classes, 2, "classes");
            return this;
        }

        /**
         * An L1 penalty on every weight tensor (convolutions and the classifier, not biases or
         * batch-norm parameters); default none.
         */
        public Builder l1(double coefficient) {
            unset(this.l1, "l1");
            Penalty.l1(coefficient);
            this.l1 = coefficient;
            return this;
        }

        /**
         * An L2 penalty on every weight tensor, the study's weight decay when it sets one (added to
         * the gradient before Adam's update); default none, as in the study.
         */
        public Builder l2(double coefficient) {
            unset(this.l2, "l2");
            Penalty.l2(coefficient);
            this.l2 = coefficient;
            return this;
        }

        /**
         * The network, named {@code vgg-<depth>} with {@code -bn} and {@code -res} for the variants
         * and {@code -w<width>} and {@code -c<classes>} where those differ from the defaults, e.g.
         * {@code vgg-38-bn-res}.
         */
        public Network build() {
            Stack stack =
                    new Stack(
                            width == null ? DEFAULT_WIDTH : width,
                            batchNorm != null && batchNorm,
                            residual != null && residual);
            int classCount = classes == null ? DEFAULT_CLASSES : classes;
            Network.Builder network = Network.sequential(name(stack, classCount));
            network.input(INPUT_SHAPE.toArray());
            stack.layers(blocks, classCount).forEach(network::layer);
            if (l1 != null) {
                network.l1(l1);
            }
            if (l2 != null) {
                network.l2(l2);
            }
            return network.build();
        }

        private String name(Stack stack, int classCount) {
            StringBuilder name = new StringBuilder("vgg-").append(depth);
            if (stack.batchNorm) {
                name.append("-bn");
            }
            if (stack.residual) {
                name.append("-res");
            }
            if (stack.width != DEFAULT_WIDTH) {
                name.append("-w").append(stack.width);
            }
            if (classCount != DEFAULT_CLASSES) {
                name.append("-c").append(classCount);
            }
            return name.toString();
        }

        private static void unset(Object current, String property) {
            if (current != null) {
                throw new IllegalStateException(
                        String.format(
                                "VGG %s: expected to be set once, found it already set to %s",
                                property, current));
            }
        }

        private static int atLeast(int value, int minimum, String property) {
            if (value < minimum) {
                throw new IllegalArgumentException(
                        String.format(
                                "VGG %s: expected at least %d, found %d",
                                property, minimum, value));
            }
            return value;
        }
    }

    /** Lays out the layers of one configuration. */
    private static final class Stack {
        private final int width;
        private final boolean batchNorm;
        private final boolean residual;

        Stack(int width, boolean batchNorm, boolean residual) {
            this.width = width;
            this.batchNorm = batchNorm;
            this.residual = residual;
        }

        List<Layer> layers(int blocks, int classes) {
            List<Layer> layers = new ArrayList<>();
            layers.add(conv("input_conv", false));
            // The input convolution has batch norm in every variant, as in the study.
            layers.add(BatchNorm.create().name("input_bn").build());
            layers.add(activation("input_lrelu"));
            for (int stage = 1; stage <= STAGES; stage++) {
                for (int block = 1; block <= blocks; block++) {
                    processingBlock("stage" + stage + "_block" + block, layers);
                }
                reductionBlock("stage" + stage + "_reduce", layers);
            }
            layers.add(GlobalAveragePool.create().withName("head_pool"));
            layers.add(
                    Dense.units(classes)
                            .name("head_dense")
                            .weightInit(Initializer.fanInUniform())
                            .biasInit(Initializer.fanInUniform())
                            .build());
            layers.add(SoftmaxOutput.create().withName("output"));
            return layers;
        }

        /** conv, [bn], lrelu, conv, [bn], lrelu; the skip joins before the last activation. */
        private void processingBlock(String name, List<Layer> layers) {
            List<Layer> body = new ArrayList<>();
            convWithNorm(name, 1, false, body);
            body.add(activation(name + "_lrelu1"));
            convWithNorm(name, 2, false, body);
            if (residual) {
                // Left unnamed: NetworkSpec keeps no name for a residual activation, and the
                // automatic one (leaky_relu_<n>) is what a bundle reads back.
                Activation last = activation("");
                layers.add(new Residual(name, body, Optional.empty(), Optional.of(last)));
            } else {
                layers.addAll(body);
                layers.add(activation(name + "_lrelu2"));
            }
        }

        /** conv, [bn], lrelu, average pool 2x2, conv, [bn], lrelu; convolutions with bias. */
        private void reductionBlock(String name, List<Layer> layers) {
            convWithNorm(name, 1, true, layers);
            layers.add(activation(name + "_lrelu1"));
            layers.add(Pool2d.average(2).stride(2).name(name + "_pool").build());
            convWithNorm(name, 2, true, layers);
            layers.add(activation(name + "_lrelu2"));
        }

        private void convWithNorm(String block, int index, boolean bias, List<Layer> layers) {
            layers.add(conv(block + "_conv" + index, bias));
            if (batchNorm) {
                layers.add(BatchNorm.create().name(block + "_bn" + index).build());
            }
        }

        private Conv2d conv(String name, boolean bias) {
            return Conv2d.filters(width)
                    .name(name)
                    .kernel(3)
                    .stride(1)
                    .padding(1)
                    .bias(bias)
                    .weightInit(Initializer.fanInUniform())
                    .biasInit(Initializer.fanInUniform())
                    .build();
        }

        private static Activation activation(String name) {
            return Activation.leakyRelu(NEGATIVE_SLOPE).build().withName(name);
        }
    }
}
