#!/usr/bin/env bash
# BERT throughput torch4j / ONNX Runtime in alternating rounds: BertBench.torch4j and BertBench.ort (same model,
# inputs and thread count, see BertBench) each run in their own JMH fork, ROUNDS times, the order flipping every
# round; prints each round's ratio and their median. On this shared VM the speed of the whole machine drifts by
# 10-15% over minutes (its 2-thread FMA peak, t4j_fma_peak, reads 480-570 GFLOPS), which one back-to-back pair
# cannot tell apart from a real difference; pairing neighbours in time and flipping the order cancels most of it.
#   ROUNDS=5 bash tests/jmh/run-bert-rounds.sh       (default 4 rounds, about 45 s each)
# BUILD_DIR picks the build folder (default target-bert2), as in run-model-bench.sh.
set -euo pipefail

cd "$(dirname "$0")/../.."

PY=/usr/bin/python3
ROUNDS=${ROUNDS:-4}
ITER_ARGS=${ITER_ARGS:-"-wi 2 -i 4"}
BUILD_DIR=${BUILD_DIR:-$PWD/target-bert2}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

mvn -B -q -Pbench -Dtorch4j.build.dir="$BUILD_DIR" test-compile
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$BUILD_DIR/native/bin/t4j_fma_peak" 2 0.5 | tail -1

for ((r = 1; r <= ROUNDS; r++)); do
    if ((r % 2)); then order="torch4j ort"; else order="ort torch4j"; fi
    for b in $order; do
        mvn -B -q -Pbench -Dtorch4j.build.dir="$BUILD_DIR" exec:exec@jmh \
            -Djmh.args="BertBench.$b\$ $ITER_ARGS -foe true -rf json -rff $WORK/round$r-$b.json" > "$WORK/round$r-$b.log"
    done
done

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$BUILD_DIR/native/bin/t4j_fma_peak" 2 0.5 | tail -1
"$PY" - "$WORK" "$ROUNDS" <<'PYEOF'
import json
import statistics
import sys

work, rounds = sys.argv[1], int(sys.argv[2])
def score(r, b):
    m = json.load(open(f"{work}/round{r}-{b}.json"))[0]["primaryMetric"]
    if m["scoreUnit"] != "ms/op":
        sys.exit(f"unexpected JMH unit {m['scoreUnit']}")
    return m["score"], m["scoreError"]

ratios = []
for r in range(1, rounds + 1):
    (t, te), (o, oe) = score(r, "torch4j"), score(r, "ort")
    ratios.append(o / t)
    print(f"round {r}: torch4j {t:.2f} ± {te:.2f} ms, ORT {o:.2f} ± {oe:.2f} ms per batch of 8 x 128 -> throughput ratio {o / t:.3f}x")
print(f"BERT all-MiniLM-L6-v2 fp32, torch4j / ORT throughput: median {statistics.median(ratios):.3f}x "
      f"(min {min(ratios):.3f}x, max {max(ratios):.3f}x over {rounds} rounds)")
PYEOF
