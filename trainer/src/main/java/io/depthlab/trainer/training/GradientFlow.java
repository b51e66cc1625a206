package io.depthlab.trainer.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The study's gradient-flow record: per epoch, the mean absolute gradient of each weight tensor (in
 * layer order), averaged over the epoch's training steps. Gradients are those of the data loss
 * alone, before penalties, weight decay and clipping, so vanishing gradients show as they are.
 *
 * @param weightNames the weight tensors, e.g. {@code dense_1.weight}, in layer order
 * @param epochs one entry per epoch, each with one value per weight tensor
 */
public record GradientFlow(List<String> weightNames, List<List<Double>> epochs) {

    public GradientFlow {
        Objects.requireNonNull(weightNames, "weightNames");
        Objects.requireNonNull(epochs, "epochs");
        weightNames = List.copyOf(weightNames);
        List<List<Double>> copies = new ArrayList<>();
        for (List<Double> epoch : epochs) {
            if (epoch.size() != weightNames.size()) {
                throw new IllegalArgumentException(
                        String.format(
                                "gradient flow epoch %d: expected %d values, one per weight"
                                        + " tensor, found %d",
                                copies.size() + 1, weightNames.size(), epoch.size()));
            }
            copies.add(List.copyOf(epoch));
        }
        epochs = List.copyOf(copies);
    }

    /**
     * The mean absolute gradient of weight tensor {@code weight} in epoch {@code epoch} (from 1).
     */
    public double value(int epoch, int weight) {
        return epochs.get(epoch - 1).get(weight);
    }
}
