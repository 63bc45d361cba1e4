// Vector math and ISA dispatch shared by the CPU kernels; not part of the C ABI.
#ifndef TORCH4J_CPU_VMATH_H
#define TORCH4J_CPU_VMATH_H

#include <immintrin.h>

#include <cmath>
#include <cstdint>
#include <cstring>

namespace t4j {

// kAvx512 means AVX-512 F + BW + VL (byte/word masked loads are used by the int8 and bf16 kernels).
enum class Isa { kScalar, kAvx2, kAvx512 };

// The code path picked once per process from CPUID (isa.cpp).
Isa isa();

// Whether the int8 linear may use AVX-512 VNNI (vpdpbusd): isa() is kAvx512, the CPU has avx512_vnni and
// T4J_CPU_ISA does not lower the choice. A flag beside Isa, not a new Isa value: the other kernels' AVX-512
// paths stay what they are.
bool vnni();

// exp arguments are clamped so that 2^n stays a normal float; beyond the range the callers' results are
// already saturated to float precision.
constexpr float kExpHi = 88.0f;
constexpr float kExpLo = -87.0f;
constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kGeluCubic = 0.044715f;
constexpr float kInvSqrt2 = 0.7071067811865476f;
constexpr float kInvSqrt2Pi = 0.3989422804014327f;

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

// The same steps as T4J_EXP_BODY, with the final p * 2^n done by vscalefps (bit-identical: n is an integer in
// [-126, 127], so both are exact), which saves the integer exponent arithmetic.
__attribute__((target("avx512f"))) inline __m512 exp512(__m512 x) {
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(kExpLo)), _mm512_set1_ps(kExpHi));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_sub_ps(x, _mm512_mul_ps(n, _mm512_set1_ps(0.693359375f)));
    r = _mm512_sub_ps(r, _mm512_mul_ps(n, _mm512_set1_ps(-2.12194440e-4f)));
    __m512 p = _mm512_set1_ps(1.9875691500E-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507E-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073E-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894E-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459E-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201E-1f));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(p, n);
}

__attribute__((target("avx2,fma"))) inline __m256 exp256(__m256 x) {
#define T4J_R256(v) _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
    T4J_EXP_BODY(__m256, _mm256_set1_ps, _mm256_mul_ps, _mm256_add_ps, _mm256_sub_ps, _mm256_fmadd_ps,
                 T4J_R256, _mm256_cvtps_epi32, _mm256_slli_epi32, _mm256_add_epi32, _mm256_castsi256_ps,
                 _mm256_min_ps, _mm256_max_ps, _mm256_set1_epi32)
#undef T4J_R256
}

#undef T4J_EXP_BODY

inline float exp_scalar(float x) { return std::exp(std::fmin(std::fmax(x, kExpLo), kExpHi)); }

// Phi(z) = 0.5 erfc(-z / sqrt 2), with erfc from Numerical Recipes' Chebyshev fit (fractional error
// below 1.2e-7 for every argument). erfc keeps relative accuracy in the lower tail, where
// 0.5 (1 + erf(z / sqrt 2)) would cancel.
#define T4J_NR_ERFC_POLY(FMADD, SET1, t)                                                       \
    FMADD(FMADD(FMADD(FMADD(FMADD(FMADD(FMADD(FMADD(FMADD(SET1(0.17087277f), t, SET1(-0.82215223f)), \
    t, SET1(1.48851587f)), t, SET1(-1.13520398f)), t, SET1(0.27886807f)), t, SET1(-0.18628806f)),  \
    t, SET1(0.09678418f)), t, SET1(0.37409196f)), t, SET1(1.00002368f)), t, SET1(-1.26551223f))

