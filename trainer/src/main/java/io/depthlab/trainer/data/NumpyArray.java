package io.depthlab.trainer.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * An n-dimensional numeric array read from a {@code .npy} file, an {@code .npz} archive or a
 * pickled numpy array: a dtype, a shape and the elements in C (row-major) order.
 *
 * <p>Only the dtypes of {@link DType} are supported; readers refuse every other one. Immutable and
 * thread-safe.
 */
public final class NumpyArray {

    /** The supported element types, named by their numpy {@code descr} string. */
    public enum DType {
        /** {@code |u1}: unsigned 8-bit integer. */
        UINT8("|u1", 1),
        /** {@code <i4}: little-endian signed 32-bit integer. */
        INT32("<i4", 4),
        /** {@code <i8}: little-endian signed 64-bit integer. */
        INT64("<i8", 8),
        /** {@code <f4}: little-endian IEEE 754 single precision. */
        FLOAT32("<f4", 4),
        /** {@code <f8}: little-endian IEEE 754 double precision. */
        FLOAT64("<f8", 8);

        private final String descr;
        private final int itemSize;

        DType(String descr, int itemSize) {
            this.descr = descr;
            this.itemSize = itemSize;
        }

        /** The numpy {@code descr} string, e.g. {@code <f4}. */
        public String descr() {
            return descr;
        }

        /** Bytes per element. */
        public int itemSize() {
            return itemSize;
        }

        /** Whether the elements are integers. */
        public boolean isInteger() {
            return this != FLOAT32 && this != FLOAT64;
        }

        /**
         * The dtype with this {@code descr}, or {@code null} if it is not supported. {@code <u1}
         * and {@code |u1} both mean UINT8, since byte order does not apply to single bytes.
         */
        static DType fromDescr(String descr) {
            if ("<u1".equals(descr)) {
                return UINT8;
            }
            for (DType type : values()) {
                if (type.descr.equals(descr)) {
                    return type;
                }
            }
            return null;
        }

        /** The supported descr strings, for error messages. */
        static String supported() {
            return "|u1, <i4, <i8, <f4 or <f8";
        }
    }

    private final DType dtype;
    private final int[] shape;
    private final byte[] data;
    private final ByteBuffer view;

    private NumpyArray(DType dtype, int[] shape, byte[] data) {
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
        // A read-only view always starts big-endian, so the order is set after taking it.
        this.view = ByteBuffer.wrap(data).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Wraps raw little-endian element bytes in C order; takes ownership of {@code data}.
     *
     * @throws IllegalArgumentException if a dimension is negative or the data length does not equal
     *     the element count times the item size
     */
    static NumpyArray of(DType dtype, int[] shape, byte[] data) {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(data, "data");
        long elements = elementCount(shape);
        if (elements * dtype.itemSize() != data.length) {
            throw new IllegalArgumentException(
                    String.format(
                            "expected %d bytes for shape %s of %s, found %d",
                            elements * dtype.itemSize(),
                            Arrays.toString(shape),
                            dtype.descr(),
                            data.length));
        }
        return new NumpyArray(dtype, shape.clone(), data);
    }

    /** The product of the dimensions, or -1 if one is negative or the product overflows. */
    static long elementCount(int[] shape) {
        long elements = 1;
        for (int dimension : shape) {
            if (dimension < 0) {
                return -1;
            }
            elements *= dimension;
            if (elements > Integer.MAX_VALUE) {
                return -1;
            }
        }
        return elements;
    }

    /** The element type. */
    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape; empty for a scalar. */
    public int[] shape() {
        return shape.clone();
    }

    /** The number of dimensions. */
    public int ndim() {
        return shape.length;
    }

    /** The size of dimension {@code axis}. */
    public int dimension(int axis) {
        return shape[Objects.checkIndex(axis, shape.length)];
    }

    /** The number of elements: the product of the dimensions. */
    public int size() {
        return data.length / dtype.itemSize();
    }

    /** Element {@code index} (in C order) as a double; exact for all but huge 64-bit integers. */
    public double doubleAt(int index) {
        int at = Objects.checkIndex(index, size()) * dtype.itemSize();
        return switch (dtype) {
            case UINT8 -> Byte.toUnsignedInt(view.get(at));
            case INT32 -> view.getInt(at);
            case INT64 -> view.getLong(at);
            case FLOAT32 -> view.getFloat(at);
            case FLOAT64 -> view.getDouble(at);
        };
    }

    /**
     * Element {@code index} (in C order) of an integer array.
     *
     * @throws IllegalStateException if the dtype is a floating-point type
     */
    public long longAt(int index) {
        if (!dtype.isInteger()) {
            throw new IllegalStateException(
                    "expected an integer array, found dtype " + dtype.descr());
        }
        int at = Objects.checkIndex(index, size()) * dtype.itemSize();
        return switch (dtype) {
            case UINT8 -> Byte.toUnsignedInt(view.get(at));
            case INT32 -> view.getInt(at);
            default -> view.getLong(at);
        };
    }

    /** The raw element bytes, for readers in this package that promise not to change them. */
    byte[] rawData() {
        return data;
    }

    @Override
    public String toString() {
        return "NumpyArray[" + dtype.descr() + " " + Arrays.toString(shape) + "]";
    }
}
