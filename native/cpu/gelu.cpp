// tanh-GELU on float32, vectorised with AVX-512 or AVX2 (chosen at run time), scalar otherwise.
//
// gelu(x) = 0.5 x (1 + tanh(u)) = x * sigmoid(2u) = x / (1 + exp(-2u)),  u = sqrt(2/pi) (x + 0.044715 x^3)
// The sigmoid form needs one exp and one division and has no cancellation for negative x.
#include <immintrin.h>

#include <cmath>
#include <cstddef>

#include "cpu/vmath.h"
#include "internal.h"

namespace {

using t4j::exp256;
using t4j::Isa;
constexpr float kSqrt2OverPi = t4j::kSqrt2OverPi;
constexpr float kCubic = t4j::kGeluCubic;

void gelu_scalar_loop(const float *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] = t4j::gelu_tanh_scalar(x[i]);
}

__attribute__((target("avx512f"))) void gelu_avx512(const float *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, t4j::gelu_tanh512(_mm512_loadu_ps(x + i)));
    if (i < n) {
        __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1u);
        _mm512_mask_storeu_ps(y + i, m, t4j::gelu_tanh512(_mm512_maskz_loadu_ps(m, x + i)));
    }
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

bool overlaps_partially(const float *x, const float *y, int64_t n) {
    if (x == y) return false;
    return x < y + n && y < x + n;
}

}  // namespace

extern "C" int t4j_gelu_tanh_f32_cpu(const float *x, float *y, int64_t n, t4j_stream) {
    if (n < 0) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "gelu_tanh: n must be >= 0");
    if (n == 0) return t4j::ok();
    if (!x || !y) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "gelu_tanh: null data pointer");
    if (overlaps_partially(x, y, n))
        return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "gelu_tanh: x and y overlap without being equal");
    switch (t4j::isa()) {
        case Isa::kAvx512: gelu_avx512(x, y, n); break;
        case Isa::kAvx2: gelu_avx2(x, y, n); break;
        default: gelu_scalar_loop(x, y, n); break;
    }
    return t4j::ok();
}
