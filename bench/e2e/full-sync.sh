#!/usr/bin/env bash
# Full sync benchmark: the same 1M-key dataset copied three ways, measured in one run on this machine.
#   (a) Redis's own replication: REPLICAOF on a fresh empty server, until master_link_status:up and loading:0
#   (b) redis-cli --pipe of RESTORE commands generated beforehand from the RDB (shake rdb resp)
#   (c) shake with sync_aof = false (exits once the RDB is applied), restore_form = "auto"
#   (d) the same with restore_form = "restore" (every entry a RESTORE, as before the cheaper write forms)
# Prints wall time, peak RSS of the copying process, the target's CPU (used_cpu_user + used_cpu_sys of the fresh
# target once the copy is done) and the ratio against (a); checks DEBUG DIGEST on every target.
# The methods run ROUNDS times (default 3), alternating, into fresh servers; the table shows medians and every round.
# Environment: KEYS (default 1000000), ROUNDS, SHAKE (path of a built shake; default: the native executable of scripts/publish.sh),
#   DISKLESS (default 1; 0 starts the source with repl-diskless-sync no, so (a), (c) and (d) wait for its BGSAVE),
#   AB_ENV="NAME=value" makes (d) the same run as (c) with that environment (an A/B of a switch in one run),
#   AB_ADVANCED='key = value' makes (d) the same run as (c) with that line added to its [advanced] section,
#   KEEP_WORK=1 keeps the temp directory. Needs redis-server/redis-cli >= 7.0 and GNU time (/usr/bin/time).
set -euo pipefail
source "$(dirname "$0")/common.sh"

KEYS=${KEYS:-1000000}
ROUNDS=${ROUNDS:-3}
TIMEOUT=${TIMEOUT:-900}
SHAKE_BIN=$(find_shake)
TIME_BIN=/usr/bin/time
[ -x "$TIME_BIN" ] || TIME_BIN=""

strings=$((KEYS * 80 / 100)); hashes=$((KEYS * 10 / 100)); lists=$((KEYS * 5 / 100)); zsets=$((KEYS - strings - hashes - lists))

DISKLESS=${DISKLESS:-1}
if [ "$DISKLESS" = 1 ]; then SRC=$(start_redis source); else SRC=$(start_redis source --repl-diskless-sync no); fi
cpu_of() { cli "$1" INFO cpu | tr -d '\r' | awk -F: '$1 == "used_cpu_user" || $1 == "used_cpu_sys" { s += $2 } END { printf "%.2f", s }'; }
log "source on $SRC: loading $KEYS keys ($strings strings of 100 bytes, $hashes hashes x10, $lists lists x20, $zsets zsets x10)"
cli "$SRC" DEBUG POPULATE "$strings" str 100 >/dev/null
# Inline commands piped in: fast, and values are plain tokens.
awk -v h="$hashes" -v l="$lists" -v z="$zsets" 'BEGIN {
  srand(4); for (i = 0; i < h; i++) { printf "HSET hash:%d", i; for (f = 0; f < 10; f++) printf " field%d v%d-%d", f, i, int(rand() * 1e6); printf "\r\n" }
  for (i = 0; i < l; i++) { printf "RPUSH list:%d", i; for (e = 0; e < 20; e++) printf " item%d-%d", e, int(rand() * 1e6); printf "\r\n" }
  for (i = 0; i < z; i++) { printf "ZADD zset:%d", i; for (m = 0; m < 10; m++) printf " %.6f member%d", rand() * 1000, m; printf "\r\n" }
}' | cli "$SRC" --pipe >/dev/null
[ "$(cli "$SRC" DBSIZE)" = "$KEYS" ] || { log "source has $(cli "$SRC" DBSIZE) keys, expected $KEYS"; exit 1; }
SRC_DIGEST=$(cli "$SRC" DEBUG DIGEST)
cli "$SRC" --rdb "$WORK/dump.rdb" >/dev/null 2>&1
RDB_MB=$(awk -v b="$(stat -c %s "$WORK/dump.rdb")" 'BEGIN { printf "%.1f", b / 1048576 }')
log "dataset ready: RDB $RDB_MB MB, digest $SRC_DIGEST"

# Runs "$@" under GNU time; sets RUN_WALL (s) and RUN_RSS (MB).
timed() {
  local out="$WORK/time.$$"
  local t0 t1 status=0
  t0=$(now)
  if [ -n "$TIME_BIN" ]; then
    "$TIME_BIN" -v -o "$out" timeout "$TIMEOUT" "$@" || status=$?
    RUN_RSS=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$out")
    RUN_OWN_CPU=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$out")
  else
    timeout "$TIMEOUT" "$@" || status=$?
    RUN_RSS="?"; RUN_OWN_CPU="?"
  fi
  t1=$(now)
  RUN_WALL=$(elapsed "$t0" "$t1")
  return $status
}

check_digest() {
  local d
  d=$(cli "$1" DEBUG DIGEST)
  if [ "$d" = "$SRC_DIGEST" ]; then echo "equal"; else echo "DIFFERENT ($d)"; fi
}

