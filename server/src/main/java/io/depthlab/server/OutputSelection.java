package io.depthlab.server;

import static io.depthlab.server.InferenceException.quote;

import io.depthlab.proto.inference.InferParameter;
import io.depthlab.proto.inference.ModelInferRequest;
import io.depthlab.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which outputs a {@link ModelInferRequest} asks for, and in which form.
 *
 * <p>No requested outputs means {@value ServedModel#PROBABILITIES_OUTPUT} alone. A requested output
 * may carry the parameters
 *
 * <ul>
 *   <li>{@value #BINARY_DATA} (bool, default true): true sends the outputs as {@code
 *       raw_output_contents}, as Triton does; false sends typed contents. The protocol lets a
 *       response use raw contents for all outputs or for none, so every requested output must
 *       agree.
 *   <li>{@value #CLASSIFICATION} (int64, 1 to the class count, {@value
 *       ServedModel#PROBABILITIES_OUTPUT} only): the Triton classification extension; the output
 *       becomes BYTES {@code [N, k]} holding {@code "<probability>:<index>:<label>"} for the k most
 *       probable classes, most probable first.
 * </ul>
 *
 * Other parameters are ignored, as the protocol allows.
 *
 * @param outputs the outputs in the order the response lists them
 * @param raw whether they travel as {@code raw_output_contents}
 */
record OutputSelection(List<Output> outputs, boolean raw) {

    /** The per-output parameter that chooses raw or typed contents. */
    static final String BINARY_DATA = "binary_data";

    /** The per-output parameter of the classification extension. */
    static final String CLASSIFICATION = "classification";

    /** What an output holds. */
    enum Kind {
        /** FP32 {@code [N, classes]}. */
        PROBABILITIES,
        /** BYTES {@code [N]}: the label of the most probable class. */
        CLASS,
    }

    /**
     * One requested output.
     *
     * @param topClasses for {@link Kind#PROBABILITIES}: 0 for the probabilities themselves, k > 0
     *     for the classification extension's k best classes
     */
    record Output(String name, Kind kind, int topClasses) {}

    /** The default: {@value ServedModel#PROBABILITIES_OUTPUT} as raw contents. */
    static final OutputSelection DEFAULT =
            new OutputSelection(
                    List.of(new Output(ServedModel.PROBABILITIES_OUTPUT, Kind.PROBABILITIES, 0)),
                    true);

    /**
     * The selection {@code request} asks for.
     *
     * @throws InferenceException INVALID_ARGUMENT for an unknown or repeated output name, a
     *     parameter of the wrong type or range, or outputs that disagree on {@value #BINARY_DATA}
     */
    static OutputSelection of(ModelInferRequest request, int classCount) {
        if (request.getOutputsCount() == 0) {
            return DEFAULT;
        }
        List<Output> outputs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Boolean raw = null;
        for (InferRequestedOutputTensor requested : request.getOutputsList()) {
            if (!names.add(requested.getName())) {
                throw InferenceException.invalidArgument(
                        String.format(
                                "output %s is requested twice; expected each output at most once",
                                quote(requested.getName())));
            }
            outputs.add(output(requested, classCount));
            boolean binary = boolParameter(requested, BINARY_DATA, true);
            if (raw != null && raw != binary) {
                throw InferenceException.invalidArgument(
                        String.format(
                                "expected every requested output to have the same %s, found"
                                        + " both true and false",
                                BINARY_DATA));
            }
            raw = binary;
        }
        return new OutputSelection(List.copyOf(outputs), raw);
    }

    private static Output output(InferRequestedOutputTensor requested, int classCount) {
        String name = requested.getName();
        if (ServedModel.PROBABILITIES_OUTPUT.equals(name)) {
            int top = topClasses(requested, classCount);
            return new Output(name, Kind.PROBABILITIES, top);
        }
        if (ServedModel.CLASS_OUTPUT.equals(name)) {
            return new Output(name, Kind.CLASS, 0);
        }
        throw InferenceException.invalidArgument(
                String.format(
                        "unknown output %s: expected '%s' or '%s'",
                        quote(name), ServedModel.PROBABILITIES_OUTPUT, ServedModel.CLASS_OUTPUT));
    }

    private static int topClasses(InferRequestedOutputTensor requested, int classCount) {
        InferParameter parameter = requested.getParametersMap().get(CLASSIFICATION);
        if (parameter == null) {
            return 0;
        }
        if (parameter.getParameterChoiceCase() != InferParameter.ParameterChoiceCase.INT64_PARAM
                || parameter.getInt64Param() < 1
                || parameter.getInt64Param() > classCount) {
            throw InferenceException.invalidArgument(
                    String.format(
                            "output '%s': expected parameter '%s' to be an int64_param from 1 to"
                                    + " %d, found %s",
                            requested.getName(), CLASSIFICATION, classCount, describe(parameter)));
        }
        return (int) parameter.getInt64Param();
    }

    private static boolean boolParameter(
            InferRequestedOutputTensor requested, String key, boolean absent) {
        InferParameter parameter = requested.getParametersMap().get(key);
        if (parameter == null) {
            return absent;
        }
        if (parameter.getParameterChoiceCase() != InferParameter.ParameterChoiceCase.BOOL_PARAM) {
            throw InferenceException.invalidArgument(
                    String.format(
                            "output %s: expected parameter '%s' to be a bool_param, found %s",
                            quote(requested.getName()), key, describe(parameter)));
        }
        return parameter.getBoolParam();
    }

    /** The parameter's kind and, for numbers and booleans, its value; strings are not quoted. */
    private static String describe(InferParameter parameter) {
        return switch (parameter.getParameterChoiceCase()) {
            case BOOL_PARAM -> "bool_param " + parameter.getBoolParam();
            case INT64_PARAM -> "int64_param " + parameter.getInt64Param();
            case DOUBLE_PARAM -> "double_param " + parameter.getDoubleParam();
            case UINT64_PARAM ->
                    "uint64_param " + Long.toUnsignedString(parameter.getUint64Param());
            case STRING_PARAM -> "a string_param";
            case PARAMETERCHOICE_NOT_SET -> "no value";
        };
    }
}
