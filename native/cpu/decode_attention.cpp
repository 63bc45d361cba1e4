// Decode attention: one query row per (batch, head) against a key/value cache, fused scaled dot product,
// softmax and weighted sum in float32; AVX-512 / AVX2 / scalar at run time, (batch, head) pairs split over
// the persistent pool (thread_pool.h).
//
//   s[t] = scale * <q[b, h, :], k[b, h, t, :]>         t < lengths[b]   (later cache slots are never read)
//   out[b, h, :] = sum_t softmax(s)[t] v[b, h, t, :]
// Per pair: pass 1 writes the scores to a scratch row and tracks the max, pass 2 exponentiates (max
// subtracted) and sums, pass 3 accumulates p[t] v[t] into the output row, which is scaled by 1 / sum at
// the end. Two passes over the scores keep softmax exact to float rounding without a rescaled online sum.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <new>
#include <vector>

#include "cpu/thread_pool.h"
#include "cpu/vmath.h"
#include "internal.h"

namespace {

using t4j::Isa;

struct Args {
    const float *q, *k, *v;
    const int64_t *lengths;
    float *out;
    int64_t heads, max_len, dim;
    float scale;
};

// ---------------------------------------------------------------- scalar

void pair_scalar(const Args &a, int64_t bh, float *s) {
    int64_t len = a.lengths[bh / a.heads], d = a.dim;
    const float *q = a.q + bh * d, *k = a.k + bh * a.max_len * d, *v = a.v + bh * a.max_len * d;
    float *o = a.out + bh * d;
    for (int64_t i = 0; i < d; ++i) o[i] = 0.0f;
    if (len == 0) return;
    float m = -INFINITY;
    for (int64_t t = 0; t < len; ++t) {
        float acc = 0;
        for (int64_t i = 0; i < d; ++i) acc += q[i] * k[t * d + i];
        s[t] = acc * a.scale;
        m = std::max(m, s[t]);
    }
    float sum = 0;
    for (int64_t t = 0; t < len; ++t) {
        s[t] = t4j::exp_scalar(s[t] - m);
        sum += s[t];
    }
    for (int64_t t = 0; t < len; ++t)
        for (int64_t i = 0; i < d; ++i) o[i] += s[t] * v[t * d + i];
    float inv = 1.0f / sum;
    for (int64_t i = 0; i < d; ++i) o[i] *= inv;
}

// ---------------------------------------------------------------- AVX-512

#define T4J_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))

// Lanes [0, left) of 16; none when left <= 0.
T4J_AVX512 inline __mmask16 tail16(int64_t left) {
    if (left <= 0) return 0;
    return left >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << left) - 1u);
}

