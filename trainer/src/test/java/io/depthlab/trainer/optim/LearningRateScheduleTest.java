package io.depthlab.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
    private static final double BASE = 1e-3;

    @Test
    void constant_anyEpoch_isBase() {
        assertThat(LearningRateSchedule.constant().learningRate(BASE, 37)).isEqualTo(BASE);
    }

    @Test
    void step_afterEachPeriod_multipliesByGamma() {
        LearningRateSchedule schedule = LearningRateSchedule.step(10, 0.5);

        assertThat(schedule.learningRate(BASE, 1)).isEqualTo(BASE);
        assertThat(schedule.learningRate(BASE, 10)).isEqualTo(BASE);
        assertThat(schedule.learningRate(BASE, 11)).isEqualTo(BASE / 2);
        assertThat(schedule.learningRate(BASE, 21)).isEqualTo(BASE / 4);
    }

    @Test
    void cosine_studySettings_annealsFromBaseToFloor() {
        LearningRateSchedule schedule = LearningRateSchedule.cosine(100, 2e-5);

        // Epoch 1 is t = 0 (cos 0 = 1), epoch 51 is half way (cos pi/2 = 0), epoch 101 is t = T.
        assertThat(schedule.learningRate(BASE, 1)).isCloseTo(BASE, within(1e-15));
        assertThat(schedule.learningRate(BASE, 51)).isCloseTo(2e-5 + 4.9e-4, within(1e-15));
        assertThat(schedule.learningRate(BASE, 100)).isBetween(2e-5, 2.1e-5);
        assertThat(schedule.learningRate(BASE, 101)).isCloseTo(2e-5, within(1e-15));
        assertThat(schedule.learningRate(BASE, 150)).isCloseTo(2e-5, within(1e-15));
    }

    @Test
    void cosine_isNonIncreasing() {
        LearningRateSchedule schedule = LearningRateSchedule.cosine(20, 0);

        for (int epoch = 1; epoch < 25; epoch++) {
            assertThat(schedule.learningRate(BASE, epoch + 1))
                    .isLessThanOrEqualTo(schedule.learningRate(BASE, epoch));
        }
    }

    @Test
    void cosine_floorAboveBase_throws() {
        LearningRateSchedule schedule = LearningRateSchedule.cosine(10, 1e-2);

        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> schedule.learningRate(BASE, 1));

        assertThat(e).hasMessageContaining("floor below the base rate 0.001, found 0.01");
    }

    @Test
    void learningRate_epochZero_throws() {
        assertThrows(
                IllegalArgumentException.class,
                () -> LearningRateSchedule.constant().learningRate(BASE, 0));
    }
}
