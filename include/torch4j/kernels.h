/*
 * torch4j native kernels: the only C ABI of the project.
 *
 * Rules (see shared STYLE.md): extern "C", t4j_ prefix, raw data pointers plus sizes and a stream
 * handle, an int status (T4J_OK or an error code) and a thread-local message from
 * t4j_last_error(). No C++ exception ever crosses this boundary. Callers (the Java side) check
 * dtype, device, contiguity and shape before calling; kernels re-check what is cheap to check.
 *
 * Every kernel has a CPU version (_cpu) and a CUDA version (_cuda) with the same parameters. The
 * CPU version ignores `stream`; the CUDA version runs on it (NULL = the legacy default stream)
 * and expects device pointers. In a build without CUDA the _cuda functions return
 * T4J_ERR_NO_CUDA.
 */
#ifndef TORCH4J_KERNELS_H
#define TORCH4J_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void *t4j_stream;

enum {
    T4J_OK = 0,
    T4J_ERR_INVALID_ARGUMENT = 1,
    T4J_ERR_NO_CUDA = 2,
    T4J_ERR_CUDA = 3,
    T4J_ERR_INTERNAL = 4
};

/* Message for the last non-OK status returned on this thread ("" when none). */
const char *t4j_last_error(void);

/* Version of this ABI, bumped on any incompatible change (2: t4j_int8_linear gained packed, or bias_gelu and
 * add_layernorm num_threads on separate branches; 3: both, plus linear and attention; 4: packed linear weights). */
int t4j_abi_version(void);

/* 1 when this library was built with CUDA kernels, else 0. */
int t4j_built_with_cuda(void);

/*
 * Sets environment variable `name` to `value` unless it is already set. torch4j uses it before LibTorch
 * loads, to give OpenMP a passive wait policy (see dev.torch4j.Native). Returns T4J_OK or an error.
 */
int t4j_setenv_if_unset(const char *name, const char *value);

/*
 * Name of the CPU code path the dispatcher picked: "avx512_vnni" (AVX-512 with VNNI, used by the int8 linear),
 * "avx512", "avx2" or "scalar". T4J_CPU_ISA=avx512, avx2 or scalar in the environment lowers it (never raises it).
 */
const char *t4j_cpu_isa(void);

/*
 * tanh-approximated GELU, elementwise on n contiguous float32 values:
 *   y = 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))
 * x and y may be the same pointer (in place); they must not otherwise overlap.
 */
int t4j_gelu_tanh_f32_cpu(const float *x, float *y, int64_t n, t4j_stream stream);
int t4j_gelu_tanh_f32_cuda(const float *x, float *y, int64_t n, t4j_stream stream);

/*
 * Fused bias + GELU on float32, row-major x [rows, cols] and bias [cols]:
 *   y = gelu(x + bias)       approximate = 0: exact, z Phi(z) = 0.5 z (1 + erf(z / sqrt 2))
 *                            approximate = 1: tanh,  0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3)))
 * The CPU version splits rows over at most num_threads threads of the persistent pool (>= 1; small inputs
 * use one); the CUDA version ignores num_threads. y may equal x (in place); otherwise no output may
 * overlap an input.
 */
int t4j_bias_gelu_f32_cpu(const float *x, const float *bias, float *y, int64_t rows, int64_t cols, int approximate,
                          int num_threads, t4j_stream stream);
int t4j_bias_gelu_f32_cuda(const float *x, const float *bias, float *y, int64_t rows, int64_t cols, int approximate,
                           int num_threads, t4j_stream stream);

/*
 * Backward of t4j_bias_gelu: dx = dy * gelu'(x + bias) [rows, cols] and, when dbias is not NULL,
 * dbias[c] = sum over rows of dx[., c] (accumulated in double on the CPU; rows == 0 writes zeros).
 * dx may equal dy (in place).
 */
int t4j_bias_gelu_backward_f32_cpu(const float *dy, const float *x, const float *bias, float *dx, float *dbias,
                                   int64_t rows, int64_t cols, int approximate, t4j_stream stream);
int t4j_bias_gelu_backward_f32_cuda(const float *dy, const float *x, const float *bias, float *dx, float *dbias,
                                    int64_t rows, int64_t cols, int approximate, t4j_stream stream);

/*
 * Fused residual add + LayerNorm over the last dimension of row-major [rows, cols]:
 *   s = x + residual (rounded to the storage type), out = (s - mean) / sqrt(var + eps) * gamma + beta
 * with the biased variance, as torch.nn.functional.layer_norm(x + residual, [cols], gamma, beta, eps).
 * gamma and beta are [cols]. sum (may be NULL) receives s. Math is float32 for both storage types;
 * bf16 values are uint16_t bit patterns, rounded to nearest even. The CPU version splits rows over at most
 * num_threads threads of the persistent pool (>= 1; small inputs use one); the CUDA version ignores
 * num_threads. out and sum may each equal x or residual; nothing else may overlap.
 */
int t4j_add_layernorm_f32_cpu(const float *x, const float *residual, const float *gamma, const float *beta, float *out,
                              float *sum, int64_t rows, int64_t cols, float eps, int num_threads, t4j_stream stream);
