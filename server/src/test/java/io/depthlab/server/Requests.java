package io.depthlab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import io.depthlab.proto.inference.InferParameter;
import io.depthlab.proto.inference.InferTensorContents;
import io.depthlab.proto.inference.ModelInferRequest;
import io.depthlab.proto.inference.ModelInferRequest.InferInputTensor;
import io.depthlab.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Test helpers: ModelInfer requests for the test model, raw encodings, refusal checks. */
final class Requests {

    private Requests() {}

    /** {@code count} pixels 0..255 from a fixed seed. */
    static byte[] pixels(int count, long seed) {
        byte[] pixels = new byte[count];
        new Random(seed).nextBytes(pixels);
        return pixels;
    }

    /** The pixels as the unsigned values the server should hand the classifier. */
    static float[] unsigned(byte[] pixels) {
        float[] values = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            values[i] = pixels[i] & 0xFF;
        }
        return values;
    }

    static ByteString littleEndian(float[] values) {
        ByteBuffer buffer =
                ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return ByteString.copyFrom(buffer.array());
    }

    static float[] floats(ByteString littleEndian) {
        float[] values = new float[littleEndian.size() / Float.BYTES];
        littleEndian
                .asReadOnlyByteBuffer()
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer()
                .get(values);
        return values;
    }

    /** An input tensor named "input" with a datatype and shape and no values. */
    static InferInputTensor.Builder input(String datatype, long... shape) {
        InferInputTensor.Builder input =
                InferInputTensor.newBuilder().setName("input").setDatatype(datatype);
        for (long dim : shape) {
            input.addShape(dim);
        }
        return input;
    }

    /** A request for the test model, without inputs. */
    static ModelInferRequest.Builder request() {
        return ModelInferRequest.newBuilder().setModelName(LinearSoftmaxClassifier.NAME);
    }

    static ModelInferRequest uint8Raw(byte[] pixels, long... shape) {
        return request()
                .addInputs(input("UINT8", shape))
                .addRawInputContents(ByteString.copyFrom(pixels))
                .build();
    }

    static ModelInferRequest fp32Raw(float[] values, long... shape) {
        return request()
                .addInputs(input("FP32", shape))
                .addRawInputContents(littleEndian(values))
                .build();
    }

    static ModelInferRequest fp32Typed(float[] values, long... shape) {
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (float value : values) {
            contents.addFp32Contents(value);
        }
        return request().addInputs(input("FP32", shape).setContents(contents)).build();
    }

    static ModelInferRequest uint8Typed(byte[] pixels, long... shape) {
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (byte pixel : pixels) {
            contents.addUintContents(pixel & 0xFF);
        }
        return request().addInputs(input("UINT8", shape).setContents(contents)).build();
    }

    static InferRequestedOutputTensor output(String name) {
        return InferRequestedOutputTensor.newBuilder().setName(name).build();
    }

    static InferRequestedOutputTensor output(String name, String key, InferParameter value) {
        return InferRequestedOutputTensor.newBuilder()
                .setName(name)
                .putParameters(key, value)
                .build();
    }

    static InferParameter bool(boolean value) {
        return InferParameter.newBuilder().setBoolParam(value).build();
    }

    static InferParameter int64(long value) {
        return InferParameter.newBuilder().setInt64Param(value).build();
    }

    /** Asserts that {@code call} fails with {@code code} and exactly {@code description}. */
    static void assertRefused(ThrowingCallable call, Status.Code code, String description) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call);

        assertThat(e).as("expected the call to fail with %s", code).isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(code);
        assertThat(e.getStatus().getDescription()).isEqualTo(description).doesNotContain("\n");
    }
}
