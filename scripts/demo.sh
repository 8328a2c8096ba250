#!/usr/bin/env bash
# Demonstration: starts a local source and target Redis on free loopback ports, writes sample data of every type to
# the source, runs `shake` with a redis-shake style sync.toml, and shows the target catching up while the source
# keeps writing. Everything lives in a temp dir and is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-redis.sh

work="$(mktemp -d -t shake-demo-XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_redis NAME: starts redis-server on a free loopback port; sets $port and appends the pid to pids.
start_redis() {
  local name="$1" attempt
  mkdir -p "$work/$name"
  for attempt in $(seq 1 20); do
    port=$((20000 + RANDOM % 40000))
    port_is_free "$port" || continue
    redis-server --port "$port" --bind 127.0.0.1 --dir "$work/$name" --logfile redis.log --save "" --appendonly no \
      --daemonize no --enable-debug-command local --repl-diskless-sync-delay 0 >/dev/null 2>&1 &
    local pid=$!
    for _ in $(seq 1 50); do
      if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then pids+=("$pid"); return 0; fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
  done
  echo "demo: could not start redis-server for the $name" >&2
  exit 1
}

start_redis source; source_port=$port
start_redis target; target_port=$port
src() { redis-cli -p "$source_port" "$@"; }
tgt() { redis-cli -p "$target_port" "$@"; }
echo "demo: source 127.0.0.1:$source_port, target 127.0.0.1:$target_port (redis $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p'))"

echo "demo: writing sample data of every type to the source"
{
  for i in $(seq 1 3000); do
    echo "SET string:$i value-$i"
    echo "RPUSH list:$((i % 50)) item-$i"
    echo "SADD set:$((i % 40)) $i"
    echo "ZADD zset:$((i % 30)) $i member-$i"
    echo "HSET hash:$((i % 60)) field-$i $i"
  done
  for i in $(seq 1 200); do echo "XADD stream:orders * order $i amount $((i * 3))"; done
  echo "XGROUP CREATE stream:orders billing 0"
  for i in $(seq 1 100); do echo "SET session:$i token-$i EX 3600"; done
  echo "SET counter 0"
} | redis-cli -p "$source_port" --pipe >/dev/null
{ for i in $(seq 1 500); do echo "SET archive:$i old-$i"; done; } | redis-cli -p "$source_port" -n 2 --pipe >/dev/null
src XREADGROUP GROUP billing worker-1 COUNT 5 STREAMS stream:orders '>' >/dev/null
echo "demo: source has $(src DBSIZE) keys in db 0 and $(src -n 2 DBSIZE) in db 2; target has $(tgt DBSIZE)"

config="$work/sync.toml"
cat >"$config" <<TOML
# redis-shake v3 layout, as existing deployments have it.
type = "sync"

[source]
address = "127.0.0.1:$source_port"
password = ""

[target]
type = "standalone"
address = "127.0.0.1:$target_port"
password = ""

[advanced]
dir = "$work/data"
log_file = "shake.log"
log_level = "info"
log_interval = 1
rdb_restore_command_behavior = "rewrite"
pipeline_count_limit = 1024
TOML

echo "demo: building shake"
dotnet build src/Shake.Host -c Release -nologo -v q >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }

echo "demo: starting shake $config (log lines below come from shake)"
echo "------------------------------------------------------------------------"
dotnet src/Shake.Host/bin/Release/net10.0/shake.dll "$config" &
shake_pid=$!
pids+=("$shake_pid")

# The source keeps writing while shake runs.
for round in $(seq 1 8); do
  sleep 0.5
  { for i in $(seq 1 200); do echo "INCR counter"; echo "SET live:$round:$i $RANDOM"; done; echo "DEL string:$round"; } | redis-cli -p "$source_port" --pipe >/dev/null
  echo "demo: round $round: source counter=$(src GET counter) keys=$(src DBSIZE) | target counter=$(tgt GET counter) keys=$(tgt DBSIZE)"
done
sleep 2
echo "demo: writes stopped: source counter=$(src GET counter) keys=$(src DBSIZE) | target counter=$(tgt GET counter) keys=$(tgt DBSIZE)"

kill -TERM "$shake_pid"
status=0
wait "$shake_pid" || status=$?
echo "------------------------------------------------------------------------"
echo "demo: shake stopped on SIGTERM with exit code $status"
if [ "$(src DEBUG DIGEST)" = "$(tgt DEBUG DIGEST)" ]; then
  echo "demo: source and target hold the same data (DEBUG DIGEST $(src DEBUG DIGEST))"
else
  echo "demo: source and target differ!" >&2
  status=1
fi
exit "$status"
