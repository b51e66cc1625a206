package io.depthlab.trainer.training;

import io.depthlab.dsl.NetworkProtos;
import io.depthlab.proto.bundle.ModelBundle;
import io.depthlab.proto.bundle.Preprocessing;
import io.depthlab.proto.bundle.Tensor;
import io.depthlab.proto.bundle.TrainingRecord;
import io.depthlab.trainer.bundle.Bundles;
import io.depthlab.trainer.engine.Nd4jNetwork;
import io.depthlab.trainer.engine.NdArrays;
import io.depthlab.trainer.engine.Parameter;
import io.depthlab.trainer.engine.StateTensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Turns a {@link TrainingResult} into a {@link ModelBundle}: the network spec, every parameter and
 * state tensor of the best epoch (float32, row-major, named {@code <layer>.<role>}), the
 * preprocessing, the class labels and the training record. Stateless and thread-safe; the result's
 * network must not be used by another thread meanwhile.
 */
public final class ModelExport {
    private static final String VERSION = readVersion();

    private ModelExport() {}

    /**
     * Builds the bundle of a training run.
     *
     * @param result the run, with the best epoch's parameters in its network
     * @param modelVersion the version label servers report, e.g. {@code "1"}; not blank
     * @param dataset the data set's name, e.g. {@code emnist-balanced}
     * @param preprocessing how raw examples become network input, e.g. from {@code
     *     Normalization.toProto(layout, shape)}; its input shape must hold as many values as the
     *     network's input
     * @param classLabels the label of each class, index = class; as many as the network's outputs
     * @throws IllegalArgumentException if the preprocessing or labels do not fit the network
     */
    public static ModelBundle toBundle(
            TrainingResult result,
            String modelVersion,
            String dataset,
            Preprocessing preprocessing,
            List<String> classLabels) {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(preprocessing, "preprocessing");
        Objects.requireNonNull(classLabels, "classLabels");
        Nd4jNetwork network = result.network();
        check(network, modelVersion, preprocessing, classLabels);
        ModelBundle.Builder bundle =
                ModelBundle.newBuilder()
                        .setFormatVersion(Bundles.FORMAT_VERSION)
                        .setModelName(network.spec().name())
                        .setModelVersion(modelVersion)
                        .setNetwork(NetworkProtos.toProto(network.spec()))
                        .setPreprocessing(preprocessing)
                        .addAllClassLabels(classLabels)
                        .setTraining(record(result, dataset));
        for (Parameter parameter : network.parameters()) {
            bundle.addParameters(tensor(parameter.name(), parameter.value()));
        }
        for (StateTensor state : network.state()) {
            bundle.addParameters(tensor(state.name(), state.value()));
        }
        return bundle.build();
    }

    /**
     * Builds the bundle and writes it atomically with {@link Bundles#write}.
     *
     * @see #toBundle
     */
    public static ModelBundle write(
            TrainingResult result,
            String modelVersion,
            String dataset,
            Preprocessing preprocessing,
            List<String> classLabels,
            Path file)
            throws IOException {
        ModelBundle bundle = toBundle(result, modelVersion, dataset, preprocessing, classLabels);
        Bundles.write(bundle, file);
        return bundle;
    }

    /**
     * The depthlab release recorded in bundles, from the trainer jar; "unknown" in a build tree.
     */
    public static String depthlabVersion() {
        return VERSION;
    }

    private static void check(
            Nd4jNetwork network,
            String modelVersion,
            Preprocessing preprocessing,
            List<String> classLabels) {
        if (modelVersion.isBlank()) {
            throw new IllegalArgumentException("model version: expected a label, found a blank");
        }
        long rawSize = 1;
        for (long dim : preprocessing.getInputShapeList()) {
            rawSize *= dim;
        }
        long inputSize = network.spec().inputShape().size();
        if (preprocessing.getInputShapeCount() == 0 || rawSize != inputSize) {
            throw new IllegalArgumentException(
                    String.format(
                            "preprocessing input shape %s: expected %d values per example, as the"
                                    + " network's input %s, found %d",
                            preprocessing.getInputShapeList(),
                            inputSize,
                            network.spec().inputShape(),
                            rawSize));
        }
        int classes = network.spec().outputShape().dim(0);
        if (classLabels.size() != classes) {
            throw new IllegalArgumentException(
                    String.format(
                            "class labels: expected %d, one per network output, found %d",
                            classes, classLabels.size()));
        }
    }

    private static TrainingRecord record(TrainingResult result, String dataset) {
        TrainingRecord.Builder record =
                TrainingRecord.newBuilder()
                        .setDataset(dataset)
                        .setOptimizer(result.optimizer())
                        .setSeed(result.seed())
                        .setBatchSize(result.batchSize())
                        .setBestEpoch(result.bestEpoch())
                        .setTestLoss(result.testLoss())
                        .setTestAccuracy(result.testAccuracy())
                        .setTrainExamples(result.trainExamples())
                        .setValidExamples(result.validExamples())
                        .setTestExamples(result.testExamples())
                        .setFinishedAt(DateTimeFormatter.ISO_INSTANT.format(result.finishedAt()))
                        .setDepthlabVersion(VERSION);
        for (EpochRecord epoch : result.epochs()) {
            record.addEpochs(
                    io.depthlab.proto.bundle.EpochRecord.newBuilder()
                            .setEpoch(epoch.epoch())
                            .setTrainLoss(epoch.trainLoss())
                            .setTrainAccuracy(epoch.trainAccuracy())
                            .setValidLoss(epoch.validLoss())
                            .setValidAccuracy(epoch.validAccuracy())
                            .setSeconds(epoch.seconds())
                            .setLearningRate(epoch.learningRate()));
        }
        return record.build();
    }

    /** A float32 row-major copy of {@code value}. */
    static Tensor tensor(String name, INDArray value) {
        Tensor.Builder tensor = Tensor.newBuilder().setName(name);
        for (long dim : value.shape()) {
            tensor.addShape(dim);
        }
        // castTo returns the array itself when it is float already.
        INDArray cast = value.castTo(DataType.FLOAT);
        INDArray flat = cast.isView() || cast.ordering() != 'c' ? cast.dup('c') : cast;
        for (float v : flat.data().asFloat()) {
            tensor.addValues(v);
        }
        if (flat != value) {
            NdArrays.release(flat);
        }
        if (cast != value) {
            NdArrays.release(cast);
        }
        return tensor.build();
    }

    private static String readVersion() {
        String resource = "/META-INF/maven/io.depthlab/depthlab-trainer/pom.properties";
        try (InputStream in = ModelExport.class.getResourceAsStream(resource)) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
