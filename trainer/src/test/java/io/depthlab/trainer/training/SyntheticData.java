package io.depthlab.trainer.training;

import io.depthlab.dsl.Activation;
import io.depthlab.dsl.Dense;
import io.depthlab.dsl.Dropout;
import io.depthlab.dsl.Network;
import io.depthlab.dsl.SoftmaxOutput;
import io.depthlab.trainer.data.ImageSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Small separable image sets: 1x4x4 grey images in 3 classes; class {@code k} lights up row {@code
 * k} (value 200 + noise) over a noisy dark background (0..79), so a linear model can separate them.
 */
final class SyntheticData {
    static final int SIZE = 4;
    static final int CLASSES = 3;

    private SyntheticData() {}

    static ImageSet images(int count, long seed) {
        return images(count, seed, 80);
    }

    /**
     * Like {@link #images(int, long)} with background values in {@code [0, background)}; from about
     * 200 on, classes overlap and no model separates them fully.
     */
    static ImageSet images(int count, long seed, int background) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] pixels = new byte[count * SIZE * SIZE];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = random.nextInt(CLASSES);
            for (int p = 0; p < SIZE * SIZE; p++) {
                boolean lit = p / SIZE == labels[i];
                int value = lit ? 200 + random.nextInt(56) : random.nextInt(80);
                pixels[i * SIZE * SIZE + p] = (byte) value;
            }
        }
        return ImageSet.of(1, SIZE, SIZE, pixels, labels, List.of("a", "b", "c"));
    }

    /** 16 inputs, 8 hidden ReLU units with dropout, 3 classes. */
    static Network mlp() {
        return Network.sequential("synthetic-mlp")
                .input(SIZE * SIZE)
                .layer(Dense.units(8))
                .layer(Activation.relu())
                .layer(Dropout.dropRate(0.1))
                .layer(Dense.units(CLASSES))
                .layer(SoftmaxOutput.create())
                .build();
    }
}
