#!/usr/bin/env bash
# What deep validation costs where it runs by default, on an RDB that Redis itself saved: KEYS keys (default 300000),
# a fifth each of strings and of small hashes, sets, sorted sets and lists (8 elements each, listpack-encoded, the
# collection-heavy case). In alternating rounds (ROUNDS, default 11, medians printed):
#   shake rdb stats FILE   against   shake rdb stats --no-validate FILE
#   shake rdb resp FILE    against   shake rdb resp --no-validate FILE
# and RESTORES (default 5) alternating restores of the file into an empty server each way (medians): the default
# (validate the whole file, then write) against restore_single_pass = true (validate each value as it is written),
# every copy checked by DEBUG DIGEST. As the baseline for the cost, LOADS (default 5) alternating loads of the same file
# by redis-server with sanitize-dump-payload no and yes (its own deep sanitization; load times from its log, medians),
# and in every round redis-check-rdb FILE (Redis's own checker, which loads every value with deep sanitization).
# Environment: SHAKE (path of a shake binary; default: the native executable of scripts/publish.sh), KEEP_WORK=1.
set -euo pipefail
source "$(dirname "$0")/common.sh"

KEYS=${KEYS:-300000}
ROUNDS=${ROUNDS:-11}
RESTORES=${RESTORES:-5}
LOADS=${LOADS:-5}
SHAKE_BIN=$(find_shake)

SRC=$(start_redis source)
log "source on $SRC: $KEYS keys of five types"
awk -v n="$KEYS" 'BEGIN {
  for (i = 0; i < n; i++) {
    t = i % 5
    if (t == 0) { printf "SET s:%d value-%d\r\n", i, i; continue }
    cmd = (t == 1) ? "HSET h:" : (t == 2) ? "SADD t:" : (t == 3) ? "ZADD z:" : "RPUSH l:"
    printf "%s%d", cmd, i
    for (j = 0; j < 8; j++) {
      if (t == 1) printf " field-%d value-%d-%d", j, i, j
      else if (t == 3) printf " %d member-%d-%d", j * 10, i, j
      else printf " member-%d-%d", i, j
    }
    printf "\r\n"
  }
}' | cli "$SRC" --pipe >/dev/null
SRC_DIGEST=$(cli "$SRC" DEBUG DIGEST)
cli "$SRC" --rdb "$WORK/dump.rdb" >/dev/null 2>&1
stop_redis source
RDB_MB=$(awk -v b="$(stat -c %s "$WORK/dump.rdb")" 'BEGIN { printf "%.1f", b / 1048576 }')
log "RDB: $KEYS keys, $RDB_MB MB"

# ms FILE-OUT CMD...: runs CMD with stdout to /dev/null, appends its wall time in ms.
ms() {
  local out=$1; shift
  local t0=$EPOCHREALTIME
  "$@" >/dev/null
  awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }' >> "$out"
}

for f in stats stats-nv resp resp-nv check; do : > "$WORK/$f.ms"; done
CHECKER=$(command -v redis-check-rdb || true)
"$SHAKE_BIN" rdb stats "$WORK/dump.rdb" >/dev/null   # warm the page cache and the binary
for _ in $(seq 1 "$ROUNDS"); do
  ms "$WORK/stats.ms" "$SHAKE_BIN" rdb stats "$WORK/dump.rdb"
  ms "$WORK/stats-nv.ms" "$SHAKE_BIN" rdb stats --no-validate "$WORK/dump.rdb"
  ms "$WORK/resp.ms" "$SHAKE_BIN" rdb resp "$WORK/dump.rdb"
  ms "$WORK/resp-nv.ms" "$SHAKE_BIN" rdb resp --no-validate "$WORK/dump.rdb"
  [ -z "$CHECKER" ] || ms "$WORK/check.ms" "$CHECKER" "$WORK/dump.rdb"
done

