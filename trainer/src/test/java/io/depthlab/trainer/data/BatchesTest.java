package io.depthlab.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BatchesTest {

    // Scale 1, mean 0, std 1: features are the raw bytes, so the first feature of each example
    // is its index in the set (TestData.numbered).
    private static final Normalization IDENTITY = Normalization.scaleOnly(1f);

    private final ImageSet set = TestData.numbered(103, 2, 3, 3, 7);

    @Test
    void epoch_shuffled_visitsEveryExampleOnceWithSmallerLastBatch() {
        Batches batches = Batches.builder(set, IDENTITY, 10).shuffle(3).build();

        List<Batch> epoch = collect(batches, 0);

        assertThat(batches.batchCount()).isEqualTo(11);
        assertThat(epoch).hasSize(11);
        assertThat(epoch.get(10).size()).isEqualTo(3);
        assertThat(epoch.get(10).features()).hasSize(3 * 18);
        assertThat(indices(epoch)).containsExactlyInAnyOrderElementsOf(range(103));
        assertThat(indices(epoch)).isNotEqualTo(range(103));
    }

    @Test
    void epoch_labelsAndFeatures_belongToTheSameExample() {
        Batches batches = Batches.builder(set, IDENTITY, 16).shuffle(9).prefetch(0).build();

        List<Batch> epoch = collect(batches, 2);

        for (Batch batch : epoch) {
            for (int i = 0; i < batch.size(); i++) {
                int example = (int) batch.features()[i * 18];
                assertThat(batch.labels()[i]).isEqualTo(set.label(example));
                assertThat(batch.features()[i * 18 + 17])
                        .isEqualTo(set.example(example)[17] & 0xff);
            }
        }
    }

    @Test
    void epoch_sameEpochTwice_isReproducibleAndEpochsDiffer() {
        Batches batches = Batches.builder(set, IDENTITY, 10).shuffle(3).build();
        Batches rebuilt = Batches.builder(set, IDENTITY, 10).shuffle(3).prefetch(0).build();

        List<Integer> epoch1 = indices(collect(batches, 1));
        List<Integer> epoch1Again = indices(collect(rebuilt, 1));
        List<Integer> epoch2 = indices(collect(batches, 2));

        assertThat(epoch1Again).isEqualTo(epoch1);
        assertThat(epoch2).isNotEqualTo(epoch1);
    }

    @Test
    void epoch_withoutShuffle_keepsSetOrder() {
        Batches batches = Batches.builder(set, IDENTITY, 25).prefetch(1).build();

        assertThat(indices(collect(batches, 5))).isEqualTo(range(103));
    }

    @Test
    void epoch_withAugmentation_isReproducibleWithPrefetchOrNot() {
        Augmentation augmentation = Augmentation.cropAndFlip(11);
        Batches prefetched =
                Batches.builder(set, IDENTITY, 8).shuffle(1).augmentation(augmentation).build();
        Batches direct =
                Batches.builder(set, IDENTITY, 8)
                        .shuffle(1)
                        .augmentation(augmentation)
                        .prefetch(0)
                        .build();

        List<Batch> first = collect(prefetched, 4);
        List<Batch> second = collect(direct, 4);

        for (int b = 0; b < first.size(); b++) {
            assertThat(second.get(b).features()).isEqualTo(first.get(b).features());
            assertThat(second.get(b).labels()).isEqualTo(first.get(b).labels());
        }
    }

    @Test
    void next_loaderFailsInBackground_throwsWithCauseAndStopsThread() {
        AtomicInteger calls = new AtomicInteger();
        IllegalArgumentException failure = new IllegalArgumentException("corrupt example 7");
        BatchIterator.Loader loader =
                index -> {
                    calls.incrementAndGet();
                    if (index == 1) {
                        throw failure;
                    }
                    return new Batch(new float[1], new int[1], 1);
                };
        BatchIterator iterator = BatchIterator.start(0, 5, loader, 2);
        iterator.next();

        IllegalStateException e = assertThrows(IllegalStateException.class, iterator::next);

        assertThat(e).hasMessage("epoch 0, batch 1: making the batch failed").hasCause(failure);
        assertThat(iterator.hasNext()).isFalse();
        assertThat(iterator.producerAlive()).isFalse();
        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void close_beforeTheEnd_stopsTheBackgroundThread() {
        Batches batches = Batches.builder(set, IDENTITY, 1).shuffle(3).prefetch(2).build();
        BatchIterator iterator = batches.epoch(0);
        iterator.next();

        iterator.close();
        iterator.close();

        assertThat(iterator.producerAlive()).isFalse();
        assertThat(iterator.hasNext()).isFalse();
        assertThrows(IllegalStateException.class, iterator::next);
    }

    @Test
    void next_afterLastBatch_throwsNoSuchElement() {
        try (BatchIterator iterator = Batches.builder(set, IDENTITY, 200).build().epoch(0)) {
            iterator.next();

            assertThrows(NoSuchElementException.class, iterator::next);
        }
    }

    @Test
    void builder_shuffleSetTwice_throws() {
        Batches.Builder builder = Batches.builder(set, IDENTITY, 10).shuffle(1);

        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> builder.shuffle(2));

        assertThat(e).hasMessage("shuffle was already set");
    }

    @Test
    void builder_normalizationForOtherChannels_throws() {
        Normalization rgb = Normalization.cifarStudy();

        assertThrows(IllegalArgumentException.class, () -> Batches.builder(set, rgb, 10));
    }

    private static List<Batch> collect(Batches batches, int epoch) {
        List<Batch> result = new ArrayList<>();
        try (BatchIterator iterator = batches.epoch(epoch)) {
            while (iterator.hasNext()) {
                result.add(iterator.next());
            }
        }
        return result;
    }

    private static List<Integer> indices(List<Batch> batches) {
        List<Integer> indices = new ArrayList<>();
        for (Batch batch : batches) {
            for (int i = 0; i < batch.size(); i++) {
                indices.add((int) batch.features()[i * batch.exampleSize()]);
            }
        }
        return indices;
    }

    private static List<Integer> range(int n) {
        List<Integer> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(i);
        }
        return values;
    }
}
