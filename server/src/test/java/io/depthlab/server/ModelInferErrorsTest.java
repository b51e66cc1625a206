package io.depthlab.server;

import static io.depthlab.server.Requests.assertRefused;
import static io.depthlab.server.Requests.bool;
import static io.depthlab.server.Requests.fp32Raw;
import static io.depthlab.server.Requests.fp32Typed;
import static io.depthlab.server.Requests.input;
import static io.depthlab.server.Requests.int64;
import static io.depthlab.server.Requests.output;
import static io.depthlab.server.Requests.pixels;
import static io.depthlab.server.Requests.request;
import static io.depthlab.server.Requests.uint8Raw;
import static io.depthlab.server.Requests.unsigned;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.depthlab.proto.inference.InferParameter;
import io.depthlab.proto.inference.InferTensorContents;
import io.depthlab.proto.inference.ModelInferRequest;
import io.grpc.Status.Code;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ModelInfer requests the server refuses: each gets its status code and one-line reason. */
class ModelInferErrorsTest {

    private static final int SIZE = LinearSoftmaxClassifier.INPUT_SIZE;

    private InProcessServing serving;

    @BeforeEach
    void startServer() {
        serving = InProcessServing.start();
    }

    @AfterEach
    void closeServer() {
        serving.close();
    }

    private void assertInferRefused(ModelInferRequest request, Code code, String description) {
        assertRefused(() -> serving.stub().modelInfer(request), code, description);
    }

    private static ModelInferRequest valid() {
        return uint8Raw(pixels(SIZE, 1), 1, SIZE);
    }

    @Test
    void modelInfer_unknownModel_isNotFound() {
        ModelInferRequest request = valid().toBuilder().setModelName("resnet").build();

        assertInferRefused(
                request,
                Code.NOT_FOUND,
                "unknown model 'resnet': this server serves only 'tiny-linear'");
    }

    @Test
    void modelInfer_unknownVersion_isNotFound() {
        ModelInferRequest request = valid().toBuilder().setModelVersion("4").build();

        assertInferRefused(
                request,
                Code.NOT_FOUND,
                "model 'tiny-linear' has no version '4': expected '3' or an empty version");
    }

    @Test
    void modelInfer_wrongDatatype_isInvalidArgument() {
        ModelInferRequest request =
                request()
                        .addInputs(input("INT64", 1, SIZE))
                        .addRawInputContents(ByteString.copyFrom(new byte[8 * SIZE]))
                        .build();

        assertInferRefused(
                request,
                Code.INVALID_ARGUMENT,
                "input 'input': expected datatype FP32 or UINT8, found 'INT64'");
    }

    @Test
    void modelInfer_rawLengthDisagreesWithShape_isInvalidArgument() {
        ModelInferRequest request =
                request()
                        .addInputs(input("FP32", 2, SIZE))
                        .addRawInputContents(ByteString.copyFrom(new byte[4 * SIZE]))
                        .build();

        assertInferRefused(
                request,
                Code.INVALID_ARGUMENT,
                "input 'input': shape [2, 16] of FP32 needs 128 bytes of raw_input_contents,"
                        + " found 64");
    }

    @Test
    void modelInfer_typedCountDisagreesWithShape_isInvalidArgument() {
        InferTensorContents contents =
                InferTensorContents.newBuilder().addAllFp32Contents(List.of(1f, 2f)).build();
        ModelInferRequest request =
                request().addInputs(input("FP32", 1, SIZE).setContents(contents)).build();

        assertInferRefused(
                request,
                Code.INVALID_ARGUMENT,
                "input 'input': shape [1, 16] needs 16 values in contents.fp32_contents, found 2");
    }

    @Test
    void modelInfer_nonFiniteFloats_areInvalidArgumentInEitherEncoding() {
        float[] values = unsigned(pixels(2 * SIZE, 3));
        values[SIZE + 5] = Float.NaN;
        values[SIZE + 9] = Float.POSITIVE_INFINITY;

        for (ModelInferRequest request :
                List.of(fp32Raw(values, 2, SIZE), fp32Typed(values, 2, SIZE))) {
            assertInferRefused(
                    request,
                    Code.INVALID_ARGUMENT,
                    "input 'input': value 21 (example 1) is NaN; expected finite values");
        }
    }

