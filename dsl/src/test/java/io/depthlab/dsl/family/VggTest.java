package io.depthlab.dsl.family;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.depthlab.dsl.Activation;
import io.depthlab.dsl.BatchNorm;
import io.depthlab.dsl.Conv2d;
import io.depthlab.dsl.Dense;
import io.depthlab.dsl.Initializer;
import io.depthlab.dsl.Layer;
import io.depthlab.dsl.Network;
import io.depthlab.dsl.NetworkProtos;
import io.depthlab.dsl.Penalty;
import io.depthlab.dsl.Pool2d;
import io.depthlab.dsl.Residual;
import io.depthlab.dsl.Shape;
import io.depthlab.dsl.SoftmaxOutput;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The study's VGG family; expected counts and FLOPs are the study's (REFERENCE.md section 1). */
class VggTest {

    @Test
    void build_withPenalties_putsThemOnTheNetwork_andKeepsTheName() {
        Network network = Vgg.depth(8).l1(1e-5).l2(5e-4).build();

        assertThat(network.penalties()).containsExactly(Penalty.l1(1e-5), Penalty.l2(5e-4));
        assertThat(network.name()).isEqualTo("vgg-8");
        assertThat(Vgg.depth(8).build().penalties()).isEmpty();
    }

    @Test
    void residual_depth8_isRefusedNamingTheSmallestDepthWithBlocks() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Vgg.depth(8).residual(true));

        assertThat(e)
                .hasMessage(
                        "VGG residual: depth 8 has no processing blocks to skip; expected a depth"
                                + " of 14 or more");
        assertThat(Vgg.depth(8).residual(false).build().name()).isEqualTo("vgg-8");
    }

    @Test
    void l2_negative_throwsAtTheCall() {
        assertThrows(IllegalArgumentException.class, () -> Vgg.depth(8).l2(-1));
    }

    @ParameterizedTest(name = "VGG-{0} bn={1} res={2}")
    @CsvSource({
        "8, false, false, 59716, vgg-8",
        "38, false, false, 336196, vgg-38",
        "38, true, false, 338500, vgg-38-bn",
        "38, false, true, 336196, vgg-38-res",
        "38, true, true, 338500, vgg-38-bn-res",
        "68, true, true, 616900, vgg-68-bn-res"
    })
    void build_studyConfiguration_matchesReferenceParameterCount(
            int depth, boolean batchNorm, boolean residual, long parameters, String name) {
        Network network = Vgg.depth(depth).batchNorm(batchNorm).residual(residual).build();

        assertThat(network.parameterCount()).isEqualTo(parameters);
        assertThat(network.name()).isEqualTo(name);
    }

    @ParameterizedTest(name = "VGG-{0}")
    @CsvSource({"8, 32.7, 32741632", "38, 280.5, 280467712", "68, 528.2, 528193792"})
    void flops_studyDepth_roundsToReferenceMegaflops(int depth, double megaflops, long exact) {
        Network network = Vgg.depth(depth).build();

        long flops = network.flops();

        // exact sums worked out by hand: 32,741,632 for VGG-8 plus 49,545,216 per block per stage
        assertThat(flops).isEqualTo(exact);
        assertThat(Math.round(flops / 1e5) / 10.0).isEqualTo(megaflops);
    }

    @Test
    void flops_batchNormAndResidual_sameAsPlain() {
        long plain = Vgg.depth(38).build().flops();

        long both = Vgg.depth(38).batchNorm(true).residual(true).build().flops();

        assertThat(both).isEqualTo(plain);
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 14, 20, 26, 32, 38, 68})
    void build_anyValidDepth_hasThatManyWeightLayers(int depth) {
        // Residual blocks hide layers inside them: count through them where there are blocks.
        Network network = Vgg.depth(depth).residual(depth > 8).build();

        long weightLayers = flatten(network.layers()).stream().filter(VggTest::hasWeights).count();

        assertThat(weightLayers).isEqualTo(depth);
        assertThat(network.outputShape()).isEqualTo(Shape.of(100));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 7, 9, 10, 13, 37, 39, 67, -4})
    void depth_notSixBPlusEight_throwsListingValidDepths(int depth) {
        var e = assertThrows(IllegalArgumentException.class, () -> Vgg.depth(depth));

        assertThat(e)
                .hasMessageStartingWith(
                        "VGG depth: expected 6b + 8 weight layers with b >= 0 (8, 14, 20, 26, 32,"
                                + " 38, ..., 68, ...), found "
                                + depth);
    }

    @Test
    void depth_between_namesNearestValidDepths() {
        var e = assertThrows(IllegalArgumentException.class, () -> Vgg.depth(40));

        assertThat(e).hasMessageEndingWith("found 40; the nearest are 38 and 44");
    }

    @Test
    void blocksPerStage_studyDepths_giveZeroFiveTen() {
        assertThat(Vgg.blocksPerStage(8)).isZero();
        assertThat(Vgg.blocksPerStage(38)).isEqualTo(5);
        assertThat(Vgg.blocksPerStage(68)).isEqualTo(10);
    }

    @Test
    void build_plainVgg8_hasStudyLayoutAndBiases() {
        Network network = Vgg.depth(8).build();

        List<String> names = network.layers().stream().map(Layer::name).toList();

        assertThat(names)
                .containsExactly(
                        "input_conv",
                        "input_bn",
                        "input_lrelu",
                        "stage1_reduce_conv1",
                        "stage1_reduce_lrelu1",
                        "stage1_reduce_pool",
                        "stage1_reduce_conv2",
                        "stage1_reduce_lrelu2",
                        "stage2_reduce_conv1",
                        "stage2_reduce_lrelu1",
                        "stage2_reduce_pool",
                        "stage2_reduce_conv2",
                        "stage2_reduce_lrelu2",
                        "stage3_reduce_conv1",
                        "stage3_reduce_lrelu1",
                        "stage3_reduce_pool",
                        "stage3_reduce_conv2",
                        "stage3_reduce_lrelu2",
                        "head_pool",
                        "head_dense",
                        "output");
        assertThat(((Conv2d) network.layers().get(0)).bias()).isFalse();
        assertThat(((Conv2d) network.layers().get(3)).bias()).isTrue();
        assertThat(network.outputShapeOf(5)).isEqualTo(Shape.of(32, 16, 16));
        assertThat(network.outputShapeOf(15)).isEqualTo(Shape.of(32, 4, 4));
        assertThat(network.layers().get(20)).isInstanceOf(SoftmaxOutput.class);
    }

    @Test
    void build_everyLayer_usesStudyHyperparameters() {
        Network network = Vgg.depth(14).batchNorm(true).residual(true).build();

        for (Layer layer : flatten(network.layers())) {
            if (layer instanceof Conv2d conv) {
                assertThat(conv.kernelHeight()).isEqualTo(3);
                assertThat(conv.paddingHeight()).isEqualTo(1);
                assertThat(conv.strideHeight()).isEqualTo(1);
                assertThat(conv.weightInit()).isEqualTo(Initializer.fanInUniform());
                assertThat(conv.biasInit()).isEqualTo(Initializer.fanInUniform());
            } else if (layer instanceof Dense dense) {
                assertThat(dense.bias()).isTrue();
                assertThat(dense.weightInit()).isEqualTo(Initializer.fanInUniform());
                assertThat(dense.biasInit()).isEqualTo(Initializer.fanInUniform());
            } else if (layer instanceof Activation activation) {
                assertThat(activation.function()).isEqualTo(Activation.Function.LEAKY_RELU);
                assertThat(activation.negativeSlope()).isEqualTo(0.01);
            } else if (layer instanceof Pool2d pool) {
                assertThat(pool.mode()).isEqualTo(Pool2d.Mode.AVERAGE);
                assertThat(pool.kernelHeight()).isEqualTo(2);
                assertThat(pool.strideHeight()).isEqualTo(2);
            }
        }
    }

    @Test
    void build_bnResidual_blockIsConvBnLreluConvBnWithSkipBeforeLastActivation() {
        Network network = Vgg.depth(14).batchNorm(true).residual(true).build();

        Residual block = (Residual) network.layers().get(3);

        assertThat(block.name()).isEqualTo("stage1_block1");
        assertThat(block.body())
                .extracting(Layer::name)
                .containsExactly(
                        "stage1_block1_conv1",
                        "stage1_block1_bn1",
                        "stage1_block1_lrelu1",
                        "stage1_block1_conv2",
                        "stage1_block1_bn2");
        assertThat(block.body())
                .extracting(Layer::getClass)
                .containsExactly(
                        Conv2d.class,
                        BatchNorm.class,
                        Activation.class,
                        Conv2d.class,
                        BatchNorm.class);
        assertThat(((Conv2d) block.body().get(0)).bias()).isFalse();
        assertThat(block.projection()).isEmpty();
        // automatic: a bundle has no place for another name (see NetworkProtos)
        assertThat(block.activation()).map(Layer::name).contains("leaky_relu_1");
    }

    @Test
    void build_plainWithBlocks_hasNoResidualLayers() {
        Network network = Vgg.depth(14).build();

        assertThat(network.layers()).noneMatch(Residual.class::isInstance);
        assertThat(network.layers().get(3).name()).isEqualTo("stage1_block1_conv1");
        assertThat(network.layers().get(6).name()).isEqualTo("stage1_block1_lrelu2");
    }

    @Test
    void build_otherWidthAndClasses_scalesAndNamesThem() {
        Network network = Vgg.depth(8).width(64).classes(10).build();

        // 3*64*9 + 2*64 + 6 * (64*64*9 + 64) + (64*10 + 10)
        assertThat(network.parameterCount()).isEqualTo(1_728 + 128 + 221_568 + 650);
        assertThat(network.name()).isEqualTo("vgg-8-w64-c10");
        assertThat(network.outputShape()).isEqualTo(Shape.of(10));
    }

    @Test
    void build_widthSetTwice_throws() {
        Vgg.Builder builder = Vgg.depth(8).width(16);

        var e = assertThrows(IllegalStateException.class, () -> builder.width(32));

        assertThat(e).hasMessage("VGG width: expected to be set once, found it already set to 16");
    }

    @Test
    void classes_one_throws() {
        Vgg.Builder builder = Vgg.depth(8);

        var e = assertThrows(IllegalArgumentException.class, () -> builder.classes(1));

        assertThat(e).hasMessage("VGG classes: expected at least 2, found 1");
    }

    @Test
    void roundTrip_vgg38BnResidual_givesEqualNetwork() {
        Network network = Vgg.depth(38).batchNorm(true).residual(true).build();

        Network back = NetworkProtos.fromProto(NetworkProtos.toProto(network));

        assertThat(back).isEqualTo(network);
    }

    private static boolean hasWeights(Layer layer) {
        return layer instanceof Conv2d || layer instanceof Dense;
    }

    private static List<Layer> flatten(List<Layer> layers) {
        List<Layer> all = new ArrayList<>();
        for (Layer layer : layers) {
            all.add(layer);
            if (layer instanceof Residual residual) {
                all.addAll(flatten(residual.body()));
                residual.projection().ifPresent(all::add);
                residual.activation().ifPresent(all::add);
            }
        }
        return all;
    }
}
