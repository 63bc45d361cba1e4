// Helpers shared by the CPU and CUDA sources; not part of the C ABI.
#ifndef TORCH4J_INTERNAL_H
#define TORCH4J_INTERNAL_H

#include "torch4j/kernels.h"

namespace t4j {

// Records msg as this thread's last error and returns code, so call sites read
// `return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "...")`.
int fail(int code, const char *msg);

// Clears the thread's last error and returns T4J_OK.
int ok();

}  // namespace t4j

// Runs the body, turning any C++ exception into a status: nothing may unwind into Java. Variadic so that
// commas outside parentheses in the body (a CUDA launch's <<<grid, block, 0, stream>>>) pass through.
#define T4J_PROTECT(...)                                               \
    try {                                                              \
        __VA_ARGS__                                                    \
    } catch (const std::exception &e) {                                \
        return t4j::fail(T4J_ERR_INTERNAL, e.what());                  \
    } catch (...) {                                                    \
        return t4j::fail(T4J_ERR_INTERNAL, "unknown C++ exception");   \
    }

#endif
