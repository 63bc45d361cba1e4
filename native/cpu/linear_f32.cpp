// Float32 linear with a fused bias + activation epilogue, AVX-512 at run time (scalar otherwise).
//
//   y[r, o] = act(sum_k x[r, k] W(o, k) + bias[o])     W(o, k) = w[o * in + k] (layout 0, nn.Linear [out, in])
//                                                      W(o, k) = w[k * out + o] (layout 1, GPT-2 Conv1D [in, out])
// rows <= kGemvRows (decode): no packing, the weights are streamed once, each thread over one contiguous
//   slice of them (layout 0: a block of output rows; layout 1: blocks of 64 k rows, partial sums reduced after).
// rows > kGemvRows (prompts, batches): W is packed per call into panels of kNr = 32 columns ([k][32], zero
//   padded), then a 12 x 32 register-blocked micro-kernel (24 accumulators) runs over k blocks of kKc; the
//   panel block stays in L2 while the 12-row strip of x stays in L1.
// Layout 2 is that packed form made once ahead (t4j_linear_f32_pack): the GEMM reads it in place, and the GEMV
//   streams whole panels through the same micro-kernel with 1-4 rows over the full k range.
// The epilogue (bias, GELU) runs on the tile in registers after the last k block.
#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <new>
#include <utility>
#include <vector>

#include "cpu/thread_pool.h"
#include "cpu/transpose.h"
#include "cpu/vmath.h"
#include "args.h"
#include "internal.h"

namespace {

constexpr int64_t kGemvRows = 4;
constexpr int64_t kChunkK = 64;  // weight rows per partial sum in the [in, out] GEMV
constexpr int kMr = 12;        // rows per micro-tile
constexpr int kNr = 32;        // columns per panel (two zmm)
constexpr int64_t kKc = 512;   // k block: a panel slice of kKc x 32 floats is 64 KiB
constexpr int64_t kGroupBytes = 512 * 1024;  // packed panels per thread at a time: they stay in L2

enum Act { kNone = 0, kGeluExact = 1, kGeluTanh = 2 };

inline float weight_at(const float *w, int layout, int64_t in, int64_t out, int64_t o, int64_t k) {
    if (layout == 2) return w[((o / kNr) * in + k) * kNr + o % kNr];
    return layout == 0 ? w[o * in + k] : w[k * out + o];
}

inline float act_scalar(float z, int act) {
    if (act == kGeluExact) return t4j::gelu_exact_scalar(z);
    if (act == kGeluTanh) return t4j::gelu_tanh_scalar(z);
    return z;
}

// ---------------------------------------------------------------- scalar (any CPU; also the test reference path)

void rows_scalar(const float *x, const float *w, const float *bias, float *y, int64_t in, int64_t out, int layout, int act,
                 int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r)
        for (int64_t o = 0; o < out; ++o) {
            double acc = 0;
            for (int64_t k = 0; k < in; ++k) acc += static_cast<double>(x[r * in + k]) * weight_at(w, layout, in, out, o, k);
            y[r * out + o] = act_scalar(static_cast<float>(acc) + (bias ? bias[o] : 0.0f), act);
        }
}

// ---------------------------------------------------------------- AVX-512

#define T4J_AVX512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl")))

T4J_AVX512 inline __mmask16 tail_mask(int64_t n) {
    return n >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (n < 0 ? 0 : n)) - 1u);
}

T4J_AVX512 inline __m512 act512(__m512 z, int act) {
    if (act == kGeluExact) return t4j::gelu_exact512(z);
    if (act == kGeluTanh) return t4j::gelu_tanh512(z);
    return z;
}

// y[0, n) = act(acc + bias) for one row of a tile.
T4J_AVX512 inline void store_epilogue(float *y, __m512 acc, const float *bias, int64_t n, int act) {
    __mmask16 m = tail_mask(n);
    if (bias) acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(m, bias));
    _mm512_mask_storeu_ps(y, m, act512(acc, act));
}

// -------- GEMM: packing

