#!/usr/bin/env bash
# Relay on-scan-pass-bump vs the git CLI, side by side, in one invocation. See bench/bump/README.md.
#
#   bench/bump/run.sh                      # build if needed, everything, ~3-5 min on 2 cores
#   N=30 SKIP_BUILD=1 bench/bump/run.sh    # quicker
#
# Env: N (100) sequential relay bumps and persistent-clone baseline bumps; WARMUP (10);
#      FRESH_N (20) fresh-clone baseline bumps (each clone costs seconds);
#      INTERLEAVE (1): relay and git baseline bumps alternate in one loop (0: one after the other); CONC (200) / THREADS (50) throughput;
#      DEPTH (50); FILES (2000); COMMITS (5000); SKIP_BUILD=1; BASELINE_ONLY=1 (no relay, exit 0 if baselines ok);
#      BASELINE_THROUGHPUT=1 also run a concurrent git CLI throughput baseline (BASELINE_CONC, default 50);
#      RELAY_JAR (default functions/relay-local/target/relay-local-exec.jar);
#      BENCH_OUT (default: a new dir under bench/out/); KEEP=1 keeps it; HEALTH_TIMEOUT (180 s); JAVA_OPTS;
#      TRANSPORT (git-daemon): the config repo is served by `git daemon` on loopback (git://), so relay and
#      the git CLI talk to the same native server; TRANSPORT=file uses file:// (JGit then runs the server
#      side, upload-pack and receive-pack, inside relay's JVM, which charges relay for the server's work).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="${RELAY_JAR:-$ROOT/functions/relay-local/target/relay-local-exec.jar}"
PY="python3 $HERE/bench.py"

N="${N:-100}"
WARMUP="${WARMUP:-10}"
FRESH_N="${FRESH_N:-20}"
INTERLEAVE="${INTERLEAVE:-1}"
CONC="${CONC:-200}"
THREADS="${THREADS:-50}"
DEPTH="${DEPTH:-50}"
FILES="${FILES:-2000}"
COMMITS="${COMMITS:-5000}"
HEALTH_TIMEOUT="${HEALTH_TIMEOUT:-180}"
BASELINE_CONC="${BASELINE_CONC:-50}"

mkdir -p "$ROOT/bench/out"
OUT="${BENCH_OUT:-$(mktemp -d "$ROOT/bench/out/bump-XXXXXX")}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
# git run by the bench must not see the user's global config (hooks, signing, ...)
export BENCH_GIT_HOME="$OUT/home"
mkdir -p "$BENCH_GIT_HOME"

JAVA_PID=""
DAEMON_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$DAEMON_PID" ]]; then kill "$DAEMON_PID" 2>/dev/null || true; fi
  if [[ -n "$JAVA_PID" ]] && kill -0 "$JAVA_PID" 2>/dev/null; then
    kill "$JAVA_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$JAVA_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$JAVA_PID" 2>/dev/null || true
  fi
  if [[ "${KEEP:-0}" != 1 && -z "${BENCH_OUT:-}" ]]; then
    # keep the results and the log, drop the repositories
    rm -rf "$OUT/config.git" "$OUT/cache" "$OUT/relay-local-exec.jar" "$OUT/relay-work" "$OUT"/fresh-* "$OUT"/persistent-* "$OUT"/tp-* "$OUT/home"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stop_java() {
  if [[ -n "$JAVA_PID" ]] && kill -0 "$JAVA_PID" 2>/dev/null; then
    kill "$JAVA_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$JAVA_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$JAVA_PID" 2>/dev/null || true
  fi
  JAVA_PID=""
}

T_START=$(date +%s)
echo "== machine: nproc=$(nproc), $(java -version 2>&1 | head -1), $(git --version), load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== out: $OUT"

echo "== setup"
REPO_URL=""
if [[ "${TRANSPORT:-git-daemon}" == git-daemon ]]; then
  GIT_PORT="$($PY free-port)"
  git daemon --reuseaddr --listen=127.0.0.1 --port="$GIT_PORT" --base-path="$OUT" --export-all \
    --enable=receive-pack --informative-errors "$OUT" >"$OUT/git-daemon.log" 2>&1 &
  DAEMON_PID=$!
  REPO_URL="git://127.0.0.1:$GIT_PORT/config.git"
  echo "config repo served by git daemon at $REPO_URL"
