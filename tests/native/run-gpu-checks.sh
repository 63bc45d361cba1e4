#!/usr/bin/env bash
# The CUDA kernels on a machine with an NVIDIA GPU, CMake and nvcc (no JDK or Maven needed): builds the native
# library and tests with CUDA, runs the CUDA tests (each kernel against the CPU kernels, themselves checked against
# double-precision references), the same tests under compute-sanitizer (memcheck, racecheck, synccheck, initcheck),
# then times each kernel on model shapes (t4j_native_tests cuda-bench). Prints everything; with OUT set (the device
# tool's output folder) also writes the logs there.
#   bash tests/native/run-gpu-checks.sh [build-dir]        (default /tmp/t4j-gpu)
# Peer timings for the same shapes in PyTorch on the same GPU: python3 tests/native/cuda_peer_bench.py
set -uo pipefail

cd "$(dirname "$0")/../.."
BUILD=${1:-/tmp/t4j-gpu}
LOGS=${OUT:-$BUILD/logs}
mkdir -p "$LOGS"
status=0

step() {  # step NAME COMMAND...: runs, logs to $LOGS/NAME.log, remembers a failure (77 = skipped counts as failure here)
    local name=$1
    shift
    echo "== $name: $*"
    "$@" > "$LOGS/$name.log" 2>&1
    local rc=$?
    tail -n 40 "$LOGS/$name.log"
    echo "== $name: exit $rc"
    [[ $rc -eq 0 ]] || status=1
    return $rc
}

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
command -v nvcc && nvcc --version | tail -1
step configure cmake -S cmake -B "$BUILD" -DCMAKE_BUILD_TYPE=Release || exit 1
step build cmake --build "$BUILD" -j "$(nproc)" || exit 1
BIN=$BUILD/bin/t4j_native_tests
step cuda-tests "$BIN" cuda
if command -v compute-sanitizer > /dev/null; then
    for tool in memcheck racecheck synccheck initcheck; do
        step "sanitizer-$tool" compute-sanitizer --tool "$tool" --error-exitcode 1 "$BIN" cuda
    done
else
    echo "compute-sanitizer not found"
    status=1
fi
step cuda-bench "$BIN" cuda-bench
if python3 -c "import torch" 2> /dev/null; then
    step cuda-peers python3 tests/native/cuda_peer_bench.py "$LOGS/cuda-bench.log"
fi
step cpu-tests "$BIN" cpu
echo "overall: $([[ $status -eq 0 ]] && echo PASSED || echo FAILED)"
exit $status
