// Fused residual add + LayerNorm over the last dimension, float32 and bfloat16 (float32 math),
// AVX-512 / AVX2 / scalar at run time.
//
//   s = x + residual                      (rounded to the storage dtype, as the composite x.add(residual) is)
//   out = (s - mean(s)) / sqrt(var(s) + eps) * gamma + beta,   var biased, as torch.nn.functional.layer_norm
// Per row: pass 1 forms s (and writes `sum` when asked) and sums d = s - s[0] and d^2 in double; pass 2
// reads s back from `sum` (or forms it again) and writes out. The shift by s[0] keeps d near the spread of the row, not its offset (d is
// exact when |mean| >> std), and double sums keep var = E[d^2] - E[d]^2 accurate without a separate pass
// over s - mean. Large inputs are split by rows over the t4j::parallel_for pool.
#include <cmath>
#include <string>

#include "cpu/thread_pool.h"
#include "cpu/vmath.h"
#include "internal.h"

namespace {

using t4j::Isa;

inline float load1(const float *p) { return *p; }
inline float load1(const uint16_t *p) { return t4j::bf16_to_f32(*p); }
inline void store1(float *p, float v) { *p = v; }
inline void store1(uint16_t *p, float v) { *p = t4j::f32_to_bf16(v); }
// Rounds v as storing it in T and loading it back would.
inline float round_to(const float *, float v) { return v; }
inline float round_to(const uint16_t *, float v) { return t4j::bf16_to_f32(t4j::f32_to_bf16(v)); }

// mean and 1 / sqrt(var + eps) from the sums of d = s - s0 and d^2 over n values.
inline void moments(float s0, double sd, double sq, int64_t n, float eps, float *mean, float *rstd) {
    double md = sd / n;
    double var = std::fmax(sq / n - md * md, 0.0);
    *mean = static_cast<float>(s0 + md);
    *rstd = static_cast<float>(1.0 / std::sqrt(var + eps));
}

// s[c] for pass 2: from sum when pass 1 wrote it (sum may alias x or residual, so recomputing could read s
// back as x), else recomputed.
template <typename T>
inline float sum_or_s(const T *x, const T *r, const T *sum, int64_t c) {
    return sum ? load1(sum + c) : round_to(x, load1(x + c) + load1(r + c));
}

template <typename T>
void row_scalar(const T *x, const T *r, const T *g, const T *b, T *out, T *sum, int64_t cols, float eps) {
    float s0 = round_to(x, load1(x) + load1(r));
    double sd = 0, sq = 0;
    for (int64_t c = 0; c < cols; ++c) {
        float v = round_to(x, load1(x + c) + load1(r + c));
        if (sum) store1(sum + c, v);
        double d = v - s0;
        sd += d;
        sq += d * d;
    }
    float mean, rstd;
    moments(s0, sd, sq, cols, eps, &mean, &rstd);
    for (int64_t c = 0; c < cols; ++c)
        store1(out + c, (sum_or_s(x, r, sum, c) - mean) * rstd * load1(g + c) + load1(b + c));
}

// ---------------------------------------------------------------- AVX-512

__attribute__((target("avx512f,avx512bw,avx512vl"))) inline __m512 load16(const float *p, __mmask16 m) {
    return _mm512_maskz_loadu_ps(m, p);
}
__attribute__((target("avx512f,avx512bw,avx512vl"))) inline __m512 load16(const uint16_t *p, __mmask16 m) {
    __m256i h = _mm256_maskz_loadu_epi16(m, p);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}
__attribute__((target("avx512f,avx512bw,avx512vl"))) inline __m512i to_bf16_bits(__m512 v) {
    __m512i u = _mm512_castps_si512(v);
    __m512i bias = _mm512_add_epi32(_mm512_set1_epi32(0x7fff), _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1)));
    __m512i rounded = _mm512_srli_epi32(_mm512_add_epi32(u, bias), 16);
    __mmask16 nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    return _mm512_mask_mov_epi32(rounded, nan, _mm512_or_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(0x40)));
}
__attribute__((target("avx512f,avx512bw,avx512vl"))) inline void store16(float *p, __mmask16 m, __m512 v) {
    _mm512_mask_storeu_ps(p, m, v);
}
__attribute__((target("avx512f,avx512bw,avx512vl"))) inline void store16(uint16_t *p, __mmask16 m, __m512 v) {
    _mm256_mask_storeu_epi16(p, m, _mm512_cvtepi32_epi16(to_bf16_bits(v)));
}
__attribute__((target("avx512f,avx512bw,avx512vl"))) inline __m512 round16(const float *, __m512 v) { return v; }
__attribute__((target("avx512f,avx512bw,avx512vl"))) inline __m512 round16(const uint16_t *, __m512 v) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(to_bf16_bits(v), 16));
}

