#!/usr/bin/env bash
# All-reduce time and bus bandwidth vs message size on loopback (AllReduceBench): Kiln's ProcessGroup
# beside the MPI transport alone. RANKS=2 by default; builds the bench jar when it is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ -f bench/target/benchmarks.jar ]] || mvn -q -B -DskipTests package -pl bench -am
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun -np "${RANKS:-2}" --oversubscribe --bind-to none java -cp bench/target/benchmarks.jar \
  dev.kiln.bench.distributed.AllReduceBench "$@"
