// Stand-ins for the CUDA entry points in a build without nvcc, so the ABI is the same everywhere.
#include "internal.h"

extern "C" int t4j_built_with_cuda(void) { return 0; }

extern "C" int t4j_gelu_tanh_f32_cuda(const float *, float *, int64_t, t4j_stream) {
    return t4j::fail(T4J_ERR_NO_CUDA, "torch4j native library was built without CUDA kernels");
}