// Panels [p0, p1) of the weights: packed[(p - p0) * in * 32 + k * 32 + j] = W(p * 32 + j, k), zero beyond out.
T4J_AVX512 void pack_panels(const float *w, int layout, int64_t in, int64_t out, int64_t p0, int64_t p1, float *packed) {
    for (int64_t p = p0; p < p1; ++p) {
        float *dst = packed + (p - p0) * in * kNr;
        int64_t n0 = p * kNr, n = std::min<int64_t>(kNr, out - n0);
        if (layout == 1) {
            __mmask16 m0 = tail_mask(n), m1 = tail_mask(n - 16);
            for (int64_t k = 0; k < in; ++k) {
                const float *src = w + k * out + n0;
                _mm512_storeu_ps(dst + k * kNr, _mm512_maskz_loadu_ps(m0, src));
                _mm512_storeu_ps(dst + k * kNr + 16, _mm512_maskz_loadu_ps(m1, src + 16));
            }
        } else {
            for (int64_t k = 0; k < in; k += 16) {
                int kn = static_cast<int>(std::min<int64_t>(16, in - k));
                t4j::transpose16(w + n0 * in + k, in, static_cast<int>(std::min<int64_t>(16, n)), kn, dst + k * kNr, kNr);
                t4j::transpose16(w + (n0 + 16) * in + k, in, static_cast<int>(std::max<int64_t>(0, n - 16)), kn, dst + k * kNr + 16, kNr);
            }
        }
    }
}

// -------- GEMM: micro-kernel

// C[MR, 32] (+)= A[MR, kc] B[kc, 32]; A rows have stride lda, B is a panel slice (stride 32). first: C is not
// read (bias added instead); last: the activation is applied. ncols (<= 32) columns of C are stored.
template <int MR>
T4J_AVX512 void micro(int64_t kc, const float *a, int64_t lda, const float *b, float *c, int64_t ldc, int64_t ncols,
                      bool first, bool last, const float *bias, int act) {
    __m512 c0[MR], c1[MR];
    for (int i = 0; i < MR; ++i) c0[i] = c1[i] = _mm512_setzero_ps();
    for (int64_t k = 0; k < kc; ++k) {
        __m512 b0 = _mm512_loadu_ps(b + k * kNr), b1 = _mm512_loadu_ps(b + k * kNr + 16);
        for (int i = 0; i < MR; ++i) {
            __m512 av = _mm512_set1_ps(a[i * lda + k]);
            c0[i] = _mm512_fmadd_ps(av, b0, c0[i]);
            c1[i] = _mm512_fmadd_ps(av, b1, c1[i]);
        }
    }
    __mmask16 m0 = tail_mask(ncols), m1 = tail_mask(ncols - 16);
    for (int i = 0; i < MR; ++i) {
        float *ci = c + i * ldc;
        if (!first) {
            c0[i] = _mm512_add_ps(c0[i], _mm512_maskz_loadu_ps(m0, ci));
            c1[i] = _mm512_add_ps(c1[i], _mm512_maskz_loadu_ps(m1, ci + 16));
        }
        if (last) {
            store_epilogue(ci, c0[i], first ? bias : nullptr, ncols, act);
            if (ncols > 16) store_epilogue(ci + 16, c1[i], first && bias ? bias + 16 : nullptr, ncols - 16, act);
        } else {
            if (first && bias) {
                c0[i] = _mm512_add_ps(c0[i], _mm512_maskz_loadu_ps(m0, bias));
                c1[i] = _mm512_add_ps(c1[i], _mm512_maskz_loadu_ps(m1, bias + 16));
            }
            _mm512_mask_storeu_ps(ci, m0, c0[i]);
            _mm512_mask_storeu_ps(ci + 16, m1, c1[i]);
        }
    }
}

using MicroFn = void (*)(int64_t, const float *, int64_t, const float *, float *, int64_t, int64_t, bool, bool, const float *,
                         int);

template <int... I>
constexpr std::array<MicroFn, sizeof...(I)> micro_table(std::integer_sequence<int, I...>) {
    return {&micro<I + 1>...};
}

// All rows times panels [p0, p1), which are packed in `packed` (panel p0 first).
T4J_AVX512 void gemm_block(const float *x, const float *packed, const float *bias, float *y, int64_t rows, int64_t in,
                           int64_t out, int act, int64_t p0, int64_t p1) {
    static constexpr auto table = micro_table(std::make_integer_sequence<int, kMr>{});
    for (int64_t k0 = 0; k0 < in; k0 += kKc) {
        int64_t kc = std::min<int64_t>(kKc, in - k0);
        bool first = k0 == 0, last = k0 + kc >= in;
        for (int64_t r = 0; r < rows; r += kMr) {
            int64_t mr = std::min<int64_t>(kMr, rows - r);
            for (int64_t p = p0; p < p1; ++p) {
                int64_t n0 = p * kNr;
                table[mr - 1](kc, x + r * in + k0, in, packed + (p - p0) * in * kNr + k0 * kNr, y + r * out + n0, out,
                              std::min<int64_t>(kNr, out - n0), first, last, bias ? bias + n0 : nullptr, act);
            }
        }
    }
}

