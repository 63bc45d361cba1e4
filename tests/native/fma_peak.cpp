// The float32 FMA peak of this machine, the ceiling for every GEMM number in the benchmarks: each thread runs 16
// independent AVX-512 (or AVX2) FMA chains, which keeps both FMA pipes of a core busy. On a shared VM it moves
// with the host's load, so print it next to GEMM results taken at the same time.
//   target/native/bin/t4j_fma_peak [threads (default: all CPUs)] [seconds per run (default 1)]
#include <immintrin.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

__attribute__((target("avx512f"))) float chains512(long iters) {
    __m512 acc[16];
    for (int i = 0; i < 16; ++i) acc[i] = _mm512_set1_ps(0.001f * i);
    const __m512 a = _mm512_set1_ps(0.9999f), b = _mm512_set1_ps(1e-5f);
    for (long n = 0; n < iters; ++n)
#pragma GCC unroll 16  // the 16 accumulators must live in registers
        for (int i = 0; i < 16; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    float s = 0;
    for (int i = 0; i < 16; ++i) s += _mm512_reduce_add_ps(acc[i]);
    return s;
}

__attribute__((target("avx2,fma"))) float chains256(long iters) {
    __m256 acc[16];
    for (int i = 0; i < 16; ++i) acc[i] = _mm256_set1_ps(0.001f * i);
    const __m256 a = _mm256_set1_ps(0.9999f), b = _mm256_set1_ps(1e-5f);
    for (long n = 0; n < iters; ++n)
#pragma GCC unroll 16
        for (int i = 0; i < 16; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    alignas(32) float lanes[8];
    float s = 0;
    for (int i = 0; i < 16; ++i) {
        _mm256_store_ps(lanes, acc[i]);
        for (float l : lanes) s += l;
    }
    return s;
}

}  // namespace

int main(int argc, char **argv) {
    unsigned threads = argc > 1 ? static_cast<unsigned>(std::atoi(argv[1])) : std::thread::hardware_concurrency();
    double seconds = argc > 2 ? std::atof(argv[2]) : 1.0;
    if (threads < 1 || seconds <= 0) {
        std::fprintf(stderr, "usage: %s [threads >= 1] [seconds > 0]\n", argv[0]);
        return 2;
    }
    const bool avx512 = __builtin_cpu_supports("avx512f");
    const int lanes = avx512 ? 16 : 8;
    auto run = [&](long iters) { return avx512 ? chains512(iters) : chains256(iters); };
    // Size the run from a short calibration on one thread.
    auto t0 = std::chrono::steady_clock::now();
    volatile float sink = run(1 << 20);
    double cal = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    long iters = static_cast<long>((1 << 20) * seconds / (cal > 0 ? cal : 1e-3));
    for (int rep = 0; rep < 3; ++rep) {
        std::vector<std::thread> pool;
        std::vector<float> out(threads);
        t0 = std::chrono::steady_clock::now();
        for (unsigned t = 0; t < threads; ++t) pool.emplace_back([&, t] { out[t] = run(iters); });
        for (auto &th : pool) th.join();
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        sink = sink + out[0];
        std::printf("%s FMA peak, %u thread(s): %.1f GFLOPS\n", avx512 ? "AVX-512" : "AVX2", threads,
                    2.0 * 16 * lanes * static_cast<double>(iters) * threads / s / 1e9);
    }
    return 0;
}