int t4j_add_layernorm_f32_cuda(const float *x, const float *residual, const float *gamma, const float *beta, float *out,
                               float *sum, int64_t rows, int64_t cols, float eps, int num_threads, t4j_stream stream);
int t4j_add_layernorm_bf16_cpu(const uint16_t *x, const uint16_t *residual, const uint16_t *gamma, const uint16_t *beta,
                               uint16_t *out, uint16_t *sum, int64_t rows, int64_t cols, float eps, int num_threads,
                               t4j_stream stream);
int t4j_add_layernorm_bf16_cuda(const uint16_t *x, const uint16_t *residual, const uint16_t *gamma, const uint16_t *beta,
                                uint16_t *out, uint16_t *sum, int64_t rows, int64_t cols, float eps, int num_threads,
                                t4j_stream stream);

/*
 * Weight-only int8 linear: y[r, o] ~ scales[o] * sum_k x[r, k] * w[o, k] + bias[o]
 *   x float32 [rows, in_features], w int8 [out_features, in_features] (per-output-channel symmetric),
 *   packed: NULL or the buffer t4j_int8_linear_pack made from w (host memory), scales float32 [out_features],
 *   bias float32 [out_features] or NULL, y float32 [rows, out_features].
 * Two CPU code paths:
 *   exact (packed == NULL, or the CPU lacks AVX-512 VNNI, or T4J_CPU_ISA lowers it, or in_features > 65536):
 *     weights are dequantized exactly and accumulated in float32; the error against the float linear on the
 *     dequantized weights is float32 summation only.
 *   VNNI (packed given, t4j_cpu_isa() == "avx512_vnni"): each row of x is quantized dynamically to asymmetric
 *     uint8, x[r, k] ~ sx[r] (u[r, k] - zp[r]) with sx[r] = (max(x[r, :], 0) - min(x[r, :], 0)) / 255 and
 *     round-to-nearest-even, so |x - x^| <= sx[r] / 2; products are accumulated exactly in int32 (vpdpbusd) and
 *       y[r, o] = sx[r] scales[o] (sum_k u w - zp[r] wsum[o]) + bias[o].
 *     Against the exact path, |y_vnni - y_exact| <= scales[o] sx[r] / 2 sum_k |w[o, k]| plus float32 rounding of
 *     the epilogue. A row holding NaN or infinity gives NaN. Rows are quantized independently, so a row's result
 *     does not depend on the other rows or on num_threads.
 * The CPU version splits output channels over at most num_threads threads of a persistent pool (>= 1; small
 * problems use fewer). The CUDA version ignores packed and num_threads and computes the exact math.
 * y must not overlap an input.
 */
int t4j_int8_linear_f32_cpu(const float *x, const int8_t *w, const uint8_t *packed, const float *scales,
                            const float *bias, float *y, int64_t rows, int64_t in_features, int64_t out_features,
                            int num_threads, t4j_stream stream);
int t4j_int8_linear_f32_cuda(const float *x, const int8_t *w, const uint8_t *packed, const float *scales,
                             const float *bias, float *y, int64_t rows, int64_t in_features, int64_t out_features,
                             int num_threads, t4j_stream stream);

/*
 * Size in bytes of the VNNI layout of int8 [out_features, in_features] weights, or -1 when the layout does not
 * exist for these sizes (in_features outside [1, 65536], out_features < 1, or a size beyond 2^40 bytes). A host-side
 * layout utility for the CPU kernel, not a device kernel (hence no _cpu / _cuda pair): the layout is 16 output
 * channels' 4-byte k-groups per 64-byte vector, zero-padded, followed by int32 wsum[o] = sum_k w[o, k].
 */
int64_t t4j_int8_linear_packed_bytes(int64_t in_features, int64_t out_features);

/*
 * Writes the VNNI layout of w (int8 [out_features, in_features], host memory) into packed, which holds
 * t4j_int8_linear_packed_bytes(in_features, out_features) bytes. The caller owns packed and keeps it with w.
 */
int t4j_int8_linear_pack(const int8_t *w, uint8_t *packed, int64_t in_features, int64_t out_features);

/*
 * Float32 linear with a fused epilogue: y[r, o] = act(sum_k x[r, k] W(o, k) + bias[o])
 *   x [rows, in_features], y [rows, out_features], row-major contiguous; bias [out_features] or NULL;
 *   weight_layout 0: w is [out_features, in_features], W(o, k) = w[o * in + k] (torch.nn.Linear);
 *   weight_layout 1: w is [in_features, out_features], W(o, k) = w[k * out + o] (GPT-2's Conv1D, x @ w);
 *   weight_layout 2 (CPU only): w was packed by t4j_linear_f32_pack (below) from either layout.
 *   activation 0: none, 1: exact GELU (z Phi(z)), 2: tanh GELU.
 * Float32 accumulation (summation order differs from LibTorch's). The AVX-512 CPU version streams the weights
 * once for rows <= 4 and otherwise packs them per call into a thread-local buffer (about 4 * in * out bytes,
 * kept for the next call) for a blocked GEMM, which layout 2 skips (same products in the same order: for
 * rows > 4 the result is bit-identical to the unpacked layouts'); without AVX-512 a slow scalar loop runs
 * (callers should prefer LibTorch there). Uses at most num_threads threads of the persistent pool (>= 1). The
 * CUDA version ignores num_threads and rejects layout 2. y must not overlap an input.
 */
