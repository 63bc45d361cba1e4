// Weight-only int8 linear on float32 activations, AVX-512 / AVX2 / scalar at run time, threaded over
// output channels on the persistent pool (thread_pool.h).
//
//   y[r, o] = scale[o] * sum_k x[r, k] * w[o, k] + bias[o]      x [rows, in], w int8 [out, in], y [rows, out]
// Weights are dequantized exactly in registers (int8 -> int32 -> float, vpmovsxbd + vcvtdq2ps) and
// accumulated with FMA in float32, so the only error beyond the quantization itself is float32 summation.
//   rows == 1 (decode, GEMV): each weight byte is used once; tiles of 4 channels share each load of x.
//   rows > 1 (GEMM): each 4-channel tile is dequantized once into a float panel that stays in L1, then
//   multiplied with tiles of 4 rows (16 accumulators).
#include <algorithm>
#include <atomic>
#include <new>
#include <vector>

#include "cpu/thread_pool.h"
#include "cpu/vmath.h"
#include "internal.h"

namespace {

using t4j::Isa;

constexpr int kTileC = 4;  // output channels per micro-tile
constexpr int kTileR = 4;  // rows per micro-tile (GEMM)

inline void epilogue(float acc, int64_t r, int64_t o, const float *scales, const float *bias, float *y, int64_t out) {
    y[r * out + o] = acc * scales[o] + (bias ? bias[o] : 0.0f);
}

// ---------------------------------------------------------------- scalar

void channels_scalar(const float *x, const int8_t *w, const float *scales, const float *bias, float *y, int64_t rows,
                     int64_t in, int64_t out, int64_t o0, int64_t o1) {
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t o = o0; o < o1; ++o) {
            float acc = 0;
            for (int64_t k = 0; k < in; ++k) acc += x[r * in + k] * static_cast<float>(w[o * in + k]);
            epilogue(acc, r, o, scales, bias, y, out);
        }
}

// ---------------------------------------------------------------- AVX-512

#define T4J_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))

T4J_AVX512 inline __m512 load_w16(const int8_t *p, __mmask16 m) {
    return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, p)));
}

// R rows x C channels of dot products over k in [0, in); W is int8 (GEMV) or a dequantized float panel.
template <int R, int C, typename W>
T4J_AVX512 inline void tile_avx512(const float *x, int64_t ldx, const W *w, int64_t ldw, int64_t in, float res[R][C]) {
    __m512 acc[R][C];
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) acc[r][c] = _mm512_setzero_ps();
    for (int64_t k = 0; k < in; k += 16) {
        __mmask16 m = in - k >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (in - k)) - 1u);
        __m512 wv[C];
        for (int c = 0; c < C; ++c) {
            if constexpr (sizeof(W) == 1)
                wv[c] = load_w16(w + c * ldw + k, m);
            else
                wv[c] = _mm512_maskz_loadu_ps(m, w + c * ldw + k);
        }
        for (int r = 0; r < R; ++r) {
            __m512 xv = _mm512_maskz_loadu_ps(m, x + r * ldx + k);
            for (int c = 0; c < C; ++c) acc[r][c] = _mm512_fmadd_ps(xv, wv[c], acc[r][c]);
        }
    }
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) res[r][c] = t4j::hsum512(acc[r][c]);
}

template <int R, int C, typename W>
T4J_AVX512 void tile_store_avx512(const float *x, const W *w, int64_t in, const float *scales, const float *bias, float *y,
                                  int64_t out, int64_t r0, int64_t o0) {
    float res[R][C];
    tile_avx512<R, C, W>(x + r0 * in, in, w, in, in, res);
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) epilogue(res[r][c], r0 + r, o0 + c, scales, bias, y, out);
}