// -------- GEMV (rows <= kGemvRows)

// Layout 0: output channels [o0, o1), one at a time for one row (a single memory stream), 4 at a time for 2-4
// rows, which share each weight load.
template <int R>
T4J_AVX512 void gemv_rows_major(const float *x, const float *w, const float *bias, float *y, int64_t in, int64_t out, int act,
                                int64_t o0, int64_t o1) {
    constexpr int C = R == 1 ? 1 : 4;  // one row at a time: a single stream per thread reads memory fastest
    for (int64_t o = o0; o < o1; o += C) {
        int64_t nc = std::min<int64_t>(C, o1 - o);
        __m512 acc[R][C];
        for (int r = 0; r < R; ++r)
            for (int c = 0; c < C; ++c) acc[r][c] = _mm512_setzero_ps();
        const float *wc[C];
        for (int c = 0; c < C; ++c) wc[c] = w + (o + std::min<int64_t>(c, nc - 1)) * in;
        // The next tile's rows are prefetched into L2 while this one streams (one core alone is latency-bound).
        const bool pf = o + 2 * C <= o1;
        for (int64_t k = 0; k < in; k += 16) {
            __mmask16 m = tail_mask(in - k);
            __m512 xv[R];
            for (int r = 0; r < R; ++r) xv[r] = _mm512_maskz_loadu_ps(m, x + r * in + k);
            for (int c = 0; c < C; ++c) {
                if (pf) _mm_prefetch(reinterpret_cast<const char *>(wc[c] + C * in + k), _MM_HINT_T1);
                __m512 wv = _mm512_maskz_loadu_ps(m, wc[c] + k);
                for (int r = 0; r < R; ++r) acc[r][c] = _mm512_fmadd_ps(xv[r], wv, acc[r][c]);
            }
        }
        for (int r = 0; r < R; ++r)
            for (int c = 0; c < nc; ++c) {
                float s = t4j::hsum512(acc[r][c]) + (bias ? bias[o + c] : 0.0f);
                y[r * out + o + c] = act_scalar(s, act);
            }
    }
}

// Layout 1: partial[r, 0..out) += sum over k in [k0, k1) of x[r, k] w[k, :], 4 weight rows per pass.
template <int R>
T4J_AVX512 void gemv_cols_major(const float *x, const float *w, float *partial, int64_t in, int64_t out, int64_t k0,
                                int64_t k1) {
    std::memset(partial, 0, sizeof(float) * static_cast<size_t>(R * out));
    int64_t k = k0;
    for (; k + 4 <= k1; k += 4) {
        const float *w0 = w + k * out, *w1 = w0 + out, *w2 = w1 + out, *w3 = w2 + out;
        __m512 xs[R][4];
        for (int r = 0; r < R; ++r)
            for (int j = 0; j < 4; ++j) xs[r][j] = _mm512_set1_ps(x[r * in + k + j]);
        const bool pf = k + 8 <= k1;  // prefetch the next 4 rows into L2 while these stream
        for (int64_t o = 0; o < out; o += 16) {
            __mmask16 m = tail_mask(out - o);
            if (pf)
                for (int j = 4; j < 8; ++j) _mm_prefetch(reinterpret_cast<const char *>(w0 + j * out + o), _MM_HINT_T1);
            __m512 a = _mm512_maskz_loadu_ps(m, w0 + o), b = _mm512_maskz_loadu_ps(m, w1 + o);
            __m512 c = _mm512_maskz_loadu_ps(m, w2 + o), d = _mm512_maskz_loadu_ps(m, w3 + o);
            for (int r = 0; r < R; ++r) {
                float *pr = partial + r * out + o;
                __m512 s = _mm512_maskz_loadu_ps(m, pr);
                s = _mm512_fmadd_ps(xs[r][0], a, s);
                s = _mm512_fmadd_ps(xs[r][1], b, s);
                s = _mm512_fmadd_ps(xs[r][2], c, s);
                s = _mm512_fmadd_ps(xs[r][3], d, s);
                _mm512_mask_storeu_ps(pr, m, s);
            }
        }
    }
    for (; k < k1; ++k) {
        const float *wk = w + k * out;
        for (int r = 0; r < R; ++r) {
            __m512 xv = _mm512_set1_ps(x[r * in + k]);
            float *pr = partial + r * out;
            for (int64_t o = 0; o < out; o += 16) {
                __mmask16 m = tail_mask(out - o);
                _mm512_mask_storeu_ps(pr + o, m, _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(m, wk + o), _mm512_maskz_loadu_ps(m, pr + o)));
            }
        }
    }
}

