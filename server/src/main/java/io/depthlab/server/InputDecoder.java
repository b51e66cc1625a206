package io.depthlab.server;

import static io.depthlab.server.InferenceException.quote;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.depthlab.proto.inference.InferTensorContents;
import io.depthlab.proto.inference.ModelInferRequest;
import io.depthlab.proto.inference.ModelInferRequest.InferInputTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns the input tensor of a {@link ModelInferRequest} into a batch of raw float values, refusing
 * malformed requests with one-line reasons.
 *
 * <p>Accepted: exactly one input named {@value ServedModel#INPUT_NAME}, datatype FP32 or UINT8,
 * shape {@code [N, <input_shape>]} or the flat {@code [N, <input size>]} (row-major data is the
 * same either way), N at least 1. Other reshapes, such as channels-last images, are refused because
 * they would silently change which value lands where. The values come either as typed contents
 * ({@code fp32_contents} for FP32, {@code uint_contents} for UINT8) or as one entry of {@code
 * raw_input_contents}, never both. Values are passed through unchanged: the classifier normalises
 * them.
 *
 * <p>Sizes are checked against the shape, and the shape against {@code maxElements}, before
 * anything is allocated. Immutable and thread-safe.
 */
final class InputDecoder {

    /** A decoded batch: {@code batchSize * inputSize} raw values, example after example. */
    record Batch(float[] values, int batchSize) {}

    /** The longest array every JVM can allocate; one batch lives in one float array. */
    private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    /** The largest UINT8 value; typed contents carry them as uint32. */
    private static final int MAX_UINT8 = 255;

    /** The most dimensions of a client's shape quoted in a description. */
    private static final int MAX_DESCRIBED_DIMS = 8;

    private final ServedModel model;
    private final long maxElements;

    /**
     * @param maxElements the most values one request may carry, at least one example's worth
     */
    InputDecoder(ServedModel model, long maxElements) {
        if (maxElements < model.inputSize() || maxElements > MAX_ARRAY_LENGTH) {
            throw new IllegalArgumentException(
                    String.format(
                            "expected a maximum from %d input values (one example) to %d (the"
                                    + " longest Java array), found %d",
                            model.inputSize(), MAX_ARRAY_LENGTH, maxElements));
        }
        this.model = model;
        this.maxElements = maxElements;
    }

    Batch decode(ModelInferRequest request) {
        InferInputTensor input = singleInput(request);
        Datatype datatype = datatype(input);
        int batchSize = batchSize(input.getShapeList());
        int elements = batchSize * model.inputSize();
        float[] values =
                request.getRawInputContentsCount() == 0
                        ? typed(input, datatype, elements)
                        : raw(request, input, datatype, elements);
        checkFinite(input, values);
        return new Batch(values, batchSize);
    }

    /** NaN or infinity anywhere would come back as NaN probabilities, or a meaningless class. */
    private void checkFinite(InferInputTensor input, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw InferenceException.invalidArgument(
                        String.format(
                                "input '%s': value %d (example %d) is %s; expected finite values",
                                input.getName(), i, i / model.inputSize(), values[i]));
            }
        }
    }

    private static InferInputTensor singleInput(ModelInferRequest request) {
        List<InferInputTensor> inputs = request.getInputsList();
        if (inputs.size() != 1 || !ServedModel.INPUT_NAME.equals(inputs.get(0).getName())) {
            String found =
                    inputs.stream()
                            .map(input -> quote(input.getName()))
                            .collect(Collectors.joining(", ", "[", "]"));
            throw InferenceException.invalidArgument(
                    String.format(
                            "expected one input tensor named '%s', found %d: %s",
                            ServedModel.INPUT_NAME, inputs.size(), found));
        }
        return inputs.get(0);
    }

    private static Datatype datatype(InferInputTensor input) {
        return Datatype.ofInput(input.getDatatype())
                .orElseThrow(
                        () ->
                                InferenceException.invalidArgument(
                                        String.format(
                                                "input '%s': expected datatype FP32 or UINT8,"
                                                        + " found %s",
                                                input.getName(), quote(input.getDatatype()))));
    }

    /** Checks the shape's form and size; returns N. */
    private int batchSize(List<Long> shape) {
        List<Long> perExample = shape.isEmpty() ? List.of() : shape.subList(1, shape.size());
        boolean flat = perExample.size() == 1 && perExample.get(0) == model.inputSize();
        if (shape.isEmpty()
                || shape.get(0) < 1
                || !(flat || perExample.equals(model.inputShape()))) {
            throw InferenceException.invalidArgument(
                    String.format(
                            "input '%s': expected shape %s with N >= 1, found %s",
                            ServedModel.INPUT_NAME, expectedShapes(), describe(shape)));
        }
        long batchSize = shape.get(0);
        if (batchSize > maxElements / model.inputSize()) {
            throw InferenceException.resourceExhausted(
                    String.format(
                            "input '%s': shape %s holds more than the %d values one request may"
                                    + " carry; expected a batch of at most %d examples",
                            ServedModel.INPUT_NAME,
                            describe(shape),
                            maxElements,
                            maxElements / model.inputSize()));
        }
        return (int) batchSize;
    }

    /** A client's shape for a description: at most {@value #MAX_DESCRIBED_DIMS} dimensions. */
    private static String describe(List<Long> shape) {
        if (shape.size() <= MAX_DESCRIBED_DIMS) {
            return shape.toString();
        }
        String head = shape.subList(0, MAX_DESCRIBED_DIMS).toString();
        return head.substring(0, head.length() - 1) + ", ... (" + shape.size() + " dimensions)]";
    }

    private String expectedShapes() {
        List<Long> batched = new ArrayList<>();
        batched.add(-1L);
        batched.addAll(model.inputShape());
        String flat = "[-1, " + model.inputSize() + "]";
        return batched.toString().equals(flat) ? flat : batched + " or " + flat;
    }

    private static float[] typed(InferInputTensor input, Datatype datatype, int elements) {
        InferTensorContents contents = input.getContents();
        String field = datatype == Datatype.FP32 ? "fp32_contents" : "uint_contents";
        int found =
                datatype == Datatype.FP32
                        ? contents.getFp32ContentsCount()
                        : contents.getUintContentsCount();
        if (found == 0) {
            throw noValues(input, datatype, field, elements);
        }
        if (found != elements) {
            throw InferenceException.invalidArgument(
                    String.format(
                            "input '%s': shape %s needs %d values in contents.%s, found %d",
                            input.getName(),
                            describe(input.getShapeList()),
                            elements,
                            field,
                            found));
        }
        float[] values = new float[elements];
        for (int i = 0; i < elements; i++) {
            if (datatype == Datatype.FP32) {
                values[i] = contents.getFp32Contents(i);
                continue;
            }
            // uint32 on the wire: read it unsigned, never as a negative int.
            long value = Integer.toUnsignedLong(contents.getUintContents(i));
            if (value > MAX_UINT8) {
                throw InferenceException.invalidArgument(
                        String.format(
                                "input '%s': contents.uint_contents[%d] is %d; expected UINT8"
                                        + " values from 0 to %d",
                                input.getName(), i, value, MAX_UINT8));
            }
            values[i] = value;
        }
        return values;
    }

    private static InferenceException noValues(
            InferInputTensor input, Datatype datatype, String field, int elements) {
        List<String> used =
                input.getContents().getAllFields().keySet().stream()
                        .map(FieldDescriptor::getName)
                        .toList();
        if (used.isEmpty()) {
            return InferenceException.invalidArgument(
                    String.format(
                            "input '%s' has no values: expected %d in contents.%s or in"
                                    + " raw_input_contents",
                            input.getName(), elements, field));
        }
        return InferenceException.invalidArgument(
                String.format(
                        "input '%s' of datatype %s: expected its values in contents.%s, found"
                                + " them in contents.%s",
                        input.getName(), datatype, field, String.join(", contents.", used)));
    }

    private static float[] raw(
            ModelInferRequest request, InferInputTensor input, Datatype datatype, int elements) {
        if (request.getRawInputContentsCount() != 1) {
            throw InferenceException.invalidArgument(
                    String.format(
                            "expected 1 raw_input_contents entry (one per input), found %d",
                            request.getRawInputContentsCount()));
        }
        if (!input.getContents().getAllFields().isEmpty()) {
            throw InferenceException.invalidArgument(
                    String.format(
                            "input '%s' has both contents and raw_input_contents; expected only"
                                    + " one of them",
                            input.getName()));
        }
        ByteString bytes = request.getRawInputContents(0);
        long expectedBytes = (long) elements * datatype.elementBytes();
        if (bytes.size() != expectedBytes) {
            throw InferenceException.invalidArgument(
                    String.format(
                            "input '%s': shape %s of %s needs %d bytes of raw_input_contents,"
                                    + " found %d",
                            input.getName(),
                            describe(input.getShapeList()),
                            datatype,
                            expectedBytes,
                            bytes.size()));
        }
        return datatype == Datatype.FP32
                ? littleEndianFloats(bytes, elements)
                : unsignedBytes(bytes);
    }

    private static float[] littleEndianFloats(ByteString bytes, int elements) {
        float[] values = new float[elements];
        bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    private static float[] unsignedBytes(ByteString bytes) {
        ByteBuffer buffer = bytes.asReadOnlyByteBuffer();
        float[] values = new float[buffer.remaining()];
        for (int i = 0; i < values.length; i++) {
            values[i] = buffer.get() & 0xFF;
        }
        return values;
    }
}