int t4j_linear_f32_cpu(const float *x, const float *w, const float *bias, float *y, int64_t rows, int64_t in_features,
                       int64_t out_features, int weight_layout, int activation, int num_threads, t4j_stream stream);
int t4j_linear_f32_cuda(const float *x, const float *w, const float *bias, float *y, int64_t rows, int64_t in_features,
                        int64_t out_features, int weight_layout, int activation, int num_threads, t4j_stream stream);

/*
 * The CPU linear kernel's GEMM layout of a float32 weight (weight_layout 0 or 1, as above), for weights used
 * many times: panels of 32 output columns, each [in_features][32], the last one zero padded,
 *   packed[((o / 32) * in_features + k) * 32 + o % 32] = W(o, k).
 * t4j_linear_f32_packed_floats gives its size in floats, ceil(out / 32) * 32 * in (-1 for negative sizes or
 * int64 overflow). Packing is a pure copy, the same layout on every CPU; at most num_threads threads.
 */
int64_t t4j_linear_f32_packed_floats(int64_t in_features, int64_t out_features);
int t4j_linear_f32_pack(const float *w, float *packed, int64_t in_features, int64_t out_features, int weight_layout,
                        int num_threads);

/*
 * Multi-head attention for encoders and prompts, fused (scores, mask, softmax, weighted sum), float32:
 *   s[i, j] = scale * <q[b, i, h, :], k[b, j, h, :]> over the keys j that row i sees: key_mask[b, j] != 0
 *   (key_mask uint8 [batch, kv_len], NULL = all) and, when causal != 0, j <= i + kv_len - q_len;
 *   out[b, i, h, :] = sum_j softmax_j(s[i, :]) v[b, j, h, :], zeros for a row that sees no key.
 * q, k, v are addressed as base + b * batch_stride + t * token_stride + h * head_stride + d (element strides,
 * head_dim contiguous), so [B, T, H * D] projections and [B, H, T, D] caches are read in place; out is
 * [batch, q_len, heads, head_dim] contiguous. The CPU version splits (batch, head) pairs over at most
 * num_threads threads (>= 1); the CUDA version ignores num_threads and needs kv_len <= 8192. out must not
 * overlap an input.
 */
int t4j_attention_f32_cpu(const float *q, const float *k, const float *v, const uint8_t *key_mask, float *out, int64_t batch,
                          int64_t heads, int64_t q_len, int64_t kv_len, int64_t head_dim, int64_t q_batch_stride,
                          int64_t q_token_stride, int64_t q_head_stride, int64_t k_batch_stride, int64_t k_token_stride,
                          int64_t k_head_stride, int64_t v_batch_stride, int64_t v_token_stride, int64_t v_head_stride,
                          float scale, int causal, int num_threads, t4j_stream stream);
int t4j_attention_f32_cuda(const float *q, const float *k, const float *v, const uint8_t *key_mask, float *out, int64_t batch,
                           int64_t heads, int64_t q_len, int64_t kv_len, int64_t head_dim, int64_t q_batch_stride,
                           int64_t q_token_stride, int64_t q_head_stride, int64_t k_batch_stride, int64_t k_token_stride,
                           int64_t k_head_stride, int64_t v_batch_stride, int64_t v_token_stride, int64_t v_head_stride,
                           float scale, int causal, int num_threads, t4j_stream stream);

/*
 * Decode attention: one query row per (batch, head) against a key/value cache, float32:
 *   out[b, h, :] = sum_{t < lengths[b]} softmax_t(scale * <q[b, h, :], k[b, h, t, :]>) v[b, h, t, :]
 *   q, out [batch, heads, head_dim]; k, v [batch, heads, max_len, head_dim], all contiguous row-major;
 *   lengths int64 [batch], each in [0, max_len]: cache slots at and after lengths[b] are never read, so the
 *   query (the newest position) sees every valid cached position, which is causal by construction.
 * A row with lengths[b] == 0 gets zeros. The CPU version splits (batch, head) pairs over at most num_threads
 * threads of the persistent pool (>= 1) and rejects lengths outside [0, max_len]; the CUDA version ignores
 * num_threads, reads lengths on the device (clamping them to [0, max_len]) and needs head_dim <= 256.
 * out must not overlap an input.
 */
int t4j_decode_attention_f32_cpu(const float *q, const float *k, const float *v, const int64_t *lengths, float *out,
                                 int64_t batch, int64_t heads, int64_t max_len, int64_t head_dim, float scale,
                                 int num_threads, t4j_stream stream);
int t4j_decode_attention_f32_cuda(const float *q, const float *k, const float *v, const int64_t *lengths, float *out,
                                  int64_t batch, int64_t heads, int64_t max_len, int64_t head_dim, float scale,
                                  int num_threads, t4j_stream stream);

#ifdef __cplusplus
}
#endif

#endif
