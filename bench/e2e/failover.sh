#!/usr/bin/env bash
# Faults during a cluster -> cluster sync. Per run: two fresh 3-master/3-replica clusters A and B, KEYS keys loaded
# into A, one `shake` following the whole of A ([sync_reader] cluster = true) into B, and a writer (failover-writer.cs)
# that keeps SETting new keys into A, follows MOVED itself and records every write it got an OK for. Then one fault:
#   takeover-stream    CLUSTER FAILOVER TAKEOVER on a replica of A's first master during the incremental phase
#   takeover-fullsync  the same while that shard's full sync is running (its master saves slowly: rdb-key-save-delay)
#   failover           a graceful CLUSTER FAILOVER on a replica of A's first master during the stream
#   kill9              kill -9 of A's first master; the cluster fails over on its own (node timeout 3 s)
#   target-failover    a graceful CLUSTER FAILOVER on a replica of B's first master during the stream
#   target-kill9       kill -9 of B's first master during the stream; B fails over on its own
# The writer goes on for WRITE_AFTER seconds, stops, and per run the script reports: writes acknowledged, writes A
# itself lost (a master confirmed them and died before its replica had them), writes A holds that B lacks or holds
# differently (the goal: 0), `shake verify` of A against B (every key), whether the log shows +CONTINUE after the
# fault, full syncs after the fault, and whether shake was still running at the end.
# Environment: RUNS (5), FAULTS (all six), KEYS (30000), RATE (400 writes/s), WRITE_AFTER (5), SHAKE (default: the
# published binary, ./publish/shake, published when missing), ADVANCED (more [advanced] lines, e.g.
# 'empty_db_before_sync = true'), KEEP_WORK=1.
set -euo pipefail
source "$(dirname "$0")/common.sh"

RUNS=${RUNS:-5}
FAULTS=${FAULTS:-"takeover-stream takeover-fullsync failover kill9 target-failover target-kill9"}
KEYS=${KEYS:-30000}
RATE=${RATE:-400}
WRITE_AFTER=${WRITE_AFTER:-5}
if [ -z "${SHAKE:-}" ]; then
  SHAKE="$REPO_ROOT/publish/shake"
  [ -x "$SHAKE" ] || { log "publishing shake"; "$REPO_ROOT/scripts/publish.sh" >/dev/null; }
fi

log "building failover-writer.cs"
mkdir -p "$WORK/writer"
cp "$(dirname "$0")/failover-writer.cs" "$WORK/writer/"
dotnet build "$WORK/writer/failover-writer.cs" -c Release -v quiet -nologo -o "$WORK/writer/bin" >&2 2>&1 | tail -3 >&2 || true
[ -f "$WORK/writer/bin/failover-writer.dll" ] || { log "could not build failover-writer.cs"; exit 1; }
# An array, not a function: a function run with & is a subshell, and killing it would leave its dotnet child running.
WRITER=(dotnet "$WORK/writer/bin/failover-writer.dll")

# A port for a cluster node: it and its bus port (port + 10000) are free, both below the usual range of ephemeral
# ports (32768 and up), which a busy machine's outgoing connections hold without listening on them.
free_cluster_port() {
  local p i
  for i in $(seq 1 200); do
    p=$((10000 + RANDOM % 12700))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && ! (exec 3<>"/dev/tcp/127.0.0.1/$((p + 10000))") 2>/dev/null; then echo "$p"; return 0; fi
  done
  echo "no free port found" >&2; return 1
}

# start_node -> prints the port of a new cluster-enabled server; its files are under $WORK/n<port>. A port taken in
# the meantime, or a server that does not answer within 20 s on a loaded machine, is given up for another port.
start_node() {
  local port dir i attempt pid
  for attempt in 1 2 3 4 5; do
    port=$(free_cluster_port)
    dir="$WORK/n$port"; mkdir -p "$dir"
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" \
      --logfile "$dir/redis.log" --save "" --appendonly no --repl-diskless-sync-delay 0 \
      --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 3000 >/dev/null || continue
    for i in $(seq 1 400); do
      cli "$port" PING >/dev/null 2>&1 && { echo "$port"; return 0; }
      grep -q aborting "$dir/redis.log" 2>/dev/null && break
      sleep 0.05
    done
    pid=$(cat "$dir/redis.pid" 2>/dev/null) && kill -9 "$pid" 2>/dev/null
    log "redis node on $port did not answer; trying another port"
  done
  echo "no redis node could be started" >&2; return 1
}

