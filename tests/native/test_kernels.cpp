// Native tests of the torch4j kernels against double-precision references.
//   t4j_native_tests cpu   - CPU kernels (always run in CI)
//   t4j_native_tests cuda  - CUDA kernels; exits 77 (skipped) without a GPU or a CUDA build
//   t4j_native_tests cuda-bench - times the CUDA kernels on model shapes (us, GB/s, GFLOPS); 77 likewise
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "torch4j/kernels.h"

#ifdef __has_include
#if __has_include(<cuda_runtime.h>) && defined(T4J_TEST_CUDA_RUNTIME)
#include <cuda_runtime.h>
#endif
#endif

namespace {

int failures = 0;

void check(bool cond, const std::string &what) {
    if (!cond) {
        ++failures;
        std::fprintf(stderr, "FAIL: %s\n", what.c_str());
    }
}

double gelu_ref(double x) { return 0.5 * x * (1.0 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))); }

// float32 tolerance as in torch.testing.assert_close.
bool close(float got, double want) { return std::fabs(got - want) <= 1e-5 + 1.3e-6 * std::fabs(want); }

std::vector<float> random_input(int64_t n, unsigned seed) {
    std::mt19937 gen(seed);
    std::normal_distribution<float> dist(0.0f, 3.0f);
    std::vector<float> x(n);
    for (auto &v : x) v = dist(gen);
    return x;
}

const int64_t kSizes[] = {0, 1, 7, 15, 16, 17, 31, 33, 255, 1000, 4097};

// ---------------------------------------------------------------- references (double precision)

double normal_cdf_ref(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

double gelu_exact_ref(double z) { return z * normal_cdf_ref(z); }

double gelu_grad_ref(double z, bool tanh_form) {
    if (!tanh_form) return normal_cdf_ref(z) + z * std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI);
    const double k0 = 0.7978845608028654, k1 = 0.044715;
    double t = std::tanh(k0 * (z + k1 * z * z * z));
    return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * k0 * (1 + 3 * k1 * z * z);
}

// The bit pattern torch.bfloat16 stores for f (round to nearest even).
uint16_t to_bf16(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return static_cast<uint16_t>(u >> 16);
}

float from_bf16(uint16_t h) {
    uint32_t u = static_cast<uint32_t>(h) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

// out of LayerNorm(x + r) with s rounded as the storage type rounds it; float32 s when bf16 is false.
std::vector<double> add_layernorm_ref(const std::vector<float> &x, const std::vector<float> &r, const std::vector<float> &g,
                                      const std::vector<float> &b, int64_t rows, int64_t cols, float eps, bool bf16,
                                      std::vector<float> *sum) {
    std::vector<double> out(rows * cols);
    sum->assign(rows * cols, 0.0f);
    for (int64_t i = 0; i < rows; ++i) {
        double mean = 0, var = 0;
        for (int64_t c = 0; c < cols; ++c) {
            float v = x[i * cols + c] + r[i * cols + c];
            (*sum)[i * cols + c] = bf16 ? from_bf16(to_bf16(v)) : v;
            mean += (*sum)[i * cols + c];
        }
        mean /= cols;
        for (int64_t c = 0; c < cols; ++c) var += ((*sum)[i * cols + c] - mean) * ((*sum)[i * cols + c] - mean);
        var /= cols;
        for (int64_t c = 0; c < cols; ++c)
            out[i * cols + c] = ((*sum)[i * cols + c] - mean) / std::sqrt(var + eps) * g[c] + b[c];
    }
    return out;
}

// y = x (w * scale)^T + bias with the dequantized weights, in double.
std::vector<double> int8_linear_ref(const std::vector<float> &x, const std::vector<int8_t> &w, const std::vector<float> &scale,
                                    const float *bias, int64_t rows, int64_t in, int64_t out) {
    std::vector<double> y(rows * out);
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t o = 0; o < out; ++o) {
            double acc = 0;
            for (int64_t k = 0; k < in; ++k) acc += static_cast<double>(x[r * in + k]) * w[o * in + k];
            y[r * out + o] = acc * scale[o] + (bias ? bias[o] : 0.0);
        }
    return y;
}

std::vector<int8_t> random_int8(int64_t n, unsigned seed) {
    std::mt19937 gen(seed);
    std::uniform_int_distribution<int> dist(-127, 127);
    std::vector<int8_t> w(n);
    for (auto &v : w) v = static_cast<int8_t>(dist(gen));
    return w;
}

// |got - want| <= atol + rtol * scale for a sum whose terms have absolute sum `scale`.
bool close_sum(float got, double want, double abs_terms) { return std::fabs(got - want) <= 1e-5 + 1.3e-6 * abs_terms; }

// softmax(scale q k^T) v over the first lengths[b] cache slots, in double; zeros for an empty row. abs_v[i]
// receives sum_t p_t |v_t| (the scale of the float32 summation error).
std::vector<double> decode_attention_ref(const std::vector<float> &q, const std::vector<float> &k, const std::vector<float> &v,
                                         const std::vector<int64_t> &lengths, int64_t batch, int64_t heads, int64_t max_len,
                                         int64_t dim, double scale, std::vector<double> *abs_v) {
    std::vector<double> out(batch * heads * dim, 0.0);
    abs_v->assign(out.size(), 0.0);
    for (int64_t bh = 0; bh < batch * heads; ++bh) {
        int64_t len = lengths[bh / heads];
        if (len == 0) continue;
        std::vector<double> s(len);
        double mx = -INFINITY, sum = 0;
        for (int64_t t = 0; t < len; ++t) {
            double dot = 0;
            for (int64_t i = 0; i < dim; ++i) dot += static_cast<double>(q[bh * dim + i]) * k[(bh * max_len + t) * dim + i];
            s[t] = dot * scale;
            mx = std::max(mx, s[t]);
        }
        for (auto &x : s) sum += (x = std::exp(x - mx));
        for (int64_t t = 0; t < len; ++t)
            for (int64_t i = 0; i < dim; ++i) {
                double vi = v[(bh * max_len + t) * dim + i];
                out[bh * dim + i] += s[t] / sum * vi;
                (*abs_v)[bh * dim + i] += s[t] / sum * std::fabs(vi);
            }
    }
    return out;
}

const int64_t kRows[] = {0, 1, 3, 7};
const int64_t kCols[] = {0, 1, 7, 15, 16, 17, 33, 100};

void test_bias_gelu_cpu() {
    for (int approximate = 0; approximate <= 1; ++approximate)
        for (int64_t rows : kRows)
            for (int64_t cols : kCols) {
                std::string tag = " approximate=" + std::to_string(approximate) + " rows=" + std::to_string(rows) +
                                  " cols=" + std::to_string(cols);
                int64_t n = rows * cols;
                std::vector<float> x = random_input(n, 11 + n), b = random_input(cols, 5 + cols), dy = random_input(n, 3 + n);
                for (auto &v : b) v /= 3;
                std::vector<float> y(n + 1, 7.0f), dx(n + 1, 7.0f), db(cols + 1, 7.0f);
                check(t4j_bias_gelu_f32_cpu(x.data(), b.data(), y.data(), rows, cols, approximate, 1, nullptr) == T4J_OK,
                      "bias_gelu status" + tag);
                check(t4j_bias_gelu_backward_f32_cpu(dy.data(), x.data(), b.data(), dx.data(), db.data(), rows, cols,
                                                     approximate, nullptr) == T4J_OK,
                      "bias_gelu_backward status" + tag);
                check(y[n] == 7.0f && dx[n] == 7.0f && db[cols] == 7.0f, "bias_gelu writes nothing past the end" + tag);
                std::vector<double> want_db(cols, 0.0), abs_db(cols, 0.0);
                bool ok_y = true, ok_dx = true;
                for (int64_t i = 0; i < n; ++i) {
                    double z = static_cast<double>(x[i]) + b[i % cols];
                    double want_y = approximate ? gelu_ref(z) : gelu_exact_ref(z);
                    double want_dx = dy[i] * gelu_grad_ref(z, approximate == 1);
                    ok_y = ok_y && close(y[i], want_y);
                    ok_dx = ok_dx && close(dx[i], want_dx);
                    want_db[i % cols] += want_dx;
                    abs_db[i % cols] += std::fabs(want_dx);
                }
                check(ok_y, "bias_gelu values" + tag);
                check(ok_dx, "bias_gelu_backward dx" + tag);
                bool ok_db = true;
                for (int64_t c = 0; c < cols; ++c) ok_db = ok_db && close_sum(db[c], want_db[c], abs_db[c]);
                check(ok_db, "bias_gelu_backward db" + tag);
                std::vector<float> dx2(n + 1);
                check(t4j_bias_gelu_backward_f32_cpu(dy.data(), x.data(), b.data(), dx2.data(), nullptr, rows, cols,
                                                     approximate, nullptr) == T4J_OK &&
                          (n == 0 || std::memcmp(dx.data(), dx2.data(), n * sizeof(float)) == 0),
                      "bias_gelu_backward without db" + tag);
            }
    // Tails of both forms, where the erfc and the clamped exp take over.
    const float extremes[] = {-1e30f, -100.f, -20.f, -8.f, -5.f, -0.f, 0.f, 1e-30f, 5.f, 20.f, 100.f, 1e30f};
    for (int approximate = 0; approximate <= 1; ++approximate)
        for (float v : extremes) {
            float zero = 0, y = 0, dx = 0, one = 1;
            t4j_bias_gelu_f32_cpu(&v, &zero, &y, 1, 1, approximate, 1, nullptr);
            t4j_bias_gelu_backward_f32_cpu(&one, &v, &zero, &dx, nullptr, 1, 1, approximate, nullptr);
            double want = approximate ? gelu_ref(v) : gelu_exact_ref(v);
            double want_d = gelu_grad_ref(v, approximate == 1);
            check(std::isfinite(y) && close(y, std::isfinite(want) ? want : v), "bias_gelu extreme x=" + std::to_string(v));
            check(std::isfinite(dx) && close(dx, std::isfinite(want_d) ? want_d : (v > 0 ? 1.0 : 0.0)),
                  "bias_gelu_backward extreme x=" + std::to_string(v));
        }
    float a[4] = {0}, b1[2] = {0};
    check(t4j_bias_gelu_f32_cpu(a, b1, a, 2, 2, 2, 1, nullptr) == T4J_ERR_INVALID_ARGUMENT, "bias_gelu approximate=2 rejected");
    check(t4j_bias_gelu_f32_cpu(a, b1, a, -1, 2, 0, 1, nullptr) == T4J_ERR_INVALID_ARGUMENT, "bias_gelu negative rows rejected");
    check(t4j_bias_gelu_f32_cpu(a, nullptr, a, 2, 2, 0, 1, nullptr) == T4J_ERR_INVALID_ARGUMENT, "bias_gelu null bias rejected");
    check(t4j_bias_gelu_f32_cpu(a, b1, a, 2, 2, 0, 1, nullptr) == T4J_OK, "bias_gelu in place");
}