# restore NAME SINGLE_PASS: one restore into a fresh server; prints the wall time in s and checks the digest.
restore() {
  local port t0 digest
  port=$(start_redis "$1")
  cat > "$WORK/$1.toml" <<TOML
[rdb_reader]
filepath = "$WORK/dump.rdb"
[redis_writer]
address = "127.0.0.1:$port"
[advanced]
dir = "$WORK/$1-dir"
log_level = "warn"
checkpoint_key = ""
restore_single_pass = $2
TOML
  t0=$EPOCHREALTIME
  "$SHAKE_BIN" "$WORK/$1.toml" >"$WORK/$1.log" 2>&1
  awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'
  digest=$(cli "$port" DEBUG DIGEST)
  stop_redis "$1"
  [ "$digest" = "$SRC_DIGEST" ] || { log "restore $1: digest differs ($digest vs $SRC_DIGEST)"; exit 1; }
}
# alternate N FUNC NAME-A ARG-A NAME-B ARG-B: N rounds of FUNC NAME-A-i ARG-A then FUNC NAME-B-i ARG-B; prints the
# median of each side.
alternate() {
  local n=$1 fn=$2 a=$3 arg_a=$4 b=$5 arg_b=$6 i
  local -a all_a=() all_b=()
  for i in $(seq 1 "$n"); do
    all_a+=("$("$fn" "$a-$i" "$arg_a")")
    all_b+=("$("$fn" "$b-$i" "$arg_b")")
  done
  echo "$(median "${all_a[@]}") $(median "${all_b[@]}")"
}
read -r TWO_PASS ONE_PASS <<< "$(alternate "$RESTORES" restore restore-validated false restore-single true)"

# load NAME SANITIZE: redis-server loads the file with sanitize-dump-payload SANITIZE; prints the load time in ms.
load() {
  local port seconds i
  mkdir -p "$WORK/$1"
  ln -f "$WORK/dump.rdb" "$WORK/$1/dump.rdb"
  port=$(start_redis "$1" --dbfilename dump.rdb --sanitize-dump-payload "$2")
  for i in $(seq 1 200); do
    seconds=$(awk '/DB loaded from disk:/ { print $(NF - 1) }' "$WORK/$1/redis.log")
    [ -n "$seconds" ] && break
    sleep 0.05
  done
  [ "$(cli "$port" DEBUG DIGEST)" = "$SRC_DIGEST" ] || { log "load $1: digest differs"; exit 1; }
  stop_redis "$1"
  awk -v s="$seconds" 'BEGIN { printf "%.0f", s * 1000 }'
}
read -r LOAD_NO LOAD_YES <<< "$(alternate "$LOADS" load load-plain no load-sanitized yes)"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
S=$(median $(cat "$WORK/stats.ms")); SN=$(median $(cat "$WORK/stats-nv.ms"))
R=$(median $(cat "$WORK/resp.ms")); RN=$(median $(cat "$WORK/resp-nv.ms"))
printf '\nValidation cost: %s keys (4/5 of them 8-element collections), RDB %s MB, %s rounds, %s CPUs\n' "$KEYS" "$RDB_MB" "$ROUNDS" "$(nproc)"
printf '%-28s %14s %14s %8s\n' "command" "validated ms" "--no-validate" "ratio"
printf '%-28s %14s %14s %8s\n' "shake rdb stats" "$S" "$SN" "$(ratio "$S" "$SN")"
printf '%-28s %14s %14s %8s\n' "shake rdb resp" "$R" "$RN" "$(ratio "$R" "$RN")"
printf '%-28s %14s %14s %8s\n' "restore (s): whole file first / single pass" "$TWO_PASS" "$ONE_PASS" "$(ratio "$TWO_PASS" "$ONE_PASS")"
[ -z "$CHECKER" ] || printf '%-28s %14s %14s %8s\n' "redis-check-rdb / shake rdb stats" "$(median $(cat "$WORK/check.ms"))" "$S" "$(ratio "$(median $(cat "$WORK/check.ms"))" "$S")"
printf '%-28s %14s %14s %8s\n' "redis-server load (ms): sanitize-dump-payload yes / no" "$LOAD_YES" "$LOAD_NO" "$(ratio "$LOAD_YES" "$LOAD_NO")"
echo "(restores: medians of $RESTORES each, every copy equal to the source by DEBUG DIGEST; process start-up included in every time)"
echo "(deep validation adds $(awk -v a="$S" -v b="$SN" 'BEGIN { printf "%.0f", a - b }') ms to shake rdb stats; redis-server's own deep sanitization adds $(awk -v a="$LOAD_YES" -v b="$LOAD_NO" 'BEGIN { printf "%.0f", a - b }') ms to loading the same file, medians of $LOADS loads each)"
