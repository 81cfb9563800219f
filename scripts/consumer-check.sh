#!/usr/bin/env bash
# A downstream project uses Kiln by its Maven coordinates: installs Kiln's artifacts into the local
# repository with their sources and javadoc jars (no tests; the build has run them), builds
# examples/consumer against them through kiln-bom, and runs it on the class path and on the module
# path. No JVM flags. Then the same without a C++ toolchain: a copy of this tree is built with g++, make
# and nvcc hidden from PATH (kernels, emulator and MPI binding say they are left out), native's tests
# there skip what needs them, and the consumer runs on those jars, again on both paths.
# Usage: scripts/consumer-check.sh [extra mvn args, e.g. -o]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
mvn -B -ntp -q "$@" -Prelease install -DskipTests   # the release profile too: sources and javadoc jars must build
consumer=$root/examples/consumer
mvn -B -ntp -q "$@" -f "$consumer/pom.xml" package
jar="$consumer/target/kiln-consumer-1.jar"
run_consumer() {   # <lib dir>
    java -cp "$jar:$1/*" example.Main
    java -p "$jar:$1" -m example/example.Main
}
run_consumer "$consumer/target/lib"

# Without a C++ toolchain: PATH holds links to every tool but the compilers and make.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" "$work/tree" "$work/lib"
for dir in /usr/local/bin /usr/bin /bin; do
    for tool in "$dir"/*; do
        case $(basename "$tool") in
            cc|c++|gcc|g++|gcc-*|g++-*|*-gcc|*-g++|*-gcc-*|*-g++-*|cpp|cpp-*|make|gmake|nvcc|mpicc|mpicxx|mpic++|mpiCC) ;;
            *) [[ -e $work/bin/$(basename "$tool") ]] || ln -s "$tool" "$work/bin/"
        esac
    done
done
git ls-files -co --exclude-standard | tar -T - -cf - | tar -C "$work/tree" -xf -
(cd "$work/tree" && env -u CXX PATH="$work/bin" mvn -B -ntp "$@" package -DskipTests) > "$work/build.log" 2>&1 \
    || { cat "$work/build.log"; exit 1; }
for said in "[kiln-kernels] g++ not found" "[kiln-native] make not found: the emulated device (cuda-emu) and the MPI binding NOT built"; do
    grep -qF "$said" "$work/build.log" || { echo "consumer-check: the toolchain-less build did not say: $said"; exit 1; }
done
(cd "$work/tree" && env -u CXX PATH="$work/bin" mvn -B -ntp -q "$@" -pl native surefire:test) \
    || { echo "consumer-check: native's tests failed without a C++ toolchain"; exit 1; }
cp "$consumer"/target/lib/*.jar "$work/lib/"
rm "$work"/lib/kiln-*.jar
cp "$work"/tree/{jvm-api,autograd,layers,native,kernels}/target/kiln-*-0.1.0-SNAPSHOT.jar "$work/lib/"
run_consumer "$work/lib" | tee "$work/consumer.log"
grep -q "cuda-emu unavailable: cuda-emu:0: the emulated device is not in this kiln-native jar" "$work/consumer.log" \
    || { echo "consumer-check: the toolchain-less jars did not say why cuda-emu is missing"; exit 1; }
