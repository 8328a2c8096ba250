#!/usr/bin/env bash
# `shake rdb resp FILE > /dev/null` against librdb's `rdb-cli FILE resp -r` on the same file, end to end (process
# start-up included, as a user runs them). The file is made here: KEYS string keys (default 300000) with VALUE_SIZE-byte
# values (default 32; about 13 MB of RDB), saved by the local redis-server. The two run in alternating pairs (PAIRS,
# default 21) because a shared machine's speed drifts; prints the median of each, the ratio of the medians, and the
# spread of the per-pair ratios. Also checks that shake's output loads into a fresh server with the same DEBUG DIGEST.
# Environment: SHAKE (path of a shake binary; default: the native executable of scripts/publish.sh, as shipped),
#   RDB_CLI (path of rdb-cli; default: rdb-cli on PATH; without it only shake is timed), KEEP_WORK=1.
set -euo pipefail
source "$(dirname "$0")/common.sh"

KEYS=${KEYS:-300000}
VALUE_SIZE=${VALUE_SIZE:-32}
PAIRS=${PAIRS:-21}
RDB_CLI=${RDB_CLI:-$(command -v rdb-cli || true)}
if [ -n "${SHAKE:-}" ]; then
  SHAKE_BIN=$SHAKE
else
  log "publishing the precompiled shake"
  SHAKE_BIN=$("$REPO_ROOT/scripts/publish.sh" "$WORK/publish")
fi

SRC=$(start_redis source)
cli "$SRC" DEBUG POPULATE "$KEYS" key "$VALUE_SIZE" >/dev/null
SRC_DIGEST=$(cli "$SRC" DEBUG DIGEST)
cli "$SRC" --rdb "$WORK/dump.rdb" >/dev/null 2>&1
RDB_MB=$(awk -v b="$(stat -c %s "$WORK/dump.rdb")" 'BEGIN { printf "%.1f", b / 1048576 }')
log "RDB: $KEYS keys, $RDB_MB MB"

log "checking that shake's output loads into a fresh server"
DST=$(start_redis target)
"$SHAKE_BIN" rdb resp "$WORK/dump.rdb" | cli "$DST" --pipe >/dev/null
DIGEST=$(cli "$DST" DEBUG DIGEST)
[ "$DIGEST" = "$SRC_DIGEST" ] || { log "digest differs after loading shake's output: $DIGEST vs $SRC_DIGEST"; exit 1; }
stop_redis target
stop_redis source

# ms FILE-OUT CMD...: runs CMD with stdout to /dev/null, appends its wall time in ms.
ms() {
  local out=$1; shift
  local t0=$EPOCHREALTIME
  "$@" >/dev/null
  awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }' >> "$out"
}

: > "$WORK/shake.ms"; : > "$WORK/rdbcli.ms"
"$SHAKE_BIN" rdb resp "$WORK/dump.rdb" >/dev/null   # warm the page cache and the binary
[ -n "$RDB_CLI" ] && "$RDB_CLI" "$WORK/dump.rdb" resp -r >/dev/null
for _ in $(seq 1 "$PAIRS"); do
  ms "$WORK/shake.ms" "$SHAKE_BIN" rdb resp "$WORK/dump.rdb"
  [ -n "$RDB_CLI" ] && ms "$WORK/rdbcli.ms" "$RDB_CLI" "$WORK/dump.rdb" resp -r
done

SHAKE_MED=$(median $(cat "$WORK/shake.ms"))
printf '\n%-34s %10s\n' "method ($PAIRS runs, $RDB_MB MB RDB)" "median ms"
printf '%-34s %10s\n' "shake rdb resp" "$SHAKE_MED"
if [ -n "$RDB_CLI" ]; then
  CLI_MED=$(median $(cat "$WORK/rdbcli.ms"))
  printf '%-34s %10s\n' "rdb-cli resp -r" "$CLI_MED"
  RATIOS=$(paste "$WORK/rdbcli.ms" "$WORK/shake.ms" | awk '{ printf "%.2f\n", $1 / $2 }' | sort -g)
  printf '\nshake is %.2fx faster (ratio of medians); per-pair ratios %s .. %s, median %s\n' \
    "$(awk -v a="$CLI_MED" -v b="$SHAKE_MED" 'BEGIN { print a / b }')" \
    "$(echo "$RATIOS" | head -1)" "$(echo "$RATIOS" | tail -1)" "$(median $RATIOS)"
else
  echo "(no rdb-cli: set RDB_CLI to compare)"
fi
