package io.depthlab.trainer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BenchmarkOptionsTest {

    @Test
    void models_anchorAndTrainNames_nameTheSameModels() {
        Benchmark.Options options =
                Benchmark.Options.parse(
                        new String[] {"--models", "VGG_08,vgg-38-bn-res, mlp ,vgg_68_bn_rc"});

        assertThat(options.models())
                .containsExactly(
                        BenchModel.VGG_08,
                        BenchModel.VGG_38_BN_RC,
                        BenchModel.MLP_784_100_47,
                        BenchModel.VGG_68_BN_RC);
    }

    @Test
    void models_onlyCommas_isRefusedListingTheModels() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Benchmark.Options.parse(new String[] {"--models", ",,"}));

        assertThat(e)
                .hasMessageStartingWith("benchmark --models: expected a comma-separated list of [")
                .hasMessageEndingWith("found ',,'");
    }

    @Test
    void models_unknown_listsTheKnownOnes() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Benchmark.Options.parse(new String[] {"--models", "resnet-50"}));

        assertThat(e).hasMessageContaining("VGG_08").hasMessageEndingWith("found 'resnet-50'");
    }
}
