#!/usr/bin/env bash
# Runs AddBench (JMH) and the PyTorch baseline, then prints each benchmark's ns/op and its ratio to Python.
# Override JMH options with JMH_ARGS, e.g. JMH_ARGS="AddBench.bytedeco -f 1 -i 3" tests/jmh/run-add-bench.sh
set -euo pipefail

cd "$(dirname "$0")/../.."

PY=/usr/bin/python3
if ! "$PY" -c 'import torch' 2>/dev/null; then
    echo "error: $PY cannot import torch (the baseline needs Debian's python3-torch)" >&2
    exit 1
fi

JMH_ARGS=${JMH_ARGS:-"AddBench -f 1 -wi 3 -w 2s -i 5 -r 2s"}
JSON=target/jmh-add.json
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
rm -f "$JSON"

mvn -B -q -Pbench test-compile
# Other builds share target/ (a build without -Pbench drops the benchmark classes), so JMH runs from a copy.
cp -r target/classes target/test-classes "$WORK"/
for cls in $(grep -o 'dev\.torch4j\.bench\.jmh_generated\.[A-Za-z0-9_]*' "$WORK/test-classes/META-INF/BenchmarkList"); do
    if [[ ! -f "$WORK/test-classes/${cls//.//}.class" ]]; then
        echo "error: $cls missing from the build (a concurrent mvn run?); rerun" >&2
        exit 1
    fi
done

# JMH runs with that copy first on its classpath. -foe makes a failing benchmark fail the run instead of
# just leaving it out of the JSON.
mvn -B -q -Pbench exec:exec@jmh -Djmh.classpath.prefix="$WORK/test-classes:$WORK/classes:" \
    -Djmh.args="$JMH_ARGS -foe true -rf json -rff $JSON"

"$PY" tests/jmh/python_add_bench.py | tee "$WORK/python.txt"

echo
"$PY" - "$JSON" "$WORK/python.txt" <<'PYEOF'
import json
import sys

json_path, py_path = sys.argv[1:]
py = {}
with open(py_path) as f:
    for line in f:
        if not line.startswith("#"):
            key, value = line.split()
            py[key] = float(value)

rows = [(r["benchmark"].rsplit(".", 1)[-1], r["primaryMetric"]) for r in json.load(open(json_path))]
for _, m in rows:
    if m["scoreUnit"] != "ns/op":
        sys.exit(f"unexpected JMH unit {m['scoreUnit']}")

print(f"{'benchmark':<22} {'ns/op':>16}   ratio to python (median)")
for name, m in rows:
    base, label = ("python_add_inplace_ns", "add_") if name.endswith("_inplace") else ("python_add_ns", "add")
    score = f"{m['score']:.1f} ± {m['scoreError']:.1f}"
    print(f"{name:<22} {score:>16}   {name} / python {label} = {m['score'] / py[base]:.2f}x")
for key, label in (("python_add", "add"), ("python_add_inplace", "add_")):
    score = f"{py[key + '_ns']:.1f} (best {py[key + '_best_ns']:.1f})"
    print(f"{'python ' + label:<22} {score:>16}")
PYEOF
