package dev.torch4j.distributed;

/** How a reducing collective combines the ranks' tensors, as {@code torch.distributed.ReduceOp}. */
public enum ReduceOp {
    SUM,
    /** The mean over ranks; floating-point tensors only. */
    AVG,
    PRODUCT,
    MIN,
    MAX,
    /** Bitwise and; integer and bool tensors. */
    BAND,
    /** Bitwise or; integer and bool tensors. */
    BOR,
    /** Bitwise xor; integer and bool tensors. */
    BXOR;

    org.bytedeco.pytorch.ReduceOp.RedOpType nativeType() {
        return org.bytedeco.pytorch.ReduceOp.RedOpType.valueOf(name());
    }
}
