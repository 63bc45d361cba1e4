/*
 * torch4j native kernels: the only C ABI of the project.
 *
 * Rules (see shared STYLE.md): extern "C", t4j_ prefix, raw data pointers plus sizes and a stream
 * handle, an int status (T4J_OK or an error code) and a thread-local message from
 * t4j_last_error(). No C++ exception ever crosses this boundary. Callers (the Java side) check
 * dtype, device, contiguity and shape before calling; kernels re-check what is cheap to check.
 *
 * Every kernel has a CPU version (_cpu) and a CUDA version (_cuda) with the same parameters. The
 * CPU version ignores `stream`; the CUDA version runs on it (NULL = the legacy default stream)
 * and expects device pointers. In a build without CUDA the _cuda functions return
 * T4J_ERR_NO_CUDA.
 */
#ifndef TORCH4J_KERNELS_H
#define TORCH4J_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void *t4j_stream;

enum {
    T4J_OK = 0,
    T4J_ERR_INVALID_ARGUMENT = 1,
    T4J_ERR_NO_CUDA = 2,
    T4J_ERR_CUDA = 3,
    T4J_ERR_INTERNAL = 4
};

/* Message for the last non-OK status returned on this thread ("" when none). */
const char *t4j_last_error(void);

/* Version of this ABI; bumped on any incompatible change. */
int t4j_abi_version(void);

/* 1 when this library was built with CUDA kernels, else 0. */
int t4j_built_with_cuda(void);

/*
 * Sets environment variable `name` to `value` unless it is already set. torch4j uses it before LibTorch
 * loads, to give OpenMP a passive wait policy (see dev.torch4j.Native). Returns T4J_OK or an error.
 */
int t4j_setenv_if_unset(const char *name, const char *value);

/* Name of the CPU code path the dispatcher picked ("avx512", "avx2" or "scalar"). */
const char *t4j_cpu_isa(void);

/*
 * tanh-approximated GELU, elementwise on n contiguous float32 values:
 *   y = 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))
 * x and y may be the same pointer (in place); they must not otherwise overlap.
 */
int t4j_gelu_tanh_f32_cpu(const float *x, float *y, int64_t n, t4j_stream stream);
int t4j_gelu_tanh_f32_cuda(const float *x, float *y, int64_t n, t4j_stream stream);

#ifdef __cplusplus
}
#endif

#endif
