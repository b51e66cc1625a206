package io.depthlab.server;

import static io.depthlab.server.Requests.bool;
import static io.depthlab.server.Requests.floats;
import static io.depthlab.server.Requests.fp32Raw;
import static io.depthlab.server.Requests.fp32Typed;
import static io.depthlab.server.Requests.int64;
import static io.depthlab.server.Requests.output;
import static io.depthlab.server.Requests.pixels;
import static io.depthlab.server.Requests.uint8Raw;
import static io.depthlab.server.Requests.uint8Typed;
import static io.depthlab.server.Requests.unsigned;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.ByteString;
import io.depthlab.proto.inference.ModelInferRequest;
import io.depthlab.proto.inference.ModelInferResponse;
import io.depthlab.proto.inference.ModelInferResponse.InferOutputTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ModelInfer requests the server accepts. Expected probabilities come from calling the test
 * classifier directly on the same raw values: FP32 bytes travel unchanged and UINT8 pixels convert
 * exactly, so the answers must be identical, not just close.
 */
class ModelInferTest {

    private static final int SIZE = LinearSoftmaxClassifier.INPUT_SIZE;
    private static final int CLASSES = LinearSoftmaxClassifier.LABELS.size();

    private InProcessServing serving;

    @BeforeEach
    void startServer() {
        serving = InProcessServing.start();
    }

    @AfterEach
    void closeServer() {
        serving.close();
    }

    private float[] direct(float[] raw, int batchSize) {
        return serving.classifier.predictProbabilities(raw, batchSize);
    }

    private static float[] rawProbabilities(ModelInferResponse response) {
        assertThat(response.getOutputsCount()).isEqualTo(1);
        assertThat(response.getRawOutputContentsCount()).isEqualTo(1);
        return floats(response.getRawOutputContents(0));
    }

    @Test
    void modelInfer_fp32RawBatchOfOne_matchesClassifier() {
        float[] raw = unsigned(pixels(SIZE, 1));

        ModelInferResponse response = serving.stub().modelInfer(fp32Raw(raw, 1, 1, 4, 4));

        assertThat(rawProbabilities(response)).containsExactly(direct(raw, 1));
    }

    @Test
    void modelInfer_fp32RawBatchOfFive_matchesClassifier() {
        float[] raw = unsigned(pixels(5 * SIZE, 2));

        ModelInferResponse response = serving.stub().modelInfer(fp32Raw(raw, 5, 1, 4, 4));

        assertThat(rawProbabilities(response)).containsExactly(direct(raw, 5));
    }

    @Test
    void modelInfer_uint8RawBatchOfOne_matchesClassifier() {
        byte[] pixels = pixels(SIZE, 3);

        ModelInferResponse response = serving.stub().modelInfer(uint8Raw(pixels, 1, 1, 4, 4));

        assertThat(rawProbabilities(response)).containsExactly(direct(unsigned(pixels), 1));
    }

    @Test
    void modelInfer_uint8RawBatchOfFive_matchesClassifier() {
        byte[] pixels = pixels(5 * SIZE, 4);

        ModelInferResponse response = serving.stub().modelInfer(uint8Raw(pixels, 5, 1, 4, 4));

        assertThat(rawProbabilities(response)).containsExactly(direct(unsigned(pixels), 5));
    }

    @Test
    void modelInfer_fp32TypedBatchOfOne_matchesClassifier() {
        float[] raw = unsigned(pixels(SIZE, 5));

        ModelInferResponse response = serving.stub().modelInfer(fp32Typed(raw, 1, 1, 4, 4));

        assertThat(rawProbabilities(response)).containsExactly(direct(raw, 1));
    }

    @Test
    void modelInfer_fp32TypedBatchOfFive_matchesClassifier() {
        float[] raw = unsigned(pixels(5 * SIZE, 6));

        ModelInferResponse response = serving.stub().modelInfer(fp32Typed(raw, 5, 1, 4, 4));

        assertThat(rawProbabilities(response)).containsExactly(direct(raw, 5));
    }

