#!/usr/bin/env bash
# GPU check for the scoring path: package here, run on a machine with an NVIDIA GPU.
#
#   scripts/gpu-check.sh package   # on the build machine: builds, jlinks a JRE, copies the jars into $DIST
#   scripts/gpu-check.sh run       # on the GPU machine, from the same repo root with $DIST carried over
#
# Steps:
#   1. package: `mvn -o` test-compile of scoring (and what it needs); the test classpath is written out and
#      every jar on it is copied to $DIST/lib, the classes to $DIST/classes and $DIST/test-classes.
#   2. package: jlink a minimal JRE into $DIST/jre with the modules in $JLINK_MODULES
#      (default java.base,jdk.unsupported,java.logging: JavaCPP needs jdk.unsupported for sun.misc.Unsafe, and
#      java.base,jdk.unsupported alone fails at ND4J start-up with NoClassDefFoundError java/util/logging/Logger;
#      checked on CPU with an ND4J forward + the reference, not yet with the CUDA backend or the JUnit launcher).
#   3. run: the CPU reference parity test (io.kingfisher.scoring.reference.ReferenceNetworkTest) with the
#      packaged JRE, through the JUnit console launcher if $JUNIT_CONSOLE_JAR points at one.
#   4. run: `kingfisher bench scoring --backend cuda`.
#      NOT IMPLEMENTED YET: there is no cuda scoring backend (and no --backend option) in this tree; the
#      script stops at this step with exit code 3.
#
# The package holds the CPU ND4J backend (nd4j-native) by default; for the device set MVN_EXTRA=-Pcuda (scoring's
# cuda profile, needs the nd4j-cuda-11.6 jars in the Maven cache; not tried here). The package is large (~390 MB
# with nd4j-native for all its JavaCPP natives).
#
# Paths are relative to the repository root; nothing machine-specific is assumed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="${DIST:-$root/target/gpu-check}"
JLINK_MODULES="${JLINK_MODULES:-java.base,jdk.unsupported,java.logging}"

package() {
  echo "gpu-check: compiling scoring and its tests (offline)" >&2
  (cd "$root" && mvn -B -o -q ${MVN_EXTRA:-} -pl scoring -am -DskipTests test-compile)
  (cd "$root" && mvn -B -o -q ${MVN_EXTRA:-} -pl scoring dependency:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile="$DIST.classpath.txt")
  rm -rf "$DIST"
  mkdir -p "$DIST/lib"
  tr ':' '\n' < "$DIST.classpath.txt" | while read -r jar; do
    [[ -n "$jar" && -f "$jar" ]] && cp "$jar" "$DIST/lib/"
  done
  rm -f "$DIST.classpath.txt"
  cp -r "$root/scoring/target/classes" "$DIST/classes"
  cp -r "$root/scoring/target/test-classes" "$DIST/test-classes"
  for m in schemas; do   # reactor modules scoring depends on, as classes
    [[ -d "$root/$m/target/classes" ]] && cp -r "$root/$m/target/classes" "$DIST/$m-classes"
  done
  echo "gpu-check: jlink ($JLINK_MODULES) -> $DIST/jre" >&2
  jlink --add-modules "$JLINK_MODULES" --strip-debug --no-header-files --no-man-pages --output "$DIST/jre"
  echo "gpu-check: packaged $(ls "$DIST/lib" | wc -l) jars into $DIST" >&2
}

run() {
  [[ -x "$DIST/jre/bin/java" ]] || { echo "gpu-check: no package at $DIST; run '$0 package' first" >&2; exit 2; }
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  else
    echo "gpu-check: nvidia-smi not found (no GPU visible); continuing with the CPU parity step only" >&2
  fi
  cp_line="$DIST/classes:$DIST/test-classes:$DIST/schemas-classes:$DIST/lib/*"
  if [[ -n "${JUNIT_CONSOLE_JAR:-}" && -f "$JUNIT_CONSOLE_JAR" ]]; then
    echo "gpu-check: CPU reference parity test" >&2
    "$DIST/jre/bin/java" -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 \
        -jar "$JUNIT_CONSOLE_JAR" -cp "$cp_line" \
        --select-class io.kingfisher.scoring.reference.ReferenceNetworkTest
  else
    echo "gpu-check: set JUNIT_CONSOLE_JAR to a junit-platform-console-standalone jar to run the parity test" >&2
  fi
  echo "gpu-check: next step would be: kingfisher bench scoring --backend cuda" >&2
  echo "gpu-check: NOT IMPLEMENTED: the cuda scoring backend does not exist yet (only its CPU reference," >&2
  echo "           io.kingfisher.scoring.reference). Stopping here." >&2
  exit 3
}

case "${1:-}" in
  package) package ;;
  run) run ;;
  *) echo "usage: $0 package|run" >&2; exit 1 ;;
esac
