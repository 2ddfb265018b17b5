#!/usr/bin/env bash
# GPU check of the cuBLAS scoring backend (io.kingfisher.scoring.cuda): package here, run on a machine with an NVIDIA
# GPU, CUDA 13 libraries and no JVM.
#
#   scripts/gpu-check.sh package   # here: builds, finds what the check loads, writes the bundle to $DIST (< 64 MiB)
#   scripts/gpu-check.sh run       # there (from the same repo root, with $DIST carried over): parity, then the bench
#
# package
#   1. `mvn -o package` of flink-jobs and what it needs (tests compiled, not run).
#   2. Runs the check's two programs once on this machine's JDK with -verbose:class, the GPU replaced by the plain-Java
#      reference (CublasParityMain --reference; BenchMain scoring --backend cuda --dry-run), and keeps only the jars
#      and JDK modules they load, plus the native jars: nd4j-native and openblas (linux-x86_64), javacpp, and the
#      CUDA 13.1 presets trimmed to the cudart, cuBLAS and NVRTC bindings (they link the host's CUDA libraries).
#   3. jlinks a JRE of those modules (--strip-debug --no-header-files --no-man-pages --compress=2, libjvm stripped).
#   4. Runs the CPU part of the check from the staged bundle and its JRE with an empty JavaCPP cache (the bundle must
#      load ND4J and its natives on its own), then packs it: app.tar.xz (JRE, classes, jars) and natives.tar.xz
#      (nd4j-native's 323 MB libnd4jcpu.so compresses to about 25 MB with xz; cached in target/gpu-check-cache by the
#      jar's checksum, since compressing it takes minutes). Fails if $DIST exceeds 64 MiB; prints the sizes.
# run
#   Unpacks the bundle into $WORK (xz, or python3's lzma where there is no xz), puts the usual CUDA library folders on
#   LD_LIBRARY_PATH, then:
#   1. smoke: the parity program with the reference in the GPU's place (the bundle and ND4J work here);
#   2. parity: CublasModel against ND4J within 1e-5 at batch 1, 7 and 256 for the three domains' architectures; without
#      a usable GPU it stops here, exit 4, saying what is missing (no libcuda.so.1, no libcudart.so.13, no device, ...);
#   3. bench: `kingfisher bench scoring --backend cuda --batch-sizes $BATCH_SIZES --json` (through BenchMain).
#   Output (logs and JSON) goes to $OUT (default target/gpu-check-out).
#
# Paths are relative to the repository root; nothing machine-specific is assumed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="${DIST:-$root/target/gpu-check}"
STAGE="${STAGE:-$root/target/gpu-check-stage}"
CACHE="${CACHE:-$root/target/gpu-check-cache}"
WORK="${WORK:-$root/target/gpu-check-work}"
BATCH_SIZES="${BATCH_SIZES:-1,64,256,4096,65536}"
LIMIT_BYTES=$((64 * 1024 * 1024))
BASE_MODULES="java.base,jdk.unsupported,java.logging"
# Loaded by the probes, but only on paths that cope without them (Jackson's optional java.beans lookups, locale data
# beyond the root locale, the JFR management bean); 15 MB of JRE. The self-check runs the check without them.
SKIP_MODULES="${SKIP_MODULES:-java.desktop jdk.localedata jdk.management.jfr}"

# The bundle logs through slf4j-simple (to stderr) instead of log4j, whose core needs java.desktop and java.xml:
# 20 MB less JRE.
java_opts=(-Xmx4g -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -Dorg.slf4j.simpleLogger.defaultLogLevel=info
  -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS)
PARITY=io.kingfisher.scoring.cuda.CublasParityMain
BENCH=io.kingfisher.cli.BenchMain

say() { echo "gpu-check: $*" >&2; }

# Unpack an .tar.xz with xz if there is one, else with python3 (its lzma module).
untar_xz() {
  local archive="$1" dir="$2"
  mkdir -p "$dir"
  if command -v xz >/dev/null; then
    xz -dc "$archive" | tar -x -C "$dir"
  elif command -v python3 >/dev/null; then
    python3 - "$archive" "$dir" <<'PY'
import sys, tarfile
with tarfile.open(sys.argv[1], "r:xz") as t:
    if hasattr(tarfile, "data_filter"):
        t.extractall(sys.argv[2], filter="data")
    else:
        t.extractall(sys.argv[2])
PY
  else
    say "neither xz nor python3 is here to unpack $archive"; exit 2
  fi
}