inline float normal_cdf_scalar(float z) {
    float a = std::fabs(z) * kInvSqrt2;
    float t = 1.0f / (1.0f + 0.5f * a);
#define T4J_FMA_S(a_, b_, c_) std::fma(a_, b_, c_)
#define T4J_SET_S(v) (v)
    float poly = T4J_NR_ERFC_POLY(T4J_FMA_S, T4J_SET_S, t);
#undef T4J_FMA_S
#undef T4J_SET_S
    float half_erfc = 0.5f * t * exp_scalar(poly - a * a);  // 0.5 erfc(|z| / sqrt 2)
    return z < 0 ? half_erfc : 1.0f - half_erfc;
}

__attribute__((target("avx512f"))) inline __m512 normal_cdf512(__m512 z) {
    __m512 a = _mm512_mul_ps(_mm512_abs_ps(z), _mm512_set1_ps(kInvSqrt2));
    __m512 t = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_fmadd_ps(_mm512_set1_ps(0.5f), a, _mm512_set1_ps(1.0f)));
    __m512 poly = T4J_NR_ERFC_POLY(_mm512_fmadd_ps, _mm512_set1_ps, t);
    __m512 half_erfc = _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), t), exp512(_mm512_fnmadd_ps(a, a, poly)));
    __mmask16 neg = _mm512_cmp_ps_mask(z, _mm512_setzero_ps(), _CMP_LT_OQ);
    return _mm512_mask_blend_ps(neg, _mm512_sub_ps(_mm512_set1_ps(1.0f), half_erfc), half_erfc);
}

__attribute__((target("avx2,fma"))) inline __m256 normal_cdf256(__m256 z) {
    __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    __m256 a = _mm256_mul_ps(_mm256_and_ps(z, absmask), _mm256_set1_ps(kInvSqrt2));
    __m256 t = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_fmadd_ps(_mm256_set1_ps(0.5f), a, _mm256_set1_ps(1.0f)));
    __m256 poly = T4J_NR_ERFC_POLY(_mm256_fmadd_ps, _mm256_set1_ps, t);
    __m256 half_erfc = _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), t), exp256(_mm256_fnmadd_ps(a, a, poly)));
    __m256 neg = _mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_LT_OQ);
    return _mm256_blendv_ps(_mm256_sub_ps(_mm256_set1_ps(1.0f), half_erfc), half_erfc, neg);
}

#undef T4J_NR_ERFC_POLY

// erf(a) = a P(a^2) / Q(a^2) on a clamped to [-4, 4]: the rational minimax fit of Eigen and XLA (float erf).
// |error| <= 3.3e-7 (so |gelu error| <= 1e-6 + 1 ulp, a tenth of the float32 test tolerance), and erf(+-4)
// evaluates to exactly +-1, so the far tails give z and -0 as the composite does.
constexpr float kErfClamp = 4.0f;
constexpr float kErfP[7] = {-2.72614225801306e-10f, 2.77068142495902e-08f, -2.10102402082508e-06f, -5.69250639462346e-05f,
                            -7.34990630326855e-04f, -2.95459980854025e-03f, -1.60960333262415e-02f};
constexpr float kErfQ[5] = {-1.45660718464996e-05f, -2.13374055278905e-04f, -1.68282697438203e-03f, -7.37332916720468e-03f,
                            -1.42647390514189e-02f};

// Exact GELU z Phi(z) with Phi = 0.5 + 0.5 erf(z / sqrt 2) from the rational erf (forward only: the backward
// uses erfc, which keeps relative accuracy in the lower tail).
inline float gelu_exact_scalar(float z) {
    float a = std::fmin(std::fmax(z * kInvSqrt2, -kErfClamp), kErfClamp);
    float a2 = a * a;
    float p = kErfP[0], q = kErfQ[0];
    for (int i = 1; i < 7; ++i) p = std::fma(p, a2, kErfP[i]);
    for (int i = 1; i < 5; ++i) q = std::fma(q, a2, kErfQ[i]);
    return z * std::fma(0.5f, a * p / q, 0.5f);
}

