#!/usr/bin/env bash
# BatchNorm2d forward and forward + backward at resnet-small's shapes (BatchNormBench) beside PyTorch CPU's (best of
# 1 and 2 threads), microseconds per call and Kiln / PyTorch. Usage: bench/scripts/batchnorm_vs_torch.sh [JMH options]
here="$(cd "$(dirname "$0")" && pwd)"
exec "$here/jmh_vs_torch.sh" BatchNormBench "$here/batchnorm_torch.py" "$@"
