package io.depthlab.trainer.bench;

import io.depthlab.dsl.Network;
import io.depthlab.trainer.engine.EngineLayer;
import io.depthlab.trainer.engine.ImageLayout;
import io.depthlab.trainer.engine.Nd4jNetwork;
import io.depthlab.trainer.engine.NdArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where a training step's time goes: runs the layers of a network one by one, as {@link
 * Nd4jNetwork#trainStep} does (forward in training mode, activations in place where the network
 * runs them so, then backward from a random output gradient), and sums the time of each layer kind.
 * CPU ops run synchronously, so timing around a call measures that call. A residual block counts as
 * one {@code residual}, inner layers included.
 */
final class LayerProfile {
    private static final int WARM_UPS = 2;

    private LayerProfile() {}

    /** A Markdown table of milliseconds per step, forward and backward, per layer kind. */
    static String run(BenchModel model, int batch, int steps) {
        Network spec = model.network();
        Map<String, double[]> millis = new TreeMap<>();
        try (Nd4jNetwork network = Nd4jNetwork.create(spec, 0)) {
            // The layers' own layout: the network's conversion of its input is not timed.
            long[] dims = ImageLayout.batchShape(batch, spec.inputShape());
            INDArray features = Nd4j.randn(1L, dims).castTo(network.dataType());
            for (int step = 0; step < WARM_UPS + steps; step++) {
                Map<String, double[]> target = step < WARM_UPS ? new TreeMap<>() : millis;
                step(network.layers(), features, target, 1.0 / steps);
            }
            NdArrays.release(features);
        }
        return table(millis);
    }

    private static void step(
            List<EngineLayer> layers, INDArray features, Map<String, double[]> millis, double w) {
        List<INDArray> arrays = new ArrayList<>();
        INDArray x = features;
        for (int i = 0; i < layers.size(); i++) {
            EngineLayer layer = layers.get(i);
            boolean inputIsScratch = i > 0 && layers.get(i - 1).outputIsScratch();
            long start = System.nanoTime();
            x = layer.forward(x, true, inputIsScratch);
            add(millis, layer, 0, (System.nanoTime() - start) * w / 1e6);
            arrays.add(x);
        }
        // The head's own gradient is not timed: a random gradient stands in for the loss's.
        INDArray gradient = Nd4j.randn(2L, x.shape()).castTo(x.dataType());
        arrays.add(gradient);
        for (int i = layers.size() - 2; i >= 0; i--) {
            EngineLayer layer = layers.get(i);
            long start = System.nanoTime();
            gradient = layer.backward(gradient, i > 0);
            add(millis, layer, 1, (System.nanoTime() - start) * w / 1e6);
            arrays.add(gradient);
        }
        for (INDArray array : arrays) {
            if (array != features) {
                NdArrays.release(array);
            }
        }
    }

    private static void add(Map<String, double[]> millis, EngineLayer layer, int pass, double ms) {
        millis.computeIfAbsent(layer.spec().kind(), kind -> new double[2])[pass] += ms;
    }

    private static String table(Map<String, double[]> millis) {
        StringBuilder table = new StringBuilder("| layer kind | forward ms | backward ms |\n");
        table.append("|---|---|---|\n");
        double forward = 0;
        double backward = 0;
        for (Map.Entry<String, double[]> entry : millis.entrySet()) {
            double[] ms = entry.getValue();
            forward += ms[0];
            backward += ms[1];
            table.append(
                    String.format(
                            Locale.ROOT, "| %s | %.1f | %.1f |%n", entry.getKey(), ms[0], ms[1]));
        }
        table.append(String.format(Locale.ROOT, "| total | %.1f | %.1f |%n", forward, backward));
        return table.toString();
    }
}