    @Test
    void modelInfer_typedUint8BeyondAByte_isInvalidArgument() {
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (int i = 0; i < SIZE; i++) {
            contents.addUintContents(i == 7 ? 300 : i);
        }
        ModelInferRequest request =
                request().addInputs(input("UINT8", 1, SIZE).setContents(contents)).build();

        assertInferRefused(
                request,
                Code.INVALID_ARGUMENT,
                "input 'input': contents.uint_contents[7] is 300; expected UINT8 values from 0"
                        + " to 255");
    }

    @Test
    void modelInfer_typedValuesInFieldOfOtherDatatype_isInvalidArgument() {
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (float value : unsigned(pixels(SIZE, 2))) {
            contents.addFp32Contents(value);
        }
        ModelInferRequest request =
                request().addInputs(input("UINT8", 1, SIZE).setContents(contents)).build();

        assertInferRefused(
                request,
                Code.INVALID_ARGUMENT,
                "input 'input' of datatype UINT8: expected its values in contents.uint_contents,"
                        + " found them in contents.fp32_contents");
    }

    @Test
    void modelInfer_noValues_isInvalidArgument() {
        ModelInferRequest request = request().addInputs(input("UINT8", 1, SIZE)).build();

        assertInferRefused(
                request,
                Code.INVALID_ARGUMENT,
                "input 'input' has no values: expected 16 in contents.uint_contents or in"
                        + " raw_input_contents");
    }

    @Test
    void modelInfer_rawAndTypedContents_isInvalidArgument() {
        InferTensorContents contents = InferTensorContents.newBuilder().addUintContents(1).build();
        ModelInferRequest request =
                request()
                        .addInputs(input("UINT8", 1, SIZE).setContents(contents))
                        .addRawInputContents(ByteString.copyFrom(pixels(SIZE, 3)))
                        .build();

        assertInferRefused(
                request,
                Code.INVALID_ARGUMENT,
                "input 'input' has both contents and raw_input_contents; expected only one of"
                        + " them");
    }

    @Test
    void modelInfer_twoRawEntriesForOneInput_isInvalidArgument() {
        ModelInferRequest request =
                valid().toBuilder()
                        .addRawInputContents(ByteString.copyFrom(new byte[SIZE]))
                        .build();

        assertInferRefused(
                request,
                Code.INVALID_ARGUMENT,
                "expected 1 raw_input_contents entry (one per input), found 2");
    }

    @Test
    void modelInfer_shapeWithoutBatchDimension_isInvalidArgument() {
        ModelInferRequest request = uint8Raw(pixels(SIZE, 4), 1, 4, 4);

        assertInferRefused(
                request,
                Code.INVALID_ARGUMENT,
                "input 'input': expected shape [-1, 1, 4, 4] or [-1, 16] with N >= 1, found [1, 4,"
                        + " 4]");
    }

    @Test
    void modelInfer_channelsLastShape_isInvalidArgument() {
        ModelInferRequest request = uint8Raw(pixels(SIZE, 5), 1, 4, 4, 1);

        assertInferRefused(
                request,
                Code.INVALID_ARGUMENT,
                "input 'input': expected shape [-1, 1, 4, 4] or [-1, 16] with N >= 1, found [1, 4,"
                        + " 4, 1]");
    }

    @Test
    void modelInfer_shapeOfManyDimensions_isDescribedShort() {
        long[] shape = new long[100];
        Arrays.fill(shape, 1);
        ModelInferRequest request = uint8Raw(pixels(SIZE, 5), shape);

        assertInferRefused(
                request,
                Code.INVALID_ARGUMENT,
                "input 'input': expected shape [-1, 1, 4, 4] or [-1, 16] with N >= 1, found [1, 1,"
                        + " 1, 1, 1, 1, 1, 1, ... (100 dimensions)]");
    }

    @Test
    void modelInfer_emptyBatch_isInvalidArgument() {
        ModelInferRequest request = uint8Raw(new byte[0], 0, SIZE);

        assertInferRefused(
                request,
                Code.INVALID_ARGUMENT,
                "input 'input': expected shape [-1, 1, 4, 4] or [-1, 16] with N >= 1, found [0,"
                        + " 16]");
    }

    @Test
    void modelInfer_noInputs_isInvalidArgument() {
        assertInferRefused(
                request().build(),
                Code.INVALID_ARGUMENT,
                "expected one input tensor named 'input', found 0: []");
    }

    @Test
    void modelInfer_wrongInputName_isInvalidArgument() {
        ModelInferRequest request =
                request()
                        .addInputs(input("UINT8", 1, SIZE).setName("pixels"))
                        .addRawInputContents(ByteString.copyFrom(pixels(SIZE, 6)))
                        .build();

        assertInferRefused(
                request,
                Code.INVALID_ARGUMENT,
                "expected one input tensor named 'input', found 1: ['pixels']");
    }

