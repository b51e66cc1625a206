package io.depthlab.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentationTest {

    // A 2-channel 3x4 image: channel 0 holds 1..12, channel 1 holds 101..112, row-major.
    private static final byte[] IMAGE = {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110,
        111, 112
    };

    @Test
    void flipHorizontal_twice_isIdentity() {
        byte[] once = Augmentation.flipHorizontal(IMAGE, 2, 3, 4);

        byte[] twice = Augmentation.flipHorizontal(once, 2, 3, 4);

        assertThat(once).startsWith(4, 3, 2, 1, 8, 7, 6, 5);
        assertThat(twice).isEqualTo(IMAGE);
    }

    @Test
    void crop_centre_isIdentity() {
        byte[] cropped = Augmentation.crop(IMAGE, 2, 3, 4, 2, 2, 2);

        assertThat(cropped).isEqualTo(IMAGE);
    }

    @Test
    void crop_topLeftCorner_shiftsInZeros() {
        byte[] cropped = Augmentation.crop(IMAGE, 2, 3, 4, 1, 0, 0);

        // One zero row on top and one zero column on the left, in each channel.
        assertThat(cropped)
                .containsExactly(
                        0, 0, 0, 0, 0, 1, 2, 3, 0, 5, 6, 7, 0, 0, 0, 0, 0, 101, 102, 103, 0, 105,
                        106, 107);
    }

    @Test
    void crop_offsetPastPadding_throws() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Augmentation.crop(IMAGE, 2, 3, 4, 1, 3, 0));

        assertThat(e).hasMessage("expected offsets in [0, 2] for padding 1, found dy 3 and dx 0");
    }

    @Test
    void apply_sameEpochAndBatch_isReproducible() {
        ImageSet set = TestData.numbered(16, 3, 8, 8, 4);
        Augmentation augmentation = Augmentation.cropAndFlip(5);

        byte[] first = augmentAll(set, augmentation, 3, 1);
        byte[] again = augmentAll(set, augmentation, 3, 1);
        byte[] otherEpoch = augmentAll(set, augmentation, 4, 1);

        assertThat(again).isEqualTo(first);
        assertThat(otherEpoch).isNotEqualTo(first);
    }

    @Test
    void apply_noPaddingNoFlip_copiesTheExample() {
        ImageSet set = TestData.numbered(3, 3, 4, 4, 2);
        byte[] out = new byte[set.exampleSize() + 2];

        Augmentation.of(0, false, 1)
                .apply(set, 2, out, 2, Augmentation.of(0, false, 1).random(0, 0));

        assertThat(Arrays.copyOfRange(out, 2, out.length)).isEqualTo(set.example(2));
    }

    private static byte[] augmentAll(
            ImageSet set, Augmentation augmentation, int epoch, int batch) {
        byte[] out = new byte[set.count() * set.exampleSize()];
        SplittableRandom random = augmentation.random(epoch, batch);
        for (int i = 0; i < set.count(); i++) {
            augmentation.apply(set, i, out, i * set.exampleSize(), random);
        }
        return out;
    }
}
