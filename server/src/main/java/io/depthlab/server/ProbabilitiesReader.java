package io.depthlab.server;

import com.google.protobuf.ByteString;
import io.depthlab.proto.inference.ModelInferResponse;
import io.depthlab.proto.inference.ModelInferResponse.InferOutputTensor;
import io.grpc.Status;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * Reads an FP32 {@code [N, classes]} output of a {@link ModelInferResponse}, from raw or typed
 * contents, checking it against the batch that was sent. Stateless.
 */
final class ProbabilitiesReader {

    private ProbabilitiesReader() {}

    /**
     * @throws InferenceClientException (INTERNAL) if the output is missing or malformed
     */
    static float[][] read(ModelInferResponse response, String name, int batchSize) {
        int index = indexOf(response, name);
        InferOutputTensor output = response.getOutputs(index);
        List<Long> shape = output.getShapeList();
        if (!Datatype.FP32.name().equals(output.getDatatype())
                || shape.size() != 2
                || shape.get(0) != batchSize
                || shape.get(1) < 1
                || shape.get(1) > Integer.MAX_VALUE) {
            throw malformed(
                    String.format(
                            "expected output '%s' of FP32 [%d, classes], found %s %s",
                            name, batchSize, output.getDatatype(), shape));
        }
        int classes = shape.get(1).intValue();
        float[] values = values(response, index, output, batchSize * classes);
        float[][] rows = new float[batchSize][];
        for (int example = 0; example < batchSize; example++) {
            rows[example] = new float[classes];
            System.arraycopy(values, example * classes, rows[example], 0, classes);
        }
        return rows;
    }

    private static int indexOf(ModelInferResponse response, String name) {
        for (int i = 0; i < response.getOutputsCount(); i++) {
            if (response.getOutputs(i).getName().equals(name)) {
                return i;
            }
        }
        throw malformed(String.format("expected an output '%s', found none", name));
    }

    private static float[] values(
            ModelInferResponse response, int index, InferOutputTensor output, int count) {
        if (response.getRawOutputContentsCount() == 0) {
            if (output.getContents().getFp32ContentsCount() != count) {
                throw malformed(
                        String.format(
                                "expected %d values in fp32_contents, found %d",
                                count, output.getContents().getFp32ContentsCount()));
            }
            float[] values = new float[count];
            for (int i = 0; i < count; i++) {
                values[i] = output.getContents().getFp32Contents(i);
            }
            return values;
        }
        ByteString raw =
                index < response.getRawOutputContentsCount()
                        ? response.getRawOutputContents(index)
                        : ByteString.EMPTY;
        if (raw.size() != (long) count * Float.BYTES) {
            throw malformed(
                    String.format(
                            "expected %d bytes of raw_output_contents, found %d",
                            (long) count * Float.BYTES, raw.size()));
        }
        float[] values = new float[count];
        FloatBuffer floats =
                raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        floats.get(values);
        return values;
    }

    private static InferenceClientException malformed(String detail) {
        return new InferenceClientException(
                Status.Code.INTERNAL, "malformed ModelInfer response: " + detail, null);
    }
}
