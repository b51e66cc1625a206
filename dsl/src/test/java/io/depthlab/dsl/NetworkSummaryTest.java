package io.depthlab.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The text of {@link Network#summary()}. */
class NetworkSummaryTest {

    private static Network smallResidual() {
        return Network.sequential("small")
                .input(8, 8, 8)
                .layer(
                        Residual.body(
                                        Conv2d.filters(16)
                                                .kernel(3)
                                                .stride(2)
                                                .padding(1)
                                                .name(
                                                        "a_rather_long_convolution_name_for_the"
                                                                + "_first_block"),
                                        Activation.relu())
                                .activation(Activation.relu()))
                .layer(GlobalAveragePool.create())
                .layer(Dense.units(10))
                .layer(SoftmaxOutput.create())
                .build();
    }

    @Test
    void summary_residualWithProjectionAndLongName_alignsColumnsAndTotals() {
        Network network = smallResidual();

        String summary = network.summary();

        // conv 16 * 8 * 9 + 16 = 1,168 params, 2 * 72 * (16 * 4 * 4) = 36,864 FLOPs;
        // projection 16 * 8 = 128 params, 2 * 8 * 256 = 4,096 FLOPs; dense 170 params, 320 FLOPs.
        assertThat(summary.lines())
                .containsExactly(
                        "Network 'small', input [8, 8, 8]",
                        "#  layer                                                 kind       "
                                + "          output      parameters     FLOPs",
                        "0  residual_1                                            residual   "
                                + "          [16, 4, 4]     (1,296)  (40,960)",
                        "     a_rather_long_convolution_name_for_the_first_block  conv2d     "
                                + "          [16, 4, 4]       1,168    36,864",
                        "     relu_1                                              relu       "
                                + "          [16, 4, 4]           0         0",
                        "     residual_1_projection                               conv2d     "
                                + "          [16, 4, 4]         128     4,096",
                        "     relu_2                                              relu       "
                                + "          [16, 4, 4]           0         0",
                        "1  global_average_pool_1                                 global_aver"
                                + "age_pool  [16]                 0         0",
                        "2  dense_1                                               dense      "
                                + "          [10]               170       320",
                        "3  softmax_1                                             softmax    "
                                + "          [10]                 0         0",
                        "Total: 1,466 parameters, 41,280 FLOPs per example (0.0 MFLOP)");
    }

    @Test
    void summary_germanDefaultLocale_stillUsesCommas() {
        Locale previous = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        String summary;
        try {
            summary = smallResidual().summary();
        } finally {
            Locale.setDefault(previous);
        }

        assertThat(summary)
                .endsWith(
                        "Total: 1,466 parameters, 41,280 FLOPs per example (0.0 MFLOP)"
                                + System.lineSeparator());
    }

    @Test
    void summary_totalLine_matchesNetworkTotals() {
        Network network =
                Network.sequential("conv")
                        .input(3, 32, 32)
                        .layer(Conv2d.filters(64).kernel(3).padding(1))
                        .layer(Flatten.create())
                        .layer(Dense.units(10))
                        .build();

        String summary = network.summary();

        // conv 64 * 27 + 64 = 1,792 params, 2 * 27 * 65,536 = 3,538,944 FLOPs;
        // dense 65,536 * 10 + 10 = 655,370 params, 1,310,720 FLOPs
        assertThat(network.parameterCount()).isEqualTo(1_792 + 655_370);
        assertThat(network.flops()).isEqualTo(3_538_944 + 1_310_720);
        assertThat(summary)
                .contains("Total: 657,162 parameters, 4,849,664 FLOPs per example (4.8 MFLOP)");
        assertThat(summary).contains("1  flatten_1  flatten  [65536]");
    }
}