template <int C, typename W>
T4J_AVX512 void rows_avx512(const float *x, const W *w, int64_t in, const float *scales, const float *bias, float *y,
                            int64_t rows, int64_t out, int64_t o0) {
    int64_t r = 0;
    for (; r + kTileR <= rows; r += kTileR) tile_store_avx512<kTileR, C, W>(x, w, in, scales, bias, y, out, r, o0);
    switch (rows - r) {
        case 3: tile_store_avx512<3, C, W>(x, w, in, scales, bias, y, out, r, o0); break;
        case 2: tile_store_avx512<2, C, W>(x, w, in, scales, bias, y, out, r, o0); break;
        case 1: tile_store_avx512<1, C, W>(x, w, in, scales, bias, y, out, r, o0); break;
        default: break;
    }
}

T4J_AVX512 void dequant_avx512(const int8_t *w, int64_t in, int64_t channels, float *panel) {
    for (int64_t c = 0; c < channels; ++c)
        for (int64_t k = 0; k < in; k += 16) {
            __mmask16 m = in - k >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (in - k)) - 1u);
            _mm512_mask_storeu_ps(panel + c * in + k, m, load_w16(w + c * in + k, m));
        }
}

template <typename W>
T4J_AVX512 void channel_tile_avx512(const float *x, const W *w, int64_t in, const float *scales, const float *bias, float *y,
                                    int64_t rows, int64_t out, int64_t o, int64_t n) {
    switch (n) {
        case 4: rows_avx512<4, W>(x, w, in, scales, bias, y, rows, out, o); break;
        case 3: rows_avx512<3, W>(x, w, in, scales, bias, y, rows, out, o); break;
        case 2: rows_avx512<2, W>(x, w, in, scales, bias, y, rows, out, o); break;
        default: rows_avx512<1, W>(x, w, in, scales, bias, y, rows, out, o); break;
    }
}

T4J_AVX512 void channels_avx512(const float *x, const int8_t *w, const float *scales, const float *bias, float *y,
                                int64_t rows, int64_t in, int64_t out, int64_t o0, int64_t o1) {
    std::vector<float> panel(rows > 1 ? static_cast<size_t>(kTileC * in) : 0);
    for (int64_t o = o0; o < o1; o += kTileC) {
        int64_t n = std::min<int64_t>(kTileC, o1 - o);
        if (rows == 1) {
            channel_tile_avx512<int8_t>(x, w + o * in, in, scales, bias, y, rows, out, o, n);
        } else {
            dequant_avx512(w + o * in, in, n, panel.data());
            channel_tile_avx512<float>(x, panel.data(), in, scales, bias, y, rows, out, o, n);
        }
    }
}

#undef T4J_AVX512

// ---------------------------------------------------------------- AVX2 (scalar k tail)

#define T4J_AVX2 __attribute__((target("avx2,fma")))

T4J_AVX2 inline __m256 load_w8(const int8_t *p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(p))));
}

template <int R, int C, typename W>
T4J_AVX2 void tile_store_avx2(const float *x, const W *w, int64_t in, const float *scales, const float *bias, float *y,
                              int64_t out, int64_t r0, int64_t o0) {
    __m256 acc[R][C];
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) acc[r][c] = _mm256_setzero_ps();
    int64_t vec = in / 8 * 8;
    const float *xr = x + r0 * in;
    for (int64_t k = 0; k < vec; k += 8) {
        __m256 wv[C];
        for (int c = 0; c < C; ++c) {
            if constexpr (sizeof(W) == 1)
                wv[c] = load_w8(w + c * in + k);
            else
                wv[c] = _mm256_loadu_ps(w + c * in + k);
        }
        for (int r = 0; r < R; ++r) {
            __m256 xv = _mm256_loadu_ps(xr + r * in + k);
            for (int c = 0; c < C; ++c) acc[r][c] = _mm256_fmadd_ps(xv, wv[c], acc[r][c]);
        }
    }
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) {
            float s = t4j::hsum256(acc[r][c]);
            for (int64_t k = vec; k < in; ++k) s += xr[r * in + k] * static_cast<float>(w[c * in + k]);
            epilogue(s, r0 + r, o0 + c, scales, bias, y, out);
        }
}

