// A persistent worker pool for the CPU kernels; not part of the C ABI.
#ifndef TORCH4J_CPU_THREAD_POOL_H
#define TORCH4J_CPU_THREAD_POOL_H

#include <cstdint>
#include <functional>

namespace t4j {

// Splits [0, n) into at most num_threads contiguous ranges whose bounds are multiples of grain (except
// the end) and runs fn(begin, end) on each, the calling thread taking the first. Workers are created
// once, the first time a call asks for that many, and then reused; concurrent callers take turns.
// fn must not throw and must not call parallel_for itself.
void parallel_for(int num_threads, int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)> &fn);

}  // namespace t4j

#endif
