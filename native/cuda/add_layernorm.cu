// CUDA fused residual add + LayerNorm (float32 and bf16 storage, float32 math); same contract as the
// _cpu versions, on device pointers. One block per row; s = x + residual is recomputed in each pass
// rather than staged, so any cols fits.
#include "cuda/cuda_util.cuh"

namespace {

constexpr int kThreads = 256;

__device__ inline float load(const float *p) { return *p; }
__device__ inline float load(const uint16_t *p) { return t4j::bf16_to_f32(*p); }
__device__ inline void store(float *p, float v) { *p = v; }
__device__ inline void store(uint16_t *p, float v) { *p = t4j::f32_to_bf16(v); }
__device__ inline float round_to(const float *, float v) { return v; }
__device__ inline float round_to(const uint16_t *, float v) { return t4j::bf16_to_f32(t4j::f32_to_bf16(v)); }

__device__ float block_sum(float v, float *shared) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    __syncthreads();
    if (lane == 0) shared[warp] = v;
    __syncthreads();
    float total = 0;
    for (int w = 0; w < kThreads / 32; ++w) total += shared[w];
    return total;
}

template <typename T>
__global__ void add_layernorm_kernel(const T *x, const T *r, const T *__restrict__ g, const T *__restrict__ b, T *out,
                                     T *sum, int64_t cols, float eps) {
    __shared__ float shared[kThreads / 32];
    int64_t o = blockIdx.x * cols;
    float acc = 0;
    for (int64_t c = threadIdx.x; c < cols; c += kThreads) acc += round_to(x, load(x + o + c) + load(r + o + c));
    float mean = block_sum(acc, shared) / cols;
    float sq = 0;
    for (int64_t c = threadIdx.x; c < cols; c += kThreads) {
        float d = round_to(x, load(x + o + c) + load(r + o + c)) - mean;
        sq += d * d;
    }
    float rstd = rsqrtf(block_sum(sq, shared) / cols + eps);
    // All reads of this row are done before any write, so out and sum may alias x or residual.
    __syncthreads();
    for (int64_t c = threadIdx.x; c < cols; c += kThreads) {
        float s = round_to(x, load(x + o + c) + load(r + o + c));
        if (sum) store(sum + o + c, s);
        store(out + o + c, (s - mean) * rstd * load(g + c) + load(b + c));
    }
}

template <typename T>
int run(const char *what, const T *x, const T *r, const T *g, const T *b, T *out, T *sum, int64_t rows, int64_t cols,
        float eps, t4j_stream stream) {
    std::string name(what);
    if (rows < 0 || cols < 0) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, (name + ": rows and cols must be >= 0").c_str());
    if (!(eps >= 0.0f) || isinf(eps)) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, (name + ": eps must be finite and >= 0").c_str());
    if (rows == 0 || cols == 0) return t4j::ok();
    if (!x || !r || !g || !b || !out) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, (name + ": null data pointer").c_str());
    if (rows > 2147483647) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, (name + ": rows must be < 2^31 on CUDA").c_str());
    if (int st = t4j::cuda_ready(what)) return st;
    add_layernorm_kernel<T><<<static_cast<unsigned>(rows), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(x, r, g, b, out, sum, cols, eps);
    return t4j::cuda_launched(what);
}

}  // namespace

extern "C" int t4j_add_layernorm_f32_cuda(const float *x, const float *residual, const float *gamma, const float *beta,
                                          float *out, float *sum, int64_t rows, int64_t cols, float eps, int,
                                          t4j_stream stream) {
    T4J_PROTECT({ return run("add_layernorm_f32", x, residual, gamma, beta, out, sum, rows, cols, eps, stream); })
}

extern "C" int t4j_add_layernorm_bf16_cuda(const uint16_t *x, const uint16_t *residual, const uint16_t *gamma,
                                           const uint16_t *beta, uint16_t *out, uint16_t *sum, int64_t rows,
                                           int64_t cols, float eps, int, t4j_stream stream) {
    T4J_PROTECT({ return run("add_layernorm_bf16", x, residual, gamma, beta, out, sum, rows, cols, eps, stream); })
}