// Zero-masked shuffles, as t4j::hsum512 (the unmasked reductions trip GCC 12's uninitialized warning).
T4J_AVX512 inline float hmax512(__m512 v) {
    v = _mm512_max_ps(v, _mm512_maskz_shuffle_f32x4(0xffff, v, v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = _mm512_max_ps(v, _mm512_maskz_shuffle_f32x4(0xffff, v, v, _MM_SHUFFLE(2, 3, 0, 1)));
    v = _mm512_max_ps(v, _mm512_maskz_permute_ps(0xffff, v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = _mm512_max_ps(v, _mm512_maskz_permute_ps(0xffff, v, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm512_cvtss_f32(v);
}

T4J_AVX512 void pair_avx512(const Args &a, int64_t bh, float *s) {
    int64_t len = a.lengths[bh / a.heads], d = a.dim;
    const float *q = a.q + bh * d, *k = a.k + bh * a.max_len * d, *v = a.v + bh * a.max_len * d;
    float *o = a.out + bh * d;
    for (int64_t i = 0; i < d; i += 16) _mm512_mask_storeu_ps(o + i, tail16(d - i), _mm512_setzero_ps());
    if (len == 0) return;
    // Four keys per iteration share each load of q.
    __m512 mv = _mm512_set1_ps(-INFINITY);
    int64_t t = 0;
    for (; t + 4 <= len; t += 4) {
        __m512 acc0 = _mm512_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        const float *k0 = k + t * d;
        for (int64_t i = 0; i < d; i += 16) {
            __mmask16 m = tail16(d - i);
            __m512 qv = _mm512_maskz_loadu_ps(m, q + i);
            acc0 = _mm512_fmadd_ps(qv, _mm512_maskz_loadu_ps(m, k0 + i), acc0);
            acc1 = _mm512_fmadd_ps(qv, _mm512_maskz_loadu_ps(m, k0 + d + i), acc1);
            acc2 = _mm512_fmadd_ps(qv, _mm512_maskz_loadu_ps(m, k0 + 2 * d + i), acc2);
            acc3 = _mm512_fmadd_ps(qv, _mm512_maskz_loadu_ps(m, k0 + 3 * d + i), acc3);
        }
        s[t] = t4j::hsum512(acc0) * a.scale;
        s[t + 1] = t4j::hsum512(acc1) * a.scale;
        s[t + 2] = t4j::hsum512(acc2) * a.scale;
        s[t + 3] = t4j::hsum512(acc3) * a.scale;
    }
    for (; t < len; ++t) {
        __m512 acc = _mm512_setzero_ps();
        for (int64_t i = 0; i < d; i += 16) {
            __mmask16 m = tail16(d - i);
            acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q + i), _mm512_maskz_loadu_ps(m, k + t * d + i), acc);
        }
        s[t] = t4j::hsum512(acc) * a.scale;
    }
    for (t = 0; t < len; t += 16) mv = _mm512_mask_max_ps(mv, tail16(len - t), mv, _mm512_maskz_loadu_ps(tail16(len - t), s + t));
    __m512 mx = _mm512_set1_ps(hmax512(mv));
    __m512 sv = _mm512_setzero_ps();
    for (t = 0; t < len; t += 16) {
        __mmask16 m = tail16(len - t);
        __m512 e = t4j::exp512(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, s + t), mx));
        _mm512_mask_storeu_ps(s + t, m, e);
        sv = _mm512_mask_add_ps(sv, m, sv, e);
    }
    float inv = 1.0f / t4j::hsum512(sv);
    for (int64_t i = 0; i < d; i += 64) {
        // Up to 64 output values stay in registers across all t.
        int64_t w = std::min<int64_t>(64, d - i);
        __mmask16 m0 = tail16(w), m1 = tail16(w - 16), m2 = tail16(w - 32), m3 = tail16(w - 48);
        __m512 o0 = _mm512_setzero_ps(), o1 = o0, o2 = o0, o3 = o0;
        const float *vi = v + i;
        for (t = 0; t < len; ++t, vi += d) {
            __m512 p = _mm512_set1_ps(s[t]);
            o0 = _mm512_fmadd_ps(p, _mm512_maskz_loadu_ps(m0, vi), o0);
            if (m1) o1 = _mm512_fmadd_ps(p, _mm512_maskz_loadu_ps(m1, vi + 16), o1);
            if (m2) o2 = _mm512_fmadd_ps(p, _mm512_maskz_loadu_ps(m2, vi + 32), o2);
            if (m3) o3 = _mm512_fmadd_ps(p, _mm512_maskz_loadu_ps(m3, vi + 48), o3);
        }
        __m512 iv = _mm512_set1_ps(inv);
        _mm512_mask_storeu_ps(o + i, m0, _mm512_mul_ps(o0, iv));
        if (m1) _mm512_mask_storeu_ps(o + i + 16, m1, _mm512_mul_ps(o1, iv));
        if (m2) _mm512_mask_storeu_ps(o + i + 32, m2, _mm512_mul_ps(o2, iv));
        if (m3) _mm512_mask_storeu_ps(o + i + 48, m3, _mm512_mul_ps(o3, iv));
    }
}

#undef T4J_AVX512

// ---------------------------------------------------------------- AVX2 (scalar tails)

#define T4J_AVX2 __attribute__((target("avx2,fma")))

T4J_AVX2 void pair_avx2(const Args &a, int64_t bh, float *s) {
    int64_t len = a.lengths[bh / a.heads], d = a.dim, vec = d / 8 * 8;
    const float *q = a.q + bh * d, *k = a.k + bh * a.max_len * d, *v = a.v + bh * a.max_len * d;
    float *o = a.out + bh * d;
    for (int64_t i = 0; i < d; ++i) o[i] = 0.0f;
    if (len == 0) return;
    float mx = -INFINITY;
    for (int64_t t = 0; t < len; ++t) {
        const float *kt = k + t * d;
        __m256 acc = _mm256_setzero_ps();
        for (int64_t i = 0; i < vec; i += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(kt + i), acc);
        float dot = t4j::hsum256(acc);
        for (int64_t i = vec; i < d; ++i) dot += q[i] * kt[i];
        s[t] = dot * a.scale;
        mx = std::max(mx, s[t]);
    }
    int64_t lvec = len / 8 * 8;
    __m256 sv = _mm256_setzero_ps(), mv = _mm256_set1_ps(mx);
    for (int64_t t = 0; t < lvec; t += 8) {
        __m256 e = t4j::exp256(_mm256_sub_ps(_mm256_loadu_ps(s + t), mv));
        _mm256_storeu_ps(s + t, e);
        sv = _mm256_add_ps(sv, e);
    }
    float sum = t4j::hsum256(sv);
    for (int64_t t = lvec; t < len; ++t) {
        s[t] = t4j::exp_scalar(s[t] - mx);
        sum += s[t];
    }
    for (int64_t t = 0; t < len; ++t) {
        __m256 p = _mm256_set1_ps(s[t]);
        const float *vt = v + t * d;
        for (int64_t i = 0; i < vec; i += 8)
            _mm256_storeu_ps(o + i, _mm256_fmadd_ps(p, _mm256_loadu_ps(vt + i), _mm256_loadu_ps(o + i)));
        for (int64_t i = vec; i < d; ++i) o[i] += s[t] * vt[i];
    }
    float inv = 1.0f / sum;
    for (int64_t i = 0; i < d; ++i) o[i] *= inv;
}

#undef T4J_AVX2

}  // namespace

extern "C" int t4j_decode_attention_f32_cpu(const float *q, const float *k, const float *v, const int64_t *lengths,
                                            float *out, int64_t batch, int64_t heads, int64_t max_len, int64_t head_dim,
                                            float scale, int num_threads, t4j_stream) {
    T4J_PROTECT({
        if (batch < 0 || heads < 0 || max_len < 0 || head_dim < 0)
            return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "decode_attention: batch, heads, max_len and head_dim must be >= 0");
        if (num_threads < 1) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "decode_attention: num_threads must be >= 1");
        if (!std::isfinite(scale)) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "decode_attention: scale must be finite");
        if (batch == 0 || heads == 0 || head_dim == 0) return t4j::ok();
        if (!q || !out || !lengths || (max_len > 0 && (!k || !v)))
            return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "decode_attention: null data pointer");
        int64_t longest = 0;
        for (int64_t b = 0; b < batch; ++b) {
            if (lengths[b] < 0 || lengths[b] > max_len)
                return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "decode_attention: every length must be in [0, max_len]");
            longest = std::max(longest, lengths[b]);
        }
        Args a{q, k, v, lengths, out, heads, max_len, head_dim, scale};
        Isa isa = t4j::isa();
        int64_t pairs = batch * heads;
        // Below ~32k multiply-adds per thread, waking a worker costs more than it saves.
        int64_t work = pairs * (2 * longest + 1) * head_dim;
        int threads = static_cast<int>(std::min<int64_t>(num_threads, std::max<int64_t>(1, work / 32768)));
        std::atomic<bool> out_of_memory{false};
        t4j::parallel_for(threads, pairs, 1, [&](int64_t p0, int64_t p1) {
            try {
                std::vector<float> scores(static_cast<size_t>(std::max<int64_t>(longest, 1)));
                for (int64_t bh = p0; bh < p1; ++bh) {
                    switch (isa) {
                        case Isa::kAvx512: pair_avx512(a, bh, scores.data()); break;
                        case Isa::kAvx2: pair_avx2(a, bh, scores.data()); break;
                        default: pair_scalar(a, bh, scores.data()); break;
                    }
                }
            } catch (const std::bad_alloc &) {
                out_of_memory = true;
            }
        });
        if (out_of_memory) return t4j::fail(T4J_ERR_INTERNAL, "decode_attention: out of memory for the score row");
        return t4j::ok();
    })
}
