// Fused bias + GELU on float32 rows, forward and backward, AVX-512 / AVX2 / scalar at run time.
//
//   z = x + b                                  x [rows, cols], b [cols]
//   exact:  gelu(z) = z Phi(z),                gelu'(z) = Phi(z) + z phi(z)
//   tanh:   gelu(z) = z s,  s = sigmoid(2u),   gelu'(z) = s + z s (1 - s) 2 u',   u = sqrt(2/pi) (z + 0.044715 z^3)
// The backward takes Phi from erfc (vmath.h) and s from one exp (1 - s = e s with e = exp(-2u)), so neither form
// cancels. The exact forward takes Phi = 0.5 + 0.5 erf(z / sqrt 2) from a rational erf without exp (kErfP / kErfQ
// below), about 3x faster; it cancels in the lower tail like LibTorch's own GELU, where |gelu| < 1e-6 anyway.
// Large inputs are split by rows over the t4j::parallel_for pool.
// db (optional) is accumulated in double per column, so it does not depend on the number of rows.
// The backward clamps z to [-kGradClamp, kGradClamp]: beyond it gelu' is 0 or 1 to float precision, and
// z^3 would overflow to inf * 0 in the tanh form.
#include <cmath>
#include <string>
#include <vector>

#include "cpu/thread_pool.h"
#include "cpu/vmath.h"
#include "internal.h"

namespace {

using t4j::Isa;

constexpr float kGradClamp = 20.0f;

// ---------------------------------------------------------------- scalar

inline void gelu_scalar(float z, bool tanh_form, float *y, float *dydz) {
    if (tanh_form) {
        float z2 = z * z;
        float u = t4j::kSqrt2OverPi * (z + t4j::kGeluCubic * z2 * z);
        float e = t4j::exp_scalar(-2.0f * u);
        float s = 1.0f / (1.0f + e);
        *y = z * s;
        if (dydz) *dydz = s + z * s * (e * s) * 2.0f * t4j::kSqrt2OverPi * (1.0f + 3.0f * t4j::kGeluCubic * z2);
    } else {
        float cdf = t4j::normal_cdf_scalar(z);
        *y = z * cdf;
        if (dydz) *dydz = cdf + z * t4j::kInvSqrt2Pi * t4j::exp_scalar(-0.5f * z * z);
    }
}


template <bool kTanh>
void fwd_scalar(const float *x, const float *b, float *y, int64_t rows, int64_t cols) {
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c) {
            float z = x[r * cols + c] + b[c];
            if (kTanh)
                gelu_scalar(z, true, &y[r * cols + c], nullptr);
            else
                y[r * cols + c] = t4j::gelu_exact_scalar(z);
        }
}

void bwd_scalar(const float *dy, const float *x, const float *b, float *dx, double *db, int64_t rows, int64_t cols,
                bool tanh_form) {
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c) {
            float y, d;
            gelu_scalar(std::fmin(std::fmax(x[r * cols + c] + b[c], -kGradClamp), kGradClamp), tanh_form, &y, &d);
            float g = dy[r * cols + c] * d;
            dx[r * cols + c] = g;
            if (db) db[c] += g;
        }
}

// ---------------------------------------------------------------- AVX-512

__attribute__((target("avx512f,avx512dq"))) inline __m512 gelu512(__m512 z, bool tanh_form, __m512 *dydz) {
    if (tanh_form) {
        __m512 z2 = _mm512_mul_ps(z, z);
        __m512 u = _mm512_mul_ps(_mm512_set1_ps(t4j::kSqrt2OverPi),
                                 _mm512_fmadd_ps(_mm512_mul_ps(_mm512_set1_ps(t4j::kGeluCubic), z2), z, z));
        __m512 e = t4j::exp512(_mm512_mul_ps(_mm512_set1_ps(-2.0f), u));
        __m512 s = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_add_ps(_mm512_set1_ps(1.0f), e));
        if (dydz) {
            __m512 du = _mm512_mul_ps(_mm512_set1_ps(2.0f * t4j::kSqrt2OverPi),
                                      _mm512_fmadd_ps(_mm512_set1_ps(3.0f * t4j::kGeluCubic), z2, _mm512_set1_ps(1.0f)));
            __m512 ds = _mm512_mul_ps(_mm512_mul_ps(s, _mm512_mul_ps(e, s)), du);
            *dydz = _mm512_fmadd_ps(z, ds, s);
        }
        return _mm512_mul_ps(z, s);
    }
    __m512 cdf = t4j::normal_cdf512(z);
    if (dydz) {
        __m512 pdf = _mm512_mul_ps(_mm512_set1_ps(t4j::kInvSqrt2Pi),
                                   t4j::exp512(_mm512_mul_ps(_mm512_set1_ps(-0.5f), _mm512_mul_ps(z, z))));
        *dydz = _mm512_fmadd_ps(z, pdf, cdf);
    }
    return _mm512_mul_ps(z, cdf);
}


