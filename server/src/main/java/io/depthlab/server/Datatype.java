package io.depthlab.server;

import java.util.Optional;

/**
 * The Open Inference Protocol datatypes this server reads or writes, with their element size in raw
 * (little-endian, unpadded) form.
 */
enum Datatype {
    FP32(4),
    UINT8(1),
    /** Raw form: each element is a 4-byte little-endian length followed by that many bytes. */
    BYTES(-1);

    private final int elementBytes;

    Datatype(int elementBytes) {
        this.elementBytes = elementBytes;
    }

    /** Bytes per element in raw form; -1 for the variable-length {@link #BYTES}. */
    int elementBytes() {
        return elementBytes;
    }

    /** The input datatype named {@code name} (case-sensitive, as the protocol spells it). */
    static Optional<Datatype> ofInput(String name) {
        if (FP32.name().equals(name)) {
            return Optional.of(FP32);
        }
        if (UINT8.name().equals(name)) {
            return Optional.of(UINT8);
        }
        return Optional.empty();
    }
}
