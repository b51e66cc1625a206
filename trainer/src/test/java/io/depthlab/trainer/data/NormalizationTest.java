package io.depthlab.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.depthlab.proto.bundle.Preprocessing;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class NormalizationTest {

    private static final float TOLERANCE = 1e-5f;

    @Test
    void fit_blackAndWhitePixels_givesHalfMeanAndHalfStd() {
        byte[] pixels = {0, (byte) 255, 0, (byte) 255};
        ImageSet set = ImageSet.of(1, 2, 2, pixels, new int[] {0}, List.of("a"));

        Normalization fitted = Normalization.fit(set);

        // Population std of {0, 1, 0, 1} is 0.5.
        assertThat(fitted.scale()).isEqualTo(1f / 255f);
        assertThat(fitted.mean()).containsExactly(new float[] {0.5f}, within(TOLERANCE));
        assertThat(fitted.std()).containsExactly(new float[] {0.5f}, within(TOLERANCE));
    }

    @Test
    void fit_threeChannels_computesEachPlaneSeparately() {
        // Two 1x2 RGB images: red {0, 51, 102, 153}, green all 255 except one 0, blue {10, 20}.
        byte[] pixels = {
            0, 51, (byte) 255, 0, 10, 20, 102, (byte) 153, (byte) 255, (byte) 255, 10, 20
        };
        ImageSet set = ImageSet.of(3, 1, 2, pixels, new int[] {0, 0}, List.of("a"));

        Normalization fitted = Normalization.fit(set);

        float[] mean = fitted.mean();
        float[] std = fitted.std();
        assertThat(mean[0]).isCloseTo(76.5f / 255f, within(TOLERANCE));
        assertThat(mean[1]).isCloseTo(191.25f / 255f, within(TOLERANCE));
        assertThat(mean[2]).isCloseTo(15f / 255f, within(TOLERANCE));
        // Red: deviations -76.5, -25.5, 25.5, 76.5 -> variance 3251.25; blue: 5 -> 25.
        assertThat(std[0]).isCloseTo((float) Math.sqrt(3251.25) / 255f, within(TOLERANCE));
        assertThat(std[2]).isCloseTo(5f / 255f, within(TOLERANCE));
    }

    @Test
    void fit_realCifarTestSet_matchesNumpy() throws Exception {
        Path folder = TestData.shared("cifar100");
        ImageSet test =
                Cifar100.readBinary(
                        List.of(TestData.shared("cifar100/test.bin")),
                        Cifar100.LabelKind.COARSE,
                        Cifar100.readLabelNames(folder.resolve("coarse_label_names.txt"), 20));

        Normalization fitted = Normalization.fit(test);

        // numpy on the same file: (x / 255).mean(axis=(0, 2)) and .std(axis=(0, 2)).
        assertThat(fitted.mean())
                .containsExactly(new float[] {0.508796f, 0.487393f, 0.441942f}, within(TOLERANCE));
        assertThat(fitted.std())
                .containsExactly(new float[] {0.268252f, 0.257364f, 0.277096f}, within(TOLERANCE));
    }

    @Test
    void apply_everyRawValue_matchesBundleFormula() {
        Normalization study = Normalization.cifarStudy();
        float[] mean = study.mean();
        float[] std = study.std();
        byte[] raw = new byte[3 * 256];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) i;
        }
        float[] out = new float[raw.length];

        study.apply(raw, 0, out, 0, 1, raw.length);

        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                float expected = (v * (1f / 255f) - mean[c]) / std[c];
                assertThat(out[c * 256 + v]).isCloseTo(expected, within(TOLERANCE));
                assertThat(study.apply(v, c)).isEqualTo(out[c * 256 + v]);
            }
        }
    }

    @Test
    void apply_offsetsAndTwoExamples_useChannelOfEachPlane() {
        Normalization norm = Normalization.of(1f, new float[] {0, 10}, new float[] {1, 2});
        byte[] src = {99, 1, 2, 20, 30, 5, 6, 40, 50};
        float[] dst = new float[10];

        norm.apply(src, 1, dst, 2, 2, 4);

        assertThat(dst).containsExactly(0, 0, 1, 2, 5, 10, 5, 6, 15, 20);
    }

    @Test
    void protoRoundTrip_keepsEveryValue() {
        Normalization study = Normalization.cifarStudy();

        Preprocessing proto = study.toProto(Cifar100.LAYOUT, 3, 32, 32);

        assertThat(proto.getInputShapeList()).containsExactly(3L, 32L, 32L);
        assertThat(proto.getLayout()).isEqualTo(Cifar100.LAYOUT);
        assertThat(proto.getScale()).isEqualTo(1f / 255f);
        assertThat(proto.getMeanList()).containsExactly(0.4914f, 0.4822f, 0.4465f);
        assertThat(Normalization.fromProto(proto)).isEqualTo(study);
    }

    @Test
    void fromProto_zeroStd_throws() {
        Preprocessing proto = Preprocessing.newBuilder().setScale(1).addMean(0).addStd(0).build();

        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Normalization.fromProto(proto));

        assertThat(e).hasMessageContaining("channel 0").hasMessageContaining("std 0.0");
    }

    @Test
    void toProto_channelMismatch_throws() {
        Normalization study = Normalization.cifarStudy();

        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> study.toProto("grey", 1, 28, 28));

        assertThat(e)
                .hasMessage(
                        "expected a normalisation for 1 channels (or one for all), found 3"
                                + " per-channel values");
    }
}
