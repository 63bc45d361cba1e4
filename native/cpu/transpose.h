// In-register 16 x 16 float transpose shared by the CPU kernels (packing); not part of the C ABI.
#ifndef TORCH4J_CPU_TRANSPOSE_H
#define TORCH4J_CPU_TRANSPOSE_H

#include <immintrin.h>

#include <cstdint>

namespace t4j {

// dst[c * ldd + r] = src[r * ld + c] for r < 16, c < ncols (1..16); rows r >= nrows read as zeros. Unpack,
// shuffle within 128-bit lanes, then across lanes.
__attribute__((target("avx512f"))) inline void transpose16(const float *src, int64_t ld, int nrows, int ncols, float *dst,
                                                          int64_t ldd) {
    __mmask16 mc = static_cast<__mmask16>(ncols >= 16 ? 0xffffu : (1u << ncols) - 1u);
    __m512 r[16], t[16];
    for (int i = 0; i < 16; ++i) r[i] = i < nrows ? _mm512_maskz_loadu_ps(mc, src + i * ld) : _mm512_setzero_ps();
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    // r[4g + c], lane L: rows 4g..4g+3 at column 4L + c.
    for (int g = 0; g < 4; ++g) {
        r[4 * g + 0] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
        r[4 * g + 1] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0xEE);
        r[4 * g + 2] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
        r[4 * g + 3] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
    }
    for (int c = 0; c < 4; ++c) {
        __m512 v0 = _mm512_shuffle_f32x4(r[c], r[4 + c], 0x88), v1 = _mm512_shuffle_f32x4(r[c], r[4 + c], 0xDD);
        __m512 w0 = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0x88), w1 = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0xDD);
        __m512 col[4] = {_mm512_shuffle_f32x4(v0, w0, 0x88), _mm512_shuffle_f32x4(v1, w1, 0x88),
                         _mm512_shuffle_f32x4(v0, w0, 0xDD), _mm512_shuffle_f32x4(v1, w1, 0xDD)};  // columns c, 4+c, 8+c, 12+c
        for (int l = 0; l < 4; ++l)
            if (4 * l + c < ncols) _mm512_storeu_ps(dst + (4 * l + c) * ldd, col[l]);
    }
}

}  // namespace t4j

#endif
