#!/usr/bin/env bash
# There (the device machine, from the repository root, with .gpu carried; see prepare.sh): the
# whole CUDA test suite on the GPU, compute-sanitizer (memcheck, racecheck, synccheck) on the kernel
# tests, then the kernel benchmark against PyTorch. Logs go to $OUT. STEPS picks steps (default all):
#   STEPS="tests sanitize bench" bash scripts/gpu/run.sh
set -uo pipefail
out=${OUT:-/tmp/kiln-gpu}
mkdir -p "$out"
steps=${STEPS:-tests sanitize bench}
run=(bash .gpu/run.sh)
junit=(java -Dkiln.targets=cuda -cp '.gpu/lib/*:.gpu/test-classes' org.junit.platform.console.ConsoleLauncher
       execute --disable-banner --details=tree --scan-classpath .gpu/test-classes)
if [[ $steps == *tests* ]]; then
    "${run[@]}" "${junit[@]}" > "$out/cuda-tests.log" 2>&1
    echo "tests: rc=$?"; grep -E "tests (successful|failed|aborted|skipped)" "$out/cuda-tests.log"
fi
if [[ $steps == *sanitize* ]]; then
    sanitizer=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
    for tool in memcheck racecheck synccheck; do
        "${run[@]}" "$sanitizer" --tool "$tool" --target-processes all --error-exitcode 9 --print-limit 20 \
            "${junit[@]}" --include-classname '.*(Families|Matmul|Conv2d|Pool2d|Attention|Indexing|Softmax|Random|Compare|Variance|OptimizerStep|Cast|IntegralElementwise)Test' \
            > "$out/sanitize-$tool.log" 2>&1
        echo "compute-sanitizer $tool: rc=$?"; grep -E "ERROR SUMMARY|tests (successful|failed)" "$out/sanitize-$tool.log"
    done
fi
if [[ $steps == *bench* ]]; then
    OUT=$out JAVA="${run[*]} java" bash bench/scripts/gpu_compare.sh > "$out/bench.txt" 2>&1
    echo "bench: rc=$?"; cat "$out/bench.txt"
fi