__attribute__((target("avx512f"))) inline double hsum512d(__m512d v) {
    alignas(64) double lanes[8];
    _mm512_store_pd(lanes, v);
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

template <typename T>
__attribute__((target("avx512f,avx512bw,avx512vl"))) void row_avx512(const T *x, const T *r, const T *g, const T *b, T *out,
                                                                     T *sum, int64_t cols, float eps) {
    auto mask = [cols](int64_t c) {
        return cols - c >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (cols - c)) - 1u);
    };
    float s0 = round_to(x, load1(x) + load1(r));
    __m512 vs0 = _mm512_set1_ps(s0);
    // Separate accumulators for the low and high halves: four independent chains, not one.
    __m512d sd_lo = _mm512_setzero_pd(), sd_hi = _mm512_setzero_pd(), sq_lo = _mm512_setzero_pd(), sq_hi = _mm512_setzero_pd();
    for (int64_t c = 0; c < cols; c += 16) {
        __mmask16 m = mask(c);
        __m512 v = round16(x, _mm512_add_ps(load16(x + c, m), load16(r + c, m)));
        if (sum) store16(sum + c, m, v);
        __m512 d = _mm512_maskz_sub_ps(m, v, vs0);
        __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(d)), hi = _mm512_cvtps_pd(t4j::high256(d));
        sd_lo = _mm512_add_pd(sd_lo, lo);
        sd_hi = _mm512_add_pd(sd_hi, hi);
        sq_lo = _mm512_fmadd_pd(lo, lo, sq_lo);
        sq_hi = _mm512_fmadd_pd(hi, hi, sq_hi);
    }
    float mean, rs;
    moments(s0, hsum512d(_mm512_add_pd(sd_lo, sd_hi)), hsum512d(_mm512_add_pd(sq_lo, sq_hi)), cols, eps, &mean, &rs);
    __m512 vmean = _mm512_set1_ps(mean), rstd = _mm512_set1_ps(rs);
    for (int64_t c = 0; c < cols; c += 16) {
        __mmask16 m = mask(c);
        __m512 v = sum ? load16(sum + c, m) : round16(x, _mm512_add_ps(load16(x + c, m), load16(r + c, m)));
        __m512 n = _mm512_mul_ps(_mm512_sub_ps(v, vmean), rstd);
        store16(out + c, m, _mm512_fmadd_ps(n, load16(g + c, m), load16(b + c, m)));
    }
}

// ---------------------------------------------------------------- AVX2 (scalar tails)

__attribute__((target("avx2,fma"))) inline __m256 load8(const float *p) { return _mm256_loadu_ps(p); }
__attribute__((target("avx2,fma"))) inline __m256 load8(const uint16_t *p) {
    __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}
__attribute__((target("avx2,fma"))) inline void store8(float *p, __m256 v) { _mm256_storeu_ps(p, v); }
__attribute__((target("avx2,fma"))) inline void store8(uint16_t *p, __m256 v) {
    alignas(32) float tmp[8];
    _mm256_store_ps(tmp, v);
    for (int i = 0; i < 8; ++i) p[i] = t4j::f32_to_bf16(tmp[i]);
}
__attribute__((target("avx2,fma"))) inline __m256 round8(const float *, __m256 v) { return v; }
__attribute__((target("avx2,fma"))) inline __m256 round8(const uint16_t *, __m256 v) {
    alignas(32) float tmp[8];
    _mm256_store_ps(tmp, v);
    for (int i = 0; i < 8; ++i) tmp[i] = t4j::bf16_to_f32(t4j::f32_to_bf16(tmp[i]));
    return _mm256_load_ps(tmp);
}

