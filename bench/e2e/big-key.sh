#!/usr/bin/env bash
# Big-key full sync: a source holding one huge collection, copied by Redis's own replication and by shake, from a
# disk-based and from a diskless transfer, in one run. Shows wall time, peak RSS and whether the copy is equal.
#   (a) REPLICAOF on a fresh empty server, until master_link_status:up and loading:0 (peak RSS of that replica)
#   (c) shake with sync_aof = false (peak RSS of the shake process, which never holds more than
#       large_value_threshold_mb of one value: above it the value is written element by element as it arrives)
# Environment: TYPE (hash | list | set | zset; default hash), ELEMENTS (default 3000000), VALUE_BYTES per element
#   (default 96, hex text LZF cannot shrink), THRESHOLD_MB (shake's large_value_threshold_mb, default 32),
#   MODES ("disk diskless"), SHAKE, KEEP_WORK=1. Needs redis-server/redis-cli >= 7.0 and GNU time.
set -euo pipefail
source "$(dirname "$0")/common.sh"

TYPE=${TYPE:-hash}
ELEMENTS=${ELEMENTS:-3000000}
VALUE_BYTES=${VALUE_BYTES:-96}
THRESHOLD_MB=${THRESHOLD_MB:-32}
MODES=${MODES:-disk diskless}
TIMEOUT=${TIMEOUT:-1800}
SHAKE_BIN=$(find_shake)
TIME_BIN=/usr/bin/time
[ -x "$TIME_BIN" ] || { log "GNU time (/usr/bin/time) is needed for the peak RSS"; exit 1; }

SRC=$(start_redis source)
log "source on $SRC: one $TYPE 'big' of $ELEMENTS elements of about $VALUE_BYTES bytes"
# Inline commands of 200 elements (under the 64 KB inline limit), values of pseudo-random hex.
awk -v n="$ELEMENTS" -v t="$TYPE" -v vb="$VALUE_BYTES" 'BEGIN {
  srand(7); words = int(vb / 8); if (words < 1) words = 1
  cmd = (t == "hash") ? "HSET" : (t == "list") ? "RPUSH" : (t == "set") ? "SADD" : "ZADD"
  for (i = 0; i < n; i += 200) {
    printf "%s big", cmd
    for (j = i; j < i + 200 && j < n; j++) {
      v = sprintf("%d-", j); for (w = 0; w < words; w++) v = v sprintf("%08x", int(rand() * 4294967295))
      if (t == "hash") printf " f%d %s", j, v
      else if (t == "zset") printf " %d %s", j, v
      else printf " %s", v
    }
    printf "\r\n"
  }
}' | cli "$SRC" --pipe >/dev/null
log "source holds $(cli "$SRC" DBSIZE) key(s): $(cli "$SRC" TYPE big) of $(cli "$SRC" MEMORY USAGE big SAMPLES 0 | awk '{ printf "%.0f MB in memory", $1 / 1048576 }')"
SRC_DIGEST=$(cli "$SRC" DEBUG DIGEST)
cli "$SRC" SAVE >/dev/null
RDB_MB=$(awk -v b="$(stat -c %s "$WORK/source/dump.rdb")" 'BEGIN { printf "%.0f", b / 1048576 }')
log "RDB: $RDB_MB MB"

check_digest() { local d; d=$(cli "$1" DEBUG DIGEST); if [ "$d" = "$SRC_DIGEST" ]; then echo "equal"; else echo "DIFFERENT"; fi; }

ROWS=()
for mode in $MODES; do
  if [ "$mode" = diskless ]; then cli "$SRC" CONFIG SET repl-diskless-sync yes >/dev/null; else cli "$SRC" CONFIG SET repl-diskless-sync no >/dev/null; fi

  A=$(start_redis "replica-$mode")
  log "$mode: (a) REPLICAOF into $A"
  t0=$(now)
  cli "$A" REPLICAOF 127.0.0.1 "$SRC" >/dev/null
  deadline=$((SECONDS + TIMEOUT))
  while :; do
    [ "$(info_field "$A" replication master_link_status)" = up ] && [ "$(info_field "$A" persistence loading)" = 0 ] && break
    [ $SECONDS -lt $deadline ] || { log "(a) replica did not finish in ${TIMEOUT}s"; exit 1; }
    sleep 0.05
  done
  t1=$(now)
  A_WALL=$(elapsed "$t0" "$t1"); A_RSS=$(peak_rss_mb "$(redis_pid "replica-$mode")"); A_DIGEST=$(check_digest "$A")
  stop_redis "replica-$mode"
  # The source's fork for the snapshot must be gone before the next measurement starts.
  while [ "$(info_field "$SRC" persistence rdb_bgsave_in_progress)" != 0 ]; do sleep 0.1; done

  C=$(start_redis "shake-target-$mode")
  mkdir -p "$WORK/shake-$mode"
  TRY_DISKLESS=true shake_sync_config "$SRC" "$C" "$WORK/shake-$mode/sync.toml" false
  [ "$THRESHOLD_MB" = none ] || echo "large_value_threshold_mb = $THRESHOLD_MB" >> "$WORK/shake-$mode/sync.toml"
  log "$mode: (c) shake into $C"
  out="$WORK/shake-$mode/time"
  t0=$(now)
  "$TIME_BIN" -v -o "$out" timeout "$TIMEOUT" "$SHAKE_BIN" "$WORK/shake-$mode/sync.toml" > "$WORK/shake-$mode/stdout.log" 2>&1 \
    || { log "(c) shake failed:"; tail -20 "$WORK/shake-$mode/stdout.log" >&2; exit 1; }
  t1=$(now)
  C_WALL=$(elapsed "$t0" "$t1")
  C_RSS=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$out")
  C_CPU=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.1f", u + s }' "$out")
  C_DIGEST=$(check_digest "$C")
  grep -q "written element by element" "$WORK/shake-$mode/stdout.log" && HOW="streamed" || HOW="RESTORE"
  stop_redis "shake-target-$mode"
  while [ "$(info_field "$SRC" persistence rdb_bgsave_in_progress)" != 0 ]; do sleep 0.1; done

  ROWS+=("$(printf '%-9s %10s %10s %12s %12s %8s %9s  %s / %s' "$mode" "$A_WALL" "$C_WALL" "$A_RSS" "$C_RSS" "$C_CPU" \
    "$(awk -v c="$C_WALL" -v a="$A_WALL" 'BEGIN { printf "%.2fx", c / a }')" "$A_DIGEST" "$C_DIGEST ($HOW)")")
done

echo
echo "Big key: one $TYPE of $ELEMENTS elements (RDB $RDB_MB MB), large_value_threshold_mb = $THRESHOLD_MB, $(nproc) CPUs, $(redis-server --version | awk '{ print $3 }')"
printf '%-9s %10s %10s %12s %12s %8s %9s  %s\n' "transfer" "(a) s" "(c) s" "(a) RSS MB*" "(c) RSS MB" "(c) CPU" "(c)/(a)" "DEBUG DIGEST (a) / (c)"
printf '%s\n' "${ROWS[@]}"
echo "* (a): the replica server process, which holds the whole dataset; (c): the shake process. Times include the source's snapshot."
