package io.depthlab.trainer.data;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A seeded split of a training set into a training part and a validation part.
 *
 * <p>The split draws a uniformly random permutation with {@link SplittableRandom} seeded by the
 * given seed (Fisher-Yates shuffle); the first {@code validCount} indices of it form the validation
 * part. Both parts then keep the examples in their original relative order. The same set, count and
 * seed give the same split on every JVM. The CIFAR-100 study uses 2,500 validation images out of
 * 50,000.
 *
 * @param train the examples kept for training
 * @param validation the examples held out for validation
 */
public record Split(ImageSet train, ImageSet validation) {

    /** Checks that both parts are present. */
    public Split {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(validation, "validation");
    }

    /**
     * Holds out {@code validCount} random examples of {@code all} for validation.
     *
     * @param validCount in {@code [0, all.count()]}
     * @param seed any value; the split is a pure function of it
     */
    public static Split trainValidation(ImageSet all, int validCount, long seed) {
        Objects.requireNonNull(all, "all");
        if (validCount < 0 || validCount > all.count()) {
            throw new IllegalArgumentException(
                    String.format(
                            "expected a validation count in [0, %d], found %d",
                            all.count(), validCount));
        }
        int[] order = permutation(all.count(), new SplittableRandom(seed));
        int[] valid = Arrays.copyOf(order, validCount);
        int[] train = Arrays.copyOfRange(order, validCount, order.length);
        Arrays.sort(valid);
        Arrays.sort(train);
        return new Split(all.subset(train), all.subset(valid));
    }

    /**
     * Holds out a fraction of {@code all} for validation: {@code round(validFraction *
     * all.count())} examples.
     *
     * @param validFraction in {@code [0, 1]}
     */
    public static Split trainValidationFraction(ImageSet all, double validFraction, long seed) {
        Objects.requireNonNull(all, "all");
        if (!(validFraction >= 0 && validFraction <= 1)) {
            throw new IllegalArgumentException(
                    "expected a validation fraction in [0, 1], found " + validFraction);
        }
        return trainValidation(all, (int) Math.round(validFraction * all.count()), seed);
    }

    /** A uniformly random permutation of {@code 0..n-1} (Fisher-Yates, Durstenfeld's form). */
    static int[] permutation(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }
}
