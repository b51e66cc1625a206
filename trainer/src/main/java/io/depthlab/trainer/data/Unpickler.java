package io.depthlab.trainer.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, safe reader for the Python pickles of the CIFAR-100 "python version" ({@code train},
 * {@code test}, {@code meta}): protocol 2 or lower, as written by Python 2's cPickle or by Python 3
 * with {@code protocol=2}.
 *
 * <p>It understands only the opcodes those files use (dicts, lists, tuples, ints, booleans, None,
 * byte and unicode strings, memo get/put) and only four globals: {@code numpy.ndarray}, {@code
 * numpy.dtype}, {@code numpy.core.multiarray._reconstruct} (also spelled {@code
 * numpy._core.multiarray}) and {@code _codecs.encode} with a latin-1 encoding (how Python 3 writes
 * bytes in protocol 2). No class is ever instantiated from a name in the file: every other opcode
 * or global is refused with its byte offset. Every length is checked against the bytes left in the
 * file before anything is allocated.
 *
 * <p>Results: dict to {@code Map<String, Object>} (byte-string keys decoded as latin-1, as Python's
 * {@code encoding='latin1'} does), list and tuple to {@code List<Object>}, int to {@code Long},
 * bool to {@code Boolean}, None to {@code null}, unicode string to {@code String}, byte string to
 * {@code byte[]}, numpy array to {@link NumpyArray}. Not thread-safe; use one instance per file.
 */
final class Unpickler {

    private static final int HIGHEST_PROTOCOL = 2;

    // Opcodes of pickle protocols 0 to 2 that the CIFAR files use.
    private static final int MARK = '(';
    private static final int STOP = '.';
    private static final int BININT = 'J';
    private static final int BININT1 = 'K';
    private static final int BININT2 = 'M';
    private static final int NONE = 'N';
    private static final int REDUCE = 'R';
    private static final int BINSTRING = 'T';
    private static final int SHORT_BINSTRING = 'U';
    private static final int BINUNICODE = 'X';
    private static final int APPEND = 'a';
    private static final int BUILD = 'b';
    private static final int GLOBAL = 'c';
    private static final int APPENDS = 'e';
    private static final int BINGET = 'h';
    private static final int LONG_BINGET = 'j';
    private static final int EMPTY_LIST = ']';
    private static final int BINPUT = 'q';
    private static final int LONG_BINPUT = 'r';
    private static final int SETITEM = 's';
    private static final int TUPLE = 't';
    private static final int SETITEMS = 'u';
    private static final int EMPTY_DICT = '}';
    private static final int EMPTY_TUPLE = ')';
    private static final int PROTO = 0x80;
    private static final int TUPLE1 = 0x85;
    private static final int TUPLE2 = 0x86;
    private static final int TUPLE3 = 0x87;
    private static final int NEWTRUE = 0x88;
    private static final int NEWFALSE = 0x89;
    private static final int LONG1 = 0x8a;

    /** The callables a REDUCE may apply; nothing else can be called. */
    private enum Global {
        RECONSTRUCT,
        NDARRAY,
        DTYPE,
        CODECS_ENCODE
    }

    /** Marks where a MARK opcode pushed; never escapes the reader. */
    private static final Object MARK_OBJECT = new Object();

    private final Path file;
    private final long fileSize;
    private final InputStream in;
    private long offset;
    private final List<Object> stack = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private Unpickler(Path file, long fileSize, InputStream in) {
        this.file = file;
        this.fileSize = fileSize;
        this.in = in;
    }

