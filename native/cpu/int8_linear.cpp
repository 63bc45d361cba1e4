// Weight-only int8 linear on float32 activations, threaded over output channels on the persistent pool
// (thread_pool.h). Two families of code paths:
//
// Exact (packed == NULL, or no VNNI): y[r, o] = scale[o] * sum_k x[r, k] * w[o, k] + bias[o]. Weights are
// dequantized exactly in registers (int8 -> int32 -> float, vpmovsxbd + vcvtdq2ps) and accumulated with FMA in
// float32, so the only error beyond the weight quantization is float32 summation. AVX-512 / AVX2 / scalar.
//   rows == 1 (GEMV): each weight byte is used once; tiles of 4 channels share each load of x.
//   rows > 1 (GEMM): each 4-channel tile is dequantized once into a float panel that stays in L1, then
//   multiplied with tiles of 4 rows (16 accumulators).
//
// VNNI (packed != NULL and t4j::vnni()): each activation row is quantized to asymmetric uint8,
// x[r, k] ~ sx[r] * (u[r, k] - zp[r]), and vpdpbusd accumulates u * w exactly in int32 over 4-byte k-groups:
//   y[r, o] = sx[r] * scale[o] * (sum_k u[r, k] w[o, k] - zp[r] * wsum[o]) + bias[o]
// with wsum[o] = sum_k w[o, k] precomputed by t4j_int8_linear_pack. One micro-kernel serves decode and prompts:
// kMr rows x kNc blocks of 16 channels (24 zmm accumulators), weights read from the packed layout in which
// 16 channels' 4-byte k-groups form one 64-byte vector.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
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

// ---------------------------------------------------------------- AVX-512 VNNI (quantized activations)
//
// Packed layout for [out, in] weights: G = ceil(in / 4) k-groups, NB = ceil(out / 16) blocks of 16 channels.
//   bytes [0, NB * G * 64): block b, group g at (b * G + g) * 64; channel 16 b + j's w[o, 4g .. 4g + 3] at 4 j.
//   then int32 wsum[NB * 16] (the padding channels and k values are zeros).

constexpr int kMr = 6;   // rows per micro-tile: 6 x 4 accumulators + 4 weight vectors + 1 broadcast of 32 zmm
constexpr int kNc = 4;   // 16-channel blocks per micro-tile (64 channels)
// Largest in_features for which int32 cannot overflow: |sum_k (u - zp) w| <= in * 255 * 127 < 2^31.
constexpr int64_t kVnniMaxIn = 65536;

inline int64_t groups_of(int64_t in) { return (in + 3) / 4; }
inline int64_t blocks_of(int64_t out) { return (out + 15) / 16; }
inline int64_t packed_weight_bytes(int64_t in, int64_t out) { return blocks_of(out) * groups_of(in) * 64; }

struct RowQuant {
    float scale;  // sx: x ~ sx * (u - zp); NaN when the row holds a NaN or an infinity
    int32_t zero;
};

#define T4J_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

// Zero-masked forms: the unmasked min / max / cvtepi32_ps expand to _mm512_undefined_ps (see vmath.h).
T4J_VNNI inline __m512 min16(__m512 a, __m512 b) { return _mm512_maskz_min_ps(0xffff, a, b); }
T4J_VNNI inline __m512 max16(__m512 a, __m512 b) { return _mm512_maskz_max_ps(0xffff, a, b); }

// Horizontal min / max with zero-masked shuffles (see t4j::hsum512 for why not _mm512_reduce_*).
#define T4J_HREDUCE(NAME, OP)                                                                    \
    T4J_VNNI inline float NAME(__m512 v) {                                                      \
        v = OP(v, _mm512_maskz_shuffle_f32x4(0xffff, v, v, _MM_SHUFFLE(1, 0, 3, 2)));           \
        v = OP(v, _mm512_maskz_shuffle_f32x4(0xffff, v, v, _MM_SHUFFLE(2, 3, 0, 1)));           \
        v = OP(v, _mm512_maskz_permute_ps(0xffff, v, _MM_SHUFFLE(1, 0, 3, 2)));                 \
        v = OP(v, _mm512_maskz_permute_ps(0xffff, v, _MM_SHUFFLE(2, 3, 0, 1)));                 \
        return _mm512_cvtss_f32(v);                                                             \
    }
