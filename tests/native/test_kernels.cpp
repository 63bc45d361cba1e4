// Native tests of the torch4j kernels against double-precision references.
//   t4j_native_tests cpu   - CPU kernels (always run in CI)
//   t4j_native_tests cuda  - CUDA kernels; exits 77 (skipped) without a GPU or a CUDA build
#include <cmath>
#include <cstdio>
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

void test_cpu() {
    std::printf("cpu isa: %s\n", t4j_cpu_isa());
    check(t4j_abi_version() == 1, "abi version is 1");
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
}

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
    return 0;
#else
    std::printf("SKIP: test binary built without the CUDA runtime\n");
    return 77;
#endif
}

}  // namespace

int main(int argc, char **argv) {
    std::string which = argc > 1 ? argv[1] : "cpu";
    int rc = 0;
    if (which == "cpu") {
        test_cpu();
    } else if (which == "cuda") {
        rc = test_cuda();
        if (rc == 77 && failures == 0) return 77;
    } else {
        std::fprintf(stderr, "usage: %s cpu|cuda\n", argv[0]);
        return 2;
    }
    std::printf("%s: %s\n", which.c_str(), failures == 0 ? "all checks passed" : "FAILED");
    return failures == 0 ? 0 : 1;
}