template <bool kTanh>
__attribute__((target("avx512f,avx512dq"))) inline __m512 gelu(__m512 z) {
    return kTanh ? gelu512(z, true, nullptr) : t4j::gelu_exact512(z);
}

template <bool kTanh>
__attribute__((target("avx512f,avx512dq"))) void fwd_avx512(const float *x, const float *b, float *y, int64_t rows,
                                                             int64_t cols) {
    for (int64_t r = 0; r < rows; ++r) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        int64_t c = 0;
        // Two vectors per step: more independent work per iteration, about 12% faster (measured) than one.
        for (; c + 32 <= cols; c += 32) {
            __m512 z0 = _mm512_add_ps(_mm512_loadu_ps(xr + c), _mm512_loadu_ps(b + c));
            __m512 z1 = _mm512_add_ps(_mm512_loadu_ps(xr + c + 16), _mm512_loadu_ps(b + c + 16));
            _mm512_storeu_ps(yr + c, gelu<kTanh>(z0));
            _mm512_storeu_ps(yr + c + 16, gelu<kTanh>(z1));
        }
        for (; c < cols; c += 16) {
            __mmask16 m = cols - c >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (cols - c)) - 1u);
            __m512 z = _mm512_add_ps(_mm512_maskz_loadu_ps(m, xr + c), _mm512_maskz_loadu_ps(m, b + c));
            _mm512_mask_storeu_ps(yr + c, m, gelu<kTanh>(z));
        }
    }
}

__attribute__((target("avx512f,avx512dq"))) void bwd_avx512(const float *dy, const float *x, const float *b, float *dx,
                                                             double *db, int64_t rows, int64_t cols, bool tanh_form) {
    for (int64_t r = 0; r < rows; ++r) {
        const float *xr = x + r * cols, *dyr = dy + r * cols;
        float *dxr = dx + r * cols;
        for (int64_t c = 0; c < cols; c += 16) {
            int64_t left = cols - c;
            __mmask16 m = left >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << left) - 1u);
            __m512 z = _mm512_add_ps(_mm512_maskz_loadu_ps(m, xr + c), _mm512_maskz_loadu_ps(m, b + c));
            z = _mm512_min_ps(_mm512_max_ps(z, _mm512_set1_ps(-kGradClamp)), _mm512_set1_ps(kGradClamp));
            __m512 d;
            gelu512(z, tanh_form, &d);
            __m512 g = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, dyr + c), d);
            _mm512_mask_storeu_ps(dxr + c, m, g);
            if (db) {
                __mmask8 lo = static_cast<__mmask8>(m & 0xff), hi = static_cast<__mmask8>(m >> 8);
                __m512d glo = _mm512_cvtps_pd(_mm512_castps512_ps256(g));
                __m512d ghi = _mm512_cvtps_pd(t4j::high256(g));
                _mm512_mask_storeu_pd(db + c, lo, _mm512_add_pd(_mm512_maskz_loadu_pd(lo, db + c), glo));
                if (hi) _mm512_mask_storeu_pd(db + c + 8, hi, _mm512_add_pd(_mm512_maskz_loadu_pd(hi, db + c + 8), ghi));
            }
        }
    }
}

// ---------------------------------------------------------------- AVX2