void test_add_layernorm_cpu() {
    const int64_t cols_list[] = {1, 2, 7, 16, 17, 33, 100, 1000};
    for (int bf16 = 0; bf16 <= 1; ++bf16)
        for (int64_t rows : {1, 3})
            for (int64_t cols : cols_list)
                for (float offset : {0.0f, 100.0f}) {
                    std::string tag = std::string(bf16 ? " bf16" : " f32") + " rows=" + std::to_string(rows) +
                                      " cols=" + std::to_string(cols) + " offset=" + std::to_string(offset);
                    int64_t n = rows * cols;
                    float eps = 1e-5f;
                    std::vector<float> x = random_input(n, 21 + n), r = random_input(n, 22 + n), g = random_input(cols, 23),
                                       b = random_input(cols, 24);
                    for (auto &v : x) v += offset;
                    if (bf16)
                        for (auto *vec : {&x, &r, &g, &b})
                            for (auto &v : *vec) v = from_bf16(to_bf16(v));
                    std::vector<float> want_sum;
                    std::vector<double> want = add_layernorm_ref(x, r, g, b, rows, cols, eps, bf16, &want_sum);
                    std::vector<float> out(n), sum(n);
                    int st;
                    if (bf16) {
                        std::vector<uint16_t> hx(n), hr(n), hg(cols), hb(cols), ho(n + 1, 0xabcd), hs(n + 1, 0xabcd);
                        for (int64_t i = 0; i < n; ++i) hx[i] = to_bf16(x[i]), hr[i] = to_bf16(r[i]);
                        for (int64_t c = 0; c < cols; ++c) hg[c] = to_bf16(g[c]), hb[c] = to_bf16(b[c]);
                        st = t4j_add_layernorm_bf16_cpu(hx.data(), hr.data(), hg.data(), hb.data(), ho.data(), hs.data(), rows,
                                                        cols, eps, 1, nullptr);
                        check(ho[n] == 0xabcd && hs[n] == 0xabcd, "add_layernorm writes nothing past the end" + tag);
                        for (int64_t i = 0; i < n; ++i) out[i] = from_bf16(ho[i]), sum[i] = from_bf16(hs[i]);
                    } else {
                        st = t4j_add_layernorm_f32_cpu(x.data(), r.data(), g.data(), b.data(), out.data(), sum.data(), rows,
                                                       cols, eps, 1, nullptr);
                    }
                    check(st == T4J_OK, "add_layernorm status" + tag);
                    bool ok_out = true, ok_sum = true;
                    for (int64_t i = 0; i < n; ++i) {
                        // bf16 output: one rounding to 8 significant bits (relative 2^-8 covers it and the f32 math).
                        double tol = bf16 ? 1e-5 + std::ldexp(1.0, -8) * std::fabs(want[i]) : 1e-5 + 1.3e-6 * std::fabs(want[i]);
                        ok_out = ok_out && std::fabs(out[i] - want[i]) <= tol;
                        ok_sum = ok_sum && sum[i] == want_sum[i];
                    }
                    check(ok_out, "add_layernorm values" + tag);
                    check(ok_sum, "add_layernorm sum is exactly x + residual" + tag);
                }
    float v[4] = {1, 2, 3, 4}, g[2] = {1, 1}, b[2] = {0, 0}, o[4];
    check(t4j_add_layernorm_f32_cpu(v, v, g, b, o, nullptr, 2, 2, -1.0f, 1, nullptr) == T4J_ERR_INVALID_ARGUMENT,
          "add_layernorm negative eps rejected");
    check(t4j_add_layernorm_f32_cpu(v, nullptr, g, b, o, nullptr, 2, 2, 1e-5f, 1, nullptr) == T4J_ERR_INVALID_ARGUMENT,
          "add_layernorm null residual rejected");
    check(t4j_add_layernorm_f32_cpu(v, v, g, b, v, nullptr, 2, 2, 1e-5f, 1, nullptr) == T4J_OK && std::fabs(v[0] + 1) < 1e-4,
          "add_layernorm in place");
}

// Inputs large enough for the pool: every split must give exactly the single-threaded result (rows are
// independent), which the tests above check against double references.
void test_fused_threads_cpu() {
    const int64_t rows = 301, cols = 333, n = rows * cols;
    std::vector<float> x = random_input(n, 71), r = random_input(n, 72), g = random_input(cols, 73), b = random_input(cols, 74);
    for (int approximate = 0; approximate <= 1; ++approximate) {
        std::vector<float> y1(n), y3(n);
        check(t4j_bias_gelu_f32_cpu(x.data(), b.data(), y1.data(), rows, cols, approximate, 1, nullptr) == T4J_OK &&
                  t4j_bias_gelu_f32_cpu(x.data(), b.data(), y3.data(), rows, cols, approximate, 3, nullptr) == T4J_OK,
              "bias_gelu threaded status");
        check(y1 == y3, "bias_gelu on 3 threads equals 1 thread, approximate=" + std::to_string(approximate));
        bool ok = true;
        for (int64_t i = 0; i < n; i += 997) {
            double z = static_cast<double>(x[i]) + b[i % cols];
            ok = ok && close(y3[i], approximate ? gelu_ref(z) : gelu_exact_ref(z));
        }
        check(ok, "bias_gelu threaded values, approximate=" + std::to_string(approximate));
    }
    std::vector<float> o1(n), s1(n), o3(n), s3(n);
    check(t4j_add_layernorm_f32_cpu(x.data(), r.data(), g.data(), b.data(), o1.data(), s1.data(), rows, cols, 1e-5f, 1, nullptr) == T4J_OK &&
              t4j_add_layernorm_f32_cpu(x.data(), r.data(), g.data(), b.data(), o3.data(), s3.data(), rows, cols, 1e-5f, 3, nullptr) == T4J_OK,
          "add_layernorm threaded status");
    check(o1 == o3 && s1 == s3, "add_layernorm on 3 threads equals 1 thread");
    float v[4] = {1, 2, 3, 4}, g2[2] = {1, 1}, b2[2] = {0, 0}, o[4];
    check(t4j_bias_gelu_f32_cpu(v, g2, o, 2, 2, 0, 0, nullptr) == T4J_ERR_INVALID_ARGUMENT, "bias_gelu num_threads=0 rejected");
    check(t4j_add_layernorm_f32_cpu(v, v, g2, b2, o, nullptr, 2, 2, 1e-5f, 0, nullptr) == T4J_ERR_INVALID_ARGUMENT,
          "add_layernorm num_threads=0 rejected");
}

