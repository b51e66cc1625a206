package io.depthlab.trainer.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads EMNIST (Cohen, Afshar, Tapson and van Schaik, 2017, arXiv:1702.05373): 28x28 grey
 * handwritten characters, from the official IDX files or from the course's {@code .npz} files.
 *
 * <p><b>Orientation.</b> The official IDX files store every image transposed (rows and columns
 * swapped) relative to MNIST. The loaders keep the pixels exactly as stored, so the network sees
 * transposed glyphs in training and must be given them the same way when serving ({@link #LAYOUT}
 * says so in the model bundle). Use {@link #transpose} only to display an image upright.
 *
 * <p>Stateless and thread-safe.
 */
public final class Emnist {

    /** How raw examples are laid out, for the model bundle's {@code Preprocessing.layout}. */
    public static final String LAYOUT = "EMNIST IDX order (each 28x28 image transposed)";

    /**
     * The 47 classes of EMNIST Balanced and ByMerge, index = label: digits, upper-case letters and
     * the 11 lower-case letters that differ from their capitals. Used for the course's npz files,
     * which carry no mapping.
     */
    public static final List<String> BALANCED_CLASS_NAMES =
            List.of(
                    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F",
                    "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U", "V",
                    "W", "X", "Y", "Z", "a", "b", "d", "e", "f", "g", "h", "n", "q", "r", "t");

    /** Rows and columns per image. */
    public static final int SIZE = 28;

    private static final Logger log = LoggerFactory.getLogger(Emnist.class);

    private Emnist() {}

    /**
     * Loads the one EMNIST variant in {@code dir}: exactly one file each matching {@code
     * *train-images-idx3-ubyte[.gz]}, {@code *train-labels-idx1-ubyte[.gz]}, {@code
     * *test-images-idx3-ubyte[.gz]}, {@code *test-labels-idx1-ubyte[.gz]} and {@code *mapping.txt}
     * (the official names, e.g. {@code emnist-balanced-train-images-idx3-ubyte.gz}).
     *
     * @throws DatasetException if a file is missing or matched more than once (listing what was
     *     found), a file is malformed, image and label counts differ, or a label has no class
     */
    public static Dataset load(Path dir) throws IOException {
        return load(dir, null);
    }

    /**
     * Loads one EMNIST variant from a folder that may hold several: only files whose names start
     * with {@code emnist-<variant>-} are considered.
     *
     * @param variant e.g. {@code balanced}, {@code bymerge}, {@code letters}; null for any
     * @see #load(Path)
     */
    public static Dataset load(Path dir, String variant) throws IOException {
        Objects.requireNonNull(dir, "dir");
        String prefix = variant == null ? "" : "emnist-" + variant + "-";
        List<String> names = listFiles(dir);
        Predicate<String> inVariant = name -> name.startsWith(prefix);
        Path mapping = dir.resolve(findOne(dir, names, inVariant, "*mapping.txt", "mapping.txt"));
        List<String> classNames = readMapping(mapping);
        ImageSet train = readPart(dir, names, inVariant, "train", classNames);
        ImageSet test = readPart(dir, names, inVariant, "test", classNames);
        String name = mapping.getFileName().toString().replace("-mapping.txt", "");
        log.info("Loaded {} from {}: {} train, {} test", name, dir, train.count(), test.count());
        return new Dataset(name, LAYOUT, train, test);
    }

    private static ImageSet readPart(
            Path dir,
            List<String> names,
            Predicate<String> inVariant,
            String part,
            List<String> classNames)
            throws IOException {
        String images = part + "-images-idx3-ubyte";
        String labels = part + "-labels-idx1-ubyte";
        Path imageFile = dir.resolve(findIdx(dir, names, inVariant, images));
        Path labelFile = dir.resolve(findIdx(dir, names, inVariant, labels));
        return IdxReader.readImageSet(imageFile, labelFile, classNames);
    }

    private static String findIdx(
            Path dir, List<String> names, Predicate<String> inVariant, String stem)
            throws DatasetException {
        return findOne(
                dir,
                names,
                name ->
                        inVariant.test(name)
                                && (name.endsWith(stem) || name.endsWith(stem + ".gz")),
                "*" + stem + "[.gz]");
    }

    private static String findOne(
            Path dir, List<String> names, Predicate<String> inVariant, String glob, String suffix)
            throws DatasetException {
        return findOne(dir, names, name -> inVariant.test(name) && name.endsWith(suffix), glob);
    }

    private static String findOne(
            Path dir, List<String> names, Predicate<String> matches, String glob)
            throws DatasetException {
        List<String> found = names.stream().filter(matches).toList();
        if (found.size() == 1) {
            return found.get(0);
        }
        String what =
                found.isEmpty()
                        ? "none among " + abbreviate(names)
                        : found.size() + ": " + String.join(", ", found);
        throw new DatasetException(
                dir + ": expected exactly one file matching " + glob + ", found " + what);
    }

    private static String abbreviate(List<String> names) {
        if (names.isEmpty()) {
            return "no files";
        }
        int shown = Math.min(names.size(), 12);
        String list = String.join(", ", names.subList(0, shown));
        return names.size() + " files (" + list + (shown < names.size() ? ", ..." : "") + ")";
    }

    private static List<String> listFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw DatasetException.inFile(dir, "a folder of EMNIST files", "no such folder");
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                if (Files.isRegularFile(file)) {
                    names.add(file.getFileName().toString());
                }
            }
        }
        names.sort(null);
        return names;
    }

    /**
     * Reads an EMNIST mapping file: one line per class, {@code <label> <ASCII code>}, labels 0 to
     * n-1 each exactly once. The class name of a label is the character with that code.
     *
     * @throws DatasetException if a line is malformed or a label is missing or repeated
     */
    public static List<String> readMapping(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        List<String> rows = lines.stream().filter(line -> !line.isBlank()).toList();
        String[] names = new String[rows.size()];
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] fields = lines.get(i).strip().split("\\s+");
            int label = fields.length == 2 ? parse(fields[0]) : -1;
            int code = fields.length == 2 ? parse(fields[1]) : -1;
            if (label < 0 || label >= names.length || code < 1 || code > 0x10FFFF) {
                throw new DatasetException(
                        String.format(
                                "%s, line %d: expected '<label below %d> <character code>',"
                                        + " found '%s'",
                                file, i + 1, names.length, lines.get(i)));
            }
            if (names[label] != null) {
                throw new DatasetException(
                        file
                                + ", line "
                                + (i + 1)
                                + ": expected each label once, found label "
                                + label
                                + " again");
            }
            names[label] = Character.toString(code);
        }
        if (names.length == 0) {
            throw DatasetException.inFile(file, "at least one '<label> <code>' line", "none");
        }
        return List.of(names);
    }

    private static int parse(String field) {
        try {
            return Integer.parseInt(field);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Loads one of the course's EMNIST {@code .npz} files ({@code emnist-train.npz}, ...): {@code
     * inputs} of N x 784 (or N x 28 x 28) pixels 0..255 as uint8 or as integral floats, and {@code
     * targets} of N ints in [0, 47). Pixels stay in the file's order; class names are {@link
     * #BALANCED_CLASS_NAMES}.
     *
     * @throws DatasetException if a key is missing, a shape or dtype is wrong, a pixel is not an
     *     integer in [0, 255], or a target is out of range (naming the index)
     */
    public static ImageSet loadNpz(Path file) throws IOException {
        Map<String, NumpyArray> arrays = NpyReader.readNpz(file);
        NumpyArray inputs = arrays.get("inputs");
        NumpyArray targets = arrays.get("targets");
        if (inputs == null || targets == null) {
            throw DatasetException.inFile(
                    file, "arrays 'inputs' and 'targets'", "arrays " + arrays.keySet());
        }
        int count = inputs.ndim() > 0 ? inputs.dimension(0) : -1;
        if (inputs.size() != (long) count * SIZE * SIZE
                || (inputs.ndim() != 2 && inputs.ndim() != 3)) {
            throw DatasetException.inFile(
                    file,
                    "'inputs' of N x 784 or N x 28 x 28",
                    "shape " + Arrays.toString(inputs.shape()));
        }
        if (targets.ndim() != 1 || targets.size() != count || !targets.dtype().isInteger()) {
            throw DatasetException.inFile(
                    file, "'targets' as " + count + " ints, one per input", targets.toString());
        }
        byte[] pixels = toPixels(file, inputs);
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            long target = targets.longAt(i);
            if (target < 0 || target >= BALANCED_CLASS_NAMES.size()) {
                throw new DatasetException(
                        String.format(
                                "%s, targets[%d]: expected a class in [0, %d), found %d",
                                file, i, BALANCED_CLASS_NAMES.size(), target));
            }
            labels[i] = (int) target;
        }
        return ImageSet.of(1, SIZE, SIZE, pixels, labels, BALANCED_CLASS_NAMES);
    }

    private static byte[] toPixels(Path file, NumpyArray inputs) throws DatasetException {
        if (inputs.dtype() == NumpyArray.DType.UINT8) {
            return inputs.rawData().clone();
        }
        byte[] pixels = new byte[inputs.size()];
        for (int i = 0; i < pixels.length; i++) {
            double value = inputs.doubleAt(i);
            if (!(value >= 0 && value <= 255) || value != Math.rint(value)) {
                throw new DatasetException(
                        String.format(
                                "%s, inputs element %d (example %d): expected an integer pixel"
                                        + " value in [0, 255], found %s",
                                file, i, i / (SIZE * SIZE), value));
            }
            pixels[i] = (byte) (int) value;
        }
        return pixels;
    }

    /**
     * Swaps rows and columns of one image, e.g. to show an EMNIST glyph upright.
     *
     * @param image {@code rows * cols} bytes, row-major
     * @return a new array of {@code cols * rows} bytes: element (c, r) of the result is element (r,
     *     c) of the input
     */
    public static byte[] transpose(byte[] image, int rows, int cols) {
        Objects.requireNonNull(image, "image");
        if (rows < 1 || cols < 1 || image.length != rows * cols) {
            throw new IllegalArgumentException(
                    String.format(
                            "expected %d bytes for a %dx%d image, found %d",
                            rows * cols, rows, cols, image.length));
        }
        byte[] result = new byte[image.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                result[c * rows + r] = image[r * cols + c];
            }
        }
        return result;
    }
}
