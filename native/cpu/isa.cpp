// CPU code path selection, once per process.
#include <cstdlib>
#include <cstring>

#include "cpu/vmath.h"
#include "internal.h"

namespace {

t4j::Isa best() {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        return t4j::Isa::kAvx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return t4j::Isa::kAvx2;
    return t4j::Isa::kScalar;
}

// T4J_CPU_ISA=avx512, avx2 or scalar lowers the choice (never raises it), so tests can cover every path on one
// machine; avx512 only turns VNNI off.
t4j::Isa detect() {
    t4j::Isa isa = best();
    const char *want = std::getenv("T4J_CPU_ISA");
    if (!want) return isa;
    if (std::strcmp(want, "scalar") == 0) return t4j::Isa::kScalar;
    if (std::strcmp(want, "avx2") == 0 && isa == t4j::Isa::kAvx512) return t4j::Isa::kAvx2;
    return isa;
}

bool detect_vnni() {
    if (t4j::isa() != t4j::Isa::kAvx512 || !__builtin_cpu_supports("avx512vnni")) return false;
    const char *want = std::getenv("T4J_CPU_ISA");  // avx2 / scalar already lowered isa(); other values change nothing
    return !want || std::strcmp(want, "avx512") != 0;
}

}  // namespace

namespace t4j {

Isa isa() {
    static const Isa chosen = detect();
    return chosen;
}

bool vnni() {
    static const bool chosen = detect_vnni();
    return chosen;
}

}  // namespace t4j

extern "C" const char *t4j_cpu_isa(void) {
    switch (t4j::isa()) {
        case t4j::Isa::kAvx512: return t4j::vnni() ? "avx512_vnni" : "avx512";
        case t4j::Isa::kAvx2: return "avx2";
        default: return "scalar";
    }
}
