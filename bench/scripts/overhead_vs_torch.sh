#!/usr/bin/env bash
# Per-op overhead (issue 19, item 1): builds the JMH jar, runs OverheadBench and the same cases in PyTorch CPU
# (best of 1 and 2 threads) in one go, and prints microseconds per call side by side with Kiln / PyTorch.
#
# Usage (from anywhere): bench/scripts/overhead_vs_torch.sh [extra JMH options]
# Needs: mvn, java 17+, /usr/bin/python3 with torch (Debian's python3-torch) and libopenblas0-pthread.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
py="${PYTHON:-/usr/bin/python3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) on $(nproc) cores"
(cd "$root" && mvn -q -B -o -pl bench -am package -DskipTests)

echo "== Kiln (JMH, -f 1 -wi 3 -i 5, 2 s iterations)"
java -jar "$root/bench/target/benchmarks.jar" 'dev.kiln.bench.OverheadBench' \
    -f 1 -wi 3 -i 5 -w 2s -r 2s -rf json -rff "$out/jmh.json" "$@" > "$out/jmh.log"
echo "== PyTorch"
"$py" "$root/bench/scripts/overhead_torch.py" > "$out/torch.tsv"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"

"$py" - "$out/jmh.json" "$out/torch.tsv" <<'PY'
import json, sys
kiln = {r["benchmark"].rsplit(".", 1)[1]: r["primaryMetric"]["score"] for r in json.load(open(sys.argv[1]))}
torch = {}
for line in open(sys.argv[2]):
    name, us, threads = line.rstrip("\n").split("\t")
    torch[name] = (float(us), int(threads))
print(f"{'case':24s} {'Kiln us':>10s} {'torch us':>10s} {'threads':>8s} {'ratio':>6s}   (ratio = Kiln / torch's best)")
for name, k in kiln.items():
    t, threads = torch.get(name, (float("nan"), 0))
    print(f"{name:24s} {k:10.2f} {t:10.2f} {threads:8d} {k / t:6.2f}")
PY
