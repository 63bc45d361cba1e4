#!/usr/bin/env bash
# Runs BertBench (torch4j vs ONNX Runtime on all-MiniLM-L6-v2, batch 8 x 128, 2 threads each) and Gpt2RooflineBench
# (GPT-2 124M fp32 greedy decode with KV cache, plus read bandwidth), then prints the ratios:
#   BERT throughput torch4j / ORT, and GPT-2 ms per new token against the bandwidth roofline.
# Override JMH options with JMH_ARGS, e.g. JMH_ARGS="Gpt2RooflineBench -i 5" tests/jmh/run-model-bench.sh
# BUILD_DIR picks the build folder (default target-bert2), so concurrent builds of this checkout do not clash.
set -euo pipefail

cd "$(dirname "$0")/../.."

PY=/usr/bin/python3
JMH_ARGS=${JMH_ARGS:-"BertBench Gpt2RooflineBench"}
BUILD_DIR=${BUILD_DIR:-$PWD/target-bert2}
JSON=$BUILD_DIR/jmh-models.json
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
rm -f "$JSON"

mvn -B -q -Pbench -Dtorch4j.build.dir="$BUILD_DIR" test-compile
# A build of the same folder without -Pbench drops the benchmark classes: check they are all there.
for cls in $(grep -o 'dev\.torch4j\.bench\.jmh_generated\.[A-Za-z0-9_]*' "$BUILD_DIR/test-classes/META-INF/BenchmarkList"); do
    if [[ ! -f "$BUILD_DIR/test-classes/${cls//.//}.class" ]]; then
        echo "error: $cls missing from the build (a concurrent mvn run?); rerun" >&2
        exit 1
    fi
done

echo "machine: $(nproc) CPUs visible, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), \
$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
java -version 2>&1 | head -1

# The pom's exec@jmh configuration sets commandlineArgs, which -Dexec.args cannot override; its ${jmh.args} can be.
mvn -B -q -Pbench -Dtorch4j.build.dir="$BUILD_DIR" exec:exec@jmh -Djmh.args="$JMH_ARGS -foe true -rf json -rff $JSON" \
    | tee "$WORK/jmh.log"

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
PARAMS=$(grep -o 'GPT2_PARAMETERS [0-9]*' "$WORK/jmh.log" | head -1 | cut -d' ' -f2 || true)
"$PY" - "$JSON" "${PARAMS:-0}" <<'PYEOF'
import json
import sys

json_path, params = sys.argv[1], int(sys.argv[2])
r = {x["benchmark"].rsplit(".", 2)[-2] + "." + x["benchmark"].rsplit(".", 1)[-1]: x["primaryMetric"] for x in json.load(open(json_path))}
for m in r.values():
    if m["scoreUnit"] != "ms/op":
        sys.exit(f"unexpected JMH unit {m['scoreUnit']}")

def show(name):
    m = r[name]
    return f"{m['score']:.2f} ± {m['scoreError']:.2f} ms"

print()
if "BertBench.torch4j" in r and "BertBench.ort" in r:
    t, o = r["BertBench.torch4j"]["score"], r["BertBench.ort"]["score"]
    print(f"BERT all-MiniLM-L6-v2, batch 8 x 128 tokens, 2 threads: torch4j {show('BertBench.torch4j')}, "
          f"ORT {show('BertBench.ort')} per batch")
    print(f"  throughput torch4j / ORT = {o / t:.2f}x   ({8 * 128 / t * 1000:.0f} vs {8 * 128 / o * 1000:.0f} tokens/s)")
    if "BertBench.torch4jInt8" in r:
        q = r["BertBench.torch4jInt8"]["score"]
        print(f"  after quantizeInt8(): torch4j {show('BertBench.torch4jInt8')}: throughput / ORT (fp32) = {o / q:.2f}x")
if all(k in r for k in ("Gpt2RooflineBench.decode_1", "Gpt2RooflineBench.decode_17", "Gpt2RooflineBench.readBandwidth_sum512MiB")):
    per_token = (r["Gpt2RooflineBench.decode_17"]["score"] - r["Gpt2RooflineBench.decode_1"]["score"]) / 16
    gbs = 512 * 2**20 / (r["Gpt2RooflineBench.readBandwidth_sum512MiB"]["score"] / 1000) / 1e9
    weight_bytes = params * 4
    roofline = weight_bytes / (gbs * 1e9) * 1000
    print(f"GPT-2 124M fp32 greedy decode, KV cache, 8-token prompt, 2 threads: decode_1 {show('Gpt2RooflineBench.decode_1')}, "
          f"decode_17 {show('Gpt2RooflineBench.decode_17')}")
    print(f"  per new token = (decode_17 - decode_1) / 16 = {per_token:.2f} ms ({1000 / per_token:.1f} tokens/s)")
    print(f"  read bandwidth (sum of 512 MiB float32, 2 threads) = {gbs:.2f} GB/s "
          f"({show('Gpt2RooflineBench.readBandwidth_sum512MiB')} per sum)")
    print(f"  weights read per token = {params} parameters x 4 B = {weight_bytes / 1e6:.1f} MB -> roofline {roofline:.2f} ms/token")
    print(f"  fraction of roofline achieved = {roofline / per_token:.0%}")
PYEOF
