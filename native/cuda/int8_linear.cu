// CUDA weight-only int8 linear; same contract as t4j_int8_linear_f32_cpu, on device pointers. packed (the CPU's
// VNNI layout, host memory) and num_threads are ignored: this is the exact path. One warp per (row, output channel): lanes stride over k, so a warp reads
// 32 consecutive weight bytes and activations at a time, then reduces with shuffles.
#include "cuda/cuda_util.cuh"

namespace {

constexpr int kWarpsPerBlock = 8;

__global__ void int8_linear_kernel(const float *__restrict__ x, const int8_t *__restrict__ w,
                                   const float *__restrict__ scales, const float *__restrict__ bias, float *y,
                                   int64_t in, int64_t out) {
    int64_t o = blockIdx.x * (int64_t)kWarpsPerBlock + threadIdx.x / 32;
    int64_t r = blockIdx.y;
    int lane = threadIdx.x % 32;
    if (o >= out) return;
    const float *xr = x + r * in;
    const int8_t *wo = w + o * in;
    float acc = 0;
    for (int64_t k = lane; k < in; k += 32) acc = fmaf(xr[k], static_cast<float>(wo[k]), acc);
    for (int s = 16; s > 0; s >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, s);
    if (lane == 0) y[r * out + o] = acc * scales[o] + (bias ? bias[o] : 0.0f);
}

}  // namespace

extern "C" int t4j_int8_linear_f32_cuda(const float *x, const int8_t *w, const uint8_t *, const float *scales,
                                        const float *bias, float *y, int64_t rows, int64_t in_features,
                                        int64_t out_features, int num_threads, t4j_stream stream) {
    T4J_PROTECT({
        if (rows < 0 || in_features < 0 || out_features < 0)
            return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "int8_linear: rows, in_features and out_features must be >= 0");
        if (num_threads < 1) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "int8_linear: num_threads must be >= 1");
        if (rows == 0 || out_features == 0) return t4j::ok();
        if (!y || !scales || (in_features > 0 && (!x || !w)))
            return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "int8_linear: null data pointer");
        if (rows > 65535) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "int8_linear: rows must be <= 65535 on CUDA");
        if (int st = t4j::cuda_ready("int8_linear")) return st;
        dim3 grid(static_cast<unsigned>((out_features + kWarpsPerBlock - 1) / kWarpsPerBlock), static_cast<unsigned>(rows));
        int8_linear_kernel<<<grid, kWarpsPerBlock * 32, 0, static_cast<cudaStream_t>(stream)>>>(x, w, scales, bias, y,
                                                                                                 in_features, out_features);
        return t4j::cuda_launched("int8_linear");
    })
}
