// Helpers shared by the CUDA sources; not part of the C ABI.
#ifndef TORCH4J_CUDA_UTIL_CUH
#define TORCH4J_CUDA_UTIL_CUH

#include <cuda_runtime.h>

#include <string>

#include "internal.h"

namespace t4j {

// T4J_OK when a device is present, else records why not (prefixed with what) and returns the status.
inline int cuda_ready(const char *what) {
    int device_count = 0;
    if (cudaGetDeviceCount(&device_count) != cudaSuccess || device_count == 0) {
        cudaGetLastError();
        return fail(T4J_ERR_NO_CUDA, (std::string(what) + ": no CUDA device available").c_str());
    }
    return T4J_OK;
}

// Status of the launch just made.
inline int cuda_launched(const char *what) {
    cudaError_t err = cudaGetLastError();
    if (err != cudaSuccess) return fail(T4J_ERR_CUDA, (std::string(what) + ": " + cudaGetErrorString(err)).c_str());
    return ok();
}

inline unsigned grid_for(int64_t n, int threads) {
    int64_t blocks = (n + threads - 1) / threads;
    return static_cast<unsigned>(blocks > 65535 * 8 ? 65535 * 8 : blocks);
}

__device__ inline float bf16_to_f32(uint16_t h) { return __uint_as_float(static_cast<unsigned>(h) << 16); }

__device__ inline uint16_t f32_to_bf16(float f) {
    unsigned u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return static_cast<uint16_t>(u >> 16);
}

}  // namespace t4j

#endif
