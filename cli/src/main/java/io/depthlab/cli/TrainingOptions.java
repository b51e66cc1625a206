package io.depthlab.cli;

import io.depthlab.dsl.Activation;
import io.depthlab.dsl.Dense;
import io.depthlab.dsl.Dropout;
import io.depthlab.dsl.Network;
import io.depthlab.dsl.SoftmaxOutput;
import io.depthlab.dsl.family.Mlp;
import io.depthlab.dsl.family.Vgg;
import io.depthlab.trainer.data.ImageSet;
import io.depthlab.trainer.optim.LearningRateSchedule;
import io.depthlab.trainer.optim.OptimizerSpec;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The knobs of a training run, shared by {@code train} and {@code quickstart}. The defaults are the
 * quick start's: the regularisation study's MLP on EMNIST, which reaches its accuracy in well under
 * two minutes on two cores. For CIFAR-100 they follow the depth study (VGG-8, Adam, cosine
 * annealing to 2e-5, random crops and flips).
 */
final class TrainingOptions {

    /** The data sets a run can read. */
    enum DatasetKind {
        EMNIST("EMNIST IDX files"),
        CIFAR100("CIFAR-100 binary files"),
        FASHION_MNIST("Fashion-MNIST IDX files");

        /** What a folder of this data set holds, for messages. */
        final String files;

        DatasetKind(String files) {
            this.files = files;
        }
    }

    /** The learning rules a user can pick. */
    enum Rule {
        SGD,
        MOMENTUM,
        ADAM,
        ADAMW
    }

    /** The floor of the cosine schedule, the depth study's: {@value}. */
    static final double COSINE_FLOOR = 2e-5;

    private static final Pattern VGG = Pattern.compile("vgg-(\\d+)((?:-bn|-res)*)");

    @Option(
            names = "--dataset",
            defaultValue = "emnist",
            converter = DatasetConverter.class,
            description = "emnist, cifar100 or fashion-mnist (default: ${DEFAULT-VALUE}).")
    DatasetKind dataset;

    @Option(
            names = "--network",
            paramLabel = "NAME",
            description =
                    "mlp (the regularisation study's: one hidden layer over the flattened"
                            + " image, 784 inputs for EMNIST, 3072 for CIFAR-100) or"
                            + " vgg-DEPTH[-bn][-res] (the depth study's, for CIFAR-100; DEPTH = 8,"
                            + " 14, 20, ...)."
                            + " Default: mlp, or vgg-8 for cifar100.")
    String network;

    @Option(
            names = "--width",
            description = "Filters per convolution of a VGG network (default: 32).")
    Integer width;

    @Option(
            names = "--epochs",
            defaultValue = "30",
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
            names = "--schedule",
            paramLabel = "constant|cosine",
            description =
                    "Learning-rate schedule per epoch: constant, or cosine annealing to "
                            + COSINE_FLOOR
                            + " (default: cosine for cifar100, constant otherwise).")
    String schedule;

    @Option(
            names = "--hidden-units",
            description = "Units of the MLP's hidden layer (default: 100).")
    Integer hiddenUnits;

    @Option(
            names = "--drop-rate",
            description =
                    "Probability of dropping an MLP hidden unit while training, in [0, 1)"
                            + " (default: 0.2; 0 disables dropout).")
    Double dropRate;

    @Option(
            names = "--l1",
            defaultValue = "0",
            description = "L1 penalty coefficient on the weights (default: 0, none).")
    double l1;

    @Option(
            names = "--l2",
            description =
                    "L2 penalty coefficient on the weights (default: 1e-4 for mlp; 0, none, for"
                            + " vgg-*, as in the depth study).")
    Double l2;

    @Option(
            names = "--augment",
            negatable = true,
            description =
                    "Random 32x32 crops of 4-pixel zero-padded images and horizontal flips while"
                            + " training (default: on for cifar100, off otherwise).")
    Boolean augment;

    @Option(
            names = "--valid-fraction",
            description =
                    "Share of the training examples held out for validation (default: 0.05 for"
                            + " cifar100, the study's 2,500 of 50,000; 0.1 otherwise).")
    Double validFraction;

    @Option(
            names = "--limit",
            paramLabel = "N",
            description = "Use only the first N training and N test examples (quick runs).")
    Integer limit;

    @Option(
            names = "--seed",
            defaultValue = "2017",
            description =
                    "Seed of the split, initial weights, shuffling, augmentation and dropout"
                            + " (default: ${DEFAULT-VALUE}).")
    long seed;

    boolean isCifar() {
        return dataset == DatasetKind.CIFAR100;
    }

    double validFraction() {
        return validFraction != null ? validFraction : isCifar() ? 0.05 : 0.1;
    }

    boolean augment() {
        return augment != null ? augment : isCifar();
    }

    /** The network these options name, sized for {@code train}'s examples and classes. */
    Network network(ImageSet train) {
        String name = networkName();
        if (name.equals("mlp")) {
            return mlp(train);
        }
        Matcher vgg = VGG.matcher(name);
        if (!vgg.matches()) {
            throw new IllegalArgumentException(
                    "--network: expected mlp or vgg-DEPTH[-bn][-res], found '" + name + "'");
        }
        if (train.channels() != 3 || train.height() != 32 || train.width() != 32) {
            throw new IllegalArgumentException(
                    String.format(
                            "--network %s: expected 3x32x32 images (cifar100), found %dx%dx%d",
                            name, train.channels(), train.height(), train.width()));
        }
        Vgg.Builder builder =
                Vgg.depth(Integer.parseInt(vgg.group(1)))
                        .width(width == null ? Vgg.DEFAULT_WIDTH : width)
                        .batchNorm(vgg.group(2).contains("-bn"))
                        .residual(vgg.group(2).contains("-res"))
                        .classes(train.classCount());
        if (l1 != 0) {
            builder.l1(l1);
        }
        if (l2 != null && l2 != 0) {
            builder.l2(l2);
        }
        return builder.build();
    }

