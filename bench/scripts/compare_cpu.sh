#!/usr/bin/env bash
# Builds the JMH benchmarks jar, runs Kiln's CPU GEMM, conv2d (ResNet's, LeNet's and the course workloads') and sparse
# benchmarks and the same shapes in PyTorch (with 1 and with 2 threads) in one go, and prints a table:
# shape, Kiln GFLOP/s, PyTorch GFLOP/s (1 thread, 2 threads), Kiln / the faster PyTorch.
#
# Usage (from anywhere): bench/scripts/compare_cpu.sh [extra JMH options]
# Needs: mvn, java 17+, /usr/bin/python3 with torch (Debian's python3-torch).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
py="${PYTHON:-/usr/bin/python3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) on $(nproc) cores"
(cd "$root" && mvn -q -B -pl bench -am package -DskipTests)

echo "== Kiln (JMH, -f 1 -wi 3 -i 5, 2 s iterations)"
# with the Vector API module, as the kiln command runs (add -jvmArgsAppend -Dkiln.vector=false to run without it)
java -jar "$root/bench/target/benchmarks.jar" 'dev.kiln.bench.(GemmBench|Conv2dBench|LeNetConvBench|CourseConvBench|SparseBench)' \
    -f 1 -wi 3 -i 5 -w 2s -r 2s -jvmArgsPrepend --add-modules=jdk.incubator.vector -rf json -rff "$out/jmh.json" "$@" > "$out/jmh.log"
echo "== PyTorch"
"$py" "$root/bench/scripts/torch_cpu_bench.py" > "$out/torch.tsv"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"

"$py" - "$out/jmh.json" "$out/torch.tsv" <<'PY'
import json, sys
kiln = {}
for r in json.load(open(sys.argv[1])):
    name = r["benchmark"].replace("dev.kiln.bench.", "")
    if r.get("params"):
        name += " " + " ".join(f"{k}={v}" for k, v in r["params"].items())
    kiln[name] = r["secondaryMetrics"]["gflops"]["score"]
torch = {}
for line in open(sys.argv[2]):
    name, threads, gflops = line.rstrip("\n").split("\t")
    torch.setdefault(name, {})[int(threads)] = float(gflops)
print(f"{'shape':40s} {'Kiln':>8s} {'torch 1t':>9s} {'torch 2t':>9s} {'ratio':>6s}   (GFLOP/s; ratio = Kiln / faster torch)")
for name, k in kiln.items():
    t = torch.get(name, {})
    best = max(t.values()) if t else float("nan")
    print(f"{name:40s} {k:8.1f} {t.get(1, float('nan')):9.1f} {t.get(2, float('nan')):9.1f} {k / best:6.2f}")
PY
