package dev.torch4j.io.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.torch4j.DType;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * The weights of an ONNX model: every initializer of the main graph as a CPU tensor, and the graph's nodes
 * (names, op types, inputs, outputs) so that weights the exporter renamed can be mapped back to PyTorch
 * names with {@link #toStateDict()}.
 *
 * <p>A small reader of the protocol-buffers wire format (no protobuf dependency): {@code ModelProto.graph} →
 * {@code GraphProto.node / initializer / input / output} → {@code TensorProto} ({@code dims},
 * {@code data_type}, {@code name}, {@code raw_data}, {@code float_data}, {@code int32_data},
 * {@code int64_data}, {@code double_data}). Every length, count and size is checked against the bytes that
 * hold it before use; a malformed file raises {@link OnnxFormatException}. Not read: tensors stored outside
 * the file ({@code data_location = EXTERNAL}), sparse initializers, string/complex/unsigned-16+/float8 types
 * (each a clear exception), node attributes and subgraphs (skipped). Models are limited to 2 GiB, as
 * protobuf messages are.
 *
 * <p>Owns its tensors: {@link #close()} frees them.
 */
public final class OnnxWeights implements AutoCloseable {
    /** One graph node. */
    public record Node(String name, String opType, List<String> inputs, List<String> outputs) {}

    private static final int MAX_DIMS = 64;

    private final String source;
    private final Map<String, Tensor> initializers;
    private final List<Node> nodes;
    private final List<String> graphInputs;
    private final List<String> graphOutputs;
    private boolean closed;

    private OnnxWeights(String source, Map<String, Tensor> initializers, List<Node> nodes, List<String> inputs,
                        List<String> outputs) {
        this.source = source;
        this.initializers = initializers;
        this.nodes = List.copyOf(nodes);
        this.graphInputs = List.copyOf(inputs);
        this.graphOutputs = List.copyOf(outputs);
    }

    /** Reads an {@code .onnx} file. */
    public static OnnxWeights read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.getFileName() == null ? file.toString() : file.getFileName().toString());
        }
    }

    /** Reads a model from {@code in} (not closed); {@code source} names it in errors. */
    public static OnnxWeights read(InputStream in, String source) throws IOException {
        Objects.requireNonNull(in, "in");
        byte[] bytes = in.readNBytes(Integer.MAX_VALUE - 8);
        if (in.read() != -1) throw new OnnxFormatException(source + ": larger than 2 GiB, the protobuf limit");
        return parse(bytes, source);
    }

    /** Parses the bytes of a {@code ModelProto}. */
    public static OnnxWeights parse(byte[] model, String source) throws OnnxFormatException {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(source, "source");
        ProtoReader r = new ProtoReader(model, 0, model.length, source);
        ProtoReader graph = null;
        while (r.hasMore()) {
            int tag = r.readTag();
            if (tag >>> 3 == 7 && (tag & 7) == ProtoReader.LEN) graph = r.readMessage("ModelProto.graph");
            else r.skip(tag & 7);
        }
        if (graph == null) throw r.error("not an ONNX model: ModelProto has no graph");
        return parseGraph(graph, source);
    }

    private static OnnxWeights parseGraph(ProtoReader g, String source) throws OnnxFormatException {
        Map<String, Tensor> inits = new LinkedHashMap<>();
        List<Node> nodes = new ArrayList<>();
        List<String> inputs = new ArrayList<>(), outputs = new ArrayList<>();
        try {
            while (g.hasMore()) {
                int tag = g.readTag();
                int field = tag >>> 3, wire = tag & 7;
                if (wire != ProtoReader.LEN) {
                    g.skip(wire);
                    continue;
                }
                switch (field) {
                    case 1 -> nodes.add(parseNode(g.readMessage("GraphProto.node")));
                    case 5 -> {
                        ProtoReader t = g.readMessage("GraphProto.initializer");
                        String[] name = new String[1];
                        Tensor tensor = Scope.release(parseTensor(t, name, source));
                        Tensor old = inits.put(name[0], tensor);
                        if (old != null) {
                            old.close();
                            throw g.error("initializer '" + name[0] + "' appears twice");
                        }
                    }
                    case 11 -> inputs.add(valueInfoName(g.readMessage("GraphProto.input")));
                    case 12 -> outputs.add(valueInfoName(g.readMessage("GraphProto.output")));
                    case 15 -> throw g.error("sparse initializers are not supported");
                    default -> g.skip(wire);
                }
            }
        } catch (OnnxFormatException | RuntimeException e) {
            inits.values().forEach(Tensor::close);
            throw e;
        }
        return new OnnxWeights(source, inits, nodes, inputs, outputs);
    }

    private static String valueInfoName(ProtoReader v) throws OnnxFormatException {
        String name = "";
        while (v.hasMore()) {
            int tag = v.readTag();
            if (tag == (1 << 3 | ProtoReader.LEN)) name = v.readString("ValueInfoProto.name");
            else v.skip(tag & 7);
        }
        return name;
    }

    private static Node parseNode(ProtoReader n) throws OnnxFormatException {
        List<String> in = new ArrayList<>(), out = new ArrayList<>();
        String name = "", op = "";
        while (n.hasMore()) {
            int tag = n.readTag();
            int field = tag >>> 3, wire = tag & 7;
            if (wire != ProtoReader.LEN) {
                n.skip(wire);
                continue;
            }
            switch (field) {
                case 1 -> in.add(n.readString("NodeProto.input"));
                case 2 -> out.add(n.readString("NodeProto.output"));
                case 3 -> name = n.readString("NodeProto.name");
                case 4 -> op = n.readString("NodeProto.op_type");
                default -> n.skip(wire);
            }
        }
        return new Node(name, op, List.copyOf(in), List.copyOf(out));
    }

    /** ONNX TensorProto.DataType codes torch4j reads. */
    private static DType dtypeOf(long code) {
        return switch ((int) code) {
            case 1 -> DType.FLOAT32;
            case 2 -> DType.UINT8;
            case 3 -> DType.INT8;
            case 5 -> DType.INT16;
            case 6 -> DType.INT32;
            case 7 -> DType.INT64;
            case 9 -> DType.BOOL;
            case 10 -> DType.FLOAT16;
            case 11 -> DType.FLOAT64;
            case 16 -> DType.BFLOAT16;
            default -> null;
        };
    }

    private static Tensor parseTensor(ProtoReader t, String[] nameOut, String source) throws OnnxFormatException {
        int start = t.position();
        // First pass: metadata (protobuf fields may come in any order).
        long[] dims = new long[4];
        int ndim = 0;
        long dataType = 0;
        String name = null;
        int rawOffset = -1, rawLength = 0;
        boolean external = false;
        ProtoReader p = t;
        while (p.hasMore()) {
            int tag = p.readTag();
            int field = tag >>> 3, wire = tag & 7;
            if (field == 1 && wire == ProtoReader.VARINT) {
                if (ndim == MAX_DIMS) throw p.error("tensor has more than " + MAX_DIMS + " dims");
                if (ndim == dims.length) dims = Arrays.copyOf(dims, ndim * 2);
                dims[ndim++] = p.readVarint();
            } else if (field == 1 && wire == ProtoReader.LEN) {
                ProtoReader packed = p.readMessage("TensorProto.dims");
                while (packed.hasMore()) {
                    if (ndim == MAX_DIMS) throw p.error("tensor has more than " + MAX_DIMS + " dims");
                    if (ndim == dims.length) dims = Arrays.copyOf(dims, ndim * 2);
                    dims[ndim++] = packed.readVarint();
                }
            } else if (field == 2 && wire == ProtoReader.VARINT) {
                dataType = p.readVarint();
            } else if (field == 8 && wire == ProtoReader.LEN) {
                name = p.readString("TensorProto.name");
            } else if (field == 9 && wire == ProtoReader.LEN) {
                rawOffset = p.readBytesOffset("TensorProto.raw_data");
                rawLength = p.lastLength();
            } else if (field == 3 && wire == ProtoReader.LEN) {
                throw p.error("initializer '" + name + "': segmented tensors are not supported");
            } else if (field == 14 && wire == ProtoReader.VARINT) {
                external = p.readVarint() == 1;
            } else {
                p.skip(wire);
            }
        }
        int end = p.position();
        String label = "initializer '" + (name == null ? "" : name) + "'";
        if (name == null || name.isEmpty()) throw p.error("an initializer has no name");
        nameOut[0] = name;
        if (external) throw p.error(label + ": external data (data_location = EXTERNAL) is not supported");
        DType dtype = dtypeOf(dataType);
        if (dtype == null) throw p.error(label + ": data_type " + dataType + " is not supported");
        long[] shape = Arrays.copyOf(dims, ndim);
        long numel = 1;
        for (long d : shape) {
            if (d < 0) throw p.error(label + ": negative dimension in dims " + Arrays.toString(shape));
            try {
                numel = Math.multiplyExact(numel, d);
            } catch (ArithmeticException e) {
                throw p.error(label + ": dims " + Arrays.toString(shape) + " overflow 64 bits");
            }
        }
        if (numel > (Integer.MAX_VALUE - 8) / dtype.byteSize())
            throw p.error(label + ": dims " + Arrays.toString(shape) + " exceed 2 GiB");
        int nbytes = (int) numel * dtype.byteSize();
        String what = label + ": dims " + Arrays.toString(shape) + " of " + dtype.pytorchName();

        byte[] data;
        int offset;
        if (rawOffset >= 0) {
            if (rawLength != nbytes) throw p.error(what + " need " + nbytes + " bytes, raw_data has " + rawLength);
            data = t.buffer();
            offset = rawOffset;
        } else {
            data = typedData(new ProtoReader(t.buffer(), start, end, source), dtype, (int) numel, what);
            offset = 0;
        }
        if (dtype == DType.BOOL)
            for (int i = 0; i < nbytes; i++)
                if ((data[offset + i] & 0xff) > 1) throw p.error(what + ": bool value " + (data[offset + i] & 0xff) + " is not 0 or 1");
        ByteBuffer bb = ByteBuffer.wrap(data, offset, nbytes).order(ByteOrder.LITTLE_ENDIAN);
        if (shape.length > 0) return Torch.fromBuffer(bb, dtype, shape);
        try (Tensor one = Torch.fromBuffer(bb, dtype, 1)) {
            return one.reshape();
        }
    }

    /** Decodes float_data / int32_data / int64_data / double_data into little-endian bytes of {@code dtype}. */
    private static byte[] typedData(ProtoReader p, DType dtype, int numel, String what) throws OnnxFormatException {
        int field = switch (dtype) {
            case FLOAT32 -> 4;
            case INT64 -> 7;
            case FLOAT64 -> 10;
            default -> 5; // int32_data: int32, int16, int8, uint8, bool, and float16/bfloat16 bit patterns
        };
        ByteBuffer out = ByteBuffer.allocate(numel * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        int unpackedWire = dtype == DType.FLOAT32 ? ProtoReader.FIXED32
                : dtype == DType.FLOAT64 ? ProtoReader.FIXED64 : ProtoReader.VARINT;
        int count = 0;
        while (p.hasMore()) {
            int tag = p.readTag();
            int f = tag >>> 3, wire = tag & 7;
            if (f != field) {
                p.skip(wire);
                continue;
            }
            if (wire != ProtoReader.LEN && wire != unpackedWire) throw p.error(what + ": wrong wire type " + wire + " for its values");
            boolean packed = wire == ProtoReader.LEN;
            ProtoReader values = packed ? p.readMessage(what) : p;
            boolean one = !packed;
            while (one || packed && values.hasMore()) {
                one = false;
                if (count == numel) throw p.error(what + " need " + numel + " values, the file has more");
                switch (dtype) {
                    case FLOAT32 -> out.putInt(values.readFixed32());
                    case FLOAT64 -> out.putLong(values.readFixed64());
                    case INT64 -> out.putLong(values.readVarint());
                    default -> put(out, dtype, values.readVarint(), p, what);
                }
                count++;
            }
        }
        if (count != numel) throw p.error(what + " need " + numel + " values, the file has " + count);
        return out.array();
    }

    private static void put(ByteBuffer out, DType dtype, long v, ProtoReader p, String what) throws OnnxFormatException {
        int x = (int) v; // int32_data holds int32 values, sign-extended to 64 bits on the wire
        switch (dtype) {
            case INT32 -> out.putInt(x);
            case INT16 -> out.putShort((short) x);
            case FLOAT16, BFLOAT16 -> out.putShort((short) x);
            case INT8, UINT8 -> out.put((byte) x);
            case BOOL -> {
                if (x != 0 && x != 1) throw p.error(what + ": bool value " + x + " is not 0 or 1");
                out.put((byte) x);
            }
            default -> throw p.error(what + ": unexpected dtype");
        }
    }

    // ------------------------------------------------------------------ access

    private void checkOpen() {
        if (closed) throw new IllegalStateException("OnnxWeights(" + source + ") is closed");
    }

    /** Initializers by name, in file order (owned by this object: do not close them). */
    public Map<String, Tensor> initializers() {
        checkOpen();
        return Collections.unmodifiableMap(initializers);
    }

    /** The graph's nodes in file (topological) order. */
    public List<Node> nodes() {
        return nodes;
    }

    /** Names of the graph inputs (initializers may be listed too, in older IR versions). */
    public List<String> graphInputs() {
        return graphInputs;
    }

    public List<String> graphOutputs() {
        return graphOutputs;
    }

    /**
     * The initializers under PyTorch state-dict names, as new tensors the caller owns.
     *
     * <p>{@code torch.onnx.export} turns {@code nn.Linear} on 3-D inputs into {@code MatMul(x, W^T)} followed by
     * {@code Add(bias, ...)} and often stores {@code W^T} ({@code [in, out]}) under an anonymous name such as
     * {@code onnx::MatMul_787}. Each {@code MatMul} whose second input is an initializer and whose output feeds an
     * {@code Add} with an initializer named {@code P.bias} (of size {@code out}) gives {@code P.weight}, transposed
     * back to PyTorch's {@code [out, in]}; without such an {@code Add}, the node's scope name stands in
     * ({@code /encoder/layer.0/attention/self/query/MatMul} → {@code encoder.layer.0.attention.self.query}).
     * Other initializers keep their names and layout ({@code Gemm} weights keep PyTorch's {@code [out, in]}).
     * An anonymous weight that cannot be placed keeps its ONNX name, so that a strict loader reports it.
     *
     * @throws OnnxFormatException if two weights map to one name
     */
    public Map<String, Tensor> toStateDict() throws OnnxFormatException {
        checkOpen();
        Map<String, List<Node>> consumers = new HashMap<>();
        for (Node n : nodes) for (String in : n.inputs()) consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        Map<String, String> renamed = new LinkedHashMap<>(); // ONNX initializer name -> PyTorch weight name
        for (Node n : nodes) {
            if (!n.opType().equals("MatMul") || n.inputs().size() != 2 || n.outputs().size() != 1) continue;
            String b = n.inputs().get(1);
            Tensor w = initializers.get(b);
            if (w == null || w.dim() != 2 || initializers.containsKey(n.inputs().get(0))) continue;
            String prefix = biasPrefix(n.outputs().get(0), w.size(1), consumers);
            if (prefix == null) prefix = scopePrefix(n.name());
            if (prefix == null) continue;
            String target = prefix + ".weight";
            String before = renamed.putIfAbsent(b, target);
            if (before != null && !before.equals(target))
                throw new OnnxFormatException(source + ": initializer '" + b + "' is the weight of both " + before + " and " + target);
        }
        Set<String> targets = new HashSet<>();
        for (Map.Entry<String, String> e : renamed.entrySet()) {
            String t = e.getValue();
            if (!targets.add(t) || initializers.containsKey(t))
                throw new OnnxFormatException(source + ": more than one initializer maps to '" + t + "'");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : initializers.entrySet()) {
                String to = renamed.get(e.getKey());
                if (to == null) {
                    out.put(e.getKey(), e.getValue().detach());
                } else {
                    try (Tensor t = e.getValue().t()) {
                        out.put(to, t.contiguous());
                    }
                }
            }
        } catch (RuntimeException ex) {
            out.values().forEach(Tensor::close);
            throw ex;
        }
        return out;
    }

    /** {@code P} when {@code output} feeds an Add whose other input is an initializer {@code P.bias} of {@code size}. */
    private String biasPrefix(String output, long size, Map<String, List<Node>> consumers) {
        for (Node add : consumers.getOrDefault(output, List.of())) {
            if (!add.opType().equals("Add") || add.inputs().size() != 2) continue;
            String other = add.inputs().get(0).equals(output) ? add.inputs().get(1) : add.inputs().get(0);
            Tensor bias = initializers.get(other);
            if (other.endsWith(".bias") && bias != null && bias.dim() == 1 && bias.size(0) == size)
                return other.substring(0, other.length() - ".bias".length());
        }
        return null;
    }

    /** {@code /a/b.0/c/MatMul} → {@code a.b.0.c}; null for names without a scope. */
    private static String scopePrefix(String nodeName) {
        if (!nodeName.startsWith("/") || !nodeName.endsWith("/MatMul")) return null;
        String scope = nodeName.substring(1, nodeName.length() - "/MatMul".length());
        if (scope.isEmpty()) return null;
        return scope.replace('/', '.');
    }

    /** Reads {@code file} and returns {@link #toStateDict()}, freeing everything else. */
    public static Map<String, Tensor> loadStateDict(Path file) throws IOException {
        try (OnnxWeights w = read(file)) {
            return w.toStateDict();
        }
    }

    /** Frees the initializers. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        initializers.values().forEach(Tensor::close);
    }

    @Override
    public String toString() {
        return "OnnxWeights(" + source + ", " + initializers.size() + " initializers, " + nodes.size() + " nodes)";
    }
}
