// Fused residual add + LayerNorm over the last dimension, float32 and bfloat16 (float32 math),
// AVX-512 / AVX2 / scalar at run time.
//
//   s = x + residual                      (rounded to the storage dtype, as the composite x.add(residual) is)
//   out = (s - mean(s)) / sqrt(var(s) + eps) * gamma + beta,   var biased, as torch.nn.functional.layer_norm
// Per row: pass 1 forms s (and writes `sum` when asked) and sums s - s[0] in float (the shift keeps the
// partial sums near the spread of the row, not its offset), pass 2 sums (s - mean)^2 in double (two
// passes keep the variance accurate even when |mean| >> std), pass 3 writes out.
#include <cmath>
#include <string>
#include <vector>

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

template <typename T>
void row_scalar(const T *x, const T *r, const T *g, const T *b, T *out, T *sum, float *s, int64_t cols, float eps) {
    double acc = 0;
    for (int64_t c = 0; c < cols; ++c) {
        s[c] = round_to(x, load1(x + c) + load1(r + c));
        if (sum) store1(sum + c, s[c]);
        acc += s[c];
    }
    float mean = static_cast<float>(acc / cols);
    double sq = 0;
    for (int64_t c = 0; c < cols; ++c) {
        float d = s[c] - mean;
        sq += static_cast<double>(d) * d;
    }
    float rstd = static_cast<float>(1.0 / std::sqrt(sq / cols + eps));
    for (int64_t c = 0; c < cols; ++c) store1(out + c, (s[c] - mean) * rstd * load1(g + c) + load1(b + c));
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

template <typename T>
__attribute__((target("avx512f,avx512bw,avx512vl"))) void row_avx512(const T *x, const T *r, const T *g, const T *b, T *out,
                                                                     T *sum, float *s, int64_t cols, float eps) {
    auto mask = [cols](int64_t c) {
        return cols - c >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (cols - c)) - 1u);
    };
    float s0 = round_to(x, load1(x) + load1(r));
    __m512 vs0 = _mm512_set1_ps(s0);
    __m512 acc = _mm512_setzero_ps();
    for (int64_t c = 0; c < cols; c += 16) {
        __mmask16 m = mask(c);
        __m512 v = round16(x, _mm512_add_ps(load16(x + c, m), load16(r + c, m)));
        _mm512_mask_storeu_ps(s + c, m, v);
        if (sum) store16(sum + c, m, v);
        acc = _mm512_add_ps(acc, _mm512_maskz_sub_ps(m, v, vs0));
    }
    float mean = s0 + t4j::hsum512(acc) / static_cast<float>(cols);
    __m512 vmean = _mm512_set1_ps(mean);
    __m512d sq = _mm512_setzero_pd();
    for (int64_t c = 0; c < cols; c += 16) {
        __mmask16 m = mask(c);
        __m512 d = _mm512_maskz_sub_ps(m, _mm512_maskz_loadu_ps(m, s + c), vmean);
        __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(d)), hi = _mm512_cvtps_pd(t4j::high256(d));
        sq = _mm512_fmadd_pd(lo, lo, _mm512_fmadd_pd(hi, hi, sq));
    }
    alignas(64) double lanes[8];
    _mm512_store_pd(lanes, sq);
    double sqd = 0;
    for (double l : lanes) sqd += l;
    __m512 rstd = _mm512_set1_ps(static_cast<float>(1.0 / std::sqrt(sqd / cols + eps)));
    for (int64_t c = 0; c < cols; c += 16) {
        __mmask16 m = mask(c);
        __m512 n = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, s + c), vmean), rstd);
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
__attribute__((target("avx2,fma"))) void row_avx2(const T *x, const T *r, const T *g, const T *b, T *out, T *sum, float *s,
                                                  int64_t cols, float eps) {
    int64_t vec = cols / 8 * 8;
    float s0 = round_to(x, load1(x) + load1(r));
    __m256 vs0 = _mm256_set1_ps(s0);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t c = 0; c < vec; c += 8) {
        __m256 v = round8(x, _mm256_add_ps(load8(x + c), load8(r + c)));
        _mm256_storeu_ps(s + c, v);
        if (sum) store8(sum + c, v);
        acc = _mm256_add_ps(acc, _mm256_sub_ps(v, vs0));
    }
    float total = t4j::hsum256(acc);
    for (int64_t c = vec; c < cols; ++c) {
        s[c] = round_to(x, load1(x + c) + load1(r + c));
        if (sum) store1(sum + c, s[c]);
        total += s[c] - s0;
    }
    float mean = s0 + total / static_cast<float>(cols);
    __m256 vmean = _mm256_set1_ps(mean);
    __m256d sq = _mm256_setzero_pd();
    for (int64_t c = 0; c < vec; c += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(s + c), vmean);
        __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(d)), hi = _mm256_cvtps_pd(_mm256_extractf128_ps(d, 1));
        sq = _mm256_fmadd_pd(lo, lo, _mm256_fmadd_pd(hi, hi, sq));
    }
    alignas(32) double lanes[4];
    _mm256_store_pd(lanes, sq);
    double sqd = lanes[0] + lanes[1] + lanes[2] + lanes[3];
    for (int64_t c = vec; c < cols; ++c) sqd += static_cast<double>(s[c] - mean) * (s[c] - mean);
    float rs = static_cast<float>(1.0 / std::sqrt(sqd / cols + eps));
    __m256 rstd = _mm256_set1_ps(rs);
    for (int64_t c = 0; c < vec; c += 8) {
        __m256 n = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(s + c), vmean), rstd);
        store8(out + c, _mm256_fmadd_ps(n, load8(g + c), load8(b + c)));
    }
    for (int64_t c = vec; c < cols; ++c) store1(out + c, (s[c] - mean) * rs * load1(g + c) + load1(b + c));
}

