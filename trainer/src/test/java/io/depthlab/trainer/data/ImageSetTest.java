package io.depthlab.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImageSetTest {

    @Test
    void subset_repeatedAndReorderedIndices_copiesExamplesAndLabels() {
        ImageSet set = TestData.numbered(5, 1, 2, 2, 3);

        ImageSet subset = set.subset(new int[] {4, 0, 4});

        assertThat(subset.count()).isEqualTo(3);
        assertThat(subset.labels()).containsExactly(1, 0, 1);
        assertThat(subset.example(0)).isEqualTo(set.example(4));
        assertThat(subset.example(1)).isEqualTo(set.example(0));
        assertThat(subset.classCount()).isEqualTo(3);
    }

    @Test
    void subset_indexOutOfRange_throws() {
        ImageSet set = TestData.numbered(5, 1, 2, 2, 3);

        assertThrows(IndexOutOfBoundsException.class, () -> set.subset(new int[] {5}));
    }

    @Test
    void of_labelPastClassCount_throwsNamingExample() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                ImageSet.of(
                                        1, 1, 1, new byte[2], new int[] {0, 2}, List.of("a", "b")));

        assertThat(e).hasMessage("example 1: expected a label in [0, 2), found 2");
    }

    @Test
    void of_wrongPixelCount_throws() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ImageSet.of(3, 2, 2, new byte[11], new int[] {0}, List.of("a")));

        assertThat(e).hasMessage("expected 12 pixel bytes for 1 images of 3x2x2, found 11");
    }

    @Test
    void pixels_view_isReadOnly() {
        ImageSet set = TestData.numbered(2, 1, 1, 1, 1);

        assertThat(set.pixels().isReadOnly()).isTrue();
        assertThat(set.pixels().remaining()).isEqualTo(2);
    }
}