__attribute__((target("avx2,fma"))) inline __m256 gelu256(__m256 z, bool tanh_form, __m256 *dydz) {
    if (tanh_form) {
        __m256 z2 = _mm256_mul_ps(z, z);
        __m256 u = _mm256_mul_ps(_mm256_set1_ps(t4j::kSqrt2OverPi),
                                 _mm256_fmadd_ps(_mm256_mul_ps(_mm256_set1_ps(t4j::kGeluCubic), z2), z, z));
        __m256 e = t4j::exp256(_mm256_mul_ps(_mm256_set1_ps(-2.0f), u));
        __m256 s = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
        if (dydz) {
            __m256 du = _mm256_mul_ps(_mm256_set1_ps(2.0f * t4j::kSqrt2OverPi),
                                      _mm256_fmadd_ps(_mm256_set1_ps(3.0f * t4j::kGeluCubic), z2, _mm256_set1_ps(1.0f)));
            __m256 ds = _mm256_mul_ps(_mm256_mul_ps(s, _mm256_mul_ps(e, s)), du);
            *dydz = _mm256_fmadd_ps(z, ds, s);
        }
        return _mm256_mul_ps(z, s);
    }
    __m256 cdf = t4j::normal_cdf256(z);
    if (dydz) {
        __m256 pdf = _mm256_mul_ps(_mm256_set1_ps(t4j::kInvSqrt2Pi),
                                   t4j::exp256(_mm256_mul_ps(_mm256_set1_ps(-0.5f), _mm256_mul_ps(z, z))));
        *dydz = _mm256_fmadd_ps(z, pdf, cdf);
    }
    return _mm256_mul_ps(z, cdf);
}

__attribute__((target("avx2,fma"))) inline __m256 gelu_exact_fwd256(__m256 z) {
    __m256 a = _mm256_mul_ps(z, _mm256_set1_ps(t4j::kInvSqrt2));
    a = _mm256_min_ps(_mm256_max_ps(a, _mm256_set1_ps(-t4j::kErfClamp)), _mm256_set1_ps(t4j::kErfClamp));
    __m256 a2 = _mm256_mul_ps(a, a);
    __m256 p = _mm256_set1_ps(t4j::kErfP[0]), q = _mm256_set1_ps(t4j::kErfQ[0]);
    for (int i = 1; i < 7; ++i) p = _mm256_fmadd_ps(p, a2, _mm256_set1_ps(t4j::kErfP[i]));
    for (int i = 1; i < 5; ++i) q = _mm256_fmadd_ps(q, a2, _mm256_set1_ps(t4j::kErfQ[i]));
    __m256 erf = _mm256_div_ps(_mm256_mul_ps(a, p), q);
    return _mm256_mul_ps(z, _mm256_fmadd_ps(_mm256_set1_ps(0.5f), erf, _mm256_set1_ps(0.5f)));
}

template <bool kTanh>
__attribute__((target("avx2,fma"))) void fwd_avx2(const float *x, const float *b, float *y, int64_t rows, int64_t cols) {
    for (int64_t r = 0; r < rows; ++r) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        int64_t c = 0;
        for (; c + 8 <= cols; c += 8) {
            __m256 z = _mm256_add_ps(_mm256_loadu_ps(xr + c), _mm256_loadu_ps(b + c));
            _mm256_storeu_ps(yr + c, kTanh ? gelu256(z, true, nullptr) : gelu_exact_fwd256(z));
        }
        for (; c < cols; ++c) {
            float z = xr[c] + b[c];
            if (kTanh)
                gelu_scalar(z, true, &yr[c], nullptr);
            else
                yr[c] = t4j::gelu_exact_scalar(z);
        }
    }
}

__attribute__((target("avx2,fma"))) void bwd_avx2(const float *dy, const float *x, const float *b, float *dx, double *db,
                                                   int64_t rows, int64_t cols, bool tanh_form) {
    for (int64_t r = 0; r < rows; ++r) {
        const float *xr = x + r * cols, *dyr = dy + r * cols;
        float *dxr = dx + r * cols;
        int64_t c = 0;
        for (; c + 8 <= cols; c += 8) {
            __m256 d;
            __m256 z = _mm256_add_ps(_mm256_loadu_ps(xr + c), _mm256_loadu_ps(b + c));
            gelu256(_mm256_min_ps(_mm256_max_ps(z, _mm256_set1_ps(-kGradClamp)), _mm256_set1_ps(kGradClamp)), tanh_form, &d);
            __m256 g = _mm256_mul_ps(_mm256_loadu_ps(dyr + c), d);
            _mm256_storeu_ps(dxr + c, g);
            if (db) {
                _mm256_storeu_pd(db + c, _mm256_add_pd(_mm256_loadu_pd(db + c), _mm256_cvtps_pd(_mm256_castps256_ps128(g))));
                _mm256_storeu_pd(db + c + 4, _mm256_add_pd(_mm256_loadu_pd(db + c + 4), _mm256_cvtps_pd(_mm256_extractf128_ps(g, 1))));
            }
        }
        for (; c < cols; ++c) {
            float y, d;
            gelu_scalar(std::fmin(std::fmax(xr[c] + b[c], -kGradClamp), kGradClamp), tanh_form, &y, &d);
            dxr[c] = dyr[c] * d;
            if (db) db[c] += dxr[c];
        }
    }
}

