package io.depthlab.trainer.data;

import java.util.Objects;

/**
 * A data set as published: its training and test parts, with a name for logs and a description of
 * how each raw example is laid out (for the model bundle's {@code Preprocessing.layout}).
 *
 * <p>Split the training part with {@link Split#trainValidation} to get a validation set; never tune
 * on the test part. Immutable and thread-safe.
 *
 * @param name a short name, e.g. {@code emnist-balanced} or {@code cifar100-fine}
 * @param layout how raw examples are laid out, e.g. {@value Emnist#LAYOUT}
 * @param train the training examples
 * @param test the test examples, with the same shape and class names as {@code train}
 */
public record Dataset(String name, String layout, ImageSet train, ImageSet test) {

    /** Checks that both parts have the same shape and class names. */
    public Dataset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        if (train.exampleSize() != test.exampleSize()
                || train.channels() != test.channels()
                || train.height() != test.height()) {
            throw new IllegalArgumentException(
                    String.format(
                            "data set '%s': expected test images shaped like the training"
                                    + " images (%dx%dx%d), found %dx%dx%d",
                            name,
                            train.channels(),
                            train.height(),
                            train.width(),
                            test.channels(),
                            test.height(),
                            test.width()));
        }
        if (!train.classNames().equals(test.classNames())) {
            throw new IllegalArgumentException(
                    "data set '" + name + "': expected the same class names in train and test");
        }
    }
}
