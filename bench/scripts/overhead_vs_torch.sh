#!/usr/bin/env bash
# Per-op overhead (issue 19, item 1): OverheadBench beside the same cases in PyTorch CPU (best of 1 and 2 threads),
# microseconds per call and Kiln / PyTorch. Usage (from anywhere): bench/scripts/overhead_vs_torch.sh [extra JMH options]
here="$(cd "$(dirname "$0")" && pwd)"
exec "$here/jmh_vs_torch.sh" OverheadBench "$here/overhead_torch.py" "$@"
