package dev.torch4j.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.torch4j.DType;

/**
 * The safetensors header: reading and validating it (every rule, before any data byte is trusted) and
 * writing the canonical one. Package-private; {@link SafeTensors} is the public face.
 *
 * <p>Layout: 8 bytes little-endian unsigned header length N, N bytes of UTF-8 JSON (an object; trailing
 * spaces pad it), then the data section. Each JSON member other than {@code __metadata__} is a tensor
 * {@code {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}} with offsets relative to the
 * data section start.
 */
final class Header {
    /** Hard bound on N, whatever the file size: a larger header is refused before it is read. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    /** Most dimensions a tensor may declare. */
    static final int MAX_RANK = 64;
    /** JSON nesting: the root object (1), a tensor entry or {@code __metadata__} (2), a shape or offsets array (3). */
    static final int MAX_DEPTH = 3;

    static final String METADATA_KEY = "__metadata__";

    private static final Set<String> ENTRY_FIELDS = Set.of("dtype", "shape", "data_offsets");
    /** Valid safetensors dtypes that torch4j has no {@link DType} for. */
    private static final Set<String> UNSUPPORTED_DTYPES =
            Set.of("U16", "U32", "U64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64");

    private static final ObjectMapper READER = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength((int) MAX_HEADER_BYTES)
                    .build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final ObjectMapper WRITER = new ObjectMapper();

    /** One tensor entry: its dtype, shape, element count and byte span in the data section. */
    record Entry(String name, DType dtype, long[] shape, long numel, long begin, long end) {
        long byteLength() {
            return end - begin;
        }
    }

    /** Tensor entries in header order. */
    final List<Entry> entries;
    /** {@code __metadata__}, empty when absent, in header order. */
    final Map<String, String> metadata;
    /** Absolute file offset of the data section: 8 + N. */
    final long dataStart;

    private Header(List<Entry> entries, Map<String, String> metadata, long dataStart) {
        this.entries = entries;
        this.metadata = metadata;
        this.dataStart = dataStart;
    }

    // ------------------------------------------------------------------ dtype codes

    /** The safetensors dtype string of {@code d} ({@code "F32"} for FLOAT32). */
    static String code(DType d) {
        return switch (d) {
            case BOOL -> "BOOL";
            case UINT8 -> "U8";
            case INT8 -> "I8";
            case INT16 -> "I16";
            case INT32 -> "I32";
            case INT64 -> "I64";
            case FLOAT16 -> "F16";
            case BFLOAT16 -> "BF16";
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
        };
    }