T4J_HREDUCE(hmin512, min16)
T4J_HREDUCE(hmax512, max16)
#undef T4J_HREDUCE

// u[0, 4G) of one row: round(x / sx) + zp clamped to [0, 255], zeros past in. The range [lo, hi] always holds 0,
// so zp = round(-lo / sx) is in [0, 255] and exact zeros stay exact.
T4J_VNNI RowQuant quantize_row(const float *x, int64_t in, uint8_t *u) {
    __m512 lo = _mm512_setzero_ps(), hi = _mm512_setzero_ps(), nan = _mm512_setzero_ps();
    for (int64_t k = 0; k < in; k += 16) {
        __mmask16 m = in - k >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (in - k)) - 1u);
        __m512 v = _mm512_maskz_loadu_ps(m, x + k);
        lo = min16(lo, v);
        hi = max16(hi, v);
        nan = _mm512_add_ps(nan, _mm512_mul_ps(v, _mm512_setzero_ps()));  // NaN iff some x is NaN or infinite
    }
    float l = hmin512(lo), h = hmax512(hi);
    int64_t padded = groups_of(in) * 4;
    if (std::isnan(t4j::hsum512(nan))) {
        std::memset(u, 0, static_cast<size_t>(padded));
        return {NAN, 0};
    }
    float sx = (h - l) / 255.0f;
    if (!(sx > 0)) {  // all zeros (or a range that underflows): every u = zp = 0, y = bias
        std::memset(u, 0, static_cast<size_t>(padded));
        return {0.0f, 0};
    }
    float inv = 1.0f / sx;
    int32_t zp = std::min(255, std::max(0, static_cast<int32_t>(std::nearbyint(-l * inv))));
    __m512 vinv = _mm512_set1_ps(inv);
    __m512i vzp = _mm512_set1_epi32(zp), v0 = _mm512_setzero_si512(), v255 = _mm512_set1_epi32(255);
    for (int64_t k = 0; k < padded; k += 16) {
        int64_t n = std::min<int64_t>(16, in - k);
        __mmask16 m = n >= 16 ? static_cast<__mmask16>(0xffff) : n <= 0 ? 0 : static_cast<__mmask16>((1u << n) - 1u);
        __mmask16 mw = padded - k >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (padded - k)) - 1u);
        __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + k), vinv)), vzp);
        q = _mm512_maskz_mov_epi32(m, _mm512_min_epi32(_mm512_max_epi32(q, v0), v255));
        _mm_mask_storeu_epi8(u + k, mw, _mm512_cvtepi32_epi8(q));
    }
    return {sx, zp};
}