template <int C, typename W>
T4J_AVX2 void rows_avx2(const float *x, const W *w, int64_t in, const float *scales, const float *bias, float *y,
                        int64_t rows, int64_t out, int64_t o0) {
    int64_t r = 0;
    for (; r + kTileR <= rows; r += kTileR) tile_store_avx2<kTileR, C, W>(x, w, in, scales, bias, y, out, r, o0);
    switch (rows - r) {
        case 3: tile_store_avx2<3, C, W>(x, w, in, scales, bias, y, out, r, o0); break;
        case 2: tile_store_avx2<2, C, W>(x, w, in, scales, bias, y, out, r, o0); break;
        case 1: tile_store_avx2<1, C, W>(x, w, in, scales, bias, y, out, r, o0); break;
        default: break;
    }
}

template <typename W>
T4J_AVX2 void channel_tile_avx2(const float *x, const W *w, int64_t in, const float *scales, const float *bias, float *y,
                                int64_t rows, int64_t out, int64_t o, int64_t n) {
    switch (n) {
        case 4: rows_avx2<4, W>(x, w, in, scales, bias, y, rows, out, o); break;
        case 3: rows_avx2<3, W>(x, w, in, scales, bias, y, rows, out, o); break;
        case 2: rows_avx2<2, W>(x, w, in, scales, bias, y, rows, out, o); break;
        default: rows_avx2<1, W>(x, w, in, scales, bias, y, rows, out, o); break;
    }
}

T4J_AVX2 void channels_avx2(const float *x, const int8_t *w, const float *scales, const float *bias, float *y, int64_t rows,
                            int64_t in, int64_t out, int64_t o0, int64_t o1) {
    std::vector<float> panel(rows > 1 ? static_cast<size_t>(kTileC * in) : 0);
    for (int64_t o = o0; o < o1; o += kTileC) {
        int64_t n = std::min<int64_t>(kTileC, o1 - o);
        if (rows == 1) {
            channel_tile_avx2<int8_t>(x, w + o * in, in, scales, bias, y, rows, out, o, n);
        } else {
            for (int64_t i = 0; i < n * in; ++i) panel[i] = static_cast<float>(w[o * in + i]);
            channel_tile_avx2<float>(x, panel.data(), in, scales, bias, y, rows, out, o, n);
        }
    }
}

#undef T4J_AVX2

}  // namespace

extern "C" int t4j_int8_linear_f32_cpu(const float *x, const int8_t *w, const float *scales, const float *bias, float *y,
                                       int64_t rows, int64_t in_features, int64_t out_features, int num_threads,
                                       t4j_stream) {
    T4J_PROTECT({
        if (rows < 0 || in_features < 0 || out_features < 0)
            return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "int8_linear: rows, in_features and out_features must be >= 0");
        if (num_threads < 1) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "int8_linear: num_threads must be >= 1");
        if (rows == 0 || out_features == 0) return t4j::ok();
        if (!y || !scales || (in_features > 0 && (!x || !w)))
            return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "int8_linear: null data pointer");
        Isa isa = t4j::isa();
        // Below ~32k multiply-adds per thread, waking a worker costs more than it saves.
        int64_t work = rows * (in_features + 1) * out_features;
        int threads = static_cast<int>(std::min<int64_t>(num_threads, std::max<int64_t>(1, work / 32768)));
        std::atomic<bool> out_of_memory{false};
        t4j::parallel_for(threads, out_features, kTileC, [&](int64_t o0, int64_t o1) {
            try {
                switch (isa) {
                    case Isa::kAvx512: channels_avx512(x, w, scales, bias, y, rows, in_features, out_features, o0, o1); break;
                    case Isa::kAvx2: channels_avx2(x, w, scales, bias, y, rows, in_features, out_features, o0, o1); break;
                    default: channels_scalar(x, w, scales, bias, y, rows, in_features, out_features, o0, o1); break;
                }
            } catch (const std::bad_alloc &) {
                out_of_memory = true;
            }
        });
        if (out_of_memory) return t4j::fail(T4J_ERR_INTERNAL, "int8_linear: out of memory for the weight panel");
        return t4j::ok();
    })
}