    @Test
    void modelInfer_uint8TypedBatchOfOne_matchesClassifier() {
        byte[] pixels = pixels(SIZE, 7);

        ModelInferResponse response = serving.stub().modelInfer(uint8Typed(pixels, 1, 1, 4, 4));

        assertThat(rawProbabilities(response)).containsExactly(direct(unsigned(pixels), 1));
    }

    @Test
    void modelInfer_uint8TypedBatchOfFive_matchesClassifier() {
        byte[] pixels = pixels(5 * SIZE, 8);

        ModelInferResponse response = serving.stub().modelInfer(uint8Typed(pixels, 5, 1, 4, 4));

        assertThat(rawProbabilities(response)).containsExactly(direct(unsigned(pixels), 5));
    }

    @Test
    void modelInfer_flatShape_answersLikeImageShape() {
        byte[] pixels = pixels(3 * SIZE, 9);

        ModelInferResponse flat = serving.stub().modelInfer(uint8Raw(pixels, 3, SIZE));
        ModelInferResponse image = serving.stub().modelInfer(uint8Raw(pixels, 3, 1, 4, 4));

        assertThat(rawProbabilities(flat)).containsExactly(rawProbabilities(image));
    }

    @Test
    void modelInfer_defaultOutput_isProbabilitiesRowsSummingToOne() {
        ModelInferRequest request =
                uint8Raw(pixels(2 * SIZE, 10), 2, SIZE).toBuilder().setId("req-7").build();

        ModelInferResponse response = serving.stub().modelInfer(request);

        InferOutputTensor output = response.getOutputs(0);
        assertThat(output.getName()).isEqualTo("probabilities");
        assertThat(output.getDatatype()).isEqualTo("FP32");
        assertThat(output.getShapeList()).containsExactly(2L, (long) CLASSES);
        assertThat(output.hasContents()).isFalse();
        assertThat(response.getModelName()).isEqualTo(LinearSoftmaxClassifier.NAME);
        assertThat(response.getModelVersion()).isEqualTo(LinearSoftmaxClassifier.VERSION);
        assertThat(response.getId()).isEqualTo("req-7");
        float[] probabilities = rawProbabilities(response);
        for (int example = 0; example < 2; example++) {
            float sum = 0;
            for (int c = 0; c < CLASSES; c++) {
                sum += probabilities[example * CLASSES + c];
            }
            assertThat(sum).isCloseTo(1f, within(1e-5f));
        }
    }

    @Test
    void modelInfer_explicitVersion_isAnswered() {
        ModelInferRequest request =
                uint8Raw(pixels(SIZE, 11), 1, SIZE).toBuilder()
                        .setModelVersion(LinearSoftmaxClassifier.VERSION)
                        .build();

        ModelInferResponse response = serving.stub().modelInfer(request);

        assertThat(rawProbabilities(response)).hasSize(CLASSES);
    }

    @Test
    void modelInfer_valuesOutsidePixelRange_passThroughToClassifier() {
        float[] raw = unsigned(pixels(SIZE, 12));
        raw[0] = -40f;
        raw[1] = 1000f;

        ModelInferResponse response = serving.stub().modelInfer(fp32Raw(raw, 1, SIZE));

        assertThat(rawProbabilities(response)).containsExactly(direct(raw, 1));
    }

