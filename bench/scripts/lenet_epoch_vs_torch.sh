#!/usr/bin/env bash
# One epoch of LeNet on Fashion-MNIST (train + test pass, Adam lr 1e-3, batch 64) with PyTorch CPU
# (Debian's python3-torch, run by /usr/bin/python3) and with Kiln's CPU backend; prints both and the ratio.
# Usage: bench/scripts/lenet_epoch_vs_torch.sh [DATA_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="${1:-/usr/share/datasets/fashion-mnist}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
torch_s="$(/usr/bin/python3 "$root/bench/scripts/lenet_epoch_torch.py" "$data")"
"$root/kiln" train --model lenet --epochs 1 --batch-size 64 --lr 1e-3 --optimizer adam --device cpu --no-progress \
  --data "$data" --out "$out" >&2
# metrics.csv: epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds
kiln_s="$(tail -n 1 "$out/metrics.csv" | cut -d, -f6)"
printf 'lenet, one epoch (train + test): PyTorch %s s, Kiln %s s, Kiln / PyTorch = %s\n' "$torch_s" "$kiln_s" \
  "$(awk -v k="$kiln_s" -v t="$torch_s" 'BEGIN { printf "%.2f", k / t }')"
