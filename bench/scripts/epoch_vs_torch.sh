#!/usr/bin/env bash
# One Fashion-MNIST epoch (train + test pass, Adam lr 1e-3, batch 64) of each model with PyTorch CPU
# (Debian's python3-torch, /usr/bin/python3) at 1 and at 2 threads and with Kiln's CPU backend (the kiln
# launcher: all cores, the Vector API where the JVM has it), one after the other; prints the times, the
# faster PyTorch, Kiln / that, the BLAS PyTorch loads and the load average.
# Usage: bench/scripts/epoch_vs_torch.sh [MODEL ...]   (default: mlp lenet cnn resnet-small)
# DATA=dir overrides /usr/share/datasets/fashion-mnist.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="${DATA:-/usr/share/datasets/fashion-mnist}"
models=("$@")
[[ ${#models[@]} -gt 0 ]] || models=(mlp lenet cnn resnet-small)
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# Debian's torch calls whichever libblas.so.3 the alternatives point at: reference BLAS is 3-14x slower
blas="$(readlink -f /etc/alternatives/libblas.so.3-x86_64-linux-gnu 2>/dev/null || echo unknown)"
echo "PyTorch's BLAS: $blas; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-13s %10s %10s %9s %7s\n' model "torch 1t" "torch 2t" Kiln ratio
for model in "${models[@]}"; do
  t1="$(/usr/bin/python3 "$root/bench/scripts/epoch_torch.py" "$model" "$data" 1 2>/dev/null)"
  t2="$(/usr/bin/python3 "$root/bench/scripts/epoch_torch.py" "$model" "$data" 2 2>/dev/null)"
  rm -rf "$out/$model"
  "$root/kiln" train --model "$model" --epochs 1 --batch-size 64 --lr 1e-3 --optimizer adam --device cpu --no-progress \
    --data "$data" --out "$out/$model" >/dev/null 2>&1
  # metrics.csv: epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds
  kiln_s="$(tail -n 1 "$out/$model/metrics.csv" | cut -d, -f6)"
  printf '%-13s %9ss %9ss %8ss %7s\n' "$model" "$t1" "$t2" "$kiln_s" \
    "$(awk -v k="$kiln_s" -v a="$t1" -v b="$t2" 'BEGIN { t = a < b ? a : b; printf "%.2f", k / t }')"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
