#!/usr/bin/env bash
# Demonstration: two local Redis clusters A and B (3 masters + 3 replicas each, free loopback ports), sample data of
# every type in A, one `shake` following the whole of A into B while a writer keeps writing into A; in the middle one
# of A's replicas is promoted with CLUSTER FAILOVER TAKEOVER (what an operator does when a data center is lost), and
# its shard goes on with PSYNC +CONTINUE instead of a full sync. It ends with `shake verify` comparing B with A key by
# key. Everything runs in a temp dir and is stopped on exit, also on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
scripts/ensure-redis.sh

work="$(mktemp -d -t shake-demo-XXXXXX)"
cleanup() {
  local pid f jobs_left
  # The background jobs of this shell (shake, the writer, a build) are exactly the processes the demo started itself.
  # They stop first (shake stops cleanly while both clusters still answer), for at most 10 s; then the servers.
  jobs_left=$(jobs -p)
  for pid in $jobs_left; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 100); do
    [ -z "$(jobs -pr)" ] && break
    sleep 0.1
  done
  for pid in $(jobs -pr); do kill -9 "$pid" 2>/dev/null || true; done
  for pid in $jobs_left; do wait "$pid" 2>/dev/null || true; done
  for f in "$work"/n*/redis.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  sleep 0.3
  for f in "$work"/n*/redis.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted; stopping everything"; exit 130' INT TERM

say() { echo "demo: $*"; }
# Runs a command in the background and waits for it: a trapped Ctrl-C interrupts `wait` at once, while a foreground
# command that catches SIGINT itself (dotnet build does) would keep the script going.
run() { "$@" & wait $!; }
cli() { local port=$1; shift; redis-cli -h 127.0.0.1 -p "$port" "$@"; }
port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_node: a cluster-enabled redis-server on a free port whose bus port (port + 10000) is free too, both below the
# usual range of ephemeral ports (32768 and up), which outgoing connections hold without listening; prints the port.
start_node() {
  local port dir attempt i
  for attempt in $(seq 1 50); do
    port=$((10000 + RANDOM % 12700))
    port_is_free "$port" && port_is_free $((port + 10000)) || continue
    dir="$work/n$port"; mkdir -p "$dir"
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" \
      --logfile "$dir/redis.log" --save "" --appendonly no --enable-debug-command local --repl-diskless-sync-delay 0 \
      --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 3000 >/dev/null || continue
    for i in $(seq 1 100); do
      cli "$port" PING 2>/dev/null | grep -q PONG && { echo "$port"; return 0; }
      grep -q aborting "$dir/redis.log" 2>/dev/null && break
      sleep 0.05
    done
  done
  echo "demo: could not start a redis-server" >&2
  return 1
}

# Every node reports cluster_state:ok and every replica's link is up.
wait_settled() {
  local i p ok
  for i in $(seq 1 300); do
    ok=1
    for p in "$@"; do
      cli "$p" CLUSTER INFO | grep -q '^cluster_state:ok' || { ok=0; break; }
      if cli "$p" ROLE | head -1 | grep -q slave; then cli "$p" INFO replication | grep -q '^master_link_status:up' || { ok=0; break; }; fi
    done
    [ "$ok" = 1 ] && return 0
    sleep 0.1
  done
  echo "demo: the cluster on $* did not settle" >&2; return 1
}

start_cluster() { # prints 6 ports
  local ports=() i
  for i in 1 2 3 4 5 6; do ports+=("$(start_node)") || exit 1; done
  redis-cli --cluster create $(printf '127.0.0.1:%s ' "${ports[@]}") --cluster-replicas 1 --cluster-yes >/dev/null || exit 1
  wait_settled "${ports[@]}" || exit 1
  echo "${ports[@]}"
}

field() { tr -d '\r' | awk -F: -v k="$1" '$1 == k { print $2 }'; }
node_of_slot0() { cli "$1" CLUSTER NODES | awk '$3 ~ /master/ && $9 ~ /^0-/ { split($2, a, "[:@]"); print a[2] " " $1 }'; }
replica_of() { cli "$1" CLUSTER NODES | awk -v id="$2" '$4 == id && $3 ~ /slave/ { split($2, a, "[:@]"); print a[2]; exit }'; }

say "building shake and the demo writer"
run dotnet build src/Shake.Host -c Release -nologo -v q >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
# Arrays, not functions: a function run with & is a subshell, and killing it would leave its dotnet child running.
shake=(dotnet "$repo/src/Shake.Host/bin/Release/net10.0/shake.dll")
mkdir -p "$work/writer"
cp bench/e2e/failover-writer.cs "$work/writer/"
run dotnet build "$work/writer/failover-writer.cs" -c Release -nologo -v q -o "$work/writer/bin" >"$work/writer.build.log" 2>&1 || { cat "$work/writer.build.log" >&2; exit 1; }
writer=(dotnet "$work/writer/bin/failover-writer.dll")

say "starting cluster A and cluster B (3 masters + 3 replicas each)"
ports=$(start_cluster) || { say "cluster A did not start"; exit 1; }
read -r -a A <<< "$ports"
ports=$(start_cluster) || { say "cluster B did not start"; exit 1; }
read -r -a B <<< "$ports"
say "A: 127.0.0.1:{${A[*]}}"
say "B: 127.0.0.1:{${B[*]}}"

