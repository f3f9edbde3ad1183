#!/usr/bin/env bash
# Relay cold-start benchmark (issue 7): start of process -> first answered CloudEvent, and RSS after it, per
# function, for plain Java 17, plain Java 25 and the shipped configuration: the function's OCI image (jlink'd
# Java 25, AOT cache trained at image build, Spring AOT, C1/SerialGC/small stacks, lazy start) run under chroot
# with a pod-like heap bound. See bench/coldstart/README.md.
#
#   bench/coldstart/run.sh                                              # build, all six functions, RUNS=5
#   SKIP_BUILD=1 RUNS=3 FUNCTIONS="on-scan-pass-bump webhook-ingress" bench/coldstart/run.sh
#
# Env: RUNS (5); FUNCTIONS (all six, space or comma separated); SKIP_BUILD=1 (use the existing
#      functions/*/target/*-exec.jar and functions/*/target/image/*.tar); MVN_ARGS (extra mvn arguments, e.g.
#      -Dmaven.repo.local=...); BENCH_OUT (work dir; default a new dir under ${TMPDIR:-/tmp}); KEEP=1 keeps the
#      unpacked images and jar copies (results.md/results.json and JVM logs are always kept); JAVA17_HOME,
#      JAVA25_HOME; START_TIMEOUT (90 s per start); POD_MEMORY_LIMIT (512m, the heap bound of the shipped row).
# The shipped row needs root (chroot, a private mount namespace for /proc and /dev); without it it is skipped.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

WORK="${BENCH_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/relay-coldstart-XXXXXX")}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
export COLDSTART_WORK="$WORK"

PY_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  # the helper kills its JVMs itself; this catches anything left if the helper itself was killed hard
  if [[ -n "$PY_PID" ]] && kill -0 "$PY_PID" 2>/dev/null; then
    kill "$PY_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$PY_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  if [[ -s "$WORK/jvm.pids" ]]; then
    while read -r pid; do
      [[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null || true
    done < "$WORK/jvm.pids"
  fi
  if [[ "${KEEP:-0}" != 1 ]]; then
    rm -rf --one-file-system "$WORK"/*/image/oci "$WORK"/*/image/rootfs "$WORK"/*/*.jar 2>/dev/null || true
  fi
  echo "work dir (logs, results.md, results.json): $WORK" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "building: mvn -B -q package -Pimages -DskipTests ${MVN_ARGS:-}" >&2
  # shellcheck disable=SC2086
  (cd "$ROOT" && mvn -B -q package -Pimages -DskipTests ${MVN_ARGS:-})
fi

# the helper runs in the background so the traps above fire while it runs
python3 "$HERE/coldstart.py" &
PY_PID=$!
wait "$PY_PID"