template <typename T>
__attribute__((target("avx2,fma"))) void row_avx2(const T *x, const T *r, const T *g, const T *b, T *out, T *sum,
                                                  int64_t cols, float eps) {
    int64_t vec = cols / 8 * 8;
    float s0 = round_to(x, load1(x) + load1(r));
    __m256 vs0 = _mm256_set1_ps(s0);
    __m256d sd_lo = _mm256_setzero_pd(), sd_hi = _mm256_setzero_pd(), sq_lo = _mm256_setzero_pd(), sq_hi = _mm256_setzero_pd();
    for (int64_t c = 0; c < vec; c += 8) {
        __m256 v = round8(x, _mm256_add_ps(load8(x + c), load8(r + c)));
        if (sum) store8(sum + c, v);
        __m256 d = _mm256_sub_ps(v, vs0);
        __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(d)), hi = _mm256_cvtps_pd(_mm256_extractf128_ps(d, 1));
        sd_lo = _mm256_add_pd(sd_lo, lo);
        sd_hi = _mm256_add_pd(sd_hi, hi);
        sq_lo = _mm256_fmadd_pd(lo, lo, sq_lo);
        sq_hi = _mm256_fmadd_pd(hi, hi, sq_hi);
    }
    alignas(32) double a[4], q[4];
    _mm256_store_pd(a, _mm256_add_pd(sd_lo, sd_hi));
    _mm256_store_pd(q, _mm256_add_pd(sq_lo, sq_hi));
    double sd = (a[0] + a[1]) + (a[2] + a[3]), sq = (q[0] + q[1]) + (q[2] + q[3]);
    for (int64_t c = vec; c < cols; ++c) {
        float v = round_to(x, load1(x + c) + load1(r + c));
        if (sum) store1(sum + c, v);
        double d = v - s0;
        sd += d;
        sq += d * d;
    }
    float mean, rs;
    moments(s0, sd, sq, cols, eps, &mean, &rs);
    __m256 vmean = _mm256_set1_ps(mean), rstd = _mm256_set1_ps(rs);
    for (int64_t c = 0; c < vec; c += 8) {
        __m256 v = sum ? load8(sum + c) : round8(x, _mm256_add_ps(load8(x + c), load8(r + c)));
        __m256 n = _mm256_mul_ps(_mm256_sub_ps(v, vmean), rstd);
        store8(out + c, _mm256_fmadd_ps(n, load8(g + c), load8(b + c)));
    }
    for (int64_t c = vec; c < cols; ++c)
        store1(out + c, (sum_or_s(x, r, sum, c) - mean) * rs * load1(g + c) + load1(b + c));
}

// Below this many elements per thread, waking a worker costs more than it saves.
constexpr int64_t kParallelGrain = 32768;

template <typename T>
int run(const char *what, const T *x, const T *r, const T *g, const T *b, T *out, T *sum, int64_t rows, int64_t cols,
        float eps, int num_threads) {
    if (rows < 0 || cols < 0) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, (std::string(what) + ": rows and cols must be >= 0").c_str());
    if (!(eps >= 0.0f) || std::isinf(eps))
        return t4j::fail(T4J_ERR_INVALID_ARGUMENT, (std::string(what) + ": eps must be finite and >= 0").c_str());
    if (num_threads < 1) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, (std::string(what) + ": num_threads must be >= 1").c_str());
    if (rows == 0 || cols == 0) return t4j::ok();
    if (!x || !r || !g || !b || !out) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, (std::string(what) + ": null data pointer").c_str());
    Isa isa = t4j::isa();
    auto part = [&](int64_t r0, int64_t r1) {
        for (int64_t row = r0; row < r1; ++row) {
            int64_t o = row * cols;
            T *sum_row = sum ? sum + o : nullptr;
            switch (isa) {
                case Isa::kAvx512: row_avx512(x + o, r + o, g, b, out + o, sum_row, cols, eps); break;
                case Isa::kAvx2: row_avx2(x + o, r + o, g, b, out + o, sum_row, cols, eps); break;
                default: row_scalar(x + o, r + o, g, b, out + o, sum_row, cols, eps); break;
            }
        }
    };
    int64_t grain = (kParallelGrain + cols - 1) / cols;
    if (num_threads == 1 || rows < 2 * grain)
        part(0, rows);  // without the std::function the pool needs
    else
        t4j::parallel_for(num_threads, rows, grain, part);
    return t4j::ok();
}

}  // namespace

extern "C" int t4j_add_layernorm_f32_cpu(const float *x, const float *residual, const float *gamma, const float *beta,
                                         float *out, float *sum, int64_t rows, int64_t cols, float eps, int num_threads,
                                         t4j_stream) {
    T4J_PROTECT({ return run("add_layernorm_f32", x, residual, gamma, beta, out, sum, rows, cols, eps, num_threads); })
}

extern "C" int t4j_add_layernorm_bf16_cpu(const uint16_t *x, const uint16_t *residual, const uint16_t *gamma,
                                          const uint16_t *beta, uint16_t *out, uint16_t *sum, int64_t rows, int64_t cols,
                                          float eps, int num_threads, t4j_stream) {
    T4J_PROTECT({ return run("add_layernorm_bf16", x, residual, gamma, beta, out, sum, rows, cols, eps, num_threads); })
}