void test_int8_linear_cpu() {
    const int64_t ins[] = {0, 1, 7, 16, 17, 33, 100};
    const int64_t outs[] = {1, 3, 4, 5, 13};
    for (int threads : {1, 3})
        for (int64_t rows : {0, 1, 2, 3, 5, 9})
            for (int64_t in : ins)
                for (int64_t out : outs)
                    for (int with_bias = 0; with_bias <= 1; ++with_bias) {
                        std::string tag = " threads=" + std::to_string(threads) + " rows=" + std::to_string(rows) +
                                          " in=" + std::to_string(in) + " out=" + std::to_string(out) +
                                          " bias=" + std::to_string(with_bias);
                        std::vector<float> x = random_input(rows * in, 31 + in), scale = random_input(out, 32),
                                           bias = random_input(out, 33);
                        for (auto &s : scale) s = std::fabs(s) / 100 + 1e-3f;
                        std::vector<int8_t> w = random_int8(out * in, 34 + out);
                        std::vector<float> y(rows * out + 1, 9.0f);
                        const float *bp = with_bias ? bias.data() : nullptr;
                        int st = t4j_int8_linear_f32_cpu(x.data(), w.data(), nullptr, scale.data(), bp, y.data(), rows, in, out,
                                                         threads, nullptr);
                        check(st == T4J_OK, "int8_linear status" + tag + " " + t4j_last_error());
                        check(y[rows * out] == 9.0f, "int8_linear writes nothing past the end" + tag);
                        std::vector<double> want = int8_linear_ref(x, w, scale, bp, rows, in, out);
                        bool ok = true;
                        for (int64_t r = 0; r < rows; ++r)
                            for (int64_t o = 0; o < out; ++o) {
                                // float32 summation error: relative to sum_k |x w| scale, not to the (cancelling) result.
                                double abs_terms = std::fabs(with_bias ? bias[o] : 0.0f);
                                for (int64_t k = 0; k < in; ++k) abs_terms += std::fabs(x[r * in + k] * w[o * in + k] * scale[o]);
                                ok = ok && close_sum(y[r * out + o], want[r * out + o], abs_terms);
                            }
                        check(ok, "int8_linear values" + tag);
                    }
    // A bigger case that really spreads over the pool (work above the per-thread threshold).
    int64_t rows = 5, in = 300, out = 301;
    std::vector<float> x = random_input(rows * in, 41), scale(out, 0.01f);
    std::vector<int8_t> w = random_int8(out * in, 42);
    std::vector<float> y1(rows * out), y4(rows * out);
    check(t4j_int8_linear_f32_cpu(x.data(), w.data(), nullptr, scale.data(), nullptr, y1.data(), rows, in, out, 1, nullptr) ==
                  T4J_OK &&
              t4j_int8_linear_f32_cpu(x.data(), w.data(), nullptr, scale.data(), nullptr, y4.data(), rows, in, out, 4, nullptr) ==
                  T4J_OK,
          "int8_linear threaded status");
    check(std::memcmp(y1.data(), y4.data(), y1.size() * sizeof(float)) == 0, "int8_linear result independent of num_threads");
    check(t4j_int8_linear_f32_cpu(x.data(), w.data(), nullptr, scale.data(), nullptr, y1.data(), rows, in, out, 0, nullptr) ==
              T4J_ERR_INVALID_ARGUMENT,
          "int8_linear num_threads=0 rejected");
}

// What the VNNI path computes, emulated: the row quantization in float32 exactly as documented in kernels.h (the
// same IEEE operations, so the same u), integer dot products, the epilogue in double.
struct VnniRef {
    std::vector<double> y;    // [rows, out]
    std::vector<double> act;  // [rows, out]: scale[o] sx[r] / 2 sum_k |w[o, k]|, the activation-rounding bound
};

VnniRef int8_linear_vnni_ref(const std::vector<float> &x, const std::vector<int8_t> &w, const std::vector<float> &scale,
                             const float *bias, int64_t rows, int64_t in, int64_t out) {
    VnniRef ref{std::vector<double>(rows * out), std::vector<double>(rows * out)};
    for (int64_t r = 0; r < rows; ++r) {
        float lo = 0, hi = 0;
        for (int64_t k = 0; k < in; ++k) lo = std::min(lo, x[r * in + k]), hi = std::max(hi, x[r * in + k]);
        float sx = (hi - lo) / 255.0f;
        std::vector<int> u(in, 0);
        int zp = 0;
        if (sx > 0) {
            float inv = 1.0f / sx;
            zp = std::min(255, std::max(0, static_cast<int>(std::nearbyint(-lo * inv))));
            for (int64_t k = 0; k < in; ++k)
                u[k] = std::min(255, std::max(0, static_cast<int>(std::nearbyint(x[r * in + k] * inv)) + zp));
        }
        for (int64_t o = 0; o < out; ++o) {
            int64_t acc = 0, abs_w = 0;
            for (int64_t k = 0; k < in; ++k) acc += static_cast<int64_t>(u[k] - zp) * w[o * in + k], abs_w += std::abs(w[o * in + k]);
            ref.y[r * out + o] = static_cast<double>(sx) * scale[o] * static_cast<double>(acc) + (bias ? bias[o] : 0.0);
            ref.act[r * out + o] = static_cast<double>(scale[o]) * sx / 2 * static_cast<double>(abs_w);
        }
    }
    return ref;
}

// The packed (VNNI) path on odd shapes and rows 1..37: with VNNI it must equal its emulation up to float32
// rounding of the epilogue and stay within the activation-rounding bound of the exact result; without VNNI (a
// lowered T4J_CPU_ISA) the packed call must give the exact path's bits.
void test_int8_linear_vnni_cpu() {
    bool vnni = std::strcmp(t4j_cpu_isa(), "avx512_vnni") == 0;
    const int64_t ins[] = {1, 3, 4, 5, 17, 64, 67, 100, 768};
    const int64_t outs[] = {1, 15, 16, 17, 63, 64, 65, 130};
    const int64_t rows_list[] = {1, 2, 3, 4, 5, 6, 7, 12, 13, 37};
    for (int threads : {1, 2})
        for (int64_t rows : rows_list)
            for (int64_t in : ins)
                for (int64_t out : outs) {
                    if (threads == 2 && (rows > 7 || in > 100)) continue;
                    std::string tag = " threads=" + std::to_string(threads) + " rows=" + std::to_string(rows) +
                                      " in=" + std::to_string(in) + " out=" + std::to_string(out);
                    std::vector<float> x = random_input(rows * in, 51 + in + rows), scale = random_input(out, 52),
                                       bias = random_input(out, 53);
                    for (auto &v : scale) v = std::fabs(v) / 100 + 1e-3f;
                    // Skewed rows (as after GELU) exercise a zero point away from the middle.
                    for (int64_t i = 0; i < rows * in; i += 3) x[i] = std::fabs(x[i]) * 2;
                    std::vector<int8_t> w = random_int8(out * in, 54 + out);
                    int64_t bytes = t4j_int8_linear_packed_bytes(in, out);
                    check(bytes > 0, "int8_linear_packed_bytes" + tag);
                    std::vector<uint8_t> packed(bytes);
                    check(t4j_int8_linear_pack(w.data(), packed.data(), in, out) == T4J_OK, "int8_linear_pack" + tag);
                    std::vector<float> y(rows * out + 1, 9.0f), exact(rows * out);
                    check(t4j_int8_linear_f32_cpu(x.data(), w.data(), packed.data(), scale.data(), bias.data(), y.data(), rows,
                                                  in, out, threads, nullptr) == T4J_OK,
                          "int8_linear packed status" + tag + " " + t4j_last_error());
                    check(y[rows * out] == 9.0f, "int8_linear packed writes nothing past the end" + tag);
                    if (!vnni) {
                        check(t4j_int8_linear_f32_cpu(x.data(), w.data(), nullptr, scale.data(), bias.data(), exact.data(), rows,
                                                      in, out, threads, nullptr) == T4J_OK &&
                                  std::memcmp(exact.data(), y.data(), exact.size() * sizeof(float)) == 0,
                              "int8_linear packed equals exact without VNNI" + tag);
                        continue;
                    }
                    VnniRef ref = int8_linear_vnni_ref(x, w, scale, bias.data(), rows, in, out);
                    std::vector<double> want = int8_linear_ref(x, w, scale, bias.data(), rows, in, out);
                    bool emulated = true, bounded = true;
                    for (int64_t i = 0; i < rows * out; ++i) {
                        double terms = std::fabs(ref.y[i] - bias[i % out]) + std::fabs(bias[i % out]);
                        emulated = emulated && std::fabs(y[i] - ref.y[i]) <= 1e-6 + 4e-7 * terms;
                        double abs_terms = std::fabs(bias[i % out]);
                        for (int64_t k = 0; k < in; ++k)
                            abs_terms += std::fabs(x[(i / out) * in + k] * w[(i % out) * in + k] * scale[i % out]);
                        bounded = bounded && std::fabs(y[i] - want[i]) <= ref.act[i] * (1 + 1e-5) + 1e-5 + 1.3e-6 * abs_terms;
                    }
                    check(emulated, "int8_linear vnni equals its emulation" + tag);
                    check(bounded, "int8_linear vnni within the activation-rounding bound" + tag);
                }
    // Special rows: all zeros gives the bias; NaN or infinity in a row gives NaN in that row only.
    {
        int64_t rows = 3, in = 20, out = 18;
        std::vector<float> x = random_input(rows * in, 61), scale(out, 0.01f), bias = random_input(out, 62);
        for (int64_t k = 0; k < in; ++k) x[k] = 0.0f;
        x[in + 7] = NAN;
        x[2 * in + 3] = INFINITY;
        std::vector<int8_t> w = random_int8(out * in, 63);
        std::vector<uint8_t> packed(t4j_int8_linear_packed_bytes(in, out));
        std::vector<float> y(rows * out);
        check(t4j_int8_linear_pack(w.data(), packed.data(), in, out) == T4J_OK &&
                  t4j_int8_linear_f32_cpu(x.data(), w.data(), packed.data(), scale.data(), bias.data(), y.data(), rows, in, out,
                                          1, nullptr) == T4J_OK,
              "int8_linear packed special rows status");
        // The exact path propagates infinities (inf * w, or NaN where they cancel); the VNNI path gives NaN.
        bool ok = true;
        for (int64_t o = 0; o < out; ++o)
            ok = ok && y[o] == bias[o] && std::isnan(y[out + o]) &&
                 (vnni ? std::isnan(y[2 * out + o]) : !std::isfinite(y[2 * out + o]));
        check(ok, "int8_linear packed: zero row gives bias, non-finite rows give NaN (VNNI) or non-finite (exact)");
    }
    // A problem that spreads over the pool: same bits for any thread count.
    {
        int64_t rows = 13, in = 300, out = 301;
        std::vector<float> x = random_input(rows * in, 64), scale(out, 0.01f);
        std::vector<int8_t> w = random_int8(out * in, 65);
        std::vector<uint8_t> packed(t4j_int8_linear_packed_bytes(in, out));
        std::vector<float> y1(rows * out), y4(rows * out);
        check(t4j_int8_linear_pack(w.data(), packed.data(), in, out) == T4J_OK &&
                  t4j_int8_linear_f32_cpu(x.data(), w.data(), packed.data(), scale.data(), nullptr, y1.data(), rows, in, out, 1,
                                          nullptr) == T4J_OK &&
                  t4j_int8_linear_f32_cpu(x.data(), w.data(), packed.data(), scale.data(), nullptr, y4.data(), rows, in, out, 4,
                                          nullptr) == T4J_OK,
              "int8_linear packed threaded status");
        check(std::memcmp(y1.data(), y4.data(), y1.size() * sizeof(float)) == 0, "int8_linear packed independent of num_threads");
    }
    check(t4j_int8_linear_packed_bytes(0, 4) == -1 && t4j_int8_linear_packed_bytes(65537, 4) == -1 &&
              t4j_int8_linear_packed_bytes(4, 0) == -1 && t4j_int8_linear_packed_bytes(-1, -1) == -1,
          "int8_linear_packed_bytes rejects sizes without a layout");
    check(t4j_int8_linear_packed_bytes(5, 17) == 2 * 2 * 64 + 32 * 4, "int8_linear_packed_bytes of 17 x 5");
    int8_t w1[4] = {1, 2, 3, 4};
    uint8_t p1[256];
    check(t4j_int8_linear_pack(w1, nullptr, 4, 1) == T4J_ERR_INVALID_ARGUMENT, "int8_linear_pack null packed rejected");
    check(t4j_int8_linear_pack(w1, p1, 0, 1) == T4J_ERR_INVALID_ARGUMENT, "int8_linear_pack in=0 rejected");
}

