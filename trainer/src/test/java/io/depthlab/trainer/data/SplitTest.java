package io.depthlab.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SplitTest {

    private final ImageSet all = TestData.numbered(200, 1, 2, 2, 10);

    @Test
    void trainValidation_sameSeed_givesSameSplit() {
        Split first = Split.trainValidation(all, 50, 42);
        Split second = Split.trainValidation(all, 50, 42);

        assertThat(indices(first.validation())).isEqualTo(indices(second.validation()));
        assertThat(indices(first.train())).isEqualTo(indices(second.train()));
    }

    @Test
    void trainValidation_otherSeed_givesOtherSplit() {
        Split first = Split.trainValidation(all, 50, 42);
        Split second = Split.trainValidation(all, 50, 43);

        assertThat(indices(first.validation())).isNotEqualTo(indices(second.validation()));
    }

    @Test
    void trainValidation_parts_partitionTheSetInOriginalOrder() {
        Split split = Split.trainValidation(all, 50, 7);

        Set<Integer> seen = new HashSet<>();
        seen.addAll(indices(split.train()));
        seen.addAll(indices(split.validation()));

        assertThat(split.train().count()).isEqualTo(150);
        assertThat(split.validation().count()).isEqualTo(50);
        assertThat(seen).hasSize(200);
        assertThat(indices(split.train())).isSorted();
        assertThat(indices(split.validation())).isSorted();
        assertThat(split.train().classNames()).isEqualTo(all.classNames());
    }

    @Test
    void trainValidationFraction_tenPercent_holdsOutTwenty() {
        Split split = Split.trainValidationFraction(all, 0.1, 1);

        assertThat(split.validation().count()).isEqualTo(20);
    }

    @Test
    void trainValidation_countAboveSize_throws() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> Split.trainValidation(all, 201, 1));

        assertThat(e).hasMessage("expected a validation count in [0, 200], found 201");
    }

    /** The example indices of a subset of {@code all}: its first pixel (TestData.numbered). */
    private static List<Integer> indices(ImageSet set) {
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < set.count(); i++) {
            indices.add(set.example(i)[0] & 0xff);
        }
        return indices;
    }
}