    @Test
    void modelInfer_binaryDataFalse_answersTypedContents() {
        float[] raw = unsigned(pixels(2 * SIZE, 13));
        ModelInferRequest request =
                fp32Raw(raw, 2, SIZE).toBuilder()
                        .addOutputs(output("probabilities", "binary_data", bool(false)))
                        .build();

        ModelInferResponse response = serving.stub().modelInfer(request);

        assertThat(response.getRawOutputContentsCount()).isZero();
        List<Float> typed = response.getOutputs(0).getContents().getFp32ContentsList();
        float[] expected = direct(raw, 2);
        assertThat(typed).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(typed.get(i)).isEqualTo(expected[i]);
        }
    }

    @Test
    void modelInfer_classOutputRaw_answersLengthPrefixedLabelsOfBestClass() {
        float[] raw = unsigned(pixels(4 * SIZE, 14));
        ModelInferRequest request =
                fp32Raw(raw, 4, SIZE).toBuilder()
                        .addOutputs(output("probabilities"))
                        .addOutputs(output("class"))
                        .build();

        ModelInferResponse response = serving.stub().modelInfer(request);

        assertThat(response.getOutputs(1).getName()).isEqualTo("class");
        assertThat(response.getOutputs(1).getDatatype()).isEqualTo("BYTES");
        assertThat(response.getOutputs(1).getShapeList()).containsExactly(4L);
        assertThat(lengthPrefixed(response.getRawOutputContents(1)))
                .containsExactlyElementsOf(bestLabels(direct(raw, 4), 4));
    }

    @Test
    void modelInfer_classOutputTyped_answersBytesContents() {
        float[] raw = unsigned(pixels(3 * SIZE, 15));
        ModelInferRequest request =
                fp32Raw(raw, 3, SIZE).toBuilder()
                        .addOutputs(output("class", "binary_data", bool(false)))
                        .build();

        ModelInferResponse response = serving.stub().modelInfer(request);

        assertThat(response.getOutputsCount()).isEqualTo(1);
        assertThat(response.getOutputs(0).getContents().getBytesContentsList())
                .extracting(ByteString::toStringUtf8)
                .containsExactlyElementsOf(bestLabels(direct(raw, 3), 3));
    }

    @Test
    void modelInfer_classificationParameter_answersTopClassesBestFirst() {
        float[] raw = unsigned(pixels(SIZE, 16));
        ModelInferRequest request =
                fp32Raw(raw, 1, SIZE).toBuilder()
                        .addOutputs(
                                output("probabilities", OutputSelection.CLASSIFICATION, int64(2)))
                        .build();

        ModelInferResponse response = serving.stub().modelInfer(request);

        InferOutputTensor output = response.getOutputs(0);
        assertThat(output.getDatatype()).isEqualTo("BYTES");
        assertThat(output.getShapeList()).containsExactly(1L, 2L);
        List<String> entries = lengthPrefixed(response.getRawOutputContents(0));
        float[] expected = direct(raw, 1);
        int best = argmax(expected, 0);
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0))
                .isEqualTo(
                        expected[best]
                                + ":"
                                + best
                                + ":"
                                + LinearSoftmaxClassifier.LABELS.get(best));
        float second = Float.parseFloat(entries.get(1).split(":")[0]);
        assertThat(second).isLessThanOrEqualTo(expected[best]);
    }

    private static List<String> bestLabels(float[] probabilities, int batchSize) {
        List<String> labels = new ArrayList<>();
        for (int example = 0; example < batchSize; example++) {
            labels.add(LinearSoftmaxClassifier.LABELS.get(argmax(probabilities, example)));
        }
        return labels;
    }

    private static int argmax(float[] probabilities, int example) {
        int best = 0;
        for (int c = 1; c < CLASSES; c++) {
            if (probabilities[example * CLASSES + c] > probabilities[example * CLASSES + best]) {
                best = c;
            }
        }
        return best;
    }

    /** Decodes raw BYTES: 4-byte little-endian length, then the UTF-8 bytes, repeated. */
    private static List<String> lengthPrefixed(ByteString raw) {
        ByteBuffer buffer = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        List<String> strings = new ArrayList<>();
        while (buffer.hasRemaining()) {
            byte[] utf8 = new byte[buffer.getInt()];
            buffer.get(utf8);
            strings.add(new String(utf8, StandardCharsets.UTF_8));
        }
        return strings;
    }
}