void test_decode_attention_cpu() {
    for (int threads : {1, 3})
        for (int64_t batch : {1, 3})
            for (int64_t heads : {1, 5})
                for (int64_t max_len : {1, 7, 33})
                    for (int64_t dim : {1, 7, 16, 17, 64, 100}) {
                        std::string tag = " threads=" + std::to_string(threads) + " B=" + std::to_string(batch) +
                                          " H=" + std::to_string(heads) + " Tmax=" + std::to_string(max_len) +
                                          " D=" + std::to_string(dim);
                        int64_t nq = batch * heads * dim, nkv = nq * max_len;
                        std::vector<float> q = random_input(nq, 81 + dim), k = random_input(nkv, 82 + max_len),
                                           v = random_input(nkv, 83 + heads);
                        // Lengths cover the full cache, a partial one and (with several rows) an empty one.
                        std::vector<int64_t> lengths(batch);
                        for (int64_t b = 0; b < batch; ++b) lengths[b] = b == 0 ? max_len : (b == 1 ? (max_len + 1) / 2 : 0);
                        // Slots past a row's length hold NaN: the kernel must never read them.
                        for (int64_t bh = 0; bh < batch * heads; ++bh)
                            for (int64_t t = lengths[bh / heads]; t < max_len; ++t)
                                for (int64_t i = 0; i < dim; ++i) k[(bh * max_len + t) * dim + i] = v[(bh * max_len + t) * dim + i] = NAN;
                        float scale = 1.0f / std::sqrt(static_cast<float>(dim));
                        std::vector<float> out(nq + 1, 5.0f);
                        int st = t4j_decode_attention_f32_cpu(q.data(), k.data(), v.data(), lengths.data(), out.data(), batch,
                                                              heads, max_len, dim, scale, threads, nullptr);
                        check(st == T4J_OK, "decode_attention status" + tag + " " + t4j_last_error());
                        check(out[nq] == 5.0f, "decode_attention writes nothing past the end" + tag);
                        std::vector<double> abs_v;
                        std::vector<double> want = decode_attention_ref(q, k, v, lengths, batch, heads, max_len, dim, scale, &abs_v);
                        bool ok = true;
                        for (int64_t i = 0; i < nq; ++i) ok = ok && std::fabs(out[i] - want[i]) <= 1e-5 + 4e-6 * abs_v[i];
                        check(ok, "decode_attention values" + tag);
                    }
    // Large scores (softmax saturates to one key) stay finite and pick that key's value.
    {
        int64_t dim = 8, max_len = 3;
        std::vector<float> q(dim, 10.0f), k(max_len * dim, 0.0f), v(max_len * dim);
        for (int64_t i = 0; i < dim; ++i) k[2 * dim + i] = 10.0f;
        for (int64_t i = 0; i < max_len * dim; ++i) v[i] = static_cast<float>(i / dim);
        std::vector<int64_t> len = {max_len};
        std::vector<float> out(dim);
        check(t4j_decode_attention_f32_cpu(q.data(), k.data(), v.data(), len.data(), out.data(), 1, 1, max_len, dim, 1.0f, 1,
                                           nullptr) == T4J_OK &&
                  out[0] == 2.0f && out[dim - 1] == 2.0f,
              "decode_attention saturated softmax");
    }
    float a[4] = {0};
    int64_t bad[1] = {2}, neg[1] = {-1}, one[1] = {1};
    check(t4j_decode_attention_f32_cpu(a, a, a, bad, a + 2, 1, 1, 1, 2, 1.0f, 1, nullptr) == T4J_ERR_INVALID_ARGUMENT,
          "decode_attention length > max_len rejected");
    check(t4j_decode_attention_f32_cpu(a, a, a, neg, a + 2, 1, 1, 1, 2, 1.0f, 1, nullptr) == T4J_ERR_INVALID_ARGUMENT,
          "decode_attention negative length rejected");
    check(t4j_decode_attention_f32_cpu(a, a, a, one, a + 2, 1, 1, 1, 2, 1.0f, 0, nullptr) == T4J_ERR_INVALID_ARGUMENT,
          "decode_attention num_threads=0 rejected");
    check(t4j_decode_attention_f32_cpu(a, a, a, one, a + 2, 1, 1, 1, 2, NAN, 1, nullptr) == T4J_ERR_INVALID_ARGUMENT,
          "decode_attention NaN scale rejected");
    check(t4j_decode_attention_f32_cpu(a, nullptr, a, one, a + 2, 1, 1, 1, 2, 1.0f, 1, nullptr) == T4J_ERR_INVALID_ARGUMENT,
          "decode_attention null k rejected");
    // Many (batch, head) pairs: the threaded split gives the same bits as one thread.
    int64_t batch = 4, heads = 12, max_len = 200, dim = 64;
    std::vector<float> q = random_input(batch * heads * dim, 91), k = random_input(batch * heads * max_len * dim, 92),
                       v = random_input(batch * heads * max_len * dim, 93);
    std::vector<int64_t> lengths = {200, 150, 1, 77};
    std::vector<float> o1(batch * heads * dim), o4(o1.size());
    check(t4j_decode_attention_f32_cpu(q.data(), k.data(), v.data(), lengths.data(), o1.data(), batch, heads, max_len, dim,
                                       0.125f, 1, nullptr) == T4J_OK &&
              t4j_decode_attention_f32_cpu(q.data(), k.data(), v.data(), lengths.data(), o4.data(), batch, heads, max_len, dim,
                                           0.125f, 4, nullptr) == T4J_OK,
          "decode_attention threaded status");
    check(std::memcmp(o1.data(), o4.data(), o1.size() * sizeof(float)) == 0, "decode_attention result independent of num_threads");
}

// act(x W^T + b) in double; W(o, k) per layout (0: w[o * in + k], 1: w[k * out + o]). abs_terms receives
// sum_k |x w| + |b| per output (the scale of the float32 summation error).
std::vector<double> linear_ref(const std::vector<float> &x, const std::vector<float> &w, const float *bias, int64_t rows,
                               int64_t in, int64_t out, int layout, int act, std::vector<double> *abs_terms) {
    std::vector<double> y(rows * out);
    abs_terms->assign(rows * out, 0.0);
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t o = 0; o < out; ++o) {
            double acc = bias ? bias[o] : 0.0, mag = bias ? std::fabs(bias[o]) : 0.0;
            for (int64_t k = 0; k < in; ++k) {
                double t = static_cast<double>(x[r * in + k]) * (layout == 0 ? w[o * in + k] : w[k * out + o]);
                acc += t;
                mag += std::fabs(t);
            }
            y[r * out + o] = act == 1 ? gelu_exact_ref(acc) : act == 2 ? gelu_ref(acc) : acc;
            (*abs_terms)[r * out + o] = mag;
        }
    return y;
}

