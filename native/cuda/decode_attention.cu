// CUDA decode attention; same contract as t4j_decode_attention_f32_cpu, on device pointers (num_threads is
// ignored, head_dim <= 256, lengths read on the device and clamped to [0, max_len]). One block per
// (batch, head): each warp takes every kWarps-th cached position with an online softmax (running max,
// rescaled sum and accumulator, lanes striding over head_dim), then the warps' partial results are merged
// through shared memory.
#include <cmath>

#include "cuda/cuda_util.cuh"

namespace {

constexpr int kWarps = 4;
constexpr int kMaxDim = 256;
constexpr int kPerLane = kMaxDim / 32;

__global__ void decode_attention_kernel(const float *__restrict__ q, const float *__restrict__ k,
                                        const float *__restrict__ v, const int64_t *__restrict__ lengths,
                                        float *__restrict__ out, int64_t heads, int64_t max_len, int dim, float scale) {
    __shared__ float part_m[kWarps], part_l[kWarps];
    __shared__ float part_acc[kWarps][kMaxDim];
    int64_t bh = blockIdx.x;
    int64_t len = lengths[bh / heads];
    len = len < 0 ? 0 : (len > max_len ? max_len : len);
    int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    const float *qr = q + bh * dim;
    const float *kb = k + bh * max_len * dim, *vb = v + bh * max_len * dim;
    float qreg[kPerLane], acc[kPerLane];
    for (int j = 0; j < kPerLane; ++j) {
        int d = lane + 32 * j;
        qreg[j] = d < dim ? qr[d] : 0.0f;
        acc[j] = 0.0f;
    }
    float m = -INFINITY, l = 0.0f;
    for (int64_t t = warp; t < len; t += kWarps) {
        const float *kt = kb + t * dim, *vt = vb + t * dim;
        float dot = 0.0f;
        for (int j = 0; j < kPerLane; ++j) {
            int d = lane + 32 * j;
            if (d < dim) dot = fmaf(qreg[j], kt[d], dot);
        }
        for (int o = 16; o > 0; o >>= 1) dot += __shfl_xor_sync(0xffffffffu, dot, o);
        float s = dot * scale;
        float m_new = fmaxf(m, s);
        float corr = expf(m - m_new), p = expf(s - m_new);
        l = l * corr + p;
        for (int j = 0; j < kPerLane; ++j) {
            int d = lane + 32 * j;
            acc[j] = acc[j] * corr + (d < dim ? p * vt[d] : 0.0f);
        }
        m = m_new;
    }
    if (lane == 0) {
        part_m[warp] = m;
        part_l[warp] = l;
    }
    for (int j = 0; j < kPerLane; ++j) {
        int d = lane + 32 * j;
        if (d < dim) part_acc[warp][d] = acc[j];
    }
    __syncthreads();
    float big = -INFINITY;
    for (int w = 0; w < kWarps; ++w) big = fmaxf(big, part_m[w]);
    float total = 0.0f, weight[kWarps];
    for (int w = 0; w < kWarps; ++w) {
        weight[w] = part_l[w] > 0.0f ? expf(part_m[w] - big) : 0.0f;
        total += part_l[w] * weight[w];
    }
    float inv = total > 0.0f ? 1.0f / total : 0.0f;
    for (int d = threadIdx.x; d < dim; d += kWarps * 32) {
        float o = 0.0f;
        for (int w = 0; w < kWarps; ++w) o += part_acc[w][d] * weight[w];
        out[bh * dim + d] = o * inv;
    }
}

}  // namespace

extern "C" int t4j_decode_attention_f32_cuda(const float *q, const float *k, const float *v, const int64_t *lengths,
                                             float *out, int64_t batch, int64_t heads, int64_t max_len,
                                             int64_t head_dim, float scale, int num_threads, t4j_stream stream) {
    T4J_PROTECT({
        if (batch < 0 || heads < 0 || max_len < 0 || head_dim < 0)
            return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "decode_attention: batch, heads, max_len and head_dim must be >= 0");
        if (num_threads < 1) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "decode_attention: num_threads must be >= 1");
        if (!std::isfinite(scale)) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "decode_attention: scale must be finite");
        if (head_dim > kMaxDim) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "decode_attention: head_dim must be <= 256 on CUDA");
        if (batch == 0 || heads == 0 || head_dim == 0) return t4j::ok();
        if (!q || !out || !lengths || (max_len > 0 && (!k || !v)))
            return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "decode_attention: null data pointer");
        if (batch * heads > 2147483647)
            return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "decode_attention: batch * heads must be < 2^31 on CUDA");
        if (int st = t4j::cuda_ready("decode_attention")) return st;
        decode_attention_kernel<<<static_cast<unsigned>(batch * heads), kWarps * 32, 0, static_cast<cudaStream_t>(stream)>>>(
            q, k, v, lengths, out, heads, max_len, static_cast<int>(head_dim), scale);
        return t4j::cuda_launched("decode_attention");
    })
}
