#!/usr/bin/env bash
# Builds the JMH jar, runs one microseconds-per-call benchmark class and its PyTorch CPU twin (a script that prints
# "name<TAB>us<TAB>threads", best of 1 and 2 threads) in one go, and prints them side by side with Kiln / PyTorch.
# Names are the JMH method, then its parameters as "name=value".
#
# Usage (from anywhere): bench/scripts/jmh_vs_torch.sh BENCH_CLASS TORCH_SCRIPT [extra JMH options]
#   e.g. bench/scripts/jmh_vs_torch.sh BatchNormBench bench/scripts/batchnorm_torch.py
# Needs: mvn, java 17+, /usr/bin/python3 with torch (Debian's python3-torch) and libopenblas0-pthread.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
py="${PYTHON:-/usr/bin/python3}"
bench="$1"
twin="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
shift 2
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) on $(nproc) cores"
(cd "$root" && mvn -q -B -o -pl bench -am package -DskipTests)

echo "== Kiln (JMH, -f 1 -wi 3 -i 5, 2 s iterations, with the Vector API module as the kiln command runs)"
java -jar "$root/bench/target/benchmarks.jar" "dev.kiln.bench.$bench" -f 1 -wi 3 -i 5 -w 2s -r 2s \
    -jvmArgsPrepend --add-modules=jdk.incubator.vector -rf json -rff "$out/jmh.json" "$@" > "$out/jmh.log"
echo "== PyTorch"
(cd "$(dirname "$twin")" && "$py" "$twin") > "$out/torch.tsv"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"

"$py" - "$out/jmh.json" "$out/torch.tsv" <<'PY'
import json, sys
kiln = {}
for r in json.load(open(sys.argv[1])):
    name = r["benchmark"].rsplit(".", 1)[1]
    if r.get("params"):
        name += " " + " ".join(f"{k}={v}" for k, v in r["params"].items())
    kiln[name] = r["primaryMetric"]["score"]
torch = {}
for line in open(sys.argv[2]):
    name, us, threads = line.rstrip("\n").split("\t")
    torch[name] = (float(us), int(threads))
print(f"{'case':30s} {'Kiln us':>10s} {'torch us':>10s} {'threads':>8s} {'ratio':>6s}   (ratio = Kiln / torch's best)")
for name, k in kiln.items():
    t, threads = torch.get(name, (float("nan"), 0))
    print(f"{name:30s} {k:10.2f} {t:10.2f} {threads:8d} {k / t:6.2f}")
PY
