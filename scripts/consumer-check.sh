#!/usr/bin/env bash
# A downstream project uses Kiln by its Maven coordinates: installs Kiln's artifacts into the local
# repository with their sources and javadoc jars (no tests; the build has run them), builds
# examples/consumer against them through kiln-bom, and runs it on the class path and on the module
# path. No JVM flags, no C++ toolchain needed by the consumer. Usage: scripts/consumer-check.sh [extra mvn args, e.g. -o]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q "$@" -Prelease install -DskipTests   # the release profile too: sources and javadoc jars must build
consumer=examples/consumer
mvn -B -ntp -q "$@" -f "$consumer/pom.xml" package
jar="$consumer/target/kiln-consumer-1.jar"
java -cp "$jar:$consumer/target/lib/*" example.Main
java -p "$jar:$consumer/target/lib" -m example/example.Main
