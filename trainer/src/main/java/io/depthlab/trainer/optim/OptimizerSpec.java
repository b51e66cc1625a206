package io.depthlab.trainer.optim;

import io.depthlab.trainer.engine.Parameter;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Which optimizer to train with and its hyperparameters; an immutable value that {@link #create}
 * turns into a stateful {@link Optimizer} for a network's parameters.
 *
 * <p>Weight decay applies to every parameter, biases included, as in PyTorch; it is separate from
 * the DSL's weight penalties, which only touch weights and add to the loss.
 *
 * @param kind the update rule
 * @param learningRate the base learning rate that schedules start from, positive
 * @param momentum {@link Kind#MOMENTUM}: the velocity decay in [0, 1); otherwise 0
 * @param beta1 Adam and AdamW: the first-moment decay in [0, 1); otherwise 0
 * @param beta2 Adam and AdamW: the second-moment decay in [0, 1); otherwise 0
 * @param epsilon Adam and AdamW: added to the root second moment, positive; otherwise 0
 * @param weightDecay Adam and AdamW: the decay coefficient, at least 0; otherwise 0
 */
public record OptimizerSpec(
        Kind kind,
        double learningRate,
        double momentum,
        double beta1,
        double beta2,
        double epsilon,
        double weightDecay) {

    /** The update rules. */
    public enum Kind {
        /** {@code w -= lr * g}. */
        SGD,
        /**
         * Heavy-ball momentum in PyTorch's form: {@code v = momentum * v + g; w -= lr * v}, so a
         * change of learning rate takes effect at once.
         */
        MOMENTUM,
        /**
         * Adam (Kingma and Ba, 2015) with bias correction; weight decay is an L2 term {@code
         * weightDecay * w} added to the gradient before the moments, the study's variant.
         */
        ADAM,
        /**
         * AdamW (Loshchilov and Hutter, 2019): Adam whose weight decay shrinks the weights
         * directly, {@code w -= lr * weightDecay * w}, outside the moments.
         */
        ADAMW
    }

    /** The default momentum: {@value}. */
    public static final double DEFAULT_MOMENTUM = 0.9;

    /** The default Adam learning rate, the study's: {@value}. */
    public static final double DEFAULT_ADAM_LEARNING_RATE = 1e-3;

    /** The default first-moment decay: {@value}. */
    public static final double DEFAULT_BETA1 = 0.9;

    /** The default second-moment decay: {@value}. */
    public static final double DEFAULT_BETA2 = 0.999;

    /** The default Adam epsilon: {@value}. */
    public static final double DEFAULT_EPSILON = 1e-8;

    /** The default AdamW weight decay, PyTorch's: {@value}. */
    public static final double DEFAULT_ADAMW_WEIGHT_DECAY = 1e-2;

    public OptimizerSpec {
        Objects.requireNonNull(kind, "kind");
        check(
                kind,
                learningRate > 0 && Double.isFinite(learningRate),
                "learning rate",
                "> 0",
                learningRate);
        boolean adam = kind == Kind.ADAM || kind == Kind.ADAMW;
        check(
                kind,
                kind == Kind.MOMENTUM ? momentum >= 0 && momentum < 1 : momentum == 0,
                "momentum",
                kind == Kind.MOMENTUM ? "in [0, 1)" : "0",
                momentum);
        check(
                kind,
                adam ? beta1 >= 0 && beta1 < 1 : beta1 == 0,
                "beta1",
                adam ? "in [0, 1)" : "0",
                beta1);
        check(
                kind,
                adam ? beta2 >= 0 && beta2 < 1 : beta2 == 0,
                "beta2",
                adam ? "in [0, 1)" : "0",
                beta2);
        check(
                kind,
                adam ? epsilon > 0 && Double.isFinite(epsilon) : epsilon == 0,
                "epsilon",
                adam ? "> 0" : "0",
                epsilon);
        check(
                kind,
                adam ? weightDecay >= 0 && Double.isFinite(weightDecay) : weightDecay == 0,
                "weight decay",
                adam ? ">= 0" : "0",
                weightDecay);
    }

    /** Plain gradient descent. */
    public static OptimizerSpec sgd(double learningRate) {
        return new OptimizerSpec(Kind.SGD, learningRate, 0, 0, 0, 0, 0);
    }

    /** Momentum {@value #DEFAULT_MOMENTUM}. */
    public static OptimizerSpec momentum(double learningRate) {
        return momentum(learningRate, DEFAULT_MOMENTUM);
    }

    public static OptimizerSpec momentum(double learningRate, double momentum) {
        return new OptimizerSpec(Kind.MOMENTUM, learningRate, momentum, 0, 0, 0, 0);
    }

    /** Adam with the study's settings: lr 1e-3, betas 0.9 / 0.999, epsilon 1e-8, no decay. */
    public static OptimizerSpec adam() {
        return adam(DEFAULT_ADAM_LEARNING_RATE);
    }

    /** Adam with default betas and epsilon and no weight decay. */
    public static OptimizerSpec adam(double learningRate) {
        return adam(learningRate, 0);
    }

    /** Adam with default betas and epsilon; weight decay added to the gradient as L2. */
    public static OptimizerSpec adam(double learningRate, double weightDecay) {
        return new OptimizerSpec(
                Kind.ADAM,
                learningRate,
                0,
                DEFAULT_BETA1,
                DEFAULT_BETA2,
                DEFAULT_EPSILON,
                weightDecay);
    }

    /** AdamW with default betas and epsilon and the decoupled {@code weightDecay}. */
    public static OptimizerSpec adamW(double learningRate, double weightDecay) {
        return new OptimizerSpec(
                Kind.ADAMW,
                learningRate,
                0,
                DEFAULT_BETA1,
                DEFAULT_BETA2,
                DEFAULT_EPSILON,
                weightDecay);
    }

    /** A copy with other moment decays and epsilon; Adam and AdamW only. */
    public OptimizerSpec withBetas(double beta1, double beta2, double epsilon) {
        return new OptimizerSpec(kind, learningRate, momentum, beta1, beta2, epsilon, weightDecay);
    }

    /**
     * A new optimizer for {@code parameters}, with zeroed state allocated now.
     *
     * @param parameters the parameters to update, e.g. {@code network.parameters()}
     */
    public Optimizer create(List<Parameter> parameters) {
        List<Parameter> copy = List.copyOf(parameters);
        return switch (kind) {
            case SGD -> new SgdOptimizer(copy, 0, false);
            case MOMENTUM -> new SgdOptimizer(copy, momentum, true);
            case ADAM, ADAMW -> new AdamOptimizer(this, copy);
        };
    }

    /** A one-line description for records and logs, e.g. {@code adam(lr=0.001, ...)}. */
    public String describe() {
        String name = kind.name().toLowerCase(Locale.ROOT).replace("adamw", "adamW");
        return switch (kind) {
            case SGD -> String.format(Locale.ROOT, "%s(lr=%s)", name, learningRate);
            case MOMENTUM ->
                    String.format(
                            Locale.ROOT, "%s(lr=%s, momentum=%s)", name, learningRate, momentum);
            case ADAM, ADAMW ->
                    String.format(
                            Locale.ROOT,
                            "%s(lr=%s, betas=(%s, %s), eps=%s, weight_decay=%s)",
                            name,
                            learningRate,
                            beta1,
                            beta2,
                            epsilon,
                            weightDecay);
        };
    }

    private static void check(Kind kind, boolean ok, String what, String expected, double found) {
        if (!ok) {
            throw new IllegalArgumentException(
                    String.format(
                            Locale.ROOT,
                            "%s optimizer %s: expected %s, found %s",
                            kind,
                            what,
                            expected,
                            found));
        }
    }
}