__attribute__((target("avx512f,avx512dq"))) inline __m512 gelu_exact512(__m512 z) {
    __m512 a = _mm512_mul_ps(z, _mm512_set1_ps(kInvSqrt2));
    a = _mm512_min_ps(_mm512_max_ps(a, _mm512_set1_ps(-kErfClamp)), _mm512_set1_ps(kErfClamp));
    __m512 a2 = _mm512_mul_ps(a, a);
    __m512 p = _mm512_set1_ps(kErfP[0]), q = _mm512_set1_ps(kErfQ[0]);
    for (int i = 1; i < 7; ++i) p = _mm512_fmadd_ps(p, a2, _mm512_set1_ps(kErfP[i]));
    for (int i = 1; i < 5; ++i) q = _mm512_fmadd_ps(q, a2, _mm512_set1_ps(kErfQ[i]));
    __m512 erf = _mm512_div_ps(_mm512_mul_ps(a, p), q);
    return _mm512_mul_ps(z, _mm512_fmadd_ps(_mm512_set1_ps(0.5f), erf, _mm512_set1_ps(0.5f)));
}

// tanh GELU forward: 0.5 x (1 + tanh(u)) = x / (1 + exp(-2u)), u = sqrt(2/pi) (x + 0.044715 x^3): one exp and one
// division, no cancellation for negative x.
inline float gelu_tanh_scalar(float x) {
    float u = kSqrt2OverPi * (x + kGeluCubic * x * x * x);
    return x / (1.0f + exp_scalar(-2.0f * u));
}

__attribute__((target("avx512f"))) inline __m512 gelu_tanh512(__m512 x) {
    __m512 x3 = _mm512_mul_ps(_mm512_mul_ps(x, x), x);
    __m512 u = _mm512_mul_ps(_mm512_set1_ps(kSqrt2OverPi), _mm512_fmadd_ps(_mm512_set1_ps(kGeluCubic), x3, x));
    __m512 e = exp512(_mm512_mul_ps(_mm512_set1_ps(-2.0f), u));
    return _mm512_div_ps(x, _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

// Zero-masked shuffles: the unmasked forms (and _mm512_reduce_add_ps) expand to _mm512_undefined_ps,
// which GCC 12 reports as used uninitialized under -Wall -Wextra.
__attribute__((target("avx512f"))) inline float hsum512(__m512 v) {
    v = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(0xffff, v, v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(0xffff, v, v, _MM_SHUFFLE(2, 3, 0, 1)));
    v = _mm512_add_ps(v, _mm512_maskz_permute_ps(0xffff, v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = _mm512_add_ps(v, _mm512_maskz_permute_ps(0xffff, v, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm512_cvtss_f32(v);
}

// Largest lane of v (maskz forms: GCC 12 warns about an uninitialized temporary in the unmasked ones here).
__attribute__((target("avx512f"))) inline float hmax512(__m512 v) {
    v = _mm512_maskz_max_ps(0xffff, v, _mm512_maskz_shuffle_f32x4(0xffff, v, v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = _mm512_maskz_max_ps(0xffff, v, _mm512_maskz_shuffle_f32x4(0xffff, v, v, _MM_SHUFFLE(2, 3, 0, 1)));
    v = _mm512_maskz_max_ps(0xffff, v, _mm512_maskz_permute_ps(0xffff, v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = _mm512_maskz_max_ps(0xffff, v, _mm512_maskz_permute_ps(0xffff, v, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm512_cvtss_f32(v);
}

// The upper eight floats of v.
__attribute__((target("avx512f"))) inline __m256 high256(__m512 v) {
    return _mm512_castps512_ps256(_mm512_maskz_shuffle_f32x4(0xffff, v, v, _MM_SHUFFLE(3, 2, 3, 2)));
}

__attribute__((target("avx2,fma"))) inline float hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// bfloat16 <-> float32. Rounding is to nearest even; NaN stays a (quiet) NaN.
inline float bf16_to_f32(uint16_t h) {
    uint32_t u = static_cast<uint32_t>(h) << 16;
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

inline uint16_t f32_to_bf16(float f) {
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return static_cast<uint16_t>(u >> 16);
}

}  // namespace t4j

#endif
