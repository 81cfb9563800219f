#!/usr/bin/env bash
# On the GPU machine (see ../shared/gpu/README.md): PyTorch's times for the GPU bench cases, then
# Kiln's, printed side by side with the ratio PyTorch time / Kiln time. Run from the repository root
# with the module jars and their dependencies in LIB (default .gpu/lib) and JAVA (default: the
# bundle's java via .gpu/run.sh). Results also go to $OUT (or /tmp) as torch.tsv and kiln.tsv.
set -euo pipefail
lib=${LIB:-.gpu/lib}
out=${OUT:-/tmp}
cases=bench/src/main/resources/dev/kiln/bench/gpu/cases.txt
python3 bench/scripts/gpu_torch.py "$cases" > "$out/torch.tsv"
java=${JAVA:-"bash .gpu/run.sh java"}
# the commit: written by scripts/gpu/prepare.sh (the device machine has no .git), else asked of git
label=$(cat .gpu/COMMIT 2>/dev/null || git describe --always --dirty 2>/dev/null || echo unknown)
$java -cp "$lib/*" dev.kiln.bench.gpu.GpuBench --device cuda --cases "$cases" --baseline "$out/torch.tsv" \
    --out "$out/kiln.tsv" --label "$label" "$@"
