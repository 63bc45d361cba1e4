// Fused multi-head attention for encoders and prompts (many query rows): scores, masking, softmax and the
// weighted sum of values per (batch, head), float32; AVX-512 or scalar at run time, (batch, head) pairs split
// over the persistent pool.
//
//   s[i, j] = scale * <q[b, i, h, :], k[b, j, h, :]>   for visible keys j: key_mask[b, j] != 0 and, when causal,
//                                                     j <= i + kv_len - q_len
//   out[b, i, h, :] = sum_j softmax_j(s[i, :]) v[b, j, h, :]       (zeros when row i sees no key)
// q, k and v are read through (batch, token, head) strides with contiguous head_dim, so projections laid out
// as [B, T, H * D] (or a fused [B, T, 3 * H * D]) and KV caches [B, H, T, D] are used in place; out is
// [B, q_len, H, D] contiguous, which is [B, T, H * D] for the next projection.
// Per pair, K is transposed once into [D][S] so the scores of 4 query rows come from broadcasts of q and
// 64-key vectors of K^T; softmax is exact (max subtracted, two passes); then blocks of 8 rows of P multiply V
// (8 rows x 32 columns share each V load).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <new>
#include <vector>

#include "cpu/thread_pool.h"
#include "cpu/transpose.h"
#include "cpu/vmath.h"
#include "args.h"
#include "internal.h"

namespace {

struct Args {
    const float *q, *k, *v;
    const uint8_t *mask;
    float *out;
    int64_t heads, q_len, kv_len, dim;
    int64_t qs[3], ks[3], vs[3];  // batch, token, head strides
    float scale;
    bool causal;
};

// Keys visible to query row i: [0, limit(i)) intersected with the mask.
inline int64_t limit(const Args &a, int64_t i) {
    if (!a.causal) return a.kv_len;
    return std::clamp<int64_t>(i + a.kv_len - a.q_len + 1, 0, a.kv_len);
}

inline bool visible(const Args &a, int64_t b, int64_t j) { return !a.mask || a.mask[b * a.kv_len + j] != 0; }

// ---------------------------------------------------------------- scalar

void pair_scalar(const Args &a, int64_t bh, std::vector<float> &s) {
    int64_t b = bh / a.heads, h = bh % a.heads, d = a.dim;
    s.resize(static_cast<size_t>(a.kv_len));
    for (int64_t i = 0; i < a.q_len; ++i) {
        const float *q = a.q + b * a.qs[0] + i * a.qs[1] + h * a.qs[2];
        float *o = a.out + ((b * a.q_len + i) * a.heads + h) * d;
        int64_t n = limit(a, i);
        float m = -INFINITY;
        for (int64_t j = 0; j < n; ++j) {
            if (!visible(a, b, j)) continue;
            const float *kj = a.k + b * a.ks[0] + j * a.ks[1] + h * a.ks[2];
            float acc = 0;
            for (int64_t c = 0; c < d; ++c) acc += q[c] * kj[c];
            s[j] = acc * a.scale;
            m = std::max(m, s[j]);
        }
        for (int64_t c = 0; c < d; ++c) o[c] = 0.0f;
        if (m == -INFINITY) continue;
        float sum = 0;
        for (int64_t j = 0; j < n; ++j) {
            if (!visible(a, b, j)) continue;
            float p = t4j::exp_scalar(s[j] - m);
            sum += p;
            const float *vj = a.v + b * a.vs[0] + j * a.vs[1] + h * a.vs[2];
            for (int64_t c = 0; c < d; ++c) o[c] += p * vj[c];
        }
        for (int64_t c = 0; c < d; ++c) o[c] /= sum;
    }
}

// ---------------------------------------------------------------- AVX-512

#define T4J_AVX512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl")))

T4J_AVX512 inline __mmask16 tail_mask(int64_t n) {
    return n >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (n < 0 ? 0 : n)) - 1u);
}

constexpr int kBlockRows = 8;  // query rows per block: they share each K^T and V load

struct Scratch {
    std::vector<float> kt;     // [dim][sp]
    std::vector<float> bias;   // [sp]: 0 for visible keys, -inf otherwise (mask and padding)
    std::vector<float> p;      // [kBlockRows][sp]
    std::vector<__mmask16> live;  // [sp / 16]: the visible keys (bias 0) of each vector of 16
};

