#!/usr/bin/env bash
# The native (AOT) shake against the ReadyToRun shake, side by side in one run on this machine:
#   start-up   `shake --version`, RUNS (default 50) runs of each, alternating in blocks of 10: mean ms per run
#   rdb resp   bench/e2e/rdb-resp.sh with each binary (against librdb's rdb-cli when RDB_CLI or PATH has it)
#   full sync  bench/e2e/full-sync.sh with each binary, diskless and disk-based source (ROUNDS, default 1)
#   lag        bench/e2e/lag.sh with each binary
# Environment: AOT_SHAKE, R2R_SHAKE (paths of already published binaries; default: scripts/publish.sh makes both),
#   RUNS, ROUNDS, KEYS (full sync, default 1000000), SKIP="startup rdb full lag" (any subset), plus what the
#   scripts above read. Prints one summary table at the end; every script's whole output is under $WORK when KEEP_WORK=1.
set -euo pipefail
source "$(dirname "$0")/common.sh"

RUNS=${RUNS:-50}
export ROUNDS=${ROUNDS:-1}
SKIP=${SKIP:-}
if [ -z "${AOT_SHAKE:-}" ]; then
  log "publishing the native shake"
  t0=$(now); AOT_SHAKE=$("$REPO_ROOT/scripts/publish.sh" "$WORK/aot"); log "native publish: $(elapsed "$t0" "$(now)") s"
fi
if [ -z "${R2R_SHAKE:-}" ]; then
  log "publishing the ReadyToRun shake"
  t0=$(now); R2R_SHAKE=$("$REPO_ROOT/scripts/publish.sh" --r2r "$WORK/r2r"); log "ReadyToRun publish: $(elapsed "$t0" "$(now)") s"
fi
declare -A BIN=([aot]=$AOT_SHAKE [r2r]=$R2R_SHAKE)
declare -A ROW
skipped() { [[ " $SKIP " == *" $1 "* ]]; }

if ! skipped startup; then
  declare -A TOTAL=([aot]=0 [r2r]=0)
  for _ in $(seq 1 $((RUNS / 10))); do
    for kind in aot r2r; do
      t0=$EPOCHREALTIME
      for _ in $(seq 1 10); do "${BIN[$kind]}" --version >/dev/null; done
      TOTAL[$kind]=$(awk -v t="${TOTAL[$kind]}" -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print t + (b - a) * 1000 }')
    done
  done
  for kind in aot r2r; do ROW[startup-$kind]=$(awk -v t="${TOTAL[$kind]}" -v n="$((RUNS / 10 * 10))" 'BEGIN { printf "%.1f ms", t / n }'); done
fi

if ! skipped rdb; then
  for kind in aot r2r; do
    log "rdb resp: $kind"
    SHAKE=${BIN[$kind]} "$REPO_ROOT/bench/e2e/rdb-resp.sh" > "$WORK/rdb-$kind.out" 2>&1 || { tail -5 "$WORK/rdb-$kind.out" >&2; exit 1; }
    ROW[rdb-$kind]=$(awk '/^shake rdb resp/ { s = $NF } /^rdb-cli resp/ { c = $NF } /faster/ { r = $3 } END { printf "%s ms (rdb-cli %s ms, %s)", s, c == "" ? "-" : c, r == "" ? "no rdb-cli" : r " faster" }' "$WORK/rdb-$kind.out")
  done
fi

if ! skipped full; then
  for diskless in 1 0; do
    for kind in aot r2r; do
      log "full sync (DISKLESS=$diskless): $kind"
      DISKLESS=$diskless SHAKE=${BIN[$kind]} "$REPO_ROOT/bench/e2e/full-sync.sh" > "$WORK/full-$diskless-$kind.out" 2>&1 || { tail -5 "$WORK/full-$diskless-$kind.out" >&2; exit 1; }
      ROW[full$diskless-$kind]=$(awk '/^\(a\)/ { a = $(NF-5) } /^\(c\)/ { printf "%s s, %s MB peak RSS (replication %s s)", $(NF-5), $(NF-4), a }' "$WORK/full-$diskless-$kind.out")
    done
  done
fi

if ! skipped lag; then
  for kind in aot r2r; do
    log "lag: $kind"
    SHAKE=${BIN[$kind]} "$REPO_ROOT/bench/e2e/lag.sh" > "$WORK/lag-$kind.out" 2>&1 || { tail -5 "$WORK/lag-$kind.out" >&2; exit 1; }
    ROW[lag-$kind]=$(awk '/^shake -> target/ { s = sprintf("p50 %s, p99 %s, max %s ms", $(NF-3), $(NF-2), $(NF-1)) }
      /^redis replica/ { r = sprintf("%s / %s", $(NF-3), $(NF-2)) } END { printf "%s (replica p50/p99 %s)", s, r }' "$WORK/lag-$kind.out")
    ROW[lagrss-$kind]=$(awk -F'RSS: ' '/shake peak RSS/ { print $2 }' "$WORK/lag-$kind.out")
  done
fi

echo
echo "native (AOT) vs ReadyToRun shake, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-30s | %-60s | %s\n' "measure" "native AOT" "ReadyToRun"
for key in startup rdb full1 full0 lag lagrss; do
  [ -n "${ROW[$key-aot]:-}" ] || continue
  case $key in
    startup) name="shake --version (mean)" ;; rdb) name="shake rdb resp, 300k keys" ;;
    full1) name="full sync 1M keys, diskless" ;; full0) name="full sync 1M keys, disk" ;;
    lag) name="lag under load (shake)" ;; lagrss) name="lag run: shake RSS, CPU" ;;
  esac
  printf '%-30s | %-60s | %s\n' "$name" "${ROW[$key-aot]}" "${ROW[$key-r2r]}"
done
if [ "${KEEP_WORK:-0}" = 1 ]; then echo "outputs: $WORK"; fi