    /** The name's form and a VGG's depth, before any data is loaded. */
    private void checkNetworkName() {
        String name = networkName();
        if (name.equals("mlp")) {
            return;
        }
        Matcher vgg = VGG.matcher(name);
        if (!vgg.matches()) {
            throw new IllegalArgumentException(
                    "--network: expected mlp or vgg-DEPTH[-bn][-res], found '" + name + "'");
        }
        try {
            Vgg.depth(Integer.parseInt(vgg.group(1))).residual(vgg.group(2).contains("-res"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--network " + name + ": " + e.getMessage(), e);
        }
    }

    private String networkName() {
        return network != null ? network : isCifar() ? "vgg-8" : "mlp";
    }

    /** The study's MLP; on data other than EMNIST's 47 classes, the same shape resized. */
    private Network mlp(ImageSet train) {
        int units = hiddenUnits == null ? DEFAULT_HIDDEN_UNITS : hiddenUnits;
        double drop = dropRate == null ? DEFAULT_DROP_RATE : dropRate;
        double l2 = this.l2 == null ? DEFAULT_MLP_L2 : this.l2;
        if (train.exampleSize() == Mlp.INPUTS && train.classCount() == Mlp.CLASSES) {
            Mlp.Builder mlp = Mlp.emnist().hiddenUnits(units);
            if (drop != 0) {
                mlp.dropRate(drop);
            }
            if (l1 != 0) {
                mlp.l1(l1);
            }
            if (l2 != 0) {
                mlp.l2(l2);
            }
            return mlp.build();
        }
        Network.Builder mlp =
                Network.sequential("mlp")
                        .input(train.exampleSize())
                        .layer(Dense.units(units))
                        .layer(Activation.relu());
        if (drop != 0) {
            mlp.layer(Dropout.dropRate(drop));
        }
        mlp.layer(Dense.units(train.classCount())).layer(SoftmaxOutput.create());
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

    LearningRateSchedule schedule() {
        String chosen = schedule != null ? schedule : isCifar() ? "cosine" : "constant";
        return switch (chosen.toLowerCase(Locale.ROOT)) {
            case "constant" -> LearningRateSchedule.constant();
            case "cosine" -> LearningRateSchedule.cosine(epochs, COSINE_FLOOR);
            default ->
                    throw new IllegalArgumentException(
                            "--schedule: expected constant or cosine, found '" + chosen + "'");
        };
    }

    static final int DEFAULT_HIDDEN_UNITS = 100;
    static final double DEFAULT_DROP_RATE = 0.2;
    static final double DEFAULT_MLP_L2 = 1e-4;

    /** The largest batch and layer width accepted: {@value}; beyond, memory runs out first. */
    static final int MAX_SIZE = 1 << 16;

    /** Checks the numbers that picocli cannot, naming the flag. */
    void check() {
        positive(epochs, "--epochs");
        bounded(batchSize, "--batch-size");
        checkNetworkName();
        boolean mlp = networkName().equals("mlp");
        // Flags for the other family would be ignored silently: refuse them instead.
        onlyFor(mlp, hiddenUnits, "--hidden-units", "mlp");
        onlyFor(mlp, dropRate, "--drop-rate", "mlp");
        onlyFor(!mlp, width, "--width", "vgg-DEPTH[-bn][-res]");
        if (hiddenUnits != null) {
            bounded(hiddenUnits, "--hidden-units");
        }
        if (width != null) {
            bounded(width, "--width");
        }
        if (limit != null) {
            positive(limit, "--limit");
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException(
                    "--learning-rate: expected a positive number, found " + learningRate);
        }
        if (dropRate != null && !(dropRate >= 0 && dropRate < 1)) {
            throw new IllegalArgumentException(
                    "--drop-rate: expected a probability in [0, 1), found " + dropRate);
        }
        if (!(l1 >= 0) || !Double.isFinite(l1)) {
            throw new IllegalArgumentException("--l1: expected a coefficient >= 0, found " + l1);
        }
        if (l2 != null && (!(l2 >= 0) || !Double.isFinite(l2))) {
            throw new IllegalArgumentException("--l2: expected a coefficient >= 0, found " + l2);
        }
        double fraction = validFraction();
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException(
                    "--valid-fraction: expected a fraction in (0, 1), found " + fraction);
        }
        schedule();
    }

    private void onlyFor(boolean applies, Object value, String option, String networks) {
        if (value != null && !applies) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s: applies to --network %s only, found --network %s",
                            option, networks, networkName()));
        }
    }

    private static void bounded(int value, String option) {
        if (value < 1 || value > MAX_SIZE) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s: expected a number from 1 to %d, found %d",
                            option, MAX_SIZE, value));
        }
    }

    private static void positive(int value, String option) {
        if (value < 1) {
            throw new IllegalArgumentException(
                    option + ": expected a positive number, found " + value);
        }
    }

    /** Accepts the rule names in any case, and names the valid ones otherwise. */
    static final class RuleConverter implements ITypeConverter<Rule> {
        @Override
        public Rule convert(String value) {
            try {
                return Rule.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(
                        "expected sgd, momentum, adam or adamw, found '" + value + "'");
            }
        }
    }

    /** Accepts emnist, cifar100 and fashion-mnist in any case. */
    static final class DatasetConverter implements ITypeConverter<DatasetKind> {
        @Override
        public DatasetKind convert(String value) {
            try {
                return DatasetKind.valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(
                        "expected emnist, cifar100 or fashion-mnist, found '" + value + "'");
            }
        }
    }
}
