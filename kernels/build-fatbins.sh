#!/usr/bin/env bash
# Builds the kernel fatbins: for every src/main/cuda/<family>.cu, <family>.fatbin (the float32 and
# integer entries) and <family>_f64.fatbin (the float64 entries, compiled with -DKILN_F64 and the
# only ones allowed to use double), each with SASS sm_80, sm_90 and PTX compute_90. Any warning
# fails the build. ptxas -v's report (registers, shared memory, spills per kernel) goes to
# <log dir>/<fatbin>.log, and one summary line per fatbin to the console; a failing build prints its log.
# Usage: build-fatbins.sh <src dir> <out dir> <log dir>. Without nvcc or g++ it says so and exits 0.
set -euo pipefail
src=$1
out=$2
logs=$3
nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
if [[ ! -x $nvcc ]]; then
    echo "[kiln-kernels] nvcc not found (PATH, /usr/local/cuda/bin): kernel fatbins NOT built; the cuda device will report them missing, cuda-emu is unaffected"
    exit 0
fi
if ! command -v g++ > /dev/null; then
    echo "[kiln-kernels] g++ not found (nvcc's host compiler): kernel fatbins NOT built; the cuda device will report them missing"
    exit 0
fi
mkdir -p "$out" "$logs"
common=(-fatbin -std=c++17 -O3 -Werror all-warnings
        -gencode arch=compute_80,code=sm_80 -gencode "arch=compute_90,code=[sm_90,compute_90]"
        -Xptxas -v,-warn-spills,-warn-lmem-usage,-Werror)
for cu in "$src"/*.cu; do
    family=$(basename "$cu" .cu)
    for group in base f64; do
        if [[ $group == f64 ]]; then
            target=$out/${family}_f64.fatbin
            flags=(-DKILN_F64=1)
        else
            target=$out/$family.fatbin
            flags=(-Xptxas -warn-double-usage)
        fi
        # Up to date when newer than the .cu file and every shared header.
        if [[ -f $target && -z $(find "$cu" "$src"/*.cuh -newer "$target" 2>/dev/null) ]]; then
            continue
        fi
        log=$logs/$(basename "$target" .fatbin).log
        if ! "$nvcc" "${common[@]}" "${flags[@]}" -I"$src" -o "$target.tmp" "$cu" > "$log" 2>&1; then
            echo "[kiln-kernels] nvcc $family ($group) FAILED:"
            sed 's/^/  /' "$log"
            exit 1
        fi
        mv "$target.tmp" "$target"
        # ptxas reports each entry once per architecture: count the sm_90 ones.
        awk -v name="$(basename "$target")" -v report="$log" '
            /Compiling entry function .* for .sm_90.$/ { entries++ }
            /Used [0-9]+ registers/ { for (i = 1; i <= NF; i++) if ($(i + 1) == "registers,") regs = ($i + 0 > regs + 0) ? $i + 0 : regs }
            /bytes spill stores/ { spills += $5 }
            END { printf "[kiln-kernels] %s: %d entries, <= %d registers, %s (ptxas report: %s)\n",
                  name, entries, regs, spills ? spills " bytes of spill stores" : "no spills", report }' "$log"
    done
done
