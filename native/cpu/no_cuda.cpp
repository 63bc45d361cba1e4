// Stand-ins for the CUDA entry points in a build without nvcc, so the ABI is the same everywhere.
#include "internal.h"

extern "C" int t4j_built_with_cuda(void) { return 0; }

extern "C" int t4j_gelu_tanh_f32_cuda(const float *, float *, int64_t, t4j_stream) {
    return t4j::fail(T4J_ERR_NO_CUDA, "torch4j native library was built without CUDA kernels");
}

namespace {
int no_cuda() { return t4j::fail(T4J_ERR_NO_CUDA, "torch4j native library was built without CUDA kernels"); }
}  // namespace

extern "C" int t4j_bias_gelu_f32_cuda(const float *, const float *, float *, int64_t, int64_t, int, int, t4j_stream) {
    return no_cuda();
}

extern "C" int t4j_bias_gelu_backward_f32_cuda(const float *, const float *, const float *, float *, float *, int64_t,
                                               int64_t, int, t4j_stream) {
    return no_cuda();
}

extern "C" int t4j_add_layernorm_f32_cuda(const float *, const float *, const float *, const float *, float *, float *,
                                          int64_t, int64_t, float, int, t4j_stream) {
    return no_cuda();
}

extern "C" int t4j_add_layernorm_bf16_cuda(const uint16_t *, const uint16_t *, const uint16_t *, const uint16_t *,
                                           uint16_t *, uint16_t *, int64_t, int64_t, float, int, t4j_stream) {
    return no_cuda();
}

extern "C" int t4j_int8_linear_f32_cuda(const float *, const int8_t *, const uint8_t *, const float *, const float *,
                                        float *, int64_t, int64_t, int64_t, int, t4j_stream) {
    return no_cuda();
}

extern "C" int t4j_decode_attention_f32_cuda(const float *, const float *, const float *, const int64_t *, float *,
                                             int64_t, int64_t, int64_t, int64_t, float, int, t4j_stream) {
    return no_cuda();
}

extern "C" int t4j_linear_f32_cuda(const float *, const float *, const float *, float *, int64_t, int64_t, int64_t, int,
                                   int, int, t4j_stream) {
    return no_cuda();
}

extern "C" int t4j_attention_f32_cuda(const float *, const float *, const float *, const uint8_t *, float *, int64_t, int64_t,
                                      int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                                      int64_t, int64_t, float, int, int, t4j_stream) {
    return no_cuda();
}