template <int R, int NC>
T4J_VNNI void tile_vnni(const uint8_t *u, int64_t ldu, const RowQuant *rq, const int8_t *wp, int64_t groups,
                        const int32_t *wsum, const float *scales, const float *bias, float *y, int64_t out, int64_t o0) {
    __m512i acc[R][NC];
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < NC; ++c) acc[r][c] = _mm512_setzero_si512();
    for (int64_t g = 0; g < groups; ++g) {
        __m512i w[NC];
        for (int c = 0; c < NC; ++c) w[c] = _mm512_loadu_si512(wp + (c * groups + g) * 64);
        for (int r = 0; r < R; ++r) {
            int32_t quad;
            std::memcpy(&quad, u + r * ldu + 4 * g, 4);
            __m512i xb = _mm512_set1_epi32(quad);
            for (int c = 0; c < NC; ++c) acc[r][c] = _mm512_dpbusd_epi32(acc[r][c], xb, w[c]);
        }
    }
    for (int c = 0; c < NC; ++c) {
        int64_t o = o0 + c * 16;
        int64_t n = std::min<int64_t>(16, out - o);
        __mmask16 m = n >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << n) - 1u);
        __m512i ws = _mm512_loadu_si512(wsum + o);
        __m512 sc = _mm512_maskz_loadu_ps(m, scales + o);
        __m512 b = bias ? _mm512_maskz_loadu_ps(m, bias + o) : _mm512_setzero_ps();
        for (int r = 0; r < R; ++r) {
            __m512i corr = _mm512_sub_epi32(acc[r][c], _mm512_mullo_epi32(ws, _mm512_set1_epi32(rq[r].zero)));
            __m512 v = _mm512_fmadd_ps(_mm512_maskz_cvtepi32_ps(0xffff, corr), _mm512_mul_ps(sc, _mm512_set1_ps(rq[r].scale)), b);
            _mm512_mask_storeu_ps(y + r * out + o, m, v);
        }
    }
}

template <int NC>
T4J_VNNI void rows_vnni(const uint8_t *u, int64_t ldu, const RowQuant *rq, const int8_t *wp, int64_t groups,
                        const int32_t *wsum, const float *scales, const float *bias, float *y, int64_t rows, int64_t out,
                        int64_t o0) {
    int64_t r = 0;
    for (; r + kMr <= rows; r += kMr)
        tile_vnni<kMr, NC>(u + r * ldu, ldu, rq + r, wp, groups, wsum, scales, bias, y + r * out, out, o0);
    const uint8_t *ur = u + r * ldu;
    float *yr = y + r * out;
    switch (rows - r) {
        case 5: tile_vnni<5, NC>(ur, ldu, rq + r, wp, groups, wsum, scales, bias, yr, out, o0); break;
        case 4: tile_vnni<4, NC>(ur, ldu, rq + r, wp, groups, wsum, scales, bias, yr, out, o0); break;
        case 3: tile_vnni<3, NC>(ur, ldu, rq + r, wp, groups, wsum, scales, bias, yr, out, o0); break;
        case 2: tile_vnni<2, NC>(ur, ldu, rq + r, wp, groups, wsum, scales, bias, yr, out, o0); break;
        case 1: tile_vnni<1, NC>(ur, ldu, rq + r, wp, groups, wsum, scales, bias, yr, out, o0); break;
        default: break;
    }
}

// Blocks [b0, b1) of 16 channels for all rows. Each kNc-block weight panel (64 in bytes) is read from memory once
// and then stays in L1/L2 while every row tile passes over it.
T4J_VNNI void blocks_vnni(const uint8_t *u, int64_t ldu, const RowQuant *rq, const uint8_t *packed, const float *scales,
                          const float *bias, float *y, int64_t rows, int64_t in, int64_t out, int64_t b0, int64_t b1) {
    int64_t groups = groups_of(in);
    const int8_t *wp = reinterpret_cast<const int8_t *>(packed);
    const int32_t *wsum = reinterpret_cast<const int32_t *>(packed + packed_weight_bytes(in, out));
    for (int64_t b = b0; b < b1; b += kNc) {
        const int8_t *panel = wp + b * groups * 64;
        switch (std::min<int64_t>(kNc, b1 - b)) {
            case 4: rows_vnni<4>(u, ldu, rq, panel, groups, wsum, scales, bias, y, rows, out, b * 16); break;
            case 3: rows_vnni<3>(u, ldu, rq, panel, groups, wsum, scales, bias, y, rows, out, b * 16); break;
            case 2: rows_vnni<2>(u, ldu, rq, panel, groups, wsum, scales, bias, y, rows, out, b * 16); break;
            default: rows_vnni<1>(u, ldu, rq, panel, groups, wsum, scales, bias, y, rows, out, b * 16); break;
        }
    }
}