# One round: (a), (b), (c) into fresh servers, each stopped afterwards; sets A_/B_/C_ WALL, RSS, DIGEST.
run_round() {
  local r=$1
  # (a) native replication
  A=$(start_redis "replica-$r")
  log "round $r (a) REPLICAOF into a fresh server on $A"
  t0=$(now)
  cli "$A" REPLICAOF 127.0.0.1 "$SRC" >/dev/null
  deadline=$((SECONDS + TIMEOUT))
  while :; do
    [ "$(info_field "$A" replication master_link_status)" = up ] && [ "$(info_field "$A" persistence loading)" = 0 ] && break
    [ $SECONDS -lt $deadline ] || { log "(a) replica did not finish in ${TIMEOUT}s"; exit 1; }
    sleep 0.02
  done
  t1=$(now)
  A_WALL=$(elapsed "$t0" "$t1"); A_RSS=$(peak_rss_mb "$(redis_pid "replica-$r")"); A_CPU=$(cpu_of "$A"); A_DIGEST=$(check_digest "$A")
  stop_redis "replica-$r"

  # (b) redis-cli --pipe of pre-generated RESTORE commands
  B=$(start_redis "pipe-target-$r")
  log "round $r (b) redis-cli --pipe into $B"
  timed sh -c "redis-cli -h 127.0.0.1 -p $B --pipe < '$WORK/restore.resp' > '$WORK/pipe.out'"
  B_WALL=$RUN_WALL; B_RSS=$RUN_RSS; B_CPU=$(cpu_of "$B"); B_DIGEST=$(check_digest "$B")
  stop_redis "pipe-target-$r"

  # (c) and (d) shake, RDB only, with each restore_form
  run_shake "$r" c auto
  C_WALL=$RUN_WALL; C_RSS=$RUN_RSS; C_CPU=$RUN_CPU; C_DIGEST=$RUN_DIGEST; C_OWN=$RUN_OWN_CPU
  if [ -n "${AB_ADVANCED:-}" ]; then run_shake "$r" d auto "" "$AB_ADVANCED"
  elif [ -n "${AB_ENV:-}" ]; then run_shake "$r" d auto "$AB_ENV"; else run_shake "$r" d restore; fi
  D_WALL=$RUN_WALL; D_RSS=$RUN_RSS; D_CPU=$RUN_CPU; D_DIGEST=$RUN_DIGEST; D_OWN=$RUN_OWN_CPU
}

# run_shake ROUND LABEL FORM: one shake run into a fresh server; sets RUN_WALL, RUN_RSS, RUN_CPU, RUN_DIGEST.
run_shake() {
  local r=$1 label=$2 form=$3 extra=${4:-} advanced=${5:-} T
  T=$(start_redis "shake-$label-target-$r")
  mkdir -p "$WORK/shake-$label-$r"
  shake_sync_config "$SRC" "$T" "$WORK/shake-$label-$r/sync.toml" false
  echo "restore_form = \"$form\"" >> "$WORK/shake-$label-$r/sync.toml"
  [ -z "$advanced" ] || echo "$advanced" >> "$WORK/shake-$label-$r/sync.toml"
  log "round $r ($label) shake sync (sync_aof = false, restore_form = $form) into $T"
  timed env $extra "$SHAKE_BIN" "$WORK/shake-$label-$r/sync.toml" > "$WORK/shake-$label-$r/stdout.log" 2>&1 || { log "($label) shake failed:"; tail -20 "$WORK/shake-$label-$r/stdout.log" >&2; exit 1; }
  RUN_CPU=$(cpu_of "$T"); RUN_DIGEST=$(check_digest "$T")
  stop_redis "shake-$label-target-$r"
}

log "generating RESTORE commands for (b) with shake rdb resp"
"$SHAKE_BIN" rdb resp "$WORK/dump.rdb" > "$WORK/restore.resp"

# Rounds alternate the methods so that a slow moment of the machine hits all of them; the table shows medians.
ROWS=()
A_ALL=(); B_ALL=(); C_ALL=(); D_ALL=(); A_RSS_MAX=0; B_RSS_MAX=0; C_RSS_MAX=0; D_RSS_MAX=0; DIGESTS=""
A_CPUS=(); B_CPUS=(); C_CPUS=(); D_CPUS=(); C_OWNS=(); D_OWNS=()
for r in $(seq 1 "$ROUNDS"); do
  run_round "$r"
  ROWS+=("$(printf '%-8s %10s %10s %10s %10s %8s %8s' "$r" "$A_WALL" "$B_WALL" "$C_WALL" "$D_WALL" "$(awk -v c="$C_WALL" -v a="$A_WALL" 'BEGIN { printf "%.2fx", c / a }')" "$(awk -v c="$D_WALL" -v a="$A_WALL" 'BEGIN { printf "%.2fx", c / a }')")")
  A_ALL+=("$A_WALL"); B_ALL+=("$B_WALL"); C_ALL+=("$C_WALL"); D_ALL+=("$D_WALL")
  A_CPUS+=("$A_CPU"); B_CPUS+=("$B_CPU"); C_CPUS+=("$C_CPU"); D_CPUS+=("$D_CPU"); C_OWNS+=("$C_OWN"); D_OWNS+=("$D_OWN")
  A_RSS_MAX=$(max "$A_RSS_MAX" "$A_RSS"); B_RSS_MAX=$(max "$B_RSS_MAX" "$B_RSS"); C_RSS_MAX=$(max "$C_RSS_MAX" "$C_RSS"); D_RSS_MAX=$(max "$D_RSS_MAX" "$D_RSS")
  DIGESTS="$DIGESTS $A_DIGEST/$B_DIGEST/$C_DIGEST/$D_DIGEST"