node_pid() { cat "$WORK/n$1/redis.pid"; }

# Every running node of a cluster reports cluster_state:ok and every replica's link is up.
settled() {
  local p
  for p in "$@"; do
    kill -0 "$(node_pid "$p")" 2>/dev/null || continue
    cli "$p" CLUSTER INFO 2>/dev/null | grep -q '^cluster_state:ok' || return 1
    if cli "$p" INFO replication | grep -q '^role:slave'; then cli "$p" INFO replication | grep -q '^master_link_status:up' || return 1; fi
  done
}

wait_settled() {
  local i
  for i in $(seq 1 300); do settled "$@" && return 0; sleep 0.1; done
  log "cluster $* did not settle"; return 1
}

# start_cluster -> prints 6 ports: 3 masters with a replica each.
start_cluster() {
  local ports=() i
  for i in 1 2 3 4 5 6; do ports+=("$(start_node)") || exit 1; done
  redis-cli --cluster create $(printf '127.0.0.1:%s ' "${ports[@]}") --cluster-replicas 1 --cluster-yes >/dev/null || exit 1
  wait_settled "${ports[@]}" || exit 1
  echo "${ports[@]}"
}

stop_nodes() {
  local p pid
  for p in "$@"; do pid=$(node_pid "$p" 2>/dev/null) && kill "$pid" 2>/dev/null || true; done
  sleep 0.3
  for p in "$@"; do pid=$(node_pid "$p" 2>/dev/null) && kill -9 "$pid" 2>/dev/null || true; rm -rf "$WORK/n$p"; done
}

# The port of the master owning slot 0, and of its replica, as a running node of the cluster sees them.
master0() { cli "$1" CLUSTER NODES | awk '$3 ~ /master/ && $3 !~ /fail/ && $9 ~ /^0-/ { split($2, a, "[:@]"); print a[2] }'; }
replica_of() {
  local id
  id=$(cli "$1" CLUSTER NODES | awk -v port="$2" '{ split($2, a, "[:@]"); if (a[2] == port) print $1 }')
  cli "$1" CLUSTER NODES | awk -v id="$id" '$4 == id && $3 ~ /slave/ { split($2, a, "[:@]"); print a[2]; exit }'
}
wait_master() { # PORT: until the node reports itself a master
  local i
  for i in $(seq 1 300); do cli "$1" ROLE 2>/dev/null | head -1 | grep -q master && return 0; sleep 0.1; done
  log "$1 did not become a master"; return 1
}
live_node() { local p; for p in "$@"; do kill -0 "$(node_pid "$p")" 2>/dev/null && { echo "$p"; return; }; done; }

# Loads KEYS strings into a cluster: keys carry one of 1024 hash tags; each master is sent the keys of its tags.
load_keys() {
  local seed=$1 p
  seq 0 1023 | awk '{ printf "CLUSTER KEYSLOT {t%d}\n", $1 }' | cli "$seed" > "$WORK/slots.txt"
  for p in $(cli "$seed" CLUSTER NODES | awk '$3 ~ /master/ { split($2, a, "[:@]"); print a[2] }'); do
    cli "$p" CLUSTER NODES | awk '/myself/ { for (i = 9; i <= NF; i++) print $i }' | awk -F- -v port="$p" '{ print port, $1, ($2 == "" ? $1 : $2) }'
  done > "$WORK/ranges.txt"
  awk 'NR == FNR { port[NR] = $1; lo[NR] = $2; hi[NR] = $3; n = NR; next }
       { for (i = 1; i <= n; i++) if ($1 >= lo[i] && $1 <= hi[i]) { print FNR - 1, port[i]; break } }' "$WORK/ranges.txt" "$WORK/slots.txt" > "$WORK/tags.txt"
  for p in $(cut -d' ' -f2 "$WORK/tags.txt" | sort -u); do
    awk -v keys="$KEYS" -v port="$p" 'NR == FNR { if ($2 == port) mine[$1] = 1; next } END {
      for (i = 0; i < keys; i++) { t = i % 1024; if (t in mine) printf "SET {t%d}:pre:%d value-%d-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n", t, i, i } }' "$WORK/tags.txt" /dev/null | cli "$p" --pipe >/dev/null
  done
}