# Copies a jar stored (not deflated): the bundle's xz then compresses all jars as one stream, about twice as well.
store_jar() {
  local jar="$1" out="$2" tmp
  tmp="$(mktemp -d)"
  (cd "$tmp" && unzip -q "$jar" && rm -f "$out" && zip -q -0 -X -r "$out" .)
  rm -rf "$tmp"
}

# Copies a jar keeping only the entries whose names match the extended regex, stored.
trim_jar() {
  local jar="$1" keep="$2" out="$3" tmp
  tmp="$(mktemp -d)"
  (cd "$tmp" && unzip -q "$jar")
  (cd "$tmp" && find . -type f | sed 's|^\./||' | { grep -E "$keep" || true; } | sort > "$tmp.list")
  [[ -s "$tmp.list" ]] || { say "nothing in $(basename "$jar") matches $keep"; exit 1; }
  rm -f "$out"
  (cd "$tmp" && zip -q -0 -X "$out" -@ < "$tmp.list")
  rm -rf "$tmp" "$tmp.list"
}

package() {
  say "building flink-jobs and what it needs (offline; tests compiled, not run)"
  (cd "$root" && mvn -B -o -q -Dstyle.color=never ${MVN_EXTRA:-} -pl flink-jobs -am -DskipTests package)
  rm -rf "$STAGE" "$DIST"
  mkdir -p "$STAGE/app/lib" "$STAGE/app/classes" "$STAGE/natives/lib" "$DIST" "$CACHE"
  # The job's runtime classpath, with slf4j-simple in place of log4j.
  local slf4j
  slf4j="$(sed -n 's|.*<slf4j.version>\(.*\)</slf4j.version>.*|\1|p' "$root/pom.xml")"
  (cd "$root" && { mvn -B -o -q -Dstyle.color=never dependency:copy -Dartifact="org.slf4j:slf4j-simple:$slf4j" \
      -DoutputDirectory="$STAGE" || mvn -B -q -Dstyle.color=never dependency:copy \
      -Dartifact="org.slf4j:slf4j-simple:$slf4j" -DoutputDirectory="$STAGE"; })
  local cp_file="$STAGE/classpath.txt"
  { echo "$STAGE/slf4j-simple-$slf4j.jar"; tr ':' '\n' < "$root/flink-jobs/target/classpath.txt" | grep -v '/log4j-'; } \
    | paste -sd: - > "$cp_file"
  local build_cp="$root/flink-jobs/target/classes:$root/scoring/target/test-classes:$(cat "$cp_file")"

  say "finding what the check loads (-verbose:class, the plain-Java reference in the GPU's place)"
  java "${java_opts[@]}" -verbose:class -cp "$build_cp" "$PARITY" --reference > "$STAGE/probe-parity.log" 2>&1 \
    || { tail -20 "$STAGE/probe-parity.log" >&2; say "the parity program failed on the reference"; exit 1; }
  java "${java_opts[@]}" -verbose:class -cp "$build_cp" "$BENCH" scoring --backend cuda --dry-run --train 8000 \
      --events 200 --batch-sizes 1,300 --json "$STAGE/probe-bench.json" > "$STAGE/probe-bench.log" 2>&1 \
    || { tail -20 "$STAGE/probe-bench.log" >&2; say "the dry-run bench failed"; exit 1; }
  local loaded="$STAGE/loaded.txt"
  cat "$STAGE"/probe-*.log | grep -o 'source: [^ ]*' | awk '{print $2}' | sort -u > "$loaded"

  # Classpath of the bundle, in build order: the two classes folders, then each jar the probes loaded classes from,
  # then the native jars (they hold no classes, so -verbose:class never names them).
  : > "$STAGE/app/classpath"
  cp -r "$root/flink-jobs/target/classes" "$STAGE/app/classes/flink-jobs"
  cp -r "$root/scoring/target/test-classes" "$STAGE/app/classes/scoring-tests"
  echo "classes/flink-jobs" >> "$STAGE/app/classpath"
  echo "classes/scoring-tests" >> "$STAGE/app/classpath"
  local jar name natives=0
  for jar in $(tr ':' ' ' < "$cp_file"); do
    name="$(basename "$jar")"
    case "$name" in
      nd4j-native-[0-9]*-linux-x86_64.jar)
        trim_jar "$jar" '^org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64/' "$STAGE/natives/lib/$name"
        echo "natives/$name" >> "$STAGE/app/classpath"; natives=$((natives + 1)) ;;
      cuda-*-linux-x86_64.jar)
        trim_jar "$jar" '^org/bytedeco/cuda/linux-x86_64/lib(jnicudart|jnicublas|jninvrtc)\.so$' "$STAGE/app/lib/$name"
        echo "lib/$name" >> "$STAGE/app/classpath"; natives=$((natives + 1)) ;;
      openblas-*-linux-x86_64.jar|javacpp-*-linux-x86_64.jar)
        trim_jar "$jar" '/linux-x86_64/' "$STAGE/app/lib/$name"
        echo "lib/$name" >> "$STAGE/app/classpath"; natives=$((natives + 1)) ;;
      *)
        if grep -qxF "file:$jar" "$loaded"; then
          store_jar "$jar" "$STAGE/app/lib/$name"
          echo "lib/$name" >> "$STAGE/app/classpath"
        fi ;;
    esac
  done
  # The CUDA bindings' classes: the probes never load them (no GPU here), the device run does.
  for name in $(tr ':' '\n' < "$cp_file" | grep -v linux-x86_64 | grep -E '/(cuda|javacpp)-[0-9][^/]*\.jar$' | xargs -n1 basename); do
    if [[ ! -f "$STAGE/app/lib/$name" ]]; then
      store_jar "$(tr ':' '\n' < "$cp_file" | grep "/$name\$")" "$STAGE/app/lib/$name"
      echo "lib/$name" >> "$STAGE/app/classpath"
    fi
  done
  [[ $natives -eq 4 ]] || { say "expected 4 native jars (nd4j-native, openblas, javacpp, cuda), found $natives"; exit 1; }

  local modules
  modules="$({ tr ',' '\n' <<< "$BASE_MODULES"; grep '^jrt:/' "$loaded" | sed 's|^jrt:/||'; } | sort -u \
      | grep -vxF -f <(tr ' ' '\n' <<< "$SKIP_MODULES") | paste -sd, -)"
  say "jlink: $modules"
  # --compress=1 (shared strings) rather than 2 (zip): the outer xz compresses unzipped modules far better.
  jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=1 --output "$STAGE/app/jre"
  strip --strip-unneeded "$STAGE/app/jre/lib/server/libjvm.so" 2>/dev/null || say "(libjvm.so not stripped: no strip)"

  say "checking the staged bundle on its own JRE, with an empty JavaCPP cache"
  local staged_cp
  staged_cp="$(sed "s|^natives/|$STAGE/natives/lib/|; t; s|^|$STAGE/app/|" "$STAGE/app/classpath" | paste -sd: -)"
  local staged_java=("$STAGE/app/jre/bin/java" "${java_opts[@]}" -Dorg.bytedeco.javacpp.cachedir="$STAGE/javacpp-cache"
      -cp "$staged_cp")
  "${staged_java[@]}" "$PARITY" --reference > "$STAGE/selfcheck.log" 2>&1 \
    || { tail -30 "$STAGE/selfcheck.log" >&2; say "the staged bundle does not run"; exit 1; }
  grep -q 'parity: PASSED' "$STAGE/selfcheck.log" || { cat "$STAGE/selfcheck.log" >&2; exit 1; }
  "${staged_java[@]}" "$BENCH" scoring --backend cuda --dry-run --train 8000 --events 200 --batch-sizes 1,300 \
      --json "$STAGE/selfcheck-bench.json" >> "$STAGE/selfcheck.log" 2>&1 \
    || { tail -30 "$STAGE/selfcheck.log" >&2; say "the staged bundle's dry-run bench failed"; exit 1; }
  [[ -s "$STAGE/selfcheck-bench.json" ]] || { say "the staged bundle's bench wrote no JSON"; exit 1; }
  rm -rf "$STAGE/javacpp-cache"

  say "packing"
  local nd4j_jar sum cached
  nd4j_jar="$(ls "$STAGE/natives/lib/")"
  sum="$(sha1sum "$STAGE/natives/lib/$nd4j_jar" | cut -c1-16)"
  cached="$CACHE/natives-$sum-xz9e.tar.xz"
  if [[ ! -f "$cached" ]]; then
    say "compressing $nd4j_jar (xz -9e; minutes, once: cached as $(basename "$cached"))"
    tar -C "$STAGE/natives" -cf - lib | xz -T2 -9e > "$cached.tmp"
    mv "$cached.tmp" "$cached"
  fi
  cp "$cached" "$DIST/natives.tar.xz"
  tar -C "$STAGE" -cf - app | xz -T1 -9e > "$DIST/app.tar.xz"

  local total app_raw nat_raw
  total="$(du -cb "$DIST"/* | tail -1 | cut -f1)"
  app_raw="$(du -sb "$STAGE/app" | cut -f1)"
  nat_raw="$(du -sb "$STAGE/natives" | cut -f1)"
  {
    echo "bundle: $DIST"
    printf '  %-16s %12s bytes  (unpacked %s bytes: JRE %s, %s jars, classes)\n' app.tar.xz \
      "$(stat -c %s "$DIST/app.tar.xz")" "$app_raw" "$(du -sb "$STAGE/app/jre" | cut -f1)" "$(ls "$STAGE/app/lib" | wc -l)"
    printf '  %-16s %12s bytes  (unpacked %s bytes: %s)\n' natives.tar.xz "$(stat -c %s "$DIST/natives.tar.xz")" \
      "$nat_raw" "$nd4j_jar"
    printf '  total            %12s bytes = %s MiB (limit 64 MiB)\n' "$total" "$(( (total + 1048575) / 1048576 ))"
  } | tee "$DIST/SIZES.txt" >&2
  if (( total > LIMIT_BYTES )); then
    say "the bundle is over 64 MiB"; exit 1
  fi
}