// y[r, o] = act(sum over parts of partial[p, r, o] + bias[o]), one row of R.
T4J_AVX512 void reduce_partials(const float *partials, int64_t parts, int64_t stride, const float *bias, float *y, int64_t n,
                                int act) {
    for (int64_t o = 0; o < n; o += 16) {
        __mmask16 m = tail_mask(n - o);
        __m512 s = _mm512_maskz_loadu_ps(m, partials + o);
        for (int64_t p = 1; p < parts; ++p) s = _mm512_add_ps(s, _mm512_maskz_loadu_ps(m, partials + p * stride + o));
        store_epilogue(y + o, s, bias ? bias + o : nullptr, n - o, act);
    }
}

#undef T4J_AVX512

// Per thread: packed weight panels (GEMM) or the partial sums of the calling thread (GEMV); kept for the next call.
float *scratch_floats(size_t n) {
    thread_local std::vector<float> buf;
    if (buf.size() < n) {
        std::vector<float>().swap(buf);
        buf.resize(n);
    }
    return buf.data();
}

int threads_for(int num_threads, int64_t work, int64_t max_parts) {
    // Below ~64k multiply-adds per thread, waking a worker costs more than it saves.
    return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>({static_cast<int64_t>(num_threads), max_parts, work / 65536})));
}

template <int R>
void gemv_avx512(const float *x, const float *w, const float *bias, float *y, int64_t in, int64_t out, int layout, int act,
                 int num_threads) {
    if (layout == 2) {  // each thread streams a contiguous run of whole packed panels
        int64_t panels = (out + kNr - 1) / kNr;
        int threads = threads_for(num_threads, in * out * R, panels);
        t4j::parallel_for(threads, panels, 1, [&](int64_t p0, int64_t p1) {
            for (int64_t p = p0; p < p1; ++p) {
                int64_t n0 = p * kNr;
                micro<R>(in, x, in, w + p * in * kNr, y + n0, out, std::min<int64_t>(kNr, out - n0), true, true,
                         bias ? bias + n0 : nullptr, act);
            }
        });
        return;
    }
    if (layout == 0) {
        int threads = threads_for(num_threads, in * out * R, std::max<int64_t>(1, out / 8));
        t4j::parallel_for(threads, out, 8, [&](int64_t o0, int64_t o1) {
            gemv_rows_major<R>(x, w, bias, y, in, out, act, o0, o1);
        });
        return;
    }
    // Fixed chunks of kChunkK weight rows, each into its own partial sums, reduced in chunk order: the result does
    // not depend on the thread count, and each thread streams one contiguous block of the weights.
    int64_t chunks = (in + kChunkK - 1) / kChunkK;
    int threads = threads_for(num_threads, in * out * R, chunks);
    int64_t stride = R * out;
    float *partials = scratch_floats(static_cast<size_t>(chunks * stride));
    t4j::parallel_for(threads, chunks, 1, [&](int64_t c0, int64_t c1) {
        for (int64_t c = c0; c < c1; ++c)
            gemv_cols_major<R>(x, w, partials + c * stride, in, out, c * kChunkK, std::min(in, (c + 1) * kChunkK));
    });
    for (int r = 0; r < R; ++r) reduce_partials(partials + r * out, chunks, stride, bias, y + r * out, out, act);
}

void gemm_avx512(const float *x, const float *w, const float *bias, float *y, int64_t rows, int64_t in, int64_t out,
                 int layout, int act, int num_threads, bool *out_of_memory) {
    int64_t panels = (out + kNr - 1) / kNr;
    int threads = threads_for(num_threads, rows * in * out, panels);
    int64_t fit = std::max<int64_t>(1, kGroupBytes / (in * kNr * static_cast<int64_t>(sizeof(float))));
    int64_t rounds = ((panels + fit - 1) / fit + threads - 1) / threads;  // groups per thread
    int64_t per = (panels + threads * rounds - 1) / (threads * rounds);
    int64_t groups = (panels + per - 1) / per;
    std::atomic<bool> oom{false};
    t4j::parallel_for(threads, groups, 1, [&](int64_t g0, int64_t g1) {
        try {
            float *buf = layout == 2 ? nullptr : scratch_floats(static_cast<size_t>(per * in * kNr));
            for (int64_t g = g0; g < g1; ++g) {
                int64_t p0 = g * per, p1 = std::min(panels, p0 + per);
                const float *panel = w + p0 * in * kNr;  // prepacked: read in place
                if (layout != 2) {
                    pack_panels(w, layout, in, out, p0, p1, buf);
                    panel = buf;
                }
                gemm_block(x, panel, bias, y, rows, in, out, act, p0, p1);
            }
        } catch (const std::bad_alloc &) {
            oom = true;
        }
    });
    *out_of_memory = oom;
}

}  // namespace

