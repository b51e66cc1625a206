package io.depthlab.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.depthlab.dsl.Activation;
import io.depthlab.dsl.Dense;
import io.depthlab.dsl.Dropout;
import io.depthlab.dsl.Network;
import io.depthlab.dsl.SoftmaxOutput;
import io.depthlab.trainer.optim.Optimizer;
import io.depthlab.trainer.optim.OptimizerSpec;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training and inference passes must not leave native memory to the garbage collector, which makes
 * training loops 40 times slower. With this ND4J build {@code close()} does not free memory either
 * (the memory stays resident until a collection), so passes run in a workspace; this test catches a
 * pass that allocates outside it. ND4J's buffers escape JavaCPP's byte counters, so the test
 * watches the resident set size: a training step of this wide network allocates about 6 MB (a batch
 * of 256 through 1,024 hidden units: activations, dropout mask, gradients), so 60 steps outside the
 * workspace would add some 360 MB, while a clean loop stays within the slack (JIT and heap). A
 * collection could hide a leak by freeing arrays in time, but could not fake one.
 */
class MemoryTest {
    private static final long SLACK_BYTES = 96L << 20;
    private static final int BATCH = 256;
    private static final int STEPS = 60;

    @Test
    void trainStepAndUpdate_manySteps_holdNoNewNativeMemory() {
        try (Nd4jNetwork network = Nd4jNetwork.create(mlp(), 1);
                Optimizer adam = OptimizerSpec.adam().create(network.parameters())) {
            INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, 64);
            int[] labels = labels();
            runSteps(network, adam, x, labels, 10);
            long before = Pointer.physicalBytes();

            runSteps(network, adam, x, labels, STEPS);

            assertThat(Pointer.physicalBytes() - before).isLessThan(SLACK_BYTES);
        }
    }

    @Test
    void evaluateAndOutput_manyBatches_holdNoNewNativeMemory() {
        try (Nd4jNetwork network = Nd4jNetwork.create(mlp(), 1)) {
            INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, 64);
            int[] labels = labels();
            network.evaluate(x, labels);
            long before = Pointer.physicalBytes();

            for (int i = 0; i < 2 * STEPS; i++) {
                network.evaluate(x, labels);
                NdArrays.release(network.output(x));
            }

            assertThat(Pointer.physicalBytes() - before).isLessThan(SLACK_BYTES);
        }
    }

    private static void runSteps(
            Nd4jNetwork network, Optimizer adam, INDArray x, int[] labels, int steps) {
        for (int i = 0; i < steps; i++) {
            network.trainStep(x, labels);
            adam.step(1e-3);
        }
    }

    private static int[] labels() {
        int[] labels = new int[BATCH];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        return labels;
    }

    private static Network mlp() {
        return Network.sequential("memory")
                .input(64)
                .layer(Dense.units(1024))
                .layer(Activation.relu())
                .layer(Dropout.dropRate(0.2))
                .layer(Dense.units(50))
                .layer(Activation.tanh())
                .layer(Dense.units(10).l1(1e-4))
                .layer(SoftmaxOutput.create())
                .l2(1e-4)
                .build();
    }
}