#undef T4J_VNNI

int linear_vnni(const float *x, const uint8_t *packed, const float *scales, const float *bias, float *y, int64_t rows,
                int64_t in, int64_t out, int num_threads) {
    int64_t ldu = groups_of(in) * 4;
    std::vector<uint8_t> u(static_cast<size_t>(rows * ldu));
    std::vector<RowQuant> rq(static_cast<size_t>(rows));
    int qthreads = static_cast<int>(std::min<int64_t>(num_threads, std::max<int64_t>(1, rows * in / 65536)));
    t4j::parallel_for(qthreads, rows, 1, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) rq[r] = quantize_row(x + r * in, in, u.data() + r * ldu);
    });
    // Below ~32k multiply-adds per thread, waking a worker costs more than it saves.
    int64_t work = rows * (in + 1) * out;
    int threads = static_cast<int>(std::min<int64_t>(num_threads, std::max<int64_t>(1, work / 32768)));
    t4j::parallel_for(threads, blocks_of(out), kNc, [&](int64_t b0, int64_t b1) {
        blocks_vnni(u.data(), ldu, rq.data(), packed, scales, bias, y, rows, in, out, b0, b1);
    });
    return t4j::ok();
}

}  // namespace

extern "C" int64_t t4j_int8_linear_packed_bytes(int64_t in_features, int64_t out_features) {
    if (in_features < 1 || out_features < 1 || in_features > kVnniMaxIn || out_features > (int64_t{1} << 40) / in_features)
        return -1;
    return packed_weight_bytes(in_features, out_features) + blocks_of(out_features) * 16 * 4;
}

extern "C" int t4j_int8_linear_pack(const int8_t *w, uint8_t *packed, int64_t in_features, int64_t out_features) {
    T4J_PROTECT({
        if (t4j_int8_linear_packed_bytes(in_features, out_features) < 0)
            return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "int8_linear_pack: need 1 <= in_features <= 65536 and out_features >= 1");
        if (!w || !packed) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "int8_linear_pack: null data pointer");
        int64_t in = in_features, out = out_features, groups = groups_of(in), blocks = blocks_of(out);
        int8_t *wp = reinterpret_cast<int8_t *>(packed);
        std::memset(packed, 0, static_cast<size_t>(t4j_int8_linear_packed_bytes(in, out)));
        std::vector<int32_t> wsum(static_cast<size_t>(blocks * 16), 0);
        for (int64_t o = 0; o < out; ++o) {
            int64_t b = o / 16, j = o % 16;
            for (int64_t k = 0; k < in; ++k) {
                wp[(b * groups + k / 4) * 64 + j * 4 + k % 4] = w[o * in + k];
                wsum[o] += w[o * in + k];
            }
        }
        std::memcpy(packed + packed_weight_bytes(in, out), wsum.data(), wsum.size() * sizeof(int32_t));
        return t4j::ok();
    })
}

extern "C" int t4j_int8_linear_f32_cpu(const float *x, const int8_t *w, const uint8_t *packed, const float *scales,
                                       const float *bias, float *y, int64_t rows, int64_t in_features, int64_t out_features,
                                       int num_threads, t4j_stream) {
    T4J_PROTECT({
        if (rows < 0 || in_features < 0 || out_features < 0)
            return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "int8_linear: rows, in_features and out_features must be >= 0");
        if (num_threads < 1) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "int8_linear: num_threads must be >= 1");
        if (rows == 0 || out_features == 0) return t4j::ok();
        if (!y || !scales || (in_features > 0 && (!x || !w)))
            return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "int8_linear: null data pointer");
        if (packed && t4j::vnni() && in_features > 0 && in_features <= kVnniMaxIn)
            return linear_vnni(x, packed, scales, bias, y, rows, in_features, out_features, num_threads);
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
