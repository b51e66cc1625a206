package io.depthlab.trainer.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017, arXiv:1708.07747): 28x28 grey images of
 * clothing in 10 classes, from the official IDX files {@code train-images-idx3-ubyte}, {@code
 * train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte}, each
 * gzipped ({@code .gz}) or not. Unlike EMNIST, the images are stored upright. Stateless and
 * thread-safe.
 */
public final class FashionMnist {

    /** The class names, index = label, as published with the data set. */
    public static final List<String> CLASS_NAMES =
            List.of(
                    "T-shirt/top",
                    "Trouser",
                    "Pullover",
                    "Dress",
                    "Coat",
                    "Sandal",
                    "Shirt",
                    "Sneaker",
                    "Bag",
                    "Ankle boot");

    /** How raw examples are laid out, for the model bundle's {@code Preprocessing.layout}. */
    public static final String LAYOUT = "Fashion-MNIST IDX order (28x28 row-major, upright)";

    /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    private static final Logger log = LoggerFactory.getLogger(FashionMnist.class);

    private FashionMnist() {}

    /**
     * Loads the training and test parts from {@code dir}; for each file the gzipped name is tried
     * first, then the plain one.
     *
     * @throws DatasetException if a file is missing or malformed, or counts or labels are wrong
     */
    public static Dataset load(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        ImageSet train =
                IdxReader.readImageSet(
                        find(dir, "train-images-idx3-ubyte"),
                        find(dir, "train-labels-idx1-ubyte"),
                        CLASS_NAMES);
        ImageSet test =
                IdxReader.readImageSet(
                        find(dir, "t10k-images-idx3-ubyte"),
                        find(dir, "t10k-labels-idx1-ubyte"),
                        CLASS_NAMES);
        log.info(
                "Loaded Fashion-MNIST from {}: {} train, {} test",
                dir,
                train.count(),
                test.count());
        return new Dataset("fashion-mnist", LAYOUT, train, test);
    }

    private static Path find(Path dir, String name) throws DatasetException {
        Path gzipped = dir.resolve(name + ".gz");
        if (Files.isRegularFile(gzipped)) {
            return gzipped;
        }
        Path plain = dir.resolve(name);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        throw DatasetException.inFile(dir, name + ".gz or " + name, "neither");
    }
}
