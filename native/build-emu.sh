#!/usr/bin/env bash
# Runs make on src/main/cpp/Makefile (the emulated CUDA device, its kernel modules, the MPI binding) with the
# arguments given. Without make or g++ it says what is left out and exits 0, so a machine with no C++
# toolchain still builds kiln-native: cpu and cuda work, cuda-emu reports itself unavailable and its tests
# are skipped with that reason. Usage: build-emu.sh <what is built, for the message> <make arguments...>
set -euo pipefail
what=$1
shift
for tool in make "${CXX:-g++}"; do
    if ! command -v "$tool" > /dev/null; then
        echo "[kiln-native] $tool not found: $what NOT built (apt-get install g++ make builds it)"
        exit 0
    fi
done
exec make "$@"
