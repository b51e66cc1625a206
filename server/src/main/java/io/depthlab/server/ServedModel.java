package io.depthlab.server;

import static io.depthlab.server.InferenceException.quote;

import io.depthlab.proto.bundle.ModelBundle;
import io.depthlab.proto.inference.ModelMetadataResponse;
import io.depthlab.proto.inference.ModelMetadataResponse.TensorMetadata;
import io.depthlab.trainer.inference.Classifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The one model a server answers for: its name, version and tensor signature, read once from the
 * classifier's bundle. Immutable and thread-safe; the classifier it wraps is thread-safe.
 */
final class ServedModel {

    /** The name of the model's only input tensor. */
    static final String INPUT_NAME = "input";

    /** The name of the output holding class probabilities, FP32 {@code [batch, classes]}. */
    static final String PROBABILITIES_OUTPUT = "probabilities";

    /** The name of the optional output holding the predicted labels, BYTES {@code [batch]}. */
    static final String CLASS_OUTPUT = "class";

    /** The platform reported in model metadata. */
    static final String PLATFORM = "depthlab_nd4j";

    private final Classifier classifier;
    private final String name;
    private final String version;
    private final List<Long> inputShape;
    private final List<String> labels;

    ServedModel(Classifier classifier) {
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        ModelBundle bundle = Objects.requireNonNull(classifier.bundle(), "classifier.bundle()");
        this.name = bundle.getModelName();
        this.version = bundle.getModelVersion();
        this.inputShape = List.copyOf(bundle.getPreprocessing().getInputShapeList());
        this.labels = List.copyOf(bundle.getClassLabelsList());
        checkSignature();
    }

    private void checkSignature() {
        if (name.isBlank()) {
            throw new IllegalArgumentException(
                    "expected a model bundle with a model_name to serve it under, found none");
        }
        long product = inputShape.isEmpty() ? 0 : 1;
        for (long dim : inputShape) {
            product = dim < 1 ? 0 : product * dim;
        }
        if (product != classifier.inputSize()) {
            throw new IllegalArgumentException(
                    String.format(
                            "model '%s': preprocessing input_shape %s holds %d values, but the"
                                    + " classifier expects %d",
                            name, inputShape, product, classifier.inputSize()));
        }
        if (!labels.isEmpty() && labels.size() != classifier.classCount()) {
            throw new IllegalArgumentException(
                    String.format(
                            "model '%s': expected %d class labels (one per class), found %d",
                            name, classifier.classCount(), labels.size()));
        }
    }

    /**
     * Checks that a request addresses this model.
     *
     * @param requestedVersion empty for "whichever version is loaded"
     * @throws InferenceException NOT_FOUND naming the model or version asked for and the served one
     */
    void checkAddressed(String requestedName, String requestedVersion) {
        if (!name.equals(requestedName)) {
            throw InferenceException.notFound(
                    String.format(
                            "unknown model %s: this server serves only '%s'",
                            quote(requestedName), name));
        }
        if (!requestedVersion.isEmpty() && !version.equals(requestedVersion)) {
            throw InferenceException.notFound(
                    String.format(
                            "model '%s' has no version %s: expected '%s' or an empty version",
                            name, quote(requestedVersion), version));
        }
    }

    /** The model's metadata; the optional {@value #CLASS_OUTPUT} output is not listed. */
    ModelMetadataResponse metadata() {
        List<Long> batchedInput = new ArrayList<>();
        batchedInput.add(-1L);
        batchedInput.addAll(inputShape);
        return ModelMetadataResponse.newBuilder()
                .setName(name)
                .addVersions(version)
                .setPlatform(PLATFORM)
                .addInputs(tensor(INPUT_NAME, Datatype.FP32.name(), batchedInput))
                .addOutputs(
                        tensor(
                                PROBABILITIES_OUTPUT,
                                Datatype.FP32.name(),
                                List.of(-1L, (long) classCount())))
                .build();
    }

    private static TensorMetadata tensor(String name, String datatype, List<Long> shape) {
        return TensorMetadata.newBuilder()
                .setName(name)
                .setDatatype(datatype)
                .addAllShape(shape)
                .build();
    }

    /** The label of class {@code index}, or the index as text when the bundle has no labels. */
    String label(int index) {
        return labels.isEmpty() ? Integer.toString(index) : labels.get(index);
    }

    /** Probabilities for {@code batchSize} raw examples; see {@link Classifier}. */
    float[] predict(float[] raw, int batchSize) {
        return classifier.predictProbabilities(raw, batchSize);
    }

    String name() {
        return name;
    }

    String version() {
        return version;
    }

    /** The shape of one raw example, without the batch dimension. */
    List<Long> inputShape() {
        return inputShape;
    }

    /** The number of raw values in one example. */
    int inputSize() {
        return classifier.inputSize();
    }

    int classCount() {
        return classifier.classCount();
    }
}
