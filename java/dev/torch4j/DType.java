package dev.torch4j;

import org.bytedeco.pytorch.global.torch.ScalarType;

/** Element types of a {@link Tensor}, named after PyTorch's ({@code torch.float32} is {@link #FLOAT32}). */
public enum DType {
    BOOL(ScalarType.Bool, 1, "bool"),
    UINT8(ScalarType.Byte, 1, "uint8"),
    INT8(ScalarType.Char, 1, "int8"),
    INT16(ScalarType.Short, 2, "int16"),
    INT32(ScalarType.Int, 4, "int32"),
    INT64(ScalarType.Long, 8, "int64"),
    FLOAT16(ScalarType.Half, 2, "float16"),
    BFLOAT16(ScalarType.BFloat16, 2, "bfloat16"),
    FLOAT32(ScalarType.Float, 4, "float32"),
    FLOAT64(ScalarType.Double, 8, "float64");

    private static final DType[] BY_SCALAR_TYPE = new DType[64];

    static {
        for (DType d : values()) BY_SCALAR_TYPE[d.scalarType.value] = d;
    }

    final ScalarType scalarType;
    private final int byteSize;
    private final String pyName;

    DType(ScalarType scalarType, int byteSize, String pyName) {
        this.scalarType = scalarType;
        this.byteSize = byteSize;
        this.pyName = pyName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** True for float16, bfloat16, float32 and float64. */
    public boolean isFloatingPoint() {
        return this == FLOAT16 || this == BFLOAT16 || this == FLOAT32 || this == FLOAT64;
    }

    /** PyTorch's spelling, e.g. {@code "torch.float32"}. */
    public String pytorchName() {
        return "torch." + pyName;
    }

    static DType of(ScalarType st) {
        int v = st.value;
        DType d = v >= 0 && v < BY_SCALAR_TYPE.length ? BY_SCALAR_TYPE[v] : null;
        if (d == null) throw new UnsupportedOperationException("LibTorch dtype " + st + " has no torch4j DType");
        return d;
    }
}
