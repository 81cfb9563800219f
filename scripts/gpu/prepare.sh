#!/usr/bin/env bash
# Here (no GPU): builds what a GPU session carries to the device machine in .gpu (git-ignored):
# the bundle of ../shared/gpu (a small JRE + run.sh), the runtime jars of bench (Kiln, JCuda),
# the native test classes with their test dependencies, and the JUnit console launcher.
# Then call the device tool's run with carry [".gpu"] and the command `bash scripts/gpu/run.sh`.
set -euo pipefail
cd "$(dirname "$0")/../.."
exclude=$(git rev-parse --git-path info/exclude)
mkdir -p "$(dirname "$exclude")"
grep -qsx '/.gpu/' "$exclude" || echo /.gpu/ >> "$exclude"
bash ../shared/gpu/make-bundle.sh .gpu >/dev/null
rm -rf .gpu/lib .gpu/test-classes && mkdir -p .gpu/lib
junit=(-DexcludeGroupIds=org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian)
mvn -B -q -ntp -pl jvm-api,kernels,native,autograd,bench -am package -DskipTests \
    dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$PWD/.gpu/lib" "${junit[@]}"
cp native/target/kiln-native-*.jar bench/target/kiln-bench-*.jar .gpu/lib/
rm -f .gpu/lib/jmh-* .gpu/lib/jopt-* .gpu/lib/commons-math3-* .gpu/lib/jqwik*
cp -r native/target/test-classes .gpu/test-classes
version=1.14.1
jar=org/junit/platform/junit-platform-console-standalone/$version/junit-platform-console-standalone-$version.jar
[[ -f ~/.m2/repository/$jar ]] || mvn -B -q -ntp dependency:get -Dartifact=org.junit.platform:junit-platform-console-standalone:$version
cp ~/.m2/repository/$jar .gpu/lib/
git describe --always --dirty > .gpu/COMMIT   # GpuBench's label there, where there is no .git
du -sh .gpu/* | sed 's/^/  /'
