package io.depthlab.cli;

import io.depthlab.dsl.Network;
import io.depthlab.dsl.family.Mlp;
import io.depthlab.trainer.optim.OptimizerSpec;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The knobs of an MLP training run on EMNIST, shared by {@code train} and {@code quickstart}. The
 * defaults reach the quick start's accuracy in well under two minutes on two cores.
 */
final class TrainingOptions {

    /** The learning rules a user can pick. */
    enum Rule {
        SGD,
        MOMENTUM,
        ADAM,
        ADAMW
    }

    @Option(
            names = "--epochs",
            defaultValue = "15",
            description = "Epochs to train (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--batch-size",
            defaultValue = "100",
            description = "Examples per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--optimizer",
            defaultValue = "adam",
            converter = RuleConverter.class,
            description = "sgd, momentum, adam or adamw (default: ${DEFAULT-VALUE}).")
    Rule rule;

    @Option(
            names = "--learning-rate",
            defaultValue = "1e-3",
            description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(
            names = "--hidden-units",
            defaultValue = "100",
            description = "Units of the hidden layer (default: ${DEFAULT-VALUE}).")
    int hiddenUnits;

    @Option(
            names = "--drop-rate",
            defaultValue = "0.1",
            description =
                    "Probability of dropping a hidden unit while training, in [0, 1) (default:"
                            + " ${DEFAULT-VALUE}; 0 disables dropout).")
    double dropRate;

    @Option(
            names = "--l1",
            defaultValue = "0",
            description = "L1 penalty coefficient on the weights (default: none).")
    double l1;

    @Option(
            names = "--l2",
            defaultValue = "1e-4",
            description = "L2 penalty coefficient on the weights (default: ${DEFAULT-VALUE}).")
    double l2;

    @Option(
            names = "--valid-fraction",
            defaultValue = "0.1",
            description =
                    "Share of the training examples held out for validation (default:"
                            + " ${DEFAULT-VALUE}).")
    double validFraction;

    @Option(
            names = "--seed",
            defaultValue = "2017",
            description = "Seed of the split, initial weights, shuffling and dropout.")
    long seed;

    /** The study's MLP with these options. */
    Network network() {
        Mlp.Builder mlp = Mlp.emnist().hiddenUnits(hiddenUnits);
        if (dropRate != 0) {
            mlp.dropRate(dropRate);
        }
        if (l1 != 0) {
            mlp.l1(l1);
        }
        if (l2 != 0) {
            mlp.l2(l2);
        }
        return mlp.build();
    }

    OptimizerSpec optimizer() {
        return switch (rule) {
            case SGD -> OptimizerSpec.sgd(learningRate);
            case MOMENTUM -> OptimizerSpec.momentum(learningRate);
            case ADAM -> OptimizerSpec.adam(learningRate);
            case ADAMW ->
                    OptimizerSpec.adamW(learningRate, OptimizerSpec.DEFAULT_ADAMW_WEIGHT_DECAY);
        };
    }

    /** Accepts the rule names in any case, and names the valid ones otherwise. */
    static final class RuleConverter implements picocli.CommandLine.ITypeConverter<Rule> {
        @Override
        public Rule convert(String value) {
            try {
                return Rule.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(
                        "expected sgd, momentum, adam or adamw, found '" + value + "'");
            }
        }
    }
}
