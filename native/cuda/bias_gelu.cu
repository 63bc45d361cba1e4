// CUDA fused bias + GELU, forward and backward; same contract as the _cpu versions, on device pointers.
#include "cuda/cuda_util.cuh"

namespace {

constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kCubic = 0.044715f;
constexpr float kInvSqrt2Pi = 0.3989422804014327f;

__device__ inline float gelu(float z, bool tanh_form, float *dydz) {
    if (tanh_form) {
        float z2 = z * z;
        float u = kSqrt2OverPi * (z + kCubic * z2 * z);
        float e = __expf(fminf(-2.0f * u, 88.0f));
        float s = 1.0f / (1.0f + e);
        if (dydz) *dydz = s + z * s * (e * s) * 2.0f * kSqrt2OverPi * (1.0f + 3.0f * kCubic * z2);
        return z * s;
    }
    float cdf = normcdff(z);
    if (dydz) *dydz = cdf + z * kInvSqrt2Pi * expf(-0.5f * z * z);
    return z * cdf;
}

__global__ void fwd_kernel(const float *__restrict__ x, const float *__restrict__ b, float *y, int64_t n, int64_t cols,
                           bool tanh_form) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        y[i] = gelu(x[i] + b[i % cols], tanh_form, nullptr);
}

__global__ void bwd_kernel(const float *dy, const float *__restrict__ x, const float *__restrict__ b, float *dx, int64_t n,
                           int64_t cols, bool tanh_form) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        float d;
        // Beyond |z| = 20 gelu' is 0 or 1 to float precision; the clamp keeps z^3 finite (as on the CPU).
        gelu(fminf(fmaxf(x[i] + b[i % cols], -20.0f), 20.0f), tanh_form, &d);
        dx[i] = dy[i] * d;
    }
}

// One thread per column walks the rows: neighbouring threads read neighbouring addresses.
__global__ void column_sum_kernel(const float *__restrict__ dx, float *db, int64_t rows, int64_t cols) {
    for (int64_t c = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; c < cols; c += (int64_t)gridDim.x * blockDim.x) {
        double acc = 0;
        for (int64_t r = 0; r < rows; ++r) acc += dx[r * cols + c];
        db[c] = static_cast<float>(acc);
    }
}

int check(const char *what, int64_t rows, int64_t cols, int approximate) {
    if (rows < 0 || cols < 0) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, (std::string(what) + ": rows and cols must be >= 0").c_str());
    if (approximate != 0 && approximate != 1)
        return t4j::fail(T4J_ERR_INVALID_ARGUMENT, (std::string(what) + ": approximate must be 0 (erf) or 1 (tanh)").c_str());
    return T4J_OK;
}

}  // namespace

extern "C" int t4j_bias_gelu_f32_cuda(const float *x, const float *bias, float *y, int64_t rows, int64_t cols,
                                      int approximate, int, t4j_stream stream) {
    T4J_PROTECT({
        if (int st = check("bias_gelu", rows, cols, approximate)) return st;
        if (rows == 0 || cols == 0) return t4j::ok();
        if (!x || !bias || !y) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "bias_gelu: null data pointer");
        if (int st = t4j::cuda_ready("bias_gelu")) return st;
        int64_t n = rows * cols;
        fwd_kernel<<<t4j::grid_for(n, 256), 256, 0, static_cast<cudaStream_t>(stream)>>>(x, bias, y, n, cols, approximate == 1);
        return t4j::cuda_launched("bias_gelu");
    })
}

extern "C" int t4j_bias_gelu_backward_f32_cuda(const float *dy, const float *x, const float *bias, float *dx,
                                               float *dbias, int64_t rows, int64_t cols, int approximate,
                                               t4j_stream stream) {
    T4J_PROTECT({
        if (int st = check("bias_gelu_backward", rows, cols, approximate)) return st;
        if (cols == 0) return t4j::ok();
        if (rows > 0 && (!dy || !x || !bias || !dx))
            return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "bias_gelu_backward: null data pointer");
        if (int st = t4j::cuda_ready("bias_gelu_backward")) return st;
        cudaStream_t s = static_cast<cudaStream_t>(stream);
        int64_t n = rows * cols;
        if (n > 0) {
            bwd_kernel<<<t4j::grid_for(n, 256), 256, 0, s>>>(dy, x, bias, dx, n, cols, approximate == 1);
            if (int st = t4j::cuda_launched("bias_gelu_backward")) return st;
        }
        if (dbias) {
            column_sum_kernel<<<t4j::grid_for(cols, 256), 256, 0, s>>>(dx, dbias, rows, cols);
            return t4j::cuda_launched("bias_gelu_backward");
        }
        return t4j::ok();
    })
}