void test_linear_cpu() {
    // Rows cross the GEMV/GEMM switch (4) and the 12-row tile; in crosses the 16-lane and 512 k-block edges; out
    // crosses the 16/32-column panel edges.
    const int64_t rows_list[] = {0, 1, 2, 3, 4, 5, 12, 13, 25};
    const int64_t ins[] = {0, 1, 15, 16, 17, 65, 513};
    const int64_t outs[] = {1, 15, 16, 17, 32, 33, 70};
    for (int layout = 0; layout <= 1; ++layout)
        for (int act = 0; act <= 2; ++act)
            for (int64_t rows : rows_list)
                for (int64_t in : ins)
                    for (int64_t out : outs) {
                        bool with_bias = (rows + in + out + act) % 2 == 0;
                        std::string tag = " layout=" + std::to_string(layout) + " act=" + std::to_string(act) +
                                          " rows=" + std::to_string(rows) + " in=" + std::to_string(in) +
                                          " out=" + std::to_string(out) + " bias=" + std::to_string(with_bias);
                        std::vector<float> x = random_input(rows * in, 201 + in), w = random_input(in * out, 202 + out),
                                           bias = random_input(out, 203);
                        for (auto &v : w) v *= 0.1f;
                        const float *bp = with_bias ? bias.data() : nullptr;
                        std::vector<float> y(rows * out + 1, 9.0f), y3(rows * out + 1, 9.0f);
                        int st = t4j_linear_f32_cpu(x.data(), w.data(), bp, y.data(), rows, in, out, layout, act, 1, nullptr);
                        check(st == T4J_OK, "linear status" + tag + " " + t4j_last_error());
                        check(y[rows * out] == 9.0f, "linear writes nothing past the end" + tag);
                        std::vector<double> mag;
                        std::vector<double> want = linear_ref(x, w, bp, rows, in, out, layout, act, &mag);
                        bool ok = true;
                        for (int64_t i = 0; i < rows * out; ++i)
                            // Summation error (GELU' <= 1.13 carries it through) plus the activation's own rounding.
                            ok = ok && std::fabs(y[i] - want[i]) <= 1e-5 + 1.3e-6 * (1.13 * mag[i] + std::fabs(want[i]));
                        check(ok, "linear values" + tag);
                        st = t4j_linear_f32_cpu(x.data(), w.data(), bp, y3.data(), rows, in, out, layout, act, 3, nullptr);
                        check(st == T4J_OK && std::memcmp(y.data(), y3.data(), y.size() * sizeof(float)) == 0,
                              "linear result independent of num_threads" + tag);
                        // The same weights packed once (layout 2): the GEMM (rows > 4) and the scalar path give
                        // the same bits; the packed GEMV sums in another order, so it is checked like y.
                        int64_t pf = t4j_linear_f32_packed_floats(in, out);
                        check(pf == (out + 31) / 32 * 32 * in, "linear packed size" + tag);
                        std::vector<float> packed(static_cast<size_t>(pf) + 1, 7.0f), yp(rows * out + 1, 9.0f);
                        check(t4j_linear_f32_pack(w.data(), packed.data(), in, out, layout, 2) == T4J_OK, "linear pack status" + tag);
                        check(packed[pf] == 7.0f, "linear pack writes nothing past the end" + tag);
                        st = t4j_linear_f32_cpu(x.data(), packed.data(), bp, yp.data(), rows, in, out, 2, act, 2, nullptr);
                        check(st == T4J_OK && yp[rows * out] == 9.0f, "linear packed status" + tag);
                        if (rows > 4 || std::strcmp(t4j_cpu_isa(), "scalar") == 0 || std::strcmp(t4j_cpu_isa(), "avx2") == 0) {
                            check(std::memcmp(y.data(), yp.data(), y.size() * sizeof(float)) == 0, "linear packed == unpacked" + tag);
                        } else {
                            bool pok = true;
                            for (int64_t i = 0; i < rows * out; ++i)
                                pok = pok && std::fabs(yp[i] - want[i]) <= 1e-5 + 1.3e-6 * (1.13 * mag[i] + std::fabs(want[i]));
                            check(pok, "linear packed GEMV values" + tag);
                        }
                    }
    // Big enough to spread over the pool on both paths.
    for (int64_t rows : {1, 3, 40})
        for (int layout = 0; layout <= 1; ++layout) {
            int64_t in = 700, out = 650;
            std::vector<float> x = random_input(rows * in, 211), w = random_input(in * out, 212);
            std::vector<float> y1(rows * out), y4(rows * out);
            check(t4j_linear_f32_cpu(x.data(), w.data(), nullptr, y1.data(), rows, in, out, layout, 0, 1, nullptr) == T4J_OK &&
                      t4j_linear_f32_cpu(x.data(), w.data(), nullptr, y4.data(), rows, in, out, layout, 0, 4, nullptr) == T4J_OK,
                  "linear threaded status");
            check(std::memcmp(y1.data(), y4.data(), y1.size() * sizeof(float)) == 0,
                  "linear threaded result independent of num_threads rows=" + std::to_string(rows));
        }
    float a[4] = {0}, b[4] = {0};
    check(t4j_linear_f32_cpu(a, a, nullptr, b, 1, 2, 2, 3, 0, 1, nullptr) == T4J_ERR_INVALID_ARGUMENT, "linear layout 3 rejected");
    check(t4j_linear_f32_pack(a, b, 2, 2, 2, 1) == T4J_ERR_INVALID_ARGUMENT, "linear_pack layout 2 rejected (already packed)");
    check(t4j_linear_f32_pack(a, b, -1, 2, 0, 1) == T4J_ERR_INVALID_ARGUMENT, "linear_pack negative size rejected");
    check(t4j_linear_f32_pack(nullptr, b, 2, 2, 0, 1) == T4J_ERR_INVALID_ARGUMENT, "linear_pack null weight rejected");
    check(t4j_linear_f32_pack(a, b, 2, 2, 0, 0) == T4J_ERR_INVALID_ARGUMENT, "linear_pack num_threads 0 rejected");
    check(t4j_linear_f32_packed_floats(-1, 3) == -1 && t4j_linear_f32_packed_floats(INT64_MAX / 2, 64) == -1,
          "linear packed size: negative and overflowing sizes give -1");
    check(t4j_linear_f32_packed_floats(5, 0) == 0 && t4j_linear_f32_packed_floats(0, 5) == 0, "linear packed size of empty weights");
    check(t4j_linear_f32_cpu(a, a, nullptr, b, 1, 2, 2, 0, 3, 1, nullptr) == T4J_ERR_INVALID_ARGUMENT, "linear activation 3 rejected");
    check(t4j_linear_f32_cpu(a, a, nullptr, b, 1, 2, 2, 0, 0, 0, nullptr) == T4J_ERR_INVALID_ARGUMENT, "linear num_threads 0 rejected");
    check(t4j_linear_f32_cpu(a, a, nullptr, b, -1, 2, 2, 0, 0, 1, nullptr) == T4J_ERR_INVALID_ARGUMENT, "linear negative rows rejected");
    check(t4j_linear_f32_cpu(nullptr, a, nullptr, b, 1, 2, 2, 0, 0, 1, nullptr) == T4J_ERR_INVALID_ARGUMENT, "linear null x rejected");
    check(std::strstr(t4j_last_error(), "null") != nullptr, "linear null message");
}

// Attention against a double reference with explicit strides (a fused q projection, KV caches), masks, causal rows.
struct AttnCase {
    int64_t batch, heads, q_len, kv_len, dim;
    bool causal, masked;
};

