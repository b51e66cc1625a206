package io.depthlab.trainer.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads CIFAR-100 (Krizhevsky, 2009, "Learning Multiple Layers of Features from Tiny Images"):
 * 32x32 RGB images with a fine label (100 classes) and a coarse label (20 superclasses).
 *
 * <p>Two official formats are read. The binary version is records of {@value #RECORD_BYTES} bytes:
 * the coarse label byte, the fine label byte, then 1024 red, 1024 green and 1024 blue bytes, each
 * plane row-major; that is already the NCHW order of {@link ImageSet}. The python version is
 * pickled dicts, read by a restricted unpickler that never instantiates classes. Stateless and
 * thread-safe.
 */
public final class Cifar100 {

    /** Bytes per binary record: 2 label bytes and 3 x 32 x 32 pixel bytes. */
    public static final int RECORD_BYTES = 3074;

    /** Channels per image (red, green, blue). */
    public static final int CHANNELS = 3;

    /** Rows and columns per image. */
    public static final int SIZE = 32;

    /** How raw examples are laid out, for the model bundle's {@code Preprocessing.layout}. */
    public static final String LAYOUT = "CIFAR RGB planes, 3x32x32 row-major (NCHW)";

    private static final int PIXEL_BYTES = CHANNELS * SIZE * SIZE;
    private static final Pattern PART = Pattern.compile("train-part(\\d+)\\.bin");
    private static final Logger log = LoggerFactory.getLogger(Cifar100.class);

    private Cifar100() {}

    /** Which of the two labels of each image to train on. */
    public enum LabelKind {
        /** The 100 fine classes, e.g. {@code maple_tree}. */
        FINE(100, "fine_label_names.txt", "fine_labels", "fine_label_names"),
        /** The 20 coarse superclasses, e.g. {@code trees}. */
        COARSE(20, "coarse_label_names.txt", "coarse_labels", "coarse_label_names");

        private final int classCount;
        private final String namesFile;
        private final String pickleKey;
        private final String pickleNamesKey;

        LabelKind(int classCount, String namesFile, String pickleKey, String pickleNamesKey) {
            this.classCount = classCount;
            this.namesFile = namesFile;
            this.pickleKey = pickleKey;
            this.pickleNamesKey = pickleNamesKey;
        }

        /** The number of classes: 100 fine or 20 coarse. */
        public int classCount() {
            return classCount;
        }

        /** The binary version's file of class names, one per line. */
        public String namesFile() {
            return namesFile;
        }
    }

    /**
     * Loads the binary version from {@code dir}: {@code train.bin}, or when it is absent the parts
     * {@code train-part1.bin}, {@code train-part2.bin}, ... (no gaps) concatenated in numeric
     * order; {@code test.bin}; and the class names from {@code fine_label_names.txt} or {@code
     * coarse_label_names.txt}.
     *
     * @throws DatasetException if a file is missing, has a size that is not a multiple of {@value
     *     #RECORD_BYTES}, or holds a label out of range
     */
    public static Dataset load(Path dir, LabelKind kind) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(kind, "kind");
        List<String> names = readLabelNames(dir.resolve(kind.namesFile), kind.classCount);
        ImageSet train = readBinary(trainFiles(dir), kind, names);
        ImageSet test = readBinary(List.of(require(dir.resolve("test.bin"))), kind, names);
        log.info(
                "Loaded CIFAR-100 ({} labels) from {}: {} train, {} test",
                kind,
                dir,
                train.count(),
                test.count());
        return new Dataset("cifar100-" + kind.name().toLowerCase(), LAYOUT, train, test);
    }

    /** {@code train.bin}, or the {@code train-part<N>.bin} files in numeric order. */
    static List<Path> trainFiles(Path dir) throws IOException {
        Path whole = dir.resolve("train.bin");
        if (Files.isRegularFile(whole)) {
            return List.of(whole);
        }
        List<Path> parts = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "train-part*.bin")) {
                for (Path file : files) {
                    if (PART.matcher(file.getFileName().toString()).matches()) {
                        parts.add(file);
                    }
                }
            }
        }
        if (parts.isEmpty()) {
            throw new DatasetException(
                    dir
                            + ": expected train.bin or train-part1.bin, train-part2.bin, ..., found"
                            + " neither");
        }
        parts.sort(Comparator.comparingLong(Cifar100::partNumber));
        // A missing part would shift every later image silently: require 1, 2, ..., N.
        for (int i = 0; i < parts.size(); i++) {
            if (partNumber(parts.get(i)) != i + 1) {
                throw new DatasetException(
                        String.format(
                                "%s: expected training parts numbered 1 to %d without gaps,"
                                        + " found parts %s (part %d is %s)",
                                dir,
                                parts.size(),
                                parts.stream().map(Cifar100::partNumber).toList(),
                                i + 1,
                                partNumber(parts.get(i)) < i + 1 ? "repeated" : "missing"));
            }
        }
        return List.copyOf(parts);
    }

    private static long partNumber(Path file) {
        Matcher matcher = PART.matcher(file.getFileName().toString());
        matcher.matches();
        return Long.parseLong(matcher.group(1));
    }

    /**
     * Reads binary record files, concatenated in the order given, into one set.
     *
     * @param classNames the names of the classes of {@code kind}, index = label
     * @throws DatasetException if a file's size is not a positive multiple of {@value
     *     #RECORD_BYTES} or a record has a fine label of 100 or more or a coarse label of 20 or
     *     more (naming the file and the record index)
     */
    public static ImageSet readBinary(List<Path> files, LabelKind kind, List<String> classNames)
            throws IOException {
        Objects.requireNonNull(kind, "kind");
        long total = 0;
        for (Path file : files) {
            total += recordCount(file);
        }
        if (total * PIXEL_BYTES > IdxReader.MAX_BODY_BYTES) {
            throw new DatasetException(
                    files
                            + ": expected at most "
                            + IdxReader.MAX_BODY_BYTES / PIXEL_BYTES
                            + " records in all, found "
                            + total);
        }
        byte[] pixels = new byte[(int) total * PIXEL_BYTES];
        int[] labels = new int[(int) total];
        // Each fine class belongs to one coarse class: the first record of a fine class fixes it.
        CoarseOf coarseOf = new CoarseOf();
        int next = 0;
        for (Path file : files) {
            next = readRecords(file, kind, pixels, labels, next, coarseOf);
        }
        return ImageSet.of(CHANNELS, SIZE, SIZE, pixels, labels, classNames);
    }

    private static long recordCount(Path file) throws IOException {
        long size = Files.size(require(file));
        if (size == 0 || size % RECORD_BYTES != 0) {
            throw new DatasetException(
                    String.format(
                            "%s: expected a size that is a positive multiple of the %d-byte"
                                    + " record, found %d bytes (%d records and %d bytes over)",
                            file, RECORD_BYTES, size, size / RECORD_BYTES, size % RECORD_BYTES));
        }
        return size / RECORD_BYTES;
    }

    private static int readRecords(
            Path file, LabelKind kind, byte[] pixels, int[] labels, int first, CoarseOf coarseOf)
            throws IOException {
        long count = recordCount(file);
        byte[] record = new byte[RECORD_BYTES];
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            for (int i = 0; i < count; i++) {
                if (in.readNBytes(record, 0, RECORD_BYTES) < RECORD_BYTES) {
                    throw new DatasetException(
                            file
                                    + ", record "
                                    + i
                                    + ": expected "
                                    + RECORD_BYTES
                                    + " bytes, found the end of the file (it shrank while"
                                    + " being read)");
                }
                int coarse = Byte.toUnsignedInt(record[0]);
                int fine = Byte.toUnsignedInt(record[1]);
                checkLabel(file, i, "coarse", coarse, LabelKind.COARSE.classCount);
                checkLabel(file, i, "fine", fine, LabelKind.FINE.classCount);
                coarseOf.check(fine, coarse, index -> binaryPlace(file, index), i);
                labels[first + i] = kind == LabelKind.FINE ? fine : coarse;
                System.arraycopy(record, 2, pixels, (first + i) * PIXEL_BYTES, PIXEL_BYTES);
            }
        }
        return first + (int) count;
    }

    /** The coarse class of each fine class, as the records read so far give it. */
    private static final class CoarseOf {
        private final int[] coarse = new int[LabelKind.FINE.classCount];
        private final String[] firstSeen = new String[LabelKind.FINE.classCount];

        /**
         * Checks a record's pair of labels against the first record of its fine class.
         *
         * @param place names a record, e.g. "train.bin, record 7 (byte 21518)"; called only for the
         *     first record of each fine class and for a conflict
         */
        void check(int fine, int coarseLabel, IntFunction<String> place, int record)
                throws DatasetException {
            if (firstSeen[fine] == null) {
                coarse[fine] = coarseLabel;
                firstSeen[fine] = place.apply(record);
            } else if (coarse[fine] != coarseLabel) {
                throw new DatasetException(
                        String.format(
                                "%s: expected coarse label %d for fine label %d, as in %s, found"
                                        + " %d",
                                place.apply(record),
                                coarse[fine],
                                fine,
                                firstSeen[fine],
                                coarseLabel));
            }
        }
    }

    private static String binaryPlace(Path file, long record) {
        return String.format("%s, record %d (byte %d)", file, record, record * RECORD_BYTES);
    }

    private static void checkLabel(Path file, long record, String kind, int label, int count)
            throws DatasetException {
        if (label >= count) {
            throw new DatasetException(
                    String.format(
                            "%s, record %d (byte %d): expected a %s label below %d, found %d",
                            file,
                            record,
                            record * RECORD_BYTES + (kind.equals("fine") ? 1 : 0),
                            kind,
                            count,
                            label));
        }
    }

    /**
     * Reads a class-name file: one name per line, blank lines ignored (the official files end with
     * blank lines).
     *
     * @throws DatasetException if the file does not hold exactly {@code expectedCount} names
     */
    public static List<String> readLabelNames(Path file, int expectedCount) throws IOException {
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(require(file), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                names.add(line.strip());
            }
        }
        if (names.size() != expectedCount) {
            throw DatasetException.inFile(
                    file, expectedCount + " class names", names.size() + " non-blank lines");
        }
        return List.copyOf(names);
    }

    /**
     * Loads the python version from {@code dir} (the official {@code cifar-100-python} folder): the
     * pickles {@code train}, {@code test} and {@code meta}.
     *
     * @throws DatasetException if a pickle is missing, malformed, uses anything outside the safe
     *     subset, or holds data of the wrong shape or a label out of range
     */
    public static Dataset loadPython(Path dir, LabelKind kind) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(kind, "kind");
        Path metaFile = require(dir.resolve("meta"));
        Map<?, ?> meta = dict(metaFile, Unpickler.load(metaFile));
        List<String> names = stringList(metaFile, meta, kind.pickleNamesKey, kind.classCount);
        ImageSet train = readPickle(dir.resolve("train"), kind, names);
        ImageSet test = readPickle(dir.resolve("test"), kind, names);
        log.info(
                "Loaded CIFAR-100 python version ({} labels) from {}: {} train, {} test",
                kind,
                dir,
                train.count(),
                test.count());
        return new Dataset("cifar100-" + kind.name().toLowerCase(), LAYOUT, train, test);
    }

    /** Reads one python-version pickle ({@code train} or {@code test}) into a set. */
    static ImageSet readPickle(Path file, LabelKind kind, List<String> classNames)
            throws IOException {
        Map<?, ?> dict = dict(file, Unpickler.load(require(file)));
        if (!(dict.get("data") instanceof NumpyArray data)
                || data.dtype() != NumpyArray.DType.UINT8
                || data.ndim() != 2
                || data.dimension(1) != PIXEL_BYTES) {
            throw DatasetException.inFile(
                    file,
                    "'data' as a uint8 array of N x " + PIXEL_BYTES,
                    String.valueOf(dict.get("data")));
        }
        int count = data.dimension(0);
        int[] fine = labelList(file, dict, "fine_labels", count, LabelKind.FINE.classCount);
        int[] coarse = labelList(file, dict, "coarse_labels", count, LabelKind.COARSE.classCount);
        CoarseOf coarseOf = new CoarseOf();
        for (int i = 0; i < count; i++) {
            coarseOf.check(fine[i], coarse[i], example -> file + ", example " + example, i);
        }
        int[] labels = kind == LabelKind.FINE ? fine : coarse;
        return ImageSet.of(CHANNELS, SIZE, SIZE, data.rawData(), labels, classNames);
    }

    private static Map<?, ?> dict(Path file, Object value) throws DatasetException {
        if (!(value instanceof Map<?, ?> map)) {
            throw DatasetException.inFile(
                    file, "a pickled dict", value == null ? "None" : value.getClass().getName());
        }
        return map;
    }

    private static int[] labelList(Path file, Map<?, ?> dict, String key, int count, int limit)
            throws DatasetException {
        if (!(dict.get(key) instanceof List<?> list) || list.size() != count) {
            throw DatasetException.inFile(
                    file,
                    "'" + key + "' as a list of " + count + " ints",
                    dict.get(key) instanceof List<?> l ? "a list of " + l.size() : "no such list");
        }
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            if (!(list.get(i) instanceof Long label) || label < 0 || label >= limit) {
                throw new DatasetException(
                        String.format(
                                "%s, record %d: expected a %s entry in [0, %d), found %s",
                                file, i, key, limit, list.get(i)));
            }
            labels[i] = (int) (long) label;
        }
        return labels;
    }

    private static List<String> stringList(Path file, Map<?, ?> dict, String key, int count)
            throws DatasetException {
        if (!(dict.get(key) instanceof List<?> list) || list.size() != count) {
            throw DatasetException.inFile(
                    file, "'" + key + "' as a list of " + count + " names", "something else");
        }
        List<String> names = new ArrayList<>(count);
        for (Object item : list) {
            String name = Unpickler.text(item);
            if (name == null) {
                throw DatasetException.inFile(file, "string class names", String.valueOf(item));
            }
            names.add(name);
        }
        return List.copyOf(names);
    }

    private static Path require(Path file) throws DatasetException {
        if (!Files.isRegularFile(file)) {
            throw DatasetException.inFile(file, "a readable file", "none");
        }
        return file;
    }
}