// scores[r][0, 16 CV) = scale * q[r] . K^T[:, j0 + ...]  (+ the mask bias), R rows x CV vectors of keys; mx[r] is
// the running lane-wise maximum of row r's scores.
template <int R, int CV>
T4J_AVX512 inline void scores_block(const float *const *q, const float *kt, int64_t sp, int64_t d, const float *bias,
                                    float scale, float *p, __m512 *mx) {
    __m512 acc[R][CV];
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < CV; ++t) acc[r][t] = _mm512_setzero_ps();
    for (int64_t c = 0; c < d; ++c) {
        const float *kr = kt + c * sp;
        __m512 kv[CV];
        for (int t = 0; t < CV; ++t) kv[t] = _mm512_loadu_ps(kr + 16 * t);
        for (int r = 0; r < R; ++r) {
            __m512 qb = _mm512_set1_ps(q[r][c]);
            for (int t = 0; t < CV; ++t) acc[r][t] = _mm512_fmadd_ps(qb, kv[t], acc[r][t]);
        }
    }
    __m512 sc = _mm512_set1_ps(scale);
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < CV; ++t) {
            __m512 s = _mm512_fmadd_ps(acc[r][t], sc, _mm512_loadu_ps(bias + 16 * t));
            mx[r] = _mm512_maskz_max_ps(0xffff, mx[r], s);  // maskz: GCC 12 warns on the plain form here
            _mm512_storeu_ps(p + r * sp + 16 * t, s);
        }
}

// o[r][c0, c0 + 16 CV) = inv[r] * sum_{j < n} p[r][j] v[j][c0 ...]; the last vector is masked to the head size.
template <int R, int CV>
T4J_AVX512 inline void values_block(const float *p, int64_t sp, const float *v, int64_t vts, int64_t n, __mmask16 last,
                                    const float *inv, float *const *o) {
    __m512 acc[R][CV];
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < CV; ++t) acc[r][t] = _mm512_setzero_ps();
    for (int64_t j = 0; j < n; ++j) {
        const float *vj = v + j * vts;
        __m512 vv[CV];
        for (int t = 0; t < CV; ++t) vv[t] = t + 1 < CV ? _mm512_loadu_ps(vj + 16 * t) : _mm512_maskz_loadu_ps(last, vj + 16 * t);
        for (int r = 0; r < R; ++r) {
            __m512 pb = _mm512_set1_ps(p[r * sp + j]);
            for (int t = 0; t < CV; ++t) acc[r][t] = _mm512_fmadd_ps(pb, vv[t], acc[r][t]);
        }
    }
    for (int r = 0; r < R; ++r) {
        __m512 iv = _mm512_set1_ps(inv[r]);
        for (int t = 0; t < CV; ++t) {
            __m512 y = _mm512_mul_ps(acc[r][t], iv);
            if (t + 1 < CV)
                _mm512_storeu_ps(o[r] + 16 * t, y);
            else
                _mm512_mask_storeu_ps(o[r] + 16 * t, last, y);
        }
    }
}

// Scores of R rows (R <= 8) over the first nv keys, 64 keys per block; more than 4 rows go 4 at a time (16 accumulators).
template <int R>
T4J_AVX512 inline void scores_rows(const float *const *q, const float *kt, const float *keybias, int64_t sp, int64_t d,
                                   int64_t nv, float scale, float *p, __m512 *mx) {
    if constexpr (R > 4) {
        scores_rows<4>(q, kt, keybias, sp, d, nv, scale, p, mx);
        scores_rows<R - 4>(q + 4, kt, keybias, sp, d, nv, scale, p + 4 * sp, mx + 4);
    } else {
        for (int64_t j0 = 0; j0 < nv; j0 += 64) {
            switch (std::min<int64_t>(4, (nv - j0) / 16)) {
                case 4: scores_block<R, 4>(q, kt + j0, sp, d, keybias + j0, scale, p + j0, mx); break;
                case 3: scores_block<R, 3>(q, kt + j0, sp, d, keybias + j0, scale, p + j0, mx); break;
                case 2: scores_block<R, 2>(q, kt + j0, sp, d, keybias + j0, scale, p + j0, mx); break;
                default: scores_block<R, 1>(q, kt + j0, sp, d, keybias + j0, scale, p + j0, mx); break;
            }
        }
    }
}

