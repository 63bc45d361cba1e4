// tanh-GELU on float32, vectorised with AVX-512 or AVX2 (chosen at run time), scalar otherwise.
//
// gelu(x) = 0.5 x (1 + tanh(u)) = x * sigmoid(2u) = x / (1 + exp(-2u)),  u = sqrt(2/pi) (x + 0.044715 x^3)
// The sigmoid form needs one exp and one division and has no cancellation for negative x.
#include <immintrin.h>

#include <cmath>
#include <cstddef>

#include "internal.h"

namespace {

constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kCubic = 0.044715f;

// exp arguments are clamped so that 2^n stays a normal float; outside the range gelu is x or 0
// to float precision anyway.
constexpr float kExpHi = 88.0f;
constexpr float kExpLo = -87.0f;

inline float gelu_scalar(float x) {
    float u = kSqrt2OverPi * (x + kCubic * x * x * x);
    float e = std::exp(std::fmin(std::fmax(-2.0f * u, kExpLo), kExpHi));
    return x / (1.0f + e);
}

void gelu_scalar_loop(const float *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] = gelu_scalar(x[i]);
}

// Cephes-style expf: n = round(x log2 e), r = x - n ln 2 (two-part ln 2), degree-6 polynomial in r,
// scaled by 2^n through the exponent bits. About 1 ulp on the clamped range.
#define T4J_EXP_BODY(V, SET1, MUL, ADD, SUB, FMADD, ROUND, CVT, SLLI, ADDI, CASTI, MIN, MAX, SETI)  \
    x = MIN(MAX(x, SET1(kExpLo)), SET1(kExpHi));                                                  \
    V n = ROUND(MUL(x, SET1(1.44269504088896341f)));                                              \
    V r = SUB(x, MUL(n, SET1(0.693359375f)));                                                     \
    r = SUB(r, MUL(n, SET1(-2.12194440e-4f)));                                                    \
    V p = SET1(1.9875691500E-4f);                                                                 \
    p = FMADD(p, r, SET1(1.3981999507E-3f));                                                      \
    p = FMADD(p, r, SET1(8.3334519073E-3f));                                                      \
    p = FMADD(p, r, SET1(4.1665795894E-2f));                                                      \
    p = FMADD(p, r, SET1(1.6666665459E-1f));                                                      \
    p = FMADD(p, r, SET1(5.0000001201E-1f));                                                      \
    p = FMADD(p, MUL(r, r), ADD(r, SET1(1.0f)));                                                  \
    V scale = CASTI(SLLI(ADDI(CVT(n), SETI(127)), 23));                                           \
    return MUL(p, scale);

__attribute__((target("avx512f"))) inline __m512 exp512(__m512 x) {
#define R512(v) _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
    T4J_EXP_BODY(__m512, _mm512_set1_ps, _mm512_mul_ps, _mm512_add_ps, _mm512_sub_ps, _mm512_fmadd_ps,
                 R512, _mm512_cvtps_epi32, _mm512_slli_epi32, _mm512_add_epi32, _mm512_castsi512_ps,
                 _mm512_min_ps, _mm512_max_ps, _mm512_set1_epi32)
#undef R512
}

__attribute__((target("avx512f"))) inline __m512 gelu512(__m512 x) {
    __m512 x3 = _mm512_mul_ps(_mm512_mul_ps(x, x), x);
    __m512 u = _mm512_mul_ps(_mm512_set1_ps(kSqrt2OverPi), _mm512_fmadd_ps(_mm512_set1_ps(kCubic), x3, x));
    __m512 e = exp512(_mm512_mul_ps(_mm512_set1_ps(-2.0f), u));
    return _mm512_div_ps(x, _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

__attribute__((target("avx512f"))) void gelu_avx512(const float *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, gelu512(_mm512_loadu_ps(x + i)));
    if (i < n) {
        __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1u);
        _mm512_mask_storeu_ps(y + i, m, gelu512(_mm512_maskz_loadu_ps(m, x + i)));
    }
}

__attribute__((target("avx2,fma"))) inline __m256 exp256(__m256 x) {
#define R256(v) _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
    T4J_EXP_BODY(__m256, _mm256_set1_ps, _mm256_mul_ps, _mm256_add_ps, _mm256_sub_ps, _mm256_fmadd_ps,
                 R256, _mm256_cvtps_epi32, _mm256_slli_epi32, _mm256_add_epi32, _mm256_castsi256_ps,
                 _mm256_min_ps, _mm256_max_ps, _mm256_set1_epi32)
#undef R256
}

__attribute__((target("avx2,fma"))) void gelu_avx2(const float *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        __m256 x3 = _mm256_mul_ps(_mm256_mul_ps(v, v), v);
        __m256 u = _mm256_mul_ps(_mm256_set1_ps(kSqrt2OverPi), _mm256_fmadd_ps(_mm256_set1_ps(kCubic), x3, v));
        __m256 e = exp256(_mm256_mul_ps(_mm256_set1_ps(-2.0f), u));
        _mm256_storeu_ps(y + i, _mm256_div_ps(v, _mm256_add_ps(_mm256_set1_ps(1.0f), e)));
    }
    gelu_scalar_loop(x + i, y + i, n - i);
}

#undef T4J_EXP_BODY

enum class Isa { kScalar, kAvx2, kAvx512 };

Isa detect() {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return Isa::kAvx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::kAvx2;
    return Isa::kScalar;
}

Isa isa() {
    static const Isa chosen = detect();
    return chosen;
}

bool overlaps_partially(const float *x, const float *y, int64_t n) {
    if (x == y) return false;
    return x < y + n && y < x + n;
}

}  // namespace

extern "C" const char *t4j_cpu_isa(void) {
    switch (isa()) {
        case Isa::kAvx512: return "avx512";
        case Isa::kAvx2: return "avx2";
        default: return "scalar";
    }
}

extern "C" int t4j_gelu_tanh_f32_cpu(const float *x, float *y, int64_t n, t4j_stream) {
    if (n < 0) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "gelu_tanh: n must be >= 0");
    if (n == 0) return t4j::ok();
    if (!x || !y) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "gelu_tanh: null data pointer");
    if (overlaps_partially(x, y, n))
        return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "gelu_tanh: x and y overlap without being equal");
    switch (isa()) {
        case Isa::kAvx512: gelu_avx512(x, y, n); break;
        case Isa::kAvx2: gelu_avx2(x, y, n); break;
        default: gelu_scalar_loop(x, y, n); break;
    }
    return t4j::ok();
}
