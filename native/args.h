// Argument checks shared by the CPU and CUDA versions of a kernel (same contract, same messages); not part of
// the C ABI. Each returns T4J_OK or the failure status (message recorded), and sets *nothing when the call has
// no work (empty sizes) so the caller returns T4J_OK at once.
#ifndef TORCH4J_ARGS_H
#define TORCH4J_ARGS_H

#include <cmath>

#include "internal.h"

namespace t4j {

inline int check_linear(const float *x, const float *w, const float *y, int64_t rows, int64_t in, int64_t out, int layout,
                        int act, int num_threads, bool *nothing) {
    *nothing = false;
    if (rows < 0 || in < 0 || out < 0)
        return fail(T4J_ERR_INVALID_ARGUMENT, "linear: rows, in_features and out_features must be >= 0");
    if (layout < 0 || layout > 2)
        return fail(T4J_ERR_INVALID_ARGUMENT,
                    "linear: weight_layout must be 0 ([out, in]), 1 ([in, out]) or 2 (packed by t4j_linear_f32_pack)");
    if (act < 0 || act > 2)
        return fail(T4J_ERR_INVALID_ARGUMENT, "linear: activation must be 0 (none), 1 (exact GELU) or 2 (tanh GELU)");
    if (num_threads < 1) return fail(T4J_ERR_INVALID_ARGUMENT, "linear: num_threads must be >= 1");
    *nothing = rows == 0 || out == 0;
    if (!*nothing && (!y || (in > 0 && (!x || !w)))) return fail(T4J_ERR_INVALID_ARGUMENT, "linear: null data pointer");
    return T4J_OK;
}

inline int check_attention(const float *q, const float *k, const float *v, const float *out, int64_t batch, int64_t heads,
                           int64_t q_len, int64_t kv_len, int64_t head_dim, float scale, int num_threads, bool *nothing) {
    *nothing = false;
    if (batch < 0 || heads < 0 || q_len < 0 || kv_len < 0 || head_dim < 0)
        return fail(T4J_ERR_INVALID_ARGUMENT, "attention: sizes must be >= 0");
    if (num_threads < 1) return fail(T4J_ERR_INVALID_ARGUMENT, "attention: num_threads must be >= 1");
    if (!std::isfinite(scale)) return fail(T4J_ERR_INVALID_ARGUMENT, "attention: scale must be finite");
    *nothing = batch * heads == 0 || q_len == 0 || head_dim == 0;
    if (!*nothing && (!out || !q || (kv_len > 0 && (!k || !v))))
        return fail(T4J_ERR_INVALID_ARGUMENT, "attention: null data pointer");
    return T4J_OK;
}

}  // namespace t4j

#endif