// P V for R rows and CV value vectors: all R rows share each value load while R * CV <= 16 accumulators, else 4 rows
// at a time.
template <int R, int CV>
T4J_AVX512 inline void values_rows(const float *p, int64_t sp, const float *v, int64_t vts, int64_t n, __mmask16 last,
                                   const float *inv, float *const *o) {
    if constexpr (R * CV > 16 && R > 4) {
        values_block<4, CV>(p, sp, v, vts, n, last, inv, o);
        values_rows<R - 4, CV>(p + 4 * sp, sp, v, vts, n, last, inv + 4, o + 4);
    } else {
        values_block<R, CV>(p, sp, v, vts, n, last, inv, o);
    }
}

// R query rows starting at i0 (R <= kBlockRows).
template <int R>
T4J_AVX512 void rows_avx512(const Args &a, int64_t b, int64_t h, int64_t i0, int64_t sp, Scratch &w) {
    const int64_t d = a.dim;
    const float *q[R];
    int64_t n[R], nmax = 0;
    for (int r = 0; r < R; ++r) {
        q[r] = a.q + b * a.qs[0] + (i0 + r) * a.qs[1] + h * a.qs[2];
        n[r] = limit(a, i0 + r);
        nmax = std::max(nmax, n[r]);
    }
    int64_t nv = (nmax + 15) / 16 * 16;  // score columns computed (kt is zero padded to sp)
    // Raw pointers once: w is thread_local, and every w.x.data() in a loop costs a __tls_get_addr call here (-fPIC).
    float *p = w.p.data();
    const float *keybias = w.bias.data();
    const __mmask16 *livekeys = w.live.data();
    __m512 mx[R];
    for (int r = 0; r < R; ++r) mx[r] = _mm512_set1_ps(-INFINITY);
    scores_rows<R>(q, w.kt.data(), keybias, sp, d, nv, a.scale, p, mx);
    // Softmax per row over its visible keys; p = exp(s - max) (0 beyond the row's limit), inv = 1 / sum.
    float inv[R];
    for (int r = 0; r < R; ++r) {
        float *pr = p + r * sp;
        // Without the causal rule every computed score is visible or -inf, so the running maximum is the row's.
        if (a.causal) {
            mx[r] = _mm512_set1_ps(-INFINITY);
            for (int64_t j = 0; j < n[r]; j += 16)
                mx[r] = _mm512_maskz_max_ps(0xffff, mx[r], _mm512_mask_loadu_ps(mx[r], tail_mask(n[r] - j), pr + j));
        }
        float m = t4j::hmax512(mx[r]);
        __m512 sum = _mm512_setzero_ps(), mv = _mm512_set1_ps(m);
        for (int64_t j = 0; j < nv; j += 16) {
            // exp512 clamps its argument, so masked keys (bias -inf) and keys past the row's limit are zeroed explicitly.
            __mmask16 live = tail_mask(n[r] - j) & livekeys[j / 16];
            __m512 e = m == -INFINITY ? _mm512_setzero_ps()
                                      : _mm512_maskz_mov_ps(live, t4j::exp512(_mm512_sub_ps(_mm512_loadu_ps(pr + j), mv)));
            _mm512_storeu_ps(pr + j, e);
            sum = _mm512_add_ps(sum, e);
        }
        float s = t4j::hsum512(sum);
        inv[r] = s > 0 ? 1.0f / s : 0.0f;
    }
    // out rows = P V, 64 value columns per block.
    const float *vb = a.v + b * a.vs[0] + h * a.vs[2];
    for (int64_t c0 = 0; c0 < d; c0 += 64) {
        int64_t width = std::min<int64_t>(64, d - c0);
        __mmask16 last = tail_mask(width - (width - 1) / 16 * 16);
        float *o[R];
        for (int r = 0; r < R; ++r) o[r] = a.out + ((b * a.q_len + i0 + r) * a.heads + h) * d + c0;
        switch ((width + 15) / 16) {
            case 4: values_rows<R, 4>(p, sp, vb + c0, a.vs[1], nmax, last, inv, o); break;
            case 3: values_rows<R, 3>(p, sp, vb + c0, a.vs[1], nmax, last, inv, o); break;
            case 2: values_rows<R, 2>(p, sp, vb + c0, a.vs[1], nmax, last, inv, o); break;
            default: values_rows<R, 1>(p, sp, vb + c0, a.vs[1], nmax, last, inv, o); break;
        }
    }
}