say "writing sample data of every type to A (redis-cli -c follows the cluster's redirections)"
{
  for i in $(seq 1 200); do
    echo "SET string:$i value-$i"
    echo "RPUSH list:$((i % 20)) item-$i"
    echo "SADD set:$((i % 15)) $i"
    echo "ZADD zset:$((i % 10)) $i member-$i"
    echo "HSET hash:$((i % 25)) field-$i $i"
  done
  for i in $(seq 1 50); do echo "XADD stream:orders * order $i"; done
  for i in $(seq 1 30); do echo "SET session:$i token-$i EX 3600"; done
} | redis-cli -c -h 127.0.0.1 -p "${A[0]}" >/dev/null

cat >"$work/sync.toml" <<TOML
# redis-shake v4 layout: one process follows every shard of cluster A.
[sync_reader]
cluster = true
address = "127.0.0.1:${A[0]}"

[redis_writer]
cluster = true
address = "127.0.0.1:${B[0]}"

[advanced]
dir = "$work/data"
log_interval = 2
rdb_restore_command_behavior = "rewrite"
TOML
say "configuration ($work/sync.toml):"
sed 's/^/    /' "$work/sync.toml"

say "starting shake and a writer that SETs 200 new keys a second into A"
"${shake[@]}" "$work/sync.toml" >"$work/shake.log" 2>&1 &
shake_pid=$!
"${writer[@]}" write --seed "${A[0]}" --acked "$work/acked.txt" --stop-file "$work/stop" --pause-file "$work/pause" --rate 200 >"$work/writer.log" 2>&1 &
writer_pid=$!

for i in $(seq 1 600); do
  [ "$(grep -c 'full sync done' "$work/shake.log" || true)" -ge 3 ] && break
  kill -0 "$shake_pid" 2>/dev/null || { cat "$work/shake.log" >&2; say "shake exited"; exit 1; }
  sleep 0.1
done
say "every shard's snapshot is applied; shake follows the live streams:"
grep -E 'following|answered PSYNC|full sync done' "$work/shake.log" | sed 's/^/    | /'
sleep 3

read -r master master_id <<< "$(node_of_slot0 "${A[0]}")"
replica=$(replica_of "${A[0]}" "$master_id")
say "promoting 127.0.0.1:$replica, the replica of shard 0's master 127.0.0.1:$master, with CLUSTER FAILOVER TAKEOVER"
# A TAKEOVER does not wait for the replica to catch up: a write its master confirmed in that instant exists on the
# master only, and the cluster drops it. The writer holds back for the moment of the takeover so that no confirmed
# write is lost by A itself (Shake would hold it on B, and B would no longer equal A).
touch "$work/pause"; sleep 0.1
for i in $(seq 1 100); do
  [ "$(cli "$master" INFO replication | field master_repl_offset)" = "$(cli "$replica" INFO replication | field slave_repl_offset)" ] && break
  sleep 0.02
done
cli "$replica" CLUSTER FAILOVER TAKEOVER >/dev/null
for i in $(seq 1 100); do cli "$replica" ROLE | head -1 | grep -q master && break; sleep 0.05; done
rm -f "$work/pause"
say "127.0.0.1:$replica is now a master; the writer goes on"
sleep 5

touch "$work/stop"
wait "$writer_pid" || true
say "$(cat "$work/writer.log")"
run "${writer[@]}" check --a "$replica" --b "${B[0]}" --acked "$work/acked.txt" --wait 30 >"$work/check.log" || true
say "what shake logged about shard 0 after the takeover:"
grep -E 'no longer its master|answered PSYNC|could not continue|continuing the stream' "$work/shake.log" | tail -n +4 | sed 's/^/    | /'

say "comparing B with A key by key (shake verify $work/sync.toml)"
status=0
run "${shake[@]}" verify "$work/sync.toml" --report "$work/verify.jsonl" >"$work/verify.log" 2>"$work/verify.err" || status=$?
grep -E '^(keys compared|equal|missing on target|extra on target|different|RESULT)' "$work/verify.log" | sed 's/^/    /'

kill -TERM "$shake_pid"; wait "$shake_pid" || true
continued=$(grep -c 'answered PSYNC: CONTINUE' "$work/shake.log" || true)
fulls=$(grep -c 'answered PSYNC: FULLRESYNC' "$work/shake.log" || true)
echo "------------------------------------------------------------------------"
say "keys compared:  $(sed -n 's/^keys compared: *\([0-9,]*\).*/\1/p' "$work/verify.log")"
say "equal:          $(sed -n 's/^equal: *\([0-9,]*\).*/\1/p' "$work/verify.log") ($(grep '^RESULT' "$work/verify.log" || echo 'no result'))"
say "writes:         $(cat "$work/check.log")"
if [ "$continued" -ge 1 ] && [ "$fulls" = 3 ]; then
  say "shard 0:        CONTINUE seen after the takeover; no full sync (3 PSYNC FULLRESYNC at the start, none after)"
else
  say "shard 0:        NO CONTINUE after the takeover ($continued CONTINUE, $fulls FULLRESYNC answers in all)"
  status=1
fi
exit "$status"
