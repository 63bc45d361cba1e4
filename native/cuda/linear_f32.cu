// CUDA float32 linear with the bias + activation epilogue; same contract as t4j_linear_f32_cpu, on device
// pointers (num_threads is ignored). A plain shared-memory tiled GEMM (16 x 16 tiles): correct for every
// shape and layout; on a GPU cuBLAS (LibTorch's matmul) is the fast path, this keeps the ABI complete.
#include "args.h"
#include "cuda/cuda_util.cuh"

namespace {

constexpr int kTile = 16;

__device__ inline float act_apply(float z, int act) {
    if (act == 1) return z * normcdff(z);
    if (act == 2) return 0.5f * z * (1.0f + tanhf(0.7978845608028654f * (z + 0.044715f * z * z * z)));
    return z;
}

__global__ void linear_kernel(const float *__restrict__ x, const float *__restrict__ w, const float *__restrict__ bias,
                              float *y, int64_t rows, int64_t in, int64_t out, int layout, int act) {
    __shared__ float xs[kTile][kTile];
    __shared__ float ws[kTile][kTile + 1];
    int64_t r = blockIdx.y * (int64_t)kTile + threadIdx.y;
    int64_t o = blockIdx.x * (int64_t)kTile + threadIdx.x;
    int64_t ow = blockIdx.x * (int64_t)kTile + threadIdx.y;  // the output channel this thread loads for ws
    float acc = 0;
    for (int64_t k0 = 0; k0 < in; k0 += kTile) {
        int64_t kx = k0 + threadIdx.x;
        xs[threadIdx.y][threadIdx.x] = r < rows && kx < in ? x[r * in + kx] : 0.0f;
        // ws[j][c] = W(channel base + c, k0 + j)
        if (layout == 0)
            ws[threadIdx.x][threadIdx.y] = ow < out && kx < in ? w[ow * in + kx] : 0.0f;
        else {
            int64_t kw = k0 + threadIdx.y;
            ws[threadIdx.y][threadIdx.x] = o < out && kw < in ? w[kw * out + o] : 0.0f;
        }
        __syncthreads();
        for (int j = 0; j < kTile; ++j) acc = fmaf(xs[threadIdx.y][j], ws[j][threadIdx.x], acc);
        __syncthreads();
    }
    if (r < rows && o < out) y[r * out + o] = act_apply(acc + (bias ? bias[o] : 0.0f), act);
}

}  // namespace

extern "C" int t4j_linear_f32_cuda(const float *x, const float *w, const float *bias, float *y, int64_t rows,
                                   int64_t in_features, int64_t out_features, int weight_layout, int activation,
                                   int num_threads, t4j_stream stream) {
    T4J_PROTECT({
        bool nothing;
        if (int st = t4j::check_linear(x, w, y, rows, in_features, out_features, weight_layout, activation, num_threads, &nothing))
            return st;
        if (weight_layout == 2)
            return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "linear: packed weights (weight_layout 2) are for the CPU kernel only");
        if (nothing) return t4j::ok();
        if ((rows + kTile - 1) / kTile > 65535) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "linear: rows must be <= 1048560 on CUDA");
        if (int st = t4j::cuda_ready("linear")) return st;
        dim3 grid(static_cast<unsigned>((out_features + kTile - 1) / kTile), static_cast<unsigned>((rows + kTile - 1) / kTile));
        dim3 block(kTile, kTile);
        linear_kernel<<<grid, block, 0, static_cast<cudaStream_t>(stream)>>>(x, w, bias, y, rows, in_features, out_features,
                                                                             weight_layout, activation);
        return t4j::cuda_launched("linear");
    })
}