extern "C" int t4j_linear_f32_cpu(const float *x, const float *w, const float *bias, float *y, int64_t rows,
                                  int64_t in_features, int64_t out_features, int weight_layout, int activation,
                                  int num_threads, t4j_stream) {
    T4J_PROTECT({
        bool nothing;
        if (int st = t4j::check_linear(x, w, y, rows, in_features, out_features, weight_layout, activation, num_threads, &nothing))
            return st;
        if (nothing) return t4j::ok();
        if (in_features == 0 || t4j::isa() != t4j::Isa::kAvx512) {
            int threads = threads_for(num_threads, rows * std::max<int64_t>(in_features, 1) * out_features, rows);
            t4j::parallel_for(threads, rows, 1, [&](int64_t r0, int64_t r1) {
                rows_scalar(x, w, bias, y, in_features, out_features, weight_layout, activation, r0, r1);
            });
            return t4j::ok();
        }
        bool oom = false;
        try {
            switch (rows <= kGemvRows ? rows : 0) {
                case 1: gemv_avx512<1>(x, w, bias, y, in_features, out_features, weight_layout, activation, num_threads); break;
                case 2: gemv_avx512<2>(x, w, bias, y, in_features, out_features, weight_layout, activation, num_threads); break;
                case 3: gemv_avx512<3>(x, w, bias, y, in_features, out_features, weight_layout, activation, num_threads); break;
                case 4: gemv_avx512<4>(x, w, bias, y, in_features, out_features, weight_layout, activation, num_threads); break;
                default: gemm_avx512(x, w, bias, y, rows, in_features, out_features, weight_layout, activation, num_threads, &oom); break;
            }
        } catch (const std::bad_alloc &) {
            oom = true;
        }
        if (oom) return t4j::fail(T4J_ERR_INTERNAL, "linear: out of memory for packed weights or partial sums");
        return t4j::ok();
    })
}

extern "C" int64_t t4j_linear_f32_packed_floats(int64_t in_features, int64_t out_features) {
    if (in_features < 0 || out_features < 0) return -1;
    int64_t panels = (out_features + kNr - 1) / kNr;
    if (in_features > 0 && panels > INT64_MAX / kNr / in_features) return -1;
    return panels * kNr * in_features;
}

extern "C" int t4j_linear_f32_pack(const float *w, float *packed, int64_t in_features, int64_t out_features, int weight_layout,
                                   int num_threads) {
    T4J_PROTECT({
        if (in_features < 0 || out_features < 0)
            return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "linear_pack: in_features and out_features must be >= 0");
        if (weight_layout != 0 && weight_layout != 1)
            return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "linear_pack: weight_layout must be 0 ([out, in]) or 1 ([in, out])");
        if (num_threads < 1) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "linear_pack: num_threads must be >= 1");
        if (t4j_linear_f32_packed_floats(in_features, out_features) < 0)
            return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "linear_pack: packed size overflows int64");
        int64_t panels = (out_features + kNr - 1) / kNr;
        if (panels == 0 || in_features == 0) return t4j::ok();
        if (!w || !packed) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "linear_pack: null data pointer");
        bool avx512 = t4j::isa() == t4j::Isa::kAvx512;
        int threads = threads_for(num_threads, in_features * out_features, panels);
        t4j::parallel_for(threads, panels, 1, [&](int64_t p0, int64_t p1) {
            if (avx512) {
                pack_panels(w, weight_layout, in_features, out_features, p0, p1, packed + p0 * in_features * kNr);
                return;
            }
            for (int64_t p = p0; p < p1; ++p)
                for (int64_t k = 0; k < in_features; ++k)
                    for (int64_t j = 0; j < kNr; ++j) {
                        int64_t o = p * kNr + j;
                        packed[(p * in_features + k) * kNr + j] =
                            o < out_features ? weight_at(w, weight_layout, in_features, out_features, o, k) : 0.0f;
                    }
        });
        return t4j::ok();
    })
}
