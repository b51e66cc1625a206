package io.depthlab.trainer.engine.conv;

import static org.assertj.core.api.Assertions.assertThat;

import io.depthlab.dsl.Activation;
import io.depthlab.dsl.BatchNorm;
import io.depthlab.dsl.Conv2d;
import io.depthlab.dsl.Dense;
import io.depthlab.dsl.GlobalAveragePool;
import io.depthlab.dsl.Network;
import io.depthlab.dsl.Residual;
import io.depthlab.dsl.SoftmaxOutput;
import io.depthlab.trainer.engine.Nd4jNetwork;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class GradientPoolTest {

    /**
     * A backward pass holds a few gradients at a time however deep the network: every block gives
     * back the gradient it consumed, so the blocks below reuse its buffer.
     */
    @ParameterizedTest
    @ValueSource(ints = {2, 8})
    void trainStep_residualStack_poolsAFewBuffersWhateverTheDepth(int blocks) throws Exception {
        Network.Builder network = Network.sequential("stack").input(4, 6, 6);
        network.layer(Conv2d.filters(4).kernel(3).padding(1).bias(false));
        for (int i = 0; i < blocks; i++) {
            network.layer(
                    Residual.body(
                                    Conv2d.filters(4).kernel(3).padding(1).bias(false),
                                    BatchNorm.create(),
                                    Activation.leakyRelu(0.01),
                                    Conv2d.filters(4).kernel(3).padding(1).bias(false),
                                    BatchNorm.create())
                            .activation(Activation.leakyRelu(0.01)));
        }
        network.layer(GlobalAveragePool.create())
                .layer(Dense.units(3))
                .layer(SoftmaxOutput.create());

        // A fresh thread has a fresh pool.
        int buffers =
                onNewThread(
                        () -> {
                            try (Nd4jNetwork engine = Nd4jNetwork.create(network.build(), 1)) {
                                engine.trainStep(
                                        Nd4j.randn(DataType.FLOAT, 5, 4, 6, 6),
                                        new int[] {0, 1, 2, 0, 1});
                                return GradientPool.get().buffers();
                            }
                        });

        assertThat(buffers).isBetween(1, 4);
    }

    @Test
    void giveBack_twiceOrForeignArrays_isIgnored() throws Exception {
        int buffers =
                onNewThread(
                        () -> {
                            GradientPool pool = GradientPool.get();
                            var view = pool.take(DataType.FLOAT, 2, 3);
                            pool.giveBack(view);
                            pool.giveBack(view);
                            pool.giveBack(Nd4j.zeros(DataType.FLOAT, 2, 3));
                            var again = pool.take(DataType.FLOAT, 2, 3);
                            var other = pool.take(DataType.FLOAT, 2, 3);
                            assertThat(again).isNotSameAs(other);
                            return pool.buffers();
                        });

        assertThat(buffers).isEqualTo(2);
    }

    private static int onNewThread(java.util.concurrent.Callable<Integer> task)
            throws InterruptedException, ExecutionException {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            return CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    return task.call();
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            },
                            thread)
                    .get();
        } finally {
            thread.shutdown();
        }
    }
}
