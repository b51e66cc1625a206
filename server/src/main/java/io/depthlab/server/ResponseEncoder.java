package io.depthlab.server;

import com.google.protobuf.ByteString;
import io.depthlab.proto.inference.InferTensorContents;
import io.depthlab.proto.inference.ModelInferRequest;
import io.depthlab.proto.inference.ModelInferResponse;
import io.depthlab.proto.inference.ModelInferResponse.InferOutputTensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Builds the {@link ModelInferResponse} for a batch of probabilities, in the outputs and form an
 * {@link OutputSelection} names. Immutable and thread-safe.
 */
final class ResponseEncoder {

    private final ServedModel model;

    ResponseEncoder(ServedModel model) {
        this.model = model;
    }

    /**
     * @param probabilities {@code batchSize * classCount} values, example after example
     */
    ModelInferResponse encode(
            ModelInferRequest request,
            OutputSelection selection,
            float[] probabilities,
            int batchSize) {
        ModelInferResponse.Builder response =
                ModelInferResponse.newBuilder()
                        .setModelName(model.name())
                        .setModelVersion(model.version())
                        .setId(request.getId());
        for (OutputSelection.Output output : selection.outputs()) {
            addOutput(response, output, selection.raw(), probabilities, batchSize);
        }
        return response.build();
    }

    private void addOutput(
            ModelInferResponse.Builder response,
            OutputSelection.Output output,
            boolean raw,
            float[] probabilities,
            int batchSize) {
        InferOutputTensor.Builder tensor = InferOutputTensor.newBuilder().setName(output.name());
        if (output.kind() == OutputSelection.Kind.PROBABILITIES && output.topClasses() == 0) {
            tensor.setDatatype(Datatype.FP32.name())
                    .addShape(batchSize)
                    .addShape(model.classCount());
            if (raw) {
                response.addRawOutputContents(littleEndian(probabilities));
            } else {
                tensor.setContents(fp32Contents(probabilities));
            }
        } else {
            addStrings(response, tensor, output, raw, strings(output, probabilities, batchSize));
        }
        response.addOutputs(tensor);
    }

    private static void addStrings(
            ModelInferResponse.Builder response,
            InferOutputTensor.Builder tensor,
            OutputSelection.Output output,
            boolean raw,
            List<String> strings) {
        tensor.setDatatype(Datatype.BYTES.name());
        if (output.kind() == OutputSelection.Kind.PROBABILITIES) {
            tensor.addShape(strings.size() / output.topClasses()).addShape(output.topClasses());
        } else {
            tensor.addShape(strings.size());
        }
        if (raw) {
            response.addRawOutputContents(lengthPrefixed(strings));
        } else {
            tensor.setContents(bytesContents(strings));
        }
    }

    /** The BYTES elements, row-major: labels for CLASS, "p:index:label" for classification. */
    private List<String> strings(
            OutputSelection.Output output, float[] probabilities, int batchSize) {
        int classes = model.classCount();
        List<String> strings = new ArrayList<>();
        for (int example = 0; example < batchSize; example++) {
            int offset = example * classes;
            if (output.kind() == OutputSelection.Kind.CLASS) {
                strings.add(model.label(bestClasses(probabilities, offset, 1).get(0)));
                continue;
            }
            for (int index : bestClasses(probabilities, offset, output.topClasses())) {
                strings.add(probabilities[offset + index] + ":" + index + ":" + model.label(index));
            }
        }
        return strings;
    }

    /** The {@code k} most probable classes of one example; ties go to the lower index. */
    private List<Integer> bestClasses(float[] probabilities, int offset, int k) {
        Comparator<Integer> byProbability =
                Comparator.comparingDouble(index -> probabilities[offset + index]);
        return IntStream.range(0, model.classCount())
                .boxed()
                .sorted(byProbability.reversed().thenComparing(Comparator.naturalOrder()))
                .limit(k)
                .toList();
    }

    private static ByteString littleEndian(float[] values) {
        ByteBuffer buffer =
                ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return ByteString.copyFrom(buffer.array());
    }

    private static InferTensorContents fp32Contents(float[] values) {
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (float value : values) {
            contents.addFp32Contents(value);
        }
        return contents.build();
    }

    /** Raw BYTES: each element as a 4-byte little-endian length, then its UTF-8 bytes. */
    private static ByteString lengthPrefixed(List<String> strings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer length = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (String string : strings) {
            byte[] utf8 = string.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(length.putInt(0, utf8.length).array());
            out.writeBytes(utf8);
        }
        return ByteString.copyFrom(out.toByteArray());
    }

    private static InferTensorContents bytesContents(List<String> strings) {
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (String string : strings) {
            contents.addBytesContents(ByteString.copyFromUtf8(string));
        }
        return contents.build();
    }
}
