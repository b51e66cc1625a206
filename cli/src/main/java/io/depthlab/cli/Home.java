package io.depthlab.cli;

import io.depthlab.trainer.data.FashionMnist;
import java.nio.file.Path;

/** Where a run's data come from when {@code --data} is not given. */
final class Home {

    /** The system property the {@code depthlab} script sets to the checkout's root. */
    static final String PROPERTY = "depthlab.home";

    private Home() {}

    /**
     * {@code data} if given; else the EMNIST sample shipped with the checkout, or Debian's
     * Fashion-MNIST package. CIFAR-100 ships nowhere, so it needs {@code --data}.
     */
    static Path dataFolder(Path data, TrainingOptions.DatasetKind kind) {
        if (data != null) {
            return data;
        }
        return switch (kind) {
            case EMNIST ->
                    Path.of(System.getProperty(PROPERTY, "."))
                            .resolve("data")
                            .resolve("emnist-sample");
            case FASHION_MNIST -> FashionMnist.DEBIAN_DIR;
            case CIFAR100 ->
                    throw new IllegalArgumentException(
                            "--data: expected the CIFAR-100 folder (binary version) for --dataset"
                                    + " cifar100, found none; get it with: depthlab data fetch"
                                    + " cifar100");
        };
    }
}
