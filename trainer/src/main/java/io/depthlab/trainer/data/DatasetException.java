package io.depthlab.trainer.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data file that cannot be used: a wrong magic number, a truncated body, a label out of range, a
 * missing file, a failed download or a checksum mismatch.
 *
 * <p>The message is one line that names the file, the byte offset or record index where it helps,
 * what was expected and what was found, e.g. {@code train.bin, record 17 (byte 52258): expected a
 * fine label below 100, found 200}.
 */
public final class DatasetException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception with a one-line message (see the class comment for its form). */
    public DatasetException(String message) {
        super(message);
    }

    /** Creates an exception with a one-line message and the low-level failure behind it. */
    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A refusal at a byte offset of a file: {@code file at byte N: expected E, found F}. */
    static DatasetException atByte(Path file, long offset, String expected, String found) {
        return new DatasetException(
                file + " at byte " + offset + ": expected " + expected + ", found " + found);
    }

    /** A refusal about a whole file: {@code file: expected E, found F}. */
    static DatasetException inFile(Path file, String expected, String found) {
        return new DatasetException(file + ": expected " + expected + ", found " + found);
    }
}