T4J_AVX512 void pair_avx512(const Args &a, int64_t bh, Scratch &w) {
    int64_t b = bh / a.heads, h = bh % a.heads, d = a.dim, S = a.kv_len;
    int64_t sp = (S + 63) / 64 * 64;
    w.kt.resize(static_cast<size_t>(d * sp));
    // Only the padding keys [S, sp) need zeros; the transposes below fill the rest.
    if (sp > S)
        for (int64_t c = 0; c < d; ++c) std::fill(w.kt.begin() + c * sp + S, w.kt.begin() + (c + 1) * sp, 0.0f);
    w.bias.resize(static_cast<size_t>(sp));
    w.p.resize(static_cast<size_t>(kBlockRows * sp));
    for (int64_t j = 0; j < sp; ++j) w.bias[j] = j < S && visible(a, b, j) ? 0.0f : -INFINITY;
    w.live.assign(static_cast<size_t>(sp / 16), 0);
    for (int64_t j = 0; j < sp; ++j)
        if (w.bias[j] == 0.0f) w.live[j / 16] = static_cast<__mmask16>(w.live[j / 16] | (1u << (j % 16)));
    // K^T: 16 keys x 16 dims per transpose.
    const float *kb = a.k + b * a.ks[0] + h * a.ks[2];
    for (int64_t j = 0; j < S; j += 16)
        for (int64_t c = 0; c < d; c += 16)
            t4j::transpose16(kb + j * a.ks[1] + c, a.ks[1], static_cast<int>(std::min<int64_t>(16, S - j)),
                             static_cast<int>(std::min<int64_t>(16, d - c)), w.kt.data() + c * sp + j, sp);
    int64_t i = 0;
    for (; i + kBlockRows <= a.q_len; i += kBlockRows) rows_avx512<kBlockRows>(a, b, h, i, sp, w);
    switch (a.q_len - i) {
        case 7: rows_avx512<7>(a, b, h, i, sp, w); break;
        case 6: rows_avx512<6>(a, b, h, i, sp, w); break;
        case 5: rows_avx512<5>(a, b, h, i, sp, w); break;
        case 4: rows_avx512<4>(a, b, h, i, sp, w); break;
        case 3: rows_avx512<3>(a, b, h, i, sp, w); break;
        case 2: rows_avx512<2>(a, b, h, i, sp, w); break;
        case 1: rows_avx512<1>(a, b, h, i, sp, w); break;
        default: break;
    }
}

#undef T4J_AVX512

}  // namespace

extern "C" int t4j_attention_f32_cpu(const float *q, const float *k, const float *v, const uint8_t *key_mask, float *out,
                                     int64_t batch, int64_t heads, int64_t q_len, int64_t kv_len, int64_t head_dim,
                                     int64_t q_batch_stride, int64_t q_token_stride, int64_t q_head_stride,
                                     int64_t k_batch_stride, int64_t k_token_stride, int64_t k_head_stride,
                                     int64_t v_batch_stride, int64_t v_token_stride, int64_t v_head_stride, float scale,
                                     int causal, int num_threads, t4j_stream) {
    T4J_PROTECT({
        bool nothing;
        if (int st = t4j::check_attention(q, k, v, out, batch, heads, q_len, kv_len, head_dim, scale, num_threads, &nothing))
            return st;
        if (nothing) return t4j::ok();
        int64_t pairs = batch * heads;
        Args a{q, k, v, key_mask, out, heads, q_len, kv_len, head_dim,
               {q_batch_stride, q_token_stride, q_head_stride}, {k_batch_stride, k_token_stride, k_head_stride},
               {v_batch_stride, v_token_stride, v_head_stride}, scale, causal != 0};
        bool avx512 = t4j::isa() == t4j::Isa::kAvx512;
        int64_t work = pairs * q_len * (kv_len + 1) * head_dim;
        int threads = static_cast<int>(std::min<int64_t>(num_threads, std::max<int64_t>(1, work / 32768)));
        std::atomic<bool> oom{false};
        t4j::parallel_for(threads, pairs, 1, [&](int64_t p0, int64_t p1) {
            try {
                if (avx512) {
                    thread_local Scratch w;
                    for (int64_t bh = p0; bh < p1; ++bh) pair_avx512(a, bh, w);
                } else {
                    std::vector<float> s;
                    for (int64_t bh = p0; bh < p1; ++bh) pair_scalar(a, bh, s);
                }
            } catch (const std::bad_alloc &) {
                oom = true;
            }
        });
        if (oom) return t4j::fail(T4J_ERR_INTERNAL, "attention: out of memory for scratch rows");
        return t4j::ok();
    })
}