int check_shape(const char *what, int64_t rows, int64_t cols, int approximate) {
    if (rows < 0 || cols < 0) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, (std::string(what) + ": rows and cols must be >= 0").c_str());
    if (approximate != 0 && approximate != 1)
        return t4j::fail(T4J_ERR_INVALID_ARGUMENT, (std::string(what) + ": approximate must be 0 (erf) or 1 (tanh)").c_str());
    return T4J_OK;
}

template <bool kTanh>
void fwd(Isa isa, const float *x, const float *b, float *y, int64_t rows, int64_t cols) {
    switch (isa) {
        case Isa::kAvx512: fwd_avx512<kTanh>(x, b, y, rows, cols); break;
        case Isa::kAvx2: fwd_avx2<kTanh>(x, b, y, rows, cols); break;
        default: fwd_scalar<kTanh>(x, b, y, rows, cols); break;
    }
}

// Below this many elements per thread, waking a worker costs more than it saves.
constexpr int64_t kParallelGrain = 32768;

}  // namespace

extern "C" int t4j_bias_gelu_f32_cpu(const float *x, const float *bias, float *y, int64_t rows, int64_t cols,
                                     int approximate, int num_threads, t4j_stream) {
    T4J_PROTECT({
        if (int st = check_shape("bias_gelu", rows, cols, approximate)) return st;
        if (num_threads < 1) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "bias_gelu: num_threads must be >= 1");
        if (rows == 0 || cols == 0) return t4j::ok();
        if (!x || !bias || !y) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "bias_gelu: null data pointer");
        bool tanh_form = approximate == 1;
        Isa isa = t4j::isa();
        auto part = [&](int64_t r0, int64_t r1) {
            if (tanh_form)
                fwd<true>(isa, x + r0 * cols, bias, y + r0 * cols, r1 - r0, cols);
            else
                fwd<false>(isa, x + r0 * cols, bias, y + r0 * cols, r1 - r0, cols);
        };
        int64_t grain = (kParallelGrain + cols - 1) / cols;
        if (num_threads == 1 || rows < 2 * grain)
            part(0, rows);  // without the std::function the pool needs
        else
            t4j::parallel_for(num_threads, rows, grain, part);
        return t4j::ok();
    })
}

extern "C" int t4j_bias_gelu_backward_f32_cpu(const float *dy, const float *x, const float *bias, float *dx,
                                              float *dbias, int64_t rows, int64_t cols, int approximate, t4j_stream) {
    T4J_PROTECT({
        if (int st = check_shape("bias_gelu_backward", rows, cols, approximate)) return st;
        if (cols == 0) return t4j::ok();
        if (rows == 0) {
            if (dbias)
                for (int64_t c = 0; c < cols; ++c) dbias[c] = 0.0f;
            return t4j::ok();
        }
        if (!dy || !x || !bias || !dx) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "bias_gelu_backward: null data pointer");
        bool tanh_form = approximate == 1;
        std::vector<double> acc(dbias ? static_cast<size_t>(cols) : 0, 0.0);
        double *db = dbias ? acc.data() : nullptr;
        switch (t4j::isa()) {
            case Isa::kAvx512: bwd_avx512(dy, x, bias, dx, db, rows, cols, tanh_form); break;
            case Isa::kAvx2: bwd_avx2(dy, x, bias, dx, db, rows, cols, tanh_form); break;
            default: bwd_scalar(dy, x, bias, dx, db, rows, cols, tanh_form); break;
        }
        if (dbias)
            for (int64_t c = 0; c < cols; ++c) dbias[c] = static_cast<float>(acc[c]);
        return t4j::ok();
    })
}