    @Test
    void modelInfer_batchBeyondLimit_isResourceExhaustedWithoutData() {
        // 2^40 examples: refused on the shape alone, long before any byte count is checked.
        ModelInferRequest request = uint8Raw(pixels(SIZE, 7), 1L << 40, SIZE);

        assertInferRefused(
                request,
                Code.RESOURCE_EXHAUSTED,
                "input 'input': shape [1099511627776, 16] holds more than the 16777216 values one"
                        + " request may carry; expected a batch of at most 1048576 examples");
    }

    @Test
    void modelInfer_unknownOutput_isInvalidArgument() {
        ModelInferRequest request = valid().toBuilder().addOutputs(output("logits")).build();

        assertInferRefused(
                request,
                Code.INVALID_ARGUMENT,
                "unknown output 'logits': expected 'probabilities' or 'class'");
    }

    @Test
    void modelInfer_outputRequestedTwice_isInvalidArgument() {
        ModelInferRequest request =
                valid().toBuilder().addOutputs(output("class")).addOutputs(output("class")).build();

        assertInferRefused(
                request,
                Code.INVALID_ARGUMENT,
                "output 'class' is requested twice; expected each output at most once");
    }

    @Test
    void modelInfer_binaryDataNotBool_isInvalidArgument() {
        ModelInferRequest request =
                valid().toBuilder()
                        .addOutputs(output("probabilities", "binary_data", int64(0)))
                        .build();

        assertInferRefused(
                request,
                Code.INVALID_ARGUMENT,
                "output 'probabilities': expected parameter 'binary_data' to be a bool_param,"
                        + " found int64_param 0");
    }

    @Test
    void modelInfer_outputsDisagreeOnBinaryData_isInvalidArgument() {
        ModelInferRequest request =
                valid().toBuilder()
                        .addOutputs(output("probabilities", "binary_data", bool(true)))
                        .addOutputs(output("class", "binary_data", bool(false)))
                        .build();

        assertInferRefused(
                request,
                Code.INVALID_ARGUMENT,
                "expected every requested output to have the same binary_data, found both true"
                        + " and false");
    }

    @Test
    void modelInfer_classificationBeyondClassCount_isInvalidArgument() {
        ModelInferRequest request =
                valid().toBuilder()
                        .addOutputs(output("probabilities", "classification", int64(6)))
                        .build();

        assertInferRefused(
                request,
                Code.INVALID_ARGUMENT,
                "output 'probabilities': expected parameter 'classification' to be an int64_param"
                        + " from 1 to 5, found int64_param 6");
    }

    @Test
    void modelInfer_classificationAsString_isInvalidArgumentWithoutQuotingIt() {
        InferParameter text = InferParameter.newBuilder().setStringParam("top-2").build();
        ModelInferRequest request =
                valid().toBuilder()
                        .addOutputs(output("probabilities", "classification", text))
                        .build();

        assertInferRefused(
                request,
                Code.INVALID_ARGUMENT,
                "output 'probabilities': expected parameter 'classification' to be an int64_param"
                        + " from 1 to 5, found a string_param");
    }

    @Test
    void modelInfer_longControlCharacterName_isQuotedShortAndOnOneLine() {
        String name = "evil\nname" + "x".repeat(200);
        ModelInferRequest request = valid().toBuilder().setModelName(name).build();

        assertInferRefused(
                request,
                Code.NOT_FOUND,
                "unknown model 'evil?name"
                        + "x".repeat(55)
                        + "...': this server serves only"
                        + " 'tiny-linear'");
    }

    @Test
    void modelInfer_classifierBug_isInternalWithoutDetails() {
        serving.classifier.failWith(new ArithmeticException("secret detail 1,2,3"));

        assertInferRefused(valid(), Code.INTERNAL, "ModelInfer failed: internal server error");
    }

    @Test
    void modelInfer_classifierClosed_isUnavailable() {
        serving.classifier.close();

        assertInferRefused(valid(), Code.UNAVAILABLE, "classifier closed");
    }

    @Test
    void modelInfer_refusedRequest_costsNoInference() {
        int before = serving.classifier.batches();
        ModelInferRequest request = valid().toBuilder().addOutputs(output("logits")).build();

        assertInferRefused(
                request,
                Code.INVALID_ARGUMENT,
                "unknown output 'logits': expected 'probabilities' or 'class'");

        assertThat(serving.classifier.batches()).isEqualTo(before);
    }
}
