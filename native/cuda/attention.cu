// CUDA fused multi-head attention; same contract as t4j_attention_f32_cpu, on device pointers (num_threads is
// ignored). One block per (query row, batch * head): scores in shared memory, block reductions for max and sum,
// then threads over head_dim accumulate the weighted values.
#include <cfloat>

#include "args.h"
#include "cuda/cuda_util.cuh"

namespace {

constexpr int kThreads = 128;
constexpr int64_t kMaxKv = 8192;

__device__ float block_reduce(float v, bool is_max, float *red) {
    for (int s = 16; s > 0; s >>= 1) {
        float o = __shfl_xor_sync(0xffffffffu, v, s);
        v = is_max ? fmaxf(v, o) : v + o;
    }
    if (threadIdx.x % 32 == 0) red[threadIdx.x / 32] = v;
    __syncthreads();
    float r = red[0];
    for (int w = 1; w < kThreads / 32; ++w) r = is_max ? fmaxf(r, red[w]) : r + red[w];
    __syncthreads();
    return r;
}

__global__ void attention_kernel(const float *__restrict__ q, const float *__restrict__ k, const float *__restrict__ v,
                                 const uint8_t *__restrict__ mask, float *out, int64_t heads, int64_t q_len, int64_t kv_len,
                                 int64_t d, int64_t qsb, int64_t qst, int64_t qsh, int64_t ksb, int64_t kst, int64_t ksh,
                                 int64_t vsb, int64_t vst, int64_t vsh, float scale, int causal) {
    extern __shared__ float s[];
    __shared__ float red[kThreads / 32];
    int64_t i = blockIdx.x, bh = blockIdx.y, b = bh / heads, h = bh % heads;
    int64_t n = causal ? min(max(i + kv_len - q_len + 1, (int64_t)0), kv_len) : kv_len;
    const float *qi = q + b * qsb + i * qst + h * qsh;
    float m = -FLT_MAX;
    bool any = false;
    for (int64_t j = threadIdx.x; j < n; j += kThreads) {
        float acc = -INFINITY;
        if (!mask || mask[b * kv_len + j]) {
            const float *kj = k + b * ksb + j * kst + h * ksh;
            acc = 0;
            for (int64_t c = 0; c < d; ++c) acc = fmaf(qi[c], kj[c], acc);
            acc *= scale;
            m = fmaxf(m, acc);
            any = true;
        }
        s[j] = acc;
    }
    m = block_reduce(any ? m : -FLT_MAX, true, red);
    float sum = 0;
    for (int64_t j = threadIdx.x; j < n; j += kThreads) {
        float p = s[j] == -INFINITY ? 0.0f : __expf(s[j] - m);
        s[j] = p;
        sum += p;
    }
    sum = block_reduce(sum, false, red);
    float inv = sum > 0 ? 1.0f / sum : 0.0f;
    float *o = out + ((b * q_len + i) * heads + h) * d;
    for (int64_t c = threadIdx.x; c < d; c += kThreads) {
        float acc = 0;
        for (int64_t j = 0; j < n; ++j) acc = fmaf(s[j], v[b * vsb + j * vst + h * vsh + c], acc);
        o[c] = acc * inv;
    }
}

}  // namespace

extern "C" int t4j_attention_f32_cuda(const float *q, const float *k, const float *v, const uint8_t *key_mask, float *out,
                                      int64_t batch, int64_t heads, int64_t q_len, int64_t kv_len, int64_t head_dim,
                                      int64_t q_batch_stride, int64_t q_token_stride, int64_t q_head_stride,
                                      int64_t k_batch_stride, int64_t k_token_stride, int64_t k_head_stride,
                                      int64_t v_batch_stride, int64_t v_token_stride, int64_t v_head_stride, float scale,
                                      int causal, int num_threads, t4j_stream stream) {
    T4J_PROTECT({
        bool nothing;
        if (int st = t4j::check_attention(q, k, v, out, batch, heads, q_len, kv_len, head_dim, scale, num_threads, &nothing))
            return st;
        if (kv_len > kMaxKv) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "attention: kv_len must be <= 8192 on CUDA");
        if (nothing) return t4j::ok();
        int64_t pairs = batch * heads;
        if (pairs > 65535 || q_len > 2147483647LL)
            return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "attention: batch * heads must be <= 65535 on CUDA");
        if (int st = t4j::cuda_ready("attention")) return st;
        dim3 grid(static_cast<unsigned>(q_len), static_cast<unsigned>(pairs));
        size_t smem = static_cast<size_t>(kv_len > 0 ? kv_len : 1) * sizeof(float);
        attention_kernel<<<grid, kThreads, smem, static_cast<cudaStream_t>(stream)>>>(
            q, k, v, key_mask, out, heads, q_len, kv_len, head_dim, q_batch_stride, q_token_stride, q_head_stride,
            k_batch_stride, k_token_stride, k_head_stride, v_batch_stride, v_token_stride, v_head_stride, scale, causal);
        return t4j::cuda_launched("attention");
    })
}