fi
$PY setup --out "$OUT" --files "$FILES" --commits "$COMMITS" --depth "$DEPTH" --url "$REPO_URL"

RELAY_RAN=0
if [[ "${BASELINE_ONLY:-0}" != 1 ]]; then
  if [[ ! -f "$JAR" && "${SKIP_BUILD:-0}" != 1 ]]; then
    echo "== build (mvn -B -q install -DskipTests)"
    (cd "$ROOT" && mvn -B -q install -DskipTests) > "$OUT/build.log" 2>&1 \
      || { echo "build failed, see $OUT/build.log"; tail -20 "$OUT/build.log"; }
  fi
  if [[ -f "$JAR" ]]; then
    # run a private copy: others may rebuild target/ while the bench runs
    cp "$JAR" "$OUT/relay-local-exec.jar"
    PORT="$($PY free-port)"
    echo "== start relay-local on 127.0.0.1:$PORT (log: $OUT/relay-local.log)"
    # shellcheck disable=SC2086
    RELAY_CONFIG="$OUT/relay.yaml" java ${JAVA_OPTS:-} -jar "$OUT/relay-local-exec.jar" --server.port="$PORT" \
      --relay.local.sandbox.enabled=false --relay.local.work-dir="$OUT/relay-work" \
      > "$OUT/relay-local.log" 2>&1 &
    JAVA_PID=$!
    if $PY wait-health --port "$PORT" --pid "$JAVA_PID" --timeout "$HEALTH_TIMEOUT"; then
      RELAY_RAN=1
      if [[ "$INTERLEAVE" == 1 ]]; then
        echo "== latency, interleaved: $WARMUP warm-up + $N sequential steps of {relay bump, git persistent-clone bump}"
        echo "   + $FRESH_N git fresh-clone bumps spread over them"
        $PY interleaved --out "$OUT" --port "$PORT" --n "$N" --warmup "$WARMUP" --fresh-n "$FRESH_N" \
          --depth "$DEPTH" || true
      else
        echo "== relay: $WARMUP warm-up + $N sequential bumps"
        $PY relay-latency --out "$OUT" --port "$PORT" --n "$N" --warmup "$WARMUP" || true
      fi
      echo "== relay: $CONC concurrent bumps from $THREADS threads"
      $PY relay-throughput --out "$OUT" --port "$PORT" --conc "$CONC" --threads "$THREADS" || true
    else
      echo "relay-local did not come up; last log lines:"; tail -30 "$OUT/relay-local.log" || true
    fi
    stop_java
  else
    echo "no $JAR: relay part skipped"
  fi
fi

if [[ "$RELAY_RAN" != 1 || "$INTERLEAVE" != 1 ]]; then
  echo "== git CLI baseline: fresh clone per bump (2 warm-up + $FRESH_N)"
  $PY baseline-fresh --out "$OUT" --n "$FRESH_N" --warmup 2 --depth "$DEPTH" || true
  echo "== git CLI baseline: persistent clone ($WARMUP warm-up + $N)"
  $PY baseline-persistent --out "$OUT" --n "$N" --warmup "$WARMUP" --depth "$DEPTH" || true
fi
if [[ "${BASELINE_THROUGHPUT:-0}" == 1 ]]; then
  echo "== git CLI baseline: $BASELINE_CONC concurrent bumps from $THREADS threads (fresh clone, retry on reject)"
  $PY baseline-throughput --out "$OUT" --conc "$BASELINE_CONC" --threads "$THREADS" --depth "$DEPTH" \
    --timeout 120 || true
fi

echo "== results ($(( $(date +%s) - T_START ))s total; machine: nproc=$(nproc), load now: $(cut -d' ' -f1-3 /proc/loadavg))"
java -version 2>&1 | sed 's/^/   /'
REPORT_ARGS=(--out "$OUT" --depth "$DEPTH" --warmup "$WARMUP" --conc "$CONC" --threads "$THREADS")
[[ "${BASELINE_ONLY:-0}" == 1 ]] && REPORT_ARGS+=(--baseline-only)
$PY report "${REPORT_ARGS[@]}" | tee "$OUT/report.txt"
exit "${PIPESTATUS[0]}"