run() {
  [[ -f "$DIST/app.tar.xz" && -f "$DIST/natives.tar.xz" ]] \
    || { say "no bundle at $DIST; run '$0 package' first (and carry target/gpu-check)"; exit 2; }
  local out="${OUT:-$root/target/gpu-check-out}"
  mkdir -p "$out"
  rm -rf "$WORK"
  say "unpacking into $WORK"
  untar_xz "$DIST/app.tar.xz" "$WORK"
  untar_xz "$DIST/natives.tar.xz" "$WORK/app/natives-unpacked"
  local cp
  cp="$(sed "s|^natives/|$WORK/app/natives-unpacked/lib/|; t; s|^|$WORK/app/|" "$WORK/app/classpath" | paste -sd: -)"
  local java="$WORK/app/jre/bin/java"
  local d
  # The CUDA 13 runtime, cuBLAS and NVRTC (toolkit folders, else the nvidia-* Python wheels' lib folders) and the driver.
  local dirs=(/usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/local/nvidia/lib64)
  if command -v python3 >/dev/null; then
    while IFS= read -r d; do dirs+=("$d"); done < <(python3 -c 'import glob, site, sys
for p in site.getsitepackages() + [site.getusersitepackages()]:
    for d in sorted(glob.glob(p + "/nvidia/*/lib")):
        print(d)' 2>/dev/null || true)
  fi
  local path=""
  for d in "${dirs[@]}"; do
    [[ -d "$d" ]] && path="${path:+$path:}$d"
  done
  export LD_LIBRARY_PATH="$path${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  say "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  local opts=("${java_opts[@]}" -Dorg.bytedeco.javacpp.cachedir="$WORK/javacpp-cache")
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap --format=csv,noheader | tee "$out/nvidia-smi.txt" >&2 || true
  else
    say "nvidia-smi not found"
  fi

  say "1/3 smoke: the bundle's JRE, ND4J and the parity program, the reference in the GPU's place"
  "$java" "${opts[@]}" -cp "$cp" "$PARITY" --reference 2>&1 | tee "$out/smoke.txt"
  grep -q 'parity: PASSED' "$out/smoke.txt" || { say "the bundle does not run here"; exit 1; }

  say "2/3 parity: CublasModel against ND4J (1e-5; batch 1, 7, 256; fraud, clicks, clinical)"
  set +e
  "$java" "${opts[@]}" -cp "$cp" "$PARITY" 2>&1 | tee "$out/parity.txt"
  local rc=${PIPESTATUS[0]}
  set -e
  if (( rc == 4 )); then
    say "STOP (no parity, no bench): $(grep -m1 'no usable GPU' "$out/parity.txt" | sed 's/^parity: //')"
    exit 4
  elif (( rc != 0 )); then
    say "parity FAILED (exit $rc)"; exit "$rc"
  fi

  say "3/3 bench: bench scoring --backend cuda --batch-sizes $BATCH_SIZES"
  "$java" "${opts[@]}" -cp "$cp" "$BENCH" scoring --backend cuda --batch-sizes "$BATCH_SIZES" \
      --json "$out/bench-scoring-cuda.json" 2>&1 | tee "$out/bench.txt"
  say "done: $out"
}

case "${1:-}" in
  package) package ;;
  run) run ;;
  *) echo "usage: $0 package|run" >&2; exit 1 ;;
esac