void test_attention_cpu() {
    const AttnCase cases[] = {{1, 1, 1, 1, 1, false, false},  {2, 3, 5, 5, 16, false, true},  {2, 2, 17, 17, 32, false, true},
                              {1, 2, 4, 9, 33, true, false},  {3, 1, 13, 13, 64, true, true}, {1, 1, 7, 70, 65, false, true},
                              {2, 2, 3, 130, 130, true, true}, {1, 1, 2, 0, 8, false, false}, {2, 1, 6, 6, 15, true, true}};
    for (const AttnCase &c : cases)
        for (int threads : {1, 3}) {
            std::string tag = " B=" + std::to_string(c.batch) + " H=" + std::to_string(c.heads) + " T=" + std::to_string(c.q_len) +
                              " S=" + std::to_string(c.kv_len) + " D=" + std::to_string(c.dim) + " causal=" + std::to_string(c.causal) +
                              " masked=" + std::to_string(c.masked) + " threads=" + std::to_string(threads);
            int64_t B = c.batch, H = c.heads, T = c.q_len, S = c.kv_len, D = c.dim, cap = S + 3;
            // q inside a fused [B, T, 3, H, D] projection; k and v as [B, H, cap, D] caches (cap > S: slots past S are NaN).
            std::vector<float> qkv = random_input(B * T * 3 * H * D, 301 + D), k = random_input(B * H * cap * D, 302 + S),
                               v = random_input(B * H * cap * D, 303 + T);
            for (int64_t bh = 0; bh < B * H; ++bh)
                for (int64_t t = S; t < cap; ++t)
                    for (int64_t i = 0; i < D; ++i) k[(bh * cap + t) * D + i] = v[(bh * cap + t) * D + i] = NAN;
            std::vector<uint8_t> mask(B * S, 1);
            if (c.masked)
                for (int64_t b = 0; b < B; ++b)
                    for (int64_t j = 0; j < S; ++j) mask[b * S + j] = b == 1 ? 0 : static_cast<uint8_t>((j * 7 + b) % 3 != 0);
            int64_t qs[3] = {T * 3 * H * D, 3 * H * D, D}, ks[3] = {H * cap * D, D, cap * D};
            float scale = 1.0f / std::sqrt(static_cast<float>(D));
            std::vector<float> out(B * T * H * D + 1, 5.0f);
            int st = t4j_attention_f32_cpu(qkv.data(), k.data(), v.data(), c.masked ? mask.data() : nullptr, out.data(), B, H, T, S, D,
                                           qs[0], qs[1], qs[2], ks[0], ks[1], ks[2], ks[0], ks[1], ks[2], scale, c.causal, threads,
                                           nullptr);
            check(st == T4J_OK, "attention status" + tag + " " + t4j_last_error());
            check(out[B * T * H * D] == 5.0f, "attention writes nothing past the end" + tag);
            bool ok = true;
            for (int64_t b = 0; b < B; ++b)
                for (int64_t h = 0; h < H; ++h)
                    for (int64_t i = 0; i < T; ++i) {
                        const float *q = qkv.data() + b * qs[0] + i * qs[1] + h * qs[2];
                        int64_t n = c.causal ? std::clamp<int64_t>(i + S - T + 1, 0, S) : S;
                        std::vector<double> sc(n, -INFINITY);
                        double mx = -INFINITY, sum = 0;
                        for (int64_t j = 0; j < n; ++j) {
                            if (c.masked && !mask[b * S + j]) continue;
                            double dot = 0;
                            for (int64_t d = 0; d < D; ++d) dot += static_cast<double>(q[d]) * k[b * ks[0] + j * ks[1] + h * ks[2] + d];
                            sc[j] = dot * scale;
                            mx = std::max(mx, sc[j]);
                        }
                        for (int64_t j = 0; j < n; ++j) sum += sc[j] == -INFINITY ? 0.0 : std::exp(sc[j] - mx);
                        for (int64_t d = 0; d < D; ++d) {
                            double want = 0, abs_v = 0;
                            for (int64_t j = 0; j < n; ++j) {
                                if (sc[j] == -INFINITY) continue;
                                double p = std::exp(sc[j] - mx) / sum, vj = v[b * ks[0] + j * ks[1] + h * ks[2] + d];
                                want += p * vj;
                                abs_v += p * std::fabs(vj);
                            }
                            float got = out[((b * T + i) * H + h) * D + d];
                            ok = ok && std::fabs(got - want) <= 1e-5 + 4e-6 * abs_v;
                        }
                    }
            check(ok, "attention values" + tag);
        }
    float a[4] = {0};
    check(t4j_attention_f32_cpu(a, a, a, nullptr, a, 1, 1, 1, 1, -1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.0f, 0, 1, nullptr) ==
              T4J_ERR_INVALID_ARGUMENT,
          "attention negative head_dim rejected");
    check(t4j_attention_f32_cpu(a, a, a, nullptr, a, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, INFINITY, 0, 1, nullptr) ==
              T4J_ERR_INVALID_ARGUMENT,
          "attention infinite scale rejected");
    check(t4j_attention_f32_cpu(a, nullptr, a, nullptr, a, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.0f, 0, 1, nullptr) ==
              T4J_ERR_INVALID_ARGUMENT,
          "attention null k rejected");
    check(t4j_attention_f32_cpu(a, a, a, nullptr, a, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.0f, 0, 0, nullptr) ==
              T4J_ERR_INVALID_ARGUMENT,
          "attention num_threads 0 rejected");
}

void test_cpu() {
    std::printf("cpu isa: %s\n", t4j_cpu_isa());
    check(t4j_abi_version() == 4, "abi version is 4");
    for (int64_t n : kSizes) {
        std::vector<float> x = random_input(n, static_cast<unsigned>(n) + 1);
        std::vector<float> y(n + 1, 123.0f);  // one guard element past the end
        int st = t4j_gelu_tanh_f32_cpu(x.data(), y.data(), n, nullptr);
        check(st == T4J_OK, "gelu status n=" + std::to_string(n));
        for (int64_t i = 0; i < n; ++i)
            if (!close(y[i], gelu_ref(x[i]))) {
                check(false, "gelu n=" + std::to_string(n) + " i=" + std::to_string(i) + " x=" + std::to_string(x[i]));
                break;
            }
        check(y[n] == 123.0f, "gelu writes nothing past n=" + std::to_string(n));
        std::vector<float> inplace = x;
        check(t4j_gelu_tanh_f32_cpu(inplace.data(), inplace.data(), n, nullptr) == T4J_OK, "in-place status");
        check(n == 0 || std::memcmp(inplace.data(), y.data(), n * sizeof(float)) == 0, "in-place equals out-of-place n=" + std::to_string(n));
    }
    const float extremes[] = {-1e30f, -100.f, -20.f, -0.f, 0.f, 1e-30f, 20.f, 100.f, 1e30f};
    for (float v : extremes) {
        float out = 0;
        t4j_gelu_tanh_f32_cpu(&v, &out, 1, nullptr);
        double want = gelu_ref(v);
        check(std::isfinite(out) && close(out, std::isfinite(want) ? want : v), "gelu extreme x=" + std::to_string(v));
    }
    float a[8] = {0};
    check(t4j_gelu_tanh_f32_cpu(a, a + 1, 4, nullptr) == T4J_ERR_INVALID_ARGUMENT, "partial overlap rejected");
    check(std::strstr(t4j_last_error(), "overlap") != nullptr, "overlap message");
    check(t4j_gelu_tanh_f32_cpu(a, a, -1, nullptr) == T4J_ERR_INVALID_ARGUMENT, "negative n rejected");
    check(t4j_gelu_tanh_f32_cpu(nullptr, a, 4, nullptr) == T4J_ERR_INVALID_ARGUMENT, "null pointer rejected");
    check(t4j_gelu_tanh_f32_cpu(a, a, 4, nullptr) == T4J_OK && t4j_last_error()[0] == '\0', "success clears message");
    test_bias_gelu_cpu();
    test_add_layernorm_cpu();
    test_fused_threads_cpu();
    test_int8_linear_cpu();
    test_linear_cpu();
    test_attention_cpu();
    test_int8_linear_vnni_cpu();
    test_decode_attention_cpu();
}


#ifdef T4J_TEST_CUDA_RUNTIME
template <typename T>
T *to_device(const std::vector<T> &h) {
    T *d = nullptr;
    cudaMalloc(&d, (h.empty() ? 1 : h.size()) * sizeof(T));
    if (!h.empty()) cudaMemcpy(d, h.data(), h.size() * sizeof(T), cudaMemcpyHostToDevice);
    return d;
}

template <typename T>
std::vector<T> to_host(const T *d, size_t n) {
    std::vector<T> h(n);
    if (n) cudaMemcpy(h.data(), d, n * sizeof(T), cudaMemcpyDeviceToHost);
    return h;
}

