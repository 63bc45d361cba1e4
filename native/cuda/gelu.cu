// CUDA tanh-GELU on float32; same contract as t4j_gelu_tanh_f32_cpu, on device pointers.
#include <cuda_runtime.h>

#include "internal.h"

namespace {

__global__ void gelu_tanh_kernel(const float *__restrict__ x, float *__restrict__ y, int64_t n) {
    const float k0 = 0.7978845608028654f;
    const float k1 = 0.044715f;
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        float v = x[i];
        float u = k0 * (v + k1 * v * v * v);
        y[i] = 0.5f * v * (1.0f + tanhf(u));
    }
}

}  // namespace

extern "C" int t4j_built_with_cuda(void) { return 1; }

extern "C" int t4j_gelu_tanh_f32_cuda(const float *x, float *y, int64_t n, t4j_stream stream) {
    if (n < 0) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "gelu_tanh: n must be >= 0");
    if (n == 0) return t4j::ok();
    if (!x || !y) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "gelu_tanh: null data pointer");
    int device_count = 0;
    if (cudaGetDeviceCount(&device_count) != cudaSuccess || device_count == 0) {
        cudaGetLastError();
        return t4j::fail(T4J_ERR_NO_CUDA, "gelu_tanh: no CUDA device available");
    }
    const int threads = 256;
    int64_t blocks = (n + threads - 1) / threads;
    if (blocks > 65535 * 8) blocks = 65535 * 8;
    gelu_tanh_kernel<<<(unsigned)blocks, threads, 0, static_cast<cudaStream_t>(stream)>>>(x, y, n);
    cudaError_t err = cudaGetLastError();
    if (err != cudaSuccess) return t4j::fail(T4J_ERR_CUDA, cudaGetErrorString(err));
    return t4j::ok();
}