template <typename T>
int run(const char *what, const T *x, const T *r, const T *g, const T *b, T *out, T *sum, int64_t rows, int64_t cols,
        float eps) {
    std::string name(what);
    if (rows < 0 || cols < 0) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, (name + ": rows and cols must be >= 0").c_str());
    if (!(eps >= 0.0f) || std::isinf(eps)) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, (name + ": eps must be finite and >= 0").c_str());
    if (rows == 0 || cols == 0) return t4j::ok();
    if (!x || !r || !g || !b || !out) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, (name + ": null data pointer").c_str());
    std::vector<float> s(static_cast<size_t>(cols));
    Isa isa = t4j::isa();
    for (int64_t row = 0; row < rows; ++row) {
        int64_t o = row * cols;
        T *sum_row = sum ? sum + o : nullptr;
        switch (isa) {
            case Isa::kAvx512: row_avx512(x + o, r + o, g, b, out + o, sum_row, s.data(), cols, eps); break;
            case Isa::kAvx2: row_avx2(x + o, r + o, g, b, out + o, sum_row, s.data(), cols, eps); break;
            default: row_scalar(x + o, r + o, g, b, out + o, sum_row, s.data(), cols, eps); break;
        }
    }
    return t4j::ok();
}

}  // namespace

extern "C" int t4j_add_layernorm_f32_cpu(const float *x, const float *residual, const float *gamma, const float *beta,
                                         float *out, float *sum, int64_t rows, int64_t cols, float eps, t4j_stream) {
    T4J_PROTECT({ return run("add_layernorm_f32", x, residual, gamma, beta, out, sum, rows, cols, eps); })
}

extern "C" int t4j_add_layernorm_bf16_cpu(const uint16_t *x, const uint16_t *residual, const uint16_t *gamma,
                                          const uint16_t *beta, uint16_t *out, uint16_t *sum, int64_t rows, int64_t cols,
                                          float eps, t4j_stream) {
    T4J_PROTECT({ return run("add_layernorm_bf16", x, residual, gamma, beta, out, sum, rows, cols, eps); })
}