// The CUDA kernels against the CPU kernels (themselves checked against double references above), at
// float32 tolerance; int8_linear and the bf16 sum must agree to summation order / exactly.
void test_fused_cuda() {
    for (int approximate = 0; approximate <= 1; ++approximate)
        for (int64_t rows : {1, 5})
            for (int64_t cols : {1, 17, 1000}) {
                std::string tag = " approximate=" + std::to_string(approximate) + " rows=" + std::to_string(rows) + " cols=" + std::to_string(cols);
                int64_t n = rows * cols;
                std::vector<float> x = random_input(n, 51), b = random_input(cols, 52), dy = random_input(n, 53);
                std::vector<float> y(n), dx(n), db(cols);
                t4j_bias_gelu_f32_cpu(x.data(), b.data(), y.data(), rows, cols, approximate, 1, nullptr);
                t4j_bias_gelu_backward_f32_cpu(dy.data(), x.data(), b.data(), dx.data(), db.data(), rows, cols, approximate, nullptr);
                float *dX = to_device(x), *dB = to_device(b), *dDy = to_device(dy), *dY = to_device(y), *dDx = to_device(dx), *dDb = to_device(db);
                check(t4j_bias_gelu_f32_cuda(dX, dB, dY, rows, cols, approximate, 1, nullptr) == T4J_OK, "cuda bias_gelu" + tag);
                check(t4j_bias_gelu_backward_f32_cuda(dDy, dX, dB, dDx, dDb, rows, cols, approximate, nullptr) == T4J_OK, "cuda bias_gelu_backward" + tag);
                std::vector<float> gy = to_host(dY, n), gdx = to_host(dDx, n), gdb = to_host(dDb, cols);
                bool ok = true;
                for (int64_t i = 0; i < n; ++i) ok = ok && close(gy[i], y[i]) && close(gdx[i], dx[i]);
                for (int64_t c = 0; c < cols; ++c) ok = ok && close(gdb[c], db[c]);
                check(ok, "cuda bias_gelu values" + tag);
                for (float *p : {dX, dB, dDy, dY, dDx, dDb}) cudaFree(p);
            }
    for (int64_t cols : {1, 33, 1000, 4097}) {
        int64_t rows = 3, n = rows * cols;
        std::string tag = " cols=" + std::to_string(cols);
        std::vector<float> x = random_input(n, 61), r = random_input(n, 62), g = random_input(cols, 63), b = random_input(cols, 64);
        std::vector<float> out(n), sum(n);
        t4j_add_layernorm_f32_cpu(x.data(), r.data(), g.data(), b.data(), out.data(), sum.data(), rows, cols, 1e-5f, 1, nullptr);
        float *dX = to_device(x), *dR = to_device(r), *dG = to_device(g), *dB = to_device(b), *dO = to_device(out), *dS = to_device(sum);
        check(t4j_add_layernorm_f32_cuda(dX, dR, dG, dB, dO, dS, rows, cols, 1e-5f, 1, nullptr) == T4J_OK, "cuda add_layernorm" + tag);
        std::vector<float> go = to_host(dO, n), gs = to_host(dS, n);
        bool ok = true;
        for (int64_t i = 0; i < n; ++i) ok = ok && close(go[i], out[i]) && gs[i] == sum[i];
        check(ok, "cuda add_layernorm values" + tag);
        for (float *p : {dX, dR, dG, dB, dO, dS}) cudaFree(p);
        std::vector<uint16_t> hx(n), hr(n), hg(cols), hb(cols), ho(n), hs(n);
        for (int64_t i = 0; i < n; ++i) hx[i] = to_bf16(x[i]), hr[i] = to_bf16(r[i]);
        for (int64_t c = 0; c < cols; ++c) hg[c] = to_bf16(g[c]), hb[c] = to_bf16(b[c]);
        t4j_add_layernorm_bf16_cpu(hx.data(), hr.data(), hg.data(), hb.data(), ho.data(), hs.data(), rows, cols, 1e-5f, 1, nullptr);
        uint16_t *eX = to_device(hx), *eR = to_device(hr), *eG = to_device(hg), *eB = to_device(hb), *eO = to_device(ho), *eS = to_device(hs);
        check(t4j_add_layernorm_bf16_cuda(eX, eR, eG, eB, eO, eS, rows, cols, 1e-5f, 1, nullptr) == T4J_OK, "cuda add_layernorm bf16" + tag);
        std::vector<uint16_t> bo = to_host(eO, n), bs = to_host(eS, n);
        ok = true;
        for (int64_t i = 0; i < n; ++i)
            ok = ok && bs[i] == hs[i] && std::fabs(from_bf16(bo[i]) - from_bf16(ho[i])) <= 1e-5 + std::ldexp(1.0, -7) * std::fabs(from_bf16(ho[i]));
        check(ok, "cuda add_layernorm bf16 values" + tag);
        for (uint16_t *p : {eX, eR, eG, eB, eO, eS}) cudaFree(p);
    }
    for (int64_t rows : {1, 7})
        for (int64_t in : {1, 100, 769}) {
            int64_t out = 37;
            std::string tag = " rows=" + std::to_string(rows) + " in=" + std::to_string(in);
            std::vector<float> x = random_input(rows * in, 71), scale(out, 0.02f), bias = random_input(out, 72), y(rows * out);
            std::vector<int8_t> w = random_int8(out * in, 73);
            float *dX = to_device(x), *dS = to_device(scale), *dB = to_device(bias), *dY = to_device(y);
            int8_t *dW = to_device(w);
            check(t4j_int8_linear_f32_cuda(dX, dW, nullptr, dS, dB, dY, rows, in, out, 1, nullptr) == T4J_OK,
                  "cuda int8_linear" + tag);
            std::vector<float> gy = to_host(dY, rows * out);
            std::vector<double> want = int8_linear_ref(x, w, scale, bias.data(), rows, in, out);
            bool ok = true;
            for (int64_t i = 0; i < rows * out; ++i) {
                double abs_terms = std::fabs(bias[i % out]);
                for (int64_t k = 0; k < in; ++k) abs_terms += std::fabs(x[(i / out) * in + k] * w[(i % out) * in + k] * 0.02);
                ok = ok && close_sum(gy[i], want[i], abs_terms);
            }
            check(ok, "cuda int8_linear values" + tag);
            for (float *p : {dX, dS, dB, dY}) cudaFree(p);
            cudaFree(dW);
        }
    for (int layout = 0; layout <= 1; ++layout)
        for (int act = 0; act <= 2; ++act)
            for (int64_t rows : {1, 5, 40}) {
                int64_t in = 77, out = 45;
                std::string tag = " layout=" + std::to_string(layout) + " act=" + std::to_string(act) + " rows=" + std::to_string(rows);
                std::vector<float> x = random_input(rows * in, 81), w = random_input(in * out, 82), bias = random_input(out, 83), y(rows * out);
                float *dX = to_device(x), *dW = to_device(w), *dB = to_device(bias), *dY = to_device(y);
                check(t4j_linear_f32_cuda(dX, dW, dB, dY, rows, in, out, layout, act, 1, nullptr) == T4J_OK, "cuda linear" + tag);
                std::vector<float> gy = to_host(dY, rows * out);
                std::vector<double> mag;
                std::vector<double> want = linear_ref(x, w, bias.data(), rows, in, out, layout, act, &mag);
                bool ok = true;
                for (int64_t i = 0; i < rows * out; ++i) ok = ok && std::fabs(gy[i] - want[i]) <= 1e-5 + 1.3e-6 * (1.13 * mag[i] + std::fabs(want[i]));
                check(ok, "cuda linear values" + tag);
                for (float *p : {dX, dW, dB, dY}) cudaFree(p);
            }
    for (int causal = 0; causal <= 1; ++causal)
        for (int64_t dim : {1, 32, 65}) {
            int64_t B = 2, H = 3, T = 9, S = 12, n = B * H * S * dim, nq = B * T * H * dim;
            std::string tag = " causal=" + std::to_string(causal) + " D=" + std::to_string(dim);
            std::vector<float> q = random_input(nq, 91), k = random_input(n, 92), v = random_input(n, 93), out(nq);
            std::vector<uint8_t> mask(B * S, 1);
            for (int64_t j = 0; j < S; j += 3) mask[S + j] = 0;
            // q [B, T, H, D]; k, v [B, H, S, D]
            int64_t qs[3] = {T * H * dim, H * dim, dim}, ks[3] = {H * S * dim, dim, S * dim};
            t4j_attention_f32_cpu(q.data(), k.data(), v.data(), mask.data(), out.data(), B, H, T, S, dim, qs[0], qs[1], qs[2], ks[0], ks[1],
                                  ks[2], ks[0], ks[1], ks[2], 0.3f, causal, 1, nullptr);
            float *dQ = to_device(q), *dK = to_device(k), *dV = to_device(v), *dO = to_device(out);
            uint8_t *dM = to_device(mask);
            check(t4j_attention_f32_cuda(dQ, dK, dV, dM, dO, B, H, T, S, dim, qs[0], qs[1], qs[2], ks[0], ks[1], ks[2], ks[0], ks[1],
                                         ks[2], 0.3f, causal, 1, nullptr) == T4J_OK,
                  "cuda attention" + tag);
            std::vector<float> go = to_host(dO, nq);
            bool ok = true;
            for (int64_t i = 0; i < nq; ++i) ok = ok && std::fabs(go[i] - out[i]) <= 1e-5 + 4e-6 * 3 * 4;
            check(ok, "cuda attention values" + tag);
            for (float *p : {dQ, dK, dV, dO}) cudaFree(p);
            cudaFree(dM);
        }
    for (int64_t dim : {1, 33, 64, 256})
        for (int64_t max_len : {1, 5, 130}) {
            int64_t batch = 3, heads = 2, nq = batch * heads * dim, nkv = nq * max_len;
            std::string tag = " D=" + std::to_string(dim) + " Tmax=" + std::to_string(max_len);
            std::vector<float> q = random_input(nq, 101), k = random_input(nkv, 102), v = random_input(nkv, 103), out(nq);
            std::vector<int64_t> lengths = {max_len, (max_len + 1) / 2, 0};
            t4j_decode_attention_f32_cpu(q.data(), k.data(), v.data(), lengths.data(), out.data(), batch, heads, max_len, dim,
                                         0.3f, 1, nullptr);
            float *dQ = to_device(q), *dK = to_device(k), *dV = to_device(v), *dO = to_device(out);
            int64_t *dL = to_device(lengths);
            check(t4j_decode_attention_f32_cuda(dQ, dK, dV, dL, dO, batch, heads, max_len, dim, 0.3f, 1, nullptr) == T4J_OK,
                  "cuda decode_attention" + tag);
            std::vector<float> go = to_host(dO, nq);
            bool ok = true;
            for (int64_t i = 0; i < nq; ++i) ok = ok && std::fabs(go[i] - out[i]) <= 1e-5 + 4e-6 * 3 * 4;
            check(ok, "cuda decode_attention values" + tag);
            for (float *p : {dQ, dK, dV, dO}) cudaFree(p);
            cudaFree(dL);
        }
}
#endif

int test_cuda() {
    if (!t4j_built_with_cuda()) {
        std::printf("SKIP: library built without CUDA\n");
        return 77;
    }
    float probe = 0;
    int st = t4j_gelu_tanh_f32_cuda(&probe, &probe, 0, nullptr);
    check(st == T4J_OK, "n = 0 is a no-op");
#ifdef T4J_TEST_CUDA_RUNTIME
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
        std::printf("SKIP: no CUDA device\n");
        return 77;
    }
    for (int64_t n : kSizes) {
        if (n == 0) continue;
        std::vector<float> x = random_input(n, static_cast<unsigned>(n) + 7), y(n);
        float *dx = nullptr, *dy = nullptr;
        cudaMalloc(&dx, n * sizeof(float));
        cudaMalloc(&dy, n * sizeof(float));
        cudaMemcpy(dx, x.data(), n * sizeof(float), cudaMemcpyHostToDevice);
        check(t4j_gelu_tanh_f32_cuda(dx, dy, n, nullptr) == T4J_OK, std::string("cuda status: ") + t4j_last_error());
        cudaMemcpy(y.data(), dy, n * sizeof(float), cudaMemcpyDeviceToHost);
        for (int64_t i = 0; i < n; ++i)
            if (!close(y[i], gelu_ref(x[i]))) {
                check(false, "cuda gelu n=" + std::to_string(n) + " i=" + std::to_string(i));
                break;
            }
        cudaFree(dx);
        cudaFree(dy);
    }
    test_fused_cuda();
    return 0;