wait_log() { # FILE PATTERN COUNT TIMEOUT_S
  local i
  for i in $(seq 1 $(($4 * 10))); do
    [ "$(grep -c -- "$2" "$1" 2>/dev/null || true)" -ge "$3" ] && return 0
    sleep 0.1
  done
  log "timed out waiting for '$2' x$3 in $1"; return 1
}

shake_config() { # source-port target-port dir try-diskless
  cat > "$3/sync.toml" <<TOML
[sync_reader]
cluster = true
address = "127.0.0.1:$1"
sync_rdb = true
sync_aof = true
try_diskless = $4

[redis_writer]
cluster = true
address = "127.0.0.1:$2"

[advanced]
dir = "$3/data"
log_file = "shake.log"
log_interval = 1
rdb_restore_command_behavior = "rewrite"
${ADVANCED:-}
TOML
}

# run_fault FAULT RUN: one run; appends a line to $WORK/results.txt
run_fault() {
  local fault=$1 run=$2 dir="$WORK/$1-$2" a b seed_a seed_b m r shake_pid writer_pid
  mkdir -p "$dir"
  local ports_a ports_b
  ports_a=$(start_cluster) || { log "cluster A did not start"; exit 1; }
  ports_b=$(start_cluster) || { log "cluster B did not start"; exit 1; }
  read -r -a a <<< "$ports_a"
  read -r -a b <<< "$ports_b"
  seed_a=${a[0]}; seed_b=${b[0]}
  load_keys "$seed_a"
  m=$(master0 "$seed_a"); r=$(replica_of "$seed_a" "$m")
  [ "$fault" = takeover-fullsync ] && cli "$m" CONFIG SET rdb-key-save-delay 300 >/dev/null # about 3 s for its KEYS/3 keys
  # For the takeover during the full sync the snapshot is streamed (diskless) while it is saved slowly, so the
  # takeover cuts the transfer with part of the shard applied.
  shake_config "$seed_a" "$seed_b" "$dir" "$([ "$fault" = takeover-fullsync ] && echo true || echo false)"
  "$SHAKE" "$dir/sync.toml" > "$dir/shake.out" 2>&1 &
  shake_pid=$!; CHILD_PIDS+=("$shake_pid")
  rm -f "$dir/stop"
  "${WRITER[@]}" write --seed "$seed_a" --acked "$dir/acked.txt" --stop-file "$dir/stop" --rate "$RATE" > "$dir/writer.out" 2>&1 &
  writer_pid=$!; CHILD_PIDS+=("$writer_pid")

  local log_file="$dir/shake.out" before
  case "$fault" in
    takeover-fullsync)
      wait_log "$log_file" "127.0.0.1:$m sends the RDB" 1 60
      sleep 1
      grep -q "\[shard 0\] full sync done" "$log_file" && log "$fault run $run: shard 0's snapshot ended before the takeover"
      before=$(grep -c 'answered PSYNC' "$log_file" || true)
      cli "$r" CLUSTER FAILOVER TAKEOVER >/dev/null
      wait_master "$r"
      ;;
    *)
      wait_log "$log_file" "full sync done" 3 120
      sleep 2
      before=$(grep -c 'answered PSYNC' "$log_file" || true)
      local bm br
      bm=$(master0 "$seed_b"); br=$(replica_of "$seed_b" "$bm")
      case "$fault" in
        takeover-stream) cli "$r" CLUSTER FAILOVER TAKEOVER >/dev/null; wait_master "$r" ;;
        failover) cli "$r" CLUSTER FAILOVER >/dev/null; wait_master "$r" ;;
        kill9) kill -9 "$(node_pid "$m")"; wait_master "$r" ;;
        target-failover) cli "$br" CLUSTER FAILOVER >/dev/null; wait_master "$br" ;;
        target-kill9) kill -9 "$(node_pid "$bm")"; wait_master "$br" ;;
      esac
      ;;
  esac
  # The fault is over once every running node of both clusters agrees again.
  sleep 1
  wait_settled "${a[@]}"; wait_settled "${b[@]}"
  [ "$fault" = takeover-fullsync ] && cli "$m" CONFIG SET rdb-key-save-delay 0 >/dev/null
  sleep "$WRITE_AFTER"
  touch "$dir/stop"
  wait "$writer_pid" || true
  seed_a=$(live_node "${a[@]}"); seed_b=$(live_node "${b[@]}")
  local check acked a_lost b_missing verify continued fulls alive
  check=$("${WRITER[@]}" check --a "$seed_a" --b "$seed_b" --acked "$dir/acked.txt" --wait 60 || true)
  acked=$(sed -n 's/.*acked=\([0-9]*\).*/\1/p' <<< "$check")
  a_lost=$(sed -n 's/.*a_lost=\([0-9]*\).*/\1/p' <<< "$check")
  b_missing=$(sed -n 's/.*b_lacks_or_differs=\([0-9]*\).*/\1/p' <<< "$check")
  awk -v sa="$seed_a" -v sb="$seed_b" '/^\[sync_reader\]/ { s = 1 } /^\[redis_writer\]/ { s = 2 } /^address/ { $0 = "address = \"127.0.0.1:" (s == 1 ? sa : sb) "\"" } { print }' "$dir/sync.toml" > "$dir/verify.toml"
  if "$SHAKE" verify "$dir/verify.toml" --report "$dir/verify.jsonl" > "$dir/verify.out" 2>&1; then verify=equal; else verify="DIFFERS($(grep -c . "$dir/verify.jsonl" 2>/dev/null || echo ?))"; fi
  continued=$(tail -n +"$((before + 1))" <(grep 'answered PSYNC' "$log_file") | grep -c CONTINUE || true)
  fulls=$(tail -n +"$((before + 1))" <(grep 'answered PSYNC' "$log_file") | grep -c FULLRESYNC || true)
  if kill -0 "$shake_pid" 2>/dev/null; then alive=yes; kill -TERM "$shake_pid"; wait "$shake_pid" || true; else alive=NO; fi
  printf '%-18s %3s %7s %7s %9s %-12s %9s %6s %6s\n' "$fault" "$run" "$acked" "$a_lost" "$b_missing" "$verify" "$continued" "$fulls" "$alive" | tee -a "$WORK/results.txt" >&2
  stop_nodes "${a[@]}" "${b[@]}"
  [ "${KEEP_WORK:-0}" = 1 ] || rm -rf "$dir/data"
}

header=$(printf '%-18s %3s %7s %7s %9s %-12s %9s %6s %6s' fault run acked a_lost b_missing verify CONTINUE full alive)
log "shake: $SHAKE; $RUNS runs of: $FAULTS; $KEYS keys preloaded, writes at $RATE/s"
echo "$header" >&2
for fault in $FAULTS; do
  for run in $(seq 1 "$RUNS"); do run_fault "$fault" "$run"; done
done
echo
echo "acked: writes the writer got OK for; a_lost: of those, missing or different on A itself; b_missing: writes A holds"
echo "that B lacks or holds differently (goal 0); verify: shake verify A -> B over every key; CONTINUE / full: PSYNC"
echo "answers after the fault; alive: shake still running at the end."
echo "$header"
cat "$WORK/results.txt"