    private static DType dtypeOf(String code) {
        for (DType d : DType.values()) if (code(d).equals(code)) return d;
        return null;
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads and validates the header of the file open on {@code ch}. Allocates only what the file's actual
     * size allows (N is checked against the size before the N bytes are read).
     */
    static Header read(FileChannel ch, String file) throws IOException {
        long size = ch.size();
        if (size < 8)
            throw fail(file, "file too short", "a safetensors file has at least 8 bytes (the header length), got "
                    + size + " bytes");
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, len, 0);
        long n = len.getLong(0);
        // N is an unsigned 64-bit value: a negative long is above 2^63, so above the bound too.
        if (n < 0 || n > MAX_HEADER_BYTES)
            throw fail(file, "header length too large", "header length " + Long.toUnsignedString(n)
                    + " exceeds the bound of " + MAX_HEADER_BYTES + " bytes");
        if (n == 0) throw fail(file, "header length is 0", "header length must be at least 2 (\"{}\"), got 0");
        if (n > size - 8)
            throw fail(file, "header length larger than the file", "header length " + n + " needs " + (8 + n)
                    + " bytes, the file has " + size);
        ByteBuffer bytes = ByteBuffer.allocate((int) n);
        readFully(ch, bytes, 8);
        return parse(bytes.array(), size - 8 - n, file);
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int r = ch.read(dst, pos);
            if (r < 0) throw new EOFException("unexpected end of file at byte " + pos + " (was it truncated while read?)");
            pos += r;
        }
    }

    /** Validates the N header bytes against a data section of {@code dataLength} bytes. */
    static Header parse(byte[] header, long dataLength, String file) throws SafeTensorsFormatException {
        String text;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header));
            text = chars.toString();
        } catch (CharacterCodingException e) {
            throw fail(file, "header is not valid UTF-8", "the " + header.length + "-byte header: " + e.getMessage());
        }
        JsonNode root;
        try {
            root = READER.readTree(text);
        } catch (StreamConstraintsException e) {
            String m = e.getOriginalMessage();
            if (m != null && m.contains("nesting depth"))
                throw fail(file, "JSON nesting too deep", "the header nests deeper than " + MAX_DEPTH
                        + " levels (root object, tensor entry, shape array)");
            throw fail(file, "header is not valid JSON", "a value exceeds the parser's limits: " + m);
        } catch (JsonProcessingException e) {
            String m = e.getOriginalMessage();
            if (m != null && m.startsWith("Duplicate field"))
                throw fail(file, "duplicate key", m + " (" + location(e) + ")");
            throw fail(file, "header is not valid JSON", m + " (" + location(e) + ")");
        }
        if (root == null || !root.isObject())
            throw fail(file, "header is not a JSON object", "the header is a JSON "
                    + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase()));
        if (header[0] != '{')
            throw fail(file, "header does not begin with '{'", "the first header byte is 0x"
                    + Integer.toHexString(header[0] & 0xff));

        Map<String, String> metadata = Collections.emptyMap();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals(METADATA_KEY)) metadata = metadata(f.getValue(), file);
            else entries.add(entry(f.getKey(), f.getValue(), dataLength, file));
        }
        checkCoverage(entries, dataLength, file);
        return new Header(Collections.unmodifiableList(entries), metadata, 8 + header.length);
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "unknown position"
                : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    }

    private static Map<String, String> metadata(JsonNode node, String file) throws SafeTensorsFormatException {
        if (!node.isObject())
            throw fail(file, "__metadata__ is not an object of strings", "__metadata__ is a JSON "
                    + node.getNodeType().toString().toLowerCase() + ", expected an object of string values");
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getValue().isTextual())
                throw fail(file, "__metadata__ is not an object of strings", "__metadata__ key '" + f.getKey()
                        + "' has a " + f.getValue().getNodeType().toString().toLowerCase() + " value, expected a string");
            out.put(f.getKey(), f.getValue().textValue());
        }
        return Collections.unmodifiableMap(out);
    }

    private static Entry entry(String name, JsonNode node, long dataLength, String file)
            throws SafeTensorsFormatException {
        if (!node.isObject())
            throw fail(file, "tensor entry is not an object", "tensor '" + name + "' is a JSON "
                    + node.getNodeType().toString().toLowerCase() + ", expected {dtype, shape, data_offsets}");
        for (String field : List.of("dtype", "shape", "data_offsets"))
            if (!node.has(field))
                throw fail(file, "missing field", "tensor '" + name + "' has no '" + field + "'");
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!ENTRY_FIELDS.contains(field))
                throw fail(file, "unknown field", "tensor '" + name + "' has field '" + field
                        + "'; only dtype, shape and data_offsets are allowed");
        }

        JsonNode dt = node.get("dtype");
        if (!dt.isTextual())
            throw fail(file, "dtype is not a string", "tensor '" + name + "' has dtype " + dt);
        DType dtype = dtypeOf(dt.textValue());
        if (dtype == null) {
            if (UNSUPPORTED_DTYPES.contains(dt.textValue()))
                throw fail(file, "unsupported dtype", "tensor '" + name + "' has dtype '" + dt.textValue()
                        + "', which torch4j has no DType for");
            throw fail(file, "unknown dtype", "tensor '" + name + "' has dtype '" + dt.textValue()
                    + "'; expected one of BOOL, U8, I8, I16, I32, I64, F16, BF16, F32, F64");
        }

        JsonNode sh = node.get("shape");
        if (!sh.isArray())
            throw fail(file, "shape is not an array of non-negative integers", "tensor '" + name + "' has shape " + sh);
        if (sh.size() > MAX_RANK)
            throw fail(file, "shape rank too large", "tensor '" + name + "' has " + sh.size()
                    + " dimensions, at most " + MAX_RANK + " are allowed");
        long[] shape = new long[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegativeLong(sh.get(i));
            if (shape[i] < 0)
                throw fail(file, "shape is not an array of non-negative integers", "tensor '" + name
                        + "' has shape " + sh + " (dimension " + i + " is " + sh.get(i) + ")");
        }
        long numel;
        long nbytes;
        try {
            // The product of the non-zero dimensions must fit even when another dimension is 0, so that
            // every contiguous stride (a suffix product) is representable; only then does 0 make numel 0.
            long nonZero = 1;
            boolean zero = false;
            for (long d : shape) {
                if (d == 0) zero = true;
                else nonZero = Math.multiplyExact(nonZero, d);
            }
            long bytes = Math.multiplyExact(nonZero, (long) dtype.byteSize());
            numel = zero ? 0 : nonZero;
            nbytes = zero ? 0 : bytes;
        } catch (ArithmeticException e) {
            throw fail(file, "element count overflow", "tensor '" + name + "' has shape " + Arrays.toString(shape)
                    + " whose element count times " + dtype.byteSize() + " bytes (" + code(dtype)
                    + ") overflows a 64-bit integer");
        }

        JsonNode off = node.get("data_offsets");
        if (!off.isArray() || off.size() != 2)
            throw fail(file, "data_offsets is not two non-negative integers", "tensor '" + name
                    + "' has data_offsets " + off);
        long begin = nonNegativeLong(off.get(0));
        long end = nonNegativeLong(off.get(1));
        if (begin < 0 || end < 0)
            throw fail(file, "data_offsets is not two non-negative integers", "tensor '" + name
                    + "' has data_offsets " + off);
        if (begin > end)
            throw fail(file, "data_offsets begin after end", "tensor '" + name + "' has data_offsets [" + begin
                    + ", " + end + "]");
        if (end - begin != nbytes)
            throw fail(file, "data_offsets length does not match shape and dtype", "tensor '" + name + "' spans "
                    + (end - begin) + " bytes, but shape " + Arrays.toString(shape) + " of " + code(dtype)
                    + " needs " + nbytes);
        if (end > dataLength)
            throw fail(file, "data_offsets past the end of the file", "tensor '" + name + "' ends at data byte "
                    + end + ", the data section has " + dataLength + " bytes");
        return new Entry(name, dtype, shape, numel, begin, end);
    }

    /** The value of an integral JSON number that fits a long and is >= 0, else -1. */
    private static long nonNegativeLong(JsonNode v) {
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) return -1;
        long x = v.longValue();
        return x < 0 ? -1 : x;
    }

    /** The spans must tile the data section exactly: no overlap, no gap, no trailing byte. */
    private static void checkCoverage(List<Entry> entries, long dataLength, String file)
            throws SafeTensorsFormatException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry prev = null;
        for (Entry e : sorted) {
            if (e.begin < covered)
                throw fail(file, "overlapping data_offsets", "tensor '" + e.name + "' " + span(e)
                        + " overlaps tensor '" + prev.name + "' " + span(prev));
            if (e.begin > covered)
                throw fail(file, "gap between data_offsets", "data bytes [" + covered + ", " + e.begin
                        + ") before tensor '" + e.name + "' belong to no tensor");
            covered = e.end;
            prev = e;
        }
        if (covered != dataLength)
            throw fail(file, "trailing bytes after the last tensor", "the data section has " + dataLength
                    + " bytes, the tensors cover " + covered
                    + (prev == null ? "" : " (the last is '" + prev.name + "')"));
    }

    private static String span(Entry e) {
        return "[" + e.begin + ", " + e.end + ")";
    }

    static SafeTensorsFormatException fail(String file, String rule, String detail) {
        return new SafeTensorsFormatException(rule, file + ": " + rule + ": " + detail);
    }

    // ------------------------------------------------------------------ writing

    /**
     * The canonical header for tensors of these dtypes and shapes laid out densely in this order, padded
     * with spaces to a multiple of 8 bytes.
     */
    static byte[] encode(List<String> names, List<DType> dtypes, List<long[]> shapes, Map<String, String> metadata) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = root.putObject(METADATA_KEY);
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (int i = 0; i < names.size(); i++) {
            long nbytes = dtypes.get(i).byteSize();
            for (long d : shapes.get(i)) nbytes = Math.multiplyExact(nbytes, d);
            ObjectNode e = root.putObject(names.get(i));
            e.put("dtype", code(dtypes.get(i)));
            ArrayNode s = e.putArray("shape");
            for (long d : shapes.get(i)) s.add(d);
            e.putArray("data_offsets").add(offset).add(offset + nbytes);
            offset = Math.addExact(offset, nbytes);
        }
        byte[] json;
        try {
            json = WRITER.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a safetensors header", e);
        }
        int padded = (json.length + 7) & ~7;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }
}