#else
    std::printf("SKIP: test binary built without the CUDA runtime\n");
    return 77;
#endif
}

#ifdef T4J_TEST_CUDA_RUNTIME
// Times one CUDA kernel call on the default stream: warm-up, then the mean of `reps` calls between CUDA events.
template <typename F>
double time_cuda_us(F &&call, int reps = 50) {
    for (int i = 0; i < 5; ++i) call();
    cudaEvent_t a, b;
    cudaEventCreate(&a);
    cudaEventCreate(&b);
    cudaEventRecord(a);
    for (int i = 0; i < reps; ++i) call();
    cudaEventRecord(b);
    cudaEventSynchronize(b);
    float ms = 0;
    cudaEventElapsedTime(&ms, a, b);
    cudaEventDestroy(a);
    cudaEventDestroy(b);
    return ms * 1000.0 / reps;
}

// Prints a line per kernel and shape: microseconds per call, and the bytes each call must move (inputs read once,
// outputs written once) as GB/s, or GFLOPS for the GEMM-shaped calls. Shapes are BERT-base / GPT-2 small ones.
int bench_cuda() {
    if (!t4j_built_with_cuda()) {
        std::printf("SKIP: library built without CUDA\n");
        return 77;
    }
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
        std::printf("SKIP: no CUDA device\n");
        return 77;
    }
    cudaDeviceProp prop{};
    cudaGetDeviceProperties(&prop, 0);
    std::printf("device: %s\n", prop.name);
    auto report = [](const std::string &what, double us, double bytes, double flops) {
        std::printf("%-52s %9.1f us  %8.1f GB/s", what.c_str(), us, bytes / us / 1e3);
        if (flops > 0) std::printf("  %8.1f GFLOPS", flops / us / 1e3);
        std::printf("\n");
    };
    auto ok = [](int st, const char *what) {
        if (st != T4J_OK) check(false, std::string(what) + ": " + t4j_last_error());
    };
    for (int64_t rows : {1024, 8192}) {
        int64_t cols = rows == 1024 ? 1536 : 3072, n = rows * cols;
        float *x = to_device(random_input(n, 1)), *bias = to_device(random_input(cols, 2)), *y = to_device(std::vector<float>(n));
        double us = time_cuda_us([&] { ok(t4j_bias_gelu_f32_cuda(x, bias, y, rows, cols, 0, 1, nullptr), "bias_gelu"); });
        report("bias_gelu exact " + std::to_string(rows) + " x " + std::to_string(cols), us, 8.0 * n, 0);
        for (float *p : {x, bias, y}) cudaFree(p);
    }
    for (int64_t rows : {1024, 8192}) {
        int64_t cols = rows == 1024 ? 384 : 768, n = rows * cols;
        float *x = to_device(random_input(n, 3)), *r = to_device(random_input(n, 4)), *g = to_device(random_input(cols, 5)),
              *b = to_device(random_input(cols, 6)), *o = to_device(std::vector<float>(n));
        double us = time_cuda_us([&] { ok(t4j_add_layernorm_f32_cuda(x, r, g, b, o, nullptr, rows, cols, 1e-5f, 1, nullptr), "add_layernorm"); });
        report("add_layernorm f32 " + std::to_string(rows) + " x " + std::to_string(cols), us, 12.0 * n, 0);
        for (float *p : {x, r, g, b, o}) cudaFree(p);
    }
    for (int64_t rows : {1, 1024}) {
        int64_t in = 768, out = 3072;
        std::vector<int8_t> wq(in * out);
        for (size_t i = 0; i < wq.size(); ++i) wq[i] = static_cast<int8_t>(static_cast<int>(i * 37 % 255) - 127);
        float *x = to_device(random_input(rows * in, 7)), *sc = to_device(std::vector<float>(out, 0.01f)),
              *b = to_device(random_input(out, 8)), *y = to_device(std::vector<float>(rows * out));
        int8_t *w = to_device(wq);
        double us = time_cuda_us([&] { ok(t4j_int8_linear_f32_cuda(x, w, nullptr, sc, b, y, rows, in, out, 1, nullptr), "int8_linear"); });
        report("int8_linear " + std::to_string(rows) + " x 768 -> 3072", us, in * out + 4.0 * rows * (in + out), 2.0 * rows * in * out);
        for (float *p : {x, sc, b, y}) cudaFree(p);
        cudaFree(w);
    }
    for (int64_t rows : {1, 1024}) {
        int64_t in = rows == 1 ? 768 : 384, out = rows == 1 ? 3072 : 1536;
        int layout = rows == 1 ? 1 : 0, act = rows == 1 ? 2 : 1;
        float *x = to_device(random_input(rows * in, 9)), *w = to_device(random_input(in * out, 10)),
              *b = to_device(random_input(out, 11)), *y = to_device(std::vector<float>(rows * out));
        double us = time_cuda_us([&] { ok(t4j_linear_f32_cuda(x, w, b, y, rows, in, out, layout, act, 1, nullptr), "linear"); });
        report("linear f32 " + std::to_string(rows) + " x " + std::to_string(in) + " -> " + std::to_string(out) + (layout ? " [in,out]" : " [out,in]") + " + GELU",
               us, 4.0 * (in * out + rows * (in + out)), 2.0 * rows * in * out);
        for (float *p : {x, w, b, y}) cudaFree(p);
    }
    {
        int64_t B = 8, H = 12, T = 128, D = 64, HD = H * D;
        float *q = to_device(random_input(B * T * HD, 12)), *k = to_device(random_input(B * T * HD, 13)),
              *v = to_device(random_input(B * T * HD, 14)), *o = to_device(std::vector<float>(B * T * HD));
        uint8_t *m = to_device(std::vector<uint8_t>(B * T, 1));
        double us = time_cuda_us([&] {
            ok(t4j_attention_f32_cuda(q, k, v, m, o, B, H, T, T, D, T * HD, HD, D, T * HD, HD, D, T * HD, HD, D, 0.125f, 0, 1, nullptr), "attention");
        });
        report("attention 8 x 12 heads x 128 x 64, key mask", us, 16.0 * B * T * HD, 4.0 * B * H * T * T * D);
        for (float *p : {q, k, v, o}) cudaFree(p);
        cudaFree(m);
    }
    for (int64_t len : {128, 1024}) {
        int64_t B = 1, H = 12, cap = 1024, D = 64;
        float *q = to_device(random_input(B * H * D, 15)), *k = to_device(random_input(B * H * cap * D, 16)),
              *v = to_device(random_input(B * H * cap * D, 17)), *o = to_device(std::vector<float>(B * H * D));
        int64_t *l = to_device(std::vector<int64_t>(B, len));
        double us = time_cuda_us([&] { ok(t4j_decode_attention_f32_cuda(q, k, v, l, o, B, H, cap, D, 0.125f, 1, nullptr), "decode_attention"); });
        report("decode_attention 12 heads x 64, " + std::to_string(len) + " cached", us, 8.0 * B * H * len * D, 0);
        for (float *p : {q, k, v, o}) cudaFree(p);
        cudaFree(l);
    }
    check(cudaDeviceSynchronize() == cudaSuccess, "cuda bench: device synchronize");
    return 0;
}
#endif

}  // namespace

int main(int argc, char **argv) {
    std::string which = argc > 1 ? argv[1] : "cpu";
    int rc = 0;
    if (which == "cpu") {
        test_cpu();
        // The lower code paths too, each in a child process (the dispatcher decides once per process).
        if (!std::getenv("T4J_CPU_ISA"))
            for (const char *lower : {"avx512", "avx2", "scalar"}) {
                std::string cmd = std::string("T4J_CPU_ISA=") + lower + " '" + argv[0] + "' cpu";
                check(std::system(cmd.c_str()) == 0, std::string("cpu kernels with T4J_CPU_ISA=") + lower);
            }
        // And with the pool never spinning, so workers always take the sleep/wake path.
        if (!std::getenv("T4J_POOL_SPIN_US") && !std::getenv("T4J_CPU_ISA")) {
            std::string cmd = std::string("T4J_POOL_SPIN_US=0 '") + argv[0] + "' cpu";
            check(std::system(cmd.c_str()) == 0, "cpu kernels with T4J_POOL_SPIN_US=0");
        }
    } else if (which == "cuda") {
        rc = test_cuda();
        if (rc == 77 && failures == 0) return 77;
    } else if (which == "cuda-bench") {
#ifdef T4J_TEST_CUDA_RUNTIME
        rc = bench_cuda();
#else
        std::printf("SKIP: test binary built without the CUDA runtime\n");
        rc = 77;
#endif
        if (rc == 77 && failures == 0) return 77;
    } else {
        std::fprintf(stderr, "usage: %s cpu|cuda|cuda-bench\n", argv[0]);
        return 2;
    }
    std::printf("%s: %s\n", which.c_str(), failures == 0 ? "all checks passed" : "FAILED");
    return failures == 0 ? 0 : 1;
}