    /**
     * Reads the single pickled object in {@code file}.
     *
     * @throws DatasetException if the file uses an opcode or global outside the safe subset, is
     *     truncated, or is malformed
     */
    static Object load(Path file) throws IOException {
        long size = Files.size(file);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            Object result = new Unpickler(file, size, in).run();
            return result;
        }
    }

    private Object run() throws IOException {
        while (true) {
            long at = offset;
            int opcode = readByte();
            if (opcode == STOP) {
                Object result = pop(at);
                if (!stack.isEmpty()) {
                    throw error(at, "an empty stack at STOP", stack.size() + " items left");
                }
                if (offset != fileSize) {
                    throw error(offset, "the end of the file after STOP", "trailing bytes");
                }
                return finish(result, at);
            }
            execute(opcode, at);
        }
    }

    private void execute(int opcode, long at) throws IOException {
        switch (opcode) {
            case PROTO -> {
                int protocol = readByte();
                if (protocol > HIGHEST_PROTOCOL) {
                    throw error(
                            at,
                            "pickle protocol " + HIGHEST_PROTOCOL + " or lower",
                            "protocol " + protocol);
                }
            }
            case MARK -> stack.add(MARK_OBJECT);
            case EMPTY_DICT -> stack.add(new LinkedHashMap<String, Object>());
            case EMPTY_LIST -> stack.add(new ArrayList<>());
            case EMPTY_TUPLE -> stack.add(List.of());
            case TUPLE -> stack.add(tuple(popToMark(at)));
            case TUPLE1, TUPLE2, TUPLE3 -> stack.add(tuple(popN(opcode - TUPLE1 + 1, at)));
            case NONE -> stack.add(null);
            case NEWTRUE -> stack.add(Boolean.TRUE);
            case NEWFALSE -> stack.add(Boolean.FALSE);
            case BININT1 -> stack.add((long) readByte());
            case BININT2 -> stack.add(readLittleEndian(2));
            case BININT -> stack.add((long) (int) readLittleEndian(4));
            case LONG1 -> stack.add(readLong1(at));
            case SHORT_BINSTRING -> stack.add(readBytes(readByte(), at));
            case BINSTRING -> stack.add(readBytes((int) readLittleEndian(4), at));
            case BINUNICODE -> stack.add(readUnicode(at));
            case BINPUT -> memo.put((long) readByte(), peek(at));
            case LONG_BINPUT -> memo.put(readLittleEndian(4), peek(at));
            case BINGET -> stack.add(memoGet(readByte(), at));
            case LONG_BINGET -> stack.add(memoGet(readLittleEndian(4), at));
            case APPEND -> append(List.of(pop(at)), at);
            case APPENDS -> append(popToMark(at), at);
            case SETITEM -> setItems(popN(2, at), at);
            case SETITEMS -> setItems(popToMark(at), at);
            case GLOBAL -> stack.add(global(at));
            case REDUCE -> reduce(at);
            case BUILD -> build(at);
            default ->
                    throw error(
                            at,
                            "an opcode of the CIFAR pickle subset",
                            String.format(
                                    "opcode 0x%02x ('%c'), refused for safety", opcode, opcode));
        }
    }

    private Global global(long at) throws IOException {
        String module = readLine(at);
        String name = readLine(at);
        String qualified = module + "." + name;
        switch (qualified) {
            case "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct":
                return Global.RECONSTRUCT;
            case "numpy.ndarray":
                return Global.NDARRAY;
            case "numpy.dtype":
                return Global.DTYPE;
            case "_codecs.encode":
                return Global.CODECS_ENCODE;
            default:
                throw error(
                        at,
                        "one of the globals numpy.ndarray, numpy.dtype,"
                                + " numpy.core.multiarray._reconstruct or _codecs.encode",
                        "'" + qualified + "', refused for safety");
        }
    }

    private void reduce(long at) throws IOException {
        Object arguments = pop(at);
        Object callable = pop(at);
        if (!(callable instanceof Global global) || !(arguments instanceof List<?> args)) {
            throw error(at, "a global and an argument tuple for REDUCE", describe(callable));
        }
        switch (global) {
            case RECONSTRUCT -> {
                if (args.size() != 3 || args.get(0) != Global.NDARRAY) {
                    throw error(at, "_reconstruct(numpy.ndarray, shape, typecode)", "" + args);
                }
                stack.add(new PendingArray());
            }
            case DTYPE -> {
                String typeName = args.isEmpty() ? null : text(args.get(0));
                if (typeName == null) {
                    throw error(at, "numpy.dtype(name, ...)", describe(args));
                }
                stack.add(new PendingDtype(typeName));
            }
            case CODECS_ENCODE -> stack.add(encodeLatin1(args, at));
            default -> throw error(at, "a callable global", global + " is not callable");
        }
    }

    private byte[] encodeLatin1(List<?> args, long at) throws DatasetException {
        if (args.size() != 2
                || !(args.get(0) instanceof String value)
                || !(args.get(1) instanceof String encoding)
                || !(encoding.equals("latin1") || encoding.equals("latin-1"))) {
            throw error(at, "_codecs.encode(text, 'latin1')", describe(args));
        }
        byte[] bytes = new byte[value.length()];
        for (int i = 0; i < bytes.length; i++) {
            char c = value.charAt(i);
            if (c > 0xff) {
                throw error(at, "latin-1 characters in encoded bytes", "U+" + (int) c);
            }
            bytes[i] = (byte) c;
        }
        return bytes;
    }

    private void build(long at) throws IOException {
        Object state = pop(at);
        Object target = peek(at);
        if (target instanceof PendingDtype dtype && state instanceof List<?> tuple) {
            dtype.setState(tuple, at);
        } else if (target instanceof PendingArray array && state instanceof List<?> tuple) {
            array.setState(tuple, at);
        } else {
            throw error(at, "BUILD on a numpy array or dtype", "BUILD on " + describe(target));
        }
    }

    /** A numpy dtype between its REDUCE and its BUILD. */
    private final class PendingDtype {
        private final String typeName;
        private NumpyArray.DType dtype;

        PendingDtype(String typeName) {
            this.typeName = typeName;
        }

        void setState(List<?> state, long at) throws DatasetException {
            // numpy's dtype state: (version, byte order, subarray, names, fields, ...).
            String order = state.size() < 2 ? null : text(state.get(1));
            if (order == null) {
                throw error(at, "a dtype state (version, byte order, ...)", describe(state));
            }
            String descr = order + typeName;
            dtype = NumpyArray.DType.fromDescr(descr);
            if (dtype == null) {
                throw error(at, "dtype " + NumpyArray.DType.supported(), "'" + descr + "'");
            }
        }
    }

    /** A numpy array between its {@code _reconstruct} and its BUILD. */
    private final class PendingArray {
        private NumpyArray array;

        void setState(List<?> state, long at) throws DatasetException {
            // ndarray state: (version, shape, dtype, is_fortran, raw data).
            if (state.size() != 5
                    || !(state.get(1) instanceof List<?> dims)
                    || !(state.get(2) instanceof PendingDtype dtype)
                    || dtype.dtype == null
                    || !(state.get(3) instanceof Boolean fortran)
                    || !(state.get(4) instanceof byte[] data)) {
                throw error(
                        at,
                        "an array state (version, shape, dtype, is_fortran, bytes)",
                        describe(state));
            }
            int[] shape = new int[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                if (!(dims.get(i) instanceof Long dim) || dim < 0 || dim > Integer.MAX_VALUE) {
                    throw error(at, "a shape of non-negative ints", describe(dims));
                }
                shape[i] = (int) (long) dim;
            }
            if (fortran && shape.length > 1) {
                throw error(at, "a C-order array", "a Fortran-order one");
            }
            long elements = NumpyArray.elementCount(shape);
            if (elements < 0 || elements * dtype.dtype.itemSize() != data.length) {
                throw error(
                        at,
                        "array data matching shape " + dims + " of " + dtype.dtype.descr(),
                        data.length + " bytes");
            }
            array = NumpyArray.of(dtype.dtype, shape, data);
        }
    }

    /** Replaces pending arrays by their values and refuses half-built ones. */
    private Object finish(Object value, long at) throws DatasetException {
        if (value instanceof PendingArray pending) {
            if (pending.array == null) {
                throw error(at, "a numpy array with its state", "one never built");
            }
            return pending.array;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> result = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                result.put((String) entry.getKey(), finish(entry.getValue(), at));
            }
            return Collections.unmodifiableMap(result);
        }
        if (value instanceof List<?> list) {
            List<Object> result = new ArrayList<>(list.size());
            for (Object item : list) {
                result.add(finish(item, at));
            }
            return Collections.unmodifiableList(result);
        }
        if (value instanceof Global || value instanceof PendingDtype) {
            throw error(at, "plain data", describe(value));
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private void append(List<Object> items, long at) throws DatasetException {
        Object target = peek(at);
        if (!(target instanceof ArrayList<?> list)) {
            throw error(at, "a list to append to", describe(target));
        }
        ((ArrayList<Object>) list).addAll(items);
    }

    @SuppressWarnings("unchecked")
    private void setItems(List<Object> items, long at) throws DatasetException {
        Object target = peek(at);
        if (!(target instanceof LinkedHashMap<?, ?> map) || items.size() % 2 != 0) {
            throw error(at, "a dict and key-value pairs", describe(target));
        }
        for (int i = 0; i < items.size(); i += 2) {
            String key = text(items.get(i));
            if (key == null) {
                throw error(at, "a string dict key", describe(items.get(i)));
            }
            ((LinkedHashMap<String, Object>) map).put(key, items.get(i + 1));
        }
    }

    /** A Python 2 byte string or a unicode string as text (latin-1); anything else: null. */
    static String text(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        return null;
    }

    private static List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(Arrays.asList(items.toArray()));
    }

    private Object pop(long at) throws DatasetException {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK_OBJECT) {
            throw error(at, "a value on the stack", "none");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek(long at) throws DatasetException {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK_OBJECT) {
            throw error(at, "a value on the stack", "none");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popN(int n, long at) throws DatasetException {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = pop(at);
        }
        return Arrays.asList(items);
    }

    private List<Object> popToMark(long at) throws DatasetException {
        int mark = stack.lastIndexOf(MARK_OBJECT);
        if (mark < 0) {
            throw error(at, "a MARK on the stack", "none");
        }
        List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private Object memoGet(long index, long at) throws DatasetException {
        if (!memo.containsKey(index)) {
            throw error(at, "a memo entry " + index, "none");
        }
        return memo.get(index);
    }

    private long readLong1(long at) throws IOException {
        int length = readByte();
        if (length > 8) {
            throw error(at, "an int of at most 8 bytes", length + " bytes");
        }
        byte[] bytes = readBytes(length, at);
        long value = 0;
        for (int i = length - 1; i >= 0; i--) {
            value = value << 8 | (bytes[i] & 0xff);
        }
        // Two's complement: extend the sign of the highest byte.
        if (length > 0 && length < 8 && bytes[length - 1] < 0) {
            value -= 1L << (8 * length);
        }
        return value;
    }

    private String readUnicode(long at) throws IOException {
        long length = readLittleEndian(4);
        if (length > Integer.MAX_VALUE) {
            throw error(at, "a string shorter than 2 GiB", length + " bytes");
        }
        return new String(readBytes((int) length, at), StandardCharsets.UTF_8);
    }

    private byte[] readBytes(int length, long at) throws IOException {
        if (length < 0 || length > fileSize - offset) {
            throw error(
                    at,
                    "a string that fits in the " + (fileSize - offset) + " bytes left",
                    "a length of " + length);
        }
        byte[] bytes = in.readNBytes(length);
        offset += bytes.length;
        if (bytes.length < length) {
            throw error(offset, length + " bytes of string data", "the end of the file");
        }
        return bytes;
    }

    private String readLine(long at) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int c = readByte();
            if (c == '\n') {
                return line.toString();
            }
            // Module and class names are short; a long "line" is not a GLOBAL.
            if (line.length() > 200) {
                throw error(at, "a GLOBAL name of at most 200 characters", "a longer one");
            }
            line.append((char) c);
        }
    }

    private long readLittleEndian(int width) throws IOException {
        long value = 0;
        for (int i = 0; i < width; i++) {
            value |= (long) readByte() << (8 * i);
        }
        return value;
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw error(offset, "more pickle data", "the end of the file (truncated)");
        }
        offset++;
        return b;
    }

    private static String describe(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof byte[] bytes) {
            return "bytes of length " + bytes.length;
        }
        String text = value.toString();
        return value.getClass().getSimpleName()
                + " "
                + (text.length() > 60 ? text.substring(0, 60) + "..." : text);
    }

    private DatasetException error(long at, String expected, String found) {
        return DatasetException.atByte(file, at, expected, found);
    }
}