done
rm -f "$WORK/restore.resp"
A_WALL=$(median "${A_ALL[@]}"); B_WALL=$(median "${B_ALL[@]}"); C_WALL=$(median "${C_ALL[@]}"); D_WALL=$(median "${D_ALL[@]}")
A_CPU=$(median "${A_CPUS[@]}"); B_CPU=$(median "${B_CPUS[@]}"); C_CPU=$(median "${C_CPUS[@]}"); D_CPU=$(median "${D_CPUS[@]}")
digest_of() { local i=$1 all="" d; for d in $DIGESTS; do all="$all $(echo "$d" | cut -d/ -f"$i")"; done; if echo "$all" | grep -q DIFFERENT; then echo "DIFFERENT in a round"; else echo "equal"; fi; }
A_DIGEST=$(digest_of 1); B_DIGEST=$(digest_of 2); C_DIGEST=$(digest_of 3); D_DIGEST=$(digest_of 4)
A_RSS=$A_RSS_MAX; B_RSS=$B_RSS_MAX; C_RSS=$C_RSS_MAX; D_RSS=$D_RSS_MAX
per_key() { awk -v c="$1" -v n="$KEYS" 'BEGIN { printf "%.2f", c * 1e6 / n }'; }

D_LABEL="(d) shake, restore_form = restore"
[ -n "${AB_ENV:-}" ] && D_LABEL="(d) shake, auto, $AB_ENV"
[ -n "${AB_ADVANCED:-}" ] && D_LABEL="(d) shake, auto, $AB_ADVANCED"
ratio() { awk -v x="$1" -v a="$A_WALL" 'BEGIN { if (a > 0) printf "%.2fx", x / a; else print "?" }'; }
echo
SOURCE_KIND=$([ "$DISKLESS" = 1 ] && echo "diskless source" || echo "disk-based source (repl-diskless-sync no)")
echo "Full sync of $KEYS keys (RDB $RDB_MB MB), $SOURCE_KIND, $(nproc) CPUs, $(redis-server --version | awk '{ print $3 }'), median of $ROUNDS rounds"
printf '%-44s %10s %14s %8s %12s %8s  %s\n' "method" "wall (s)" "peak RSS (MB)" "vs (a)" "target CPU s" "us/key" "DEBUG DIGEST"
printf '%-44s %10s %14s %8s %12s %8s  %s\n' "(a) Redis replication (REPLICAOF)" "$A_WALL" "$A_RSS*" "1.00x" "$A_CPU" "$(per_key "$A_CPU")" "$A_DIGEST"
printf '%-44s %10s %14s %8s %12s %8s  %s\n' "(b) redis-cli --pipe of RESTORE commands" "$B_WALL" "$B_RSS" "$(ratio "$B_WALL")" "$B_CPU" "$(per_key "$B_CPU")" "$B_DIGEST"
printf '%-44s %10s %14s %8s %12s %8s  %s\n' "(c) shake, restore_form = auto" "$C_WALL" "$C_RSS" "$(ratio "$C_WALL")" "$C_CPU" "$(per_key "$C_CPU")" "$C_DIGEST"
printf '%-44s %10s %14s %8s %12s %8s  %s\n' "$D_LABEL" "$D_WALL" "$D_RSS" "$(ratio "$D_WALL")" "$D_CPU" "$(per_key "$D_CPU")" "$D_DIGEST"
echo "* (a): peak RSS of the replica server process, which holds the whole dataset; (b), (c): the copying client process."
echo "  (b) excludes generating the RESTORE file; (c), (d) include process start-up and the source's RDB snapshot."
echo "  target CPU: the fresh target's used_cpu_user + used_cpu_sys when the copy is done (for (a) the replica's loading)."
echo "  shake's own CPU (user + system, median): (c) $(median "${C_OWNS[@]}") s, (d) $(median "${D_OWNS[@]}") s"
echo
echo "per round (wall s):"
printf '%-8s %10s %10s %10s %10s %8s %8s\n' "round" "(a)" "(b)" "(c)" "(d)" "(c)/(a)" "(d)/(a)"
printf '%s\n' "${ROWS[@]}"
