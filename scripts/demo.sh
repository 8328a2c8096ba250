#!/usr/bin/env bash
# Demonstration: starts a local Redis on a free loopback port, writes a redis-shake style sync.toml pointing at it,
# and runs `shake validate` against it (effective configuration with secrets redacted, then a connectivity check).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-redis.sh

work="$(mktemp -d -t shake-demo-XXXXXX)"
redis_pid=""
cleanup() {
  if [ -n "$redis_pid" ] && kill -0 "$redis_pid" 2>/dev/null; then
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

password="demo-secret"
for attempt in $(seq 1 20); do
  port=$((20000 + RANDOM % 40000))
  port_is_free "$port" || continue
  redis-server --port "$port" --bind 127.0.0.1 --dir "$work" --logfile redis.log --save "" --appendonly no \
    --daemonize no --requirepass "$password" >/dev/null 2>&1 &
  redis_pid=$!
  for _ in $(seq 1 50); do
    if redis-cli -h 127.0.0.1 -p "$port" -a "$password" --no-auth-warning ping 2>/dev/null | grep -q PONG; then break 2; fi
    kill -0 "$redis_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill "$redis_pid" 2>/dev/null || true
  wait "$redis_pid" 2>/dev/null || true
  redis_pid=""
done
if [ -z "$redis_pid" ]; then echo "demo: could not start redis-server on a free loopback port" >&2; exit 1; fi
echo "demo: redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') listening on 127.0.0.1:$port (pid $redis_pid, dir $work)"

config="$work/sync.toml"
cat >"$config" <<TOML
# redis-shake v3 layout, as in existing deployments; both sides point at the demo server.
type = "sync"

[source]
version = 7.0
address = "127.0.0.1:$port"
username = ""
password = "$password"
tls = false

[target]
type = "standalone"
version = 7.0
address = "127.0.0.1:$port"
username = ""
password = "$password"
tls = false

[advanced]
dir = "$work/data"
log_level = "info"
rdb_restore_command_behavior = "rewrite"
pipeline_count_limit = 1024
target_redis_client_max_querybuf_len = 1024_000_000
target_redis_proto_max_bulk_len = 512_000_000
TOML

echo "demo: building shake"
dotnet build src/Shake.Host -c Release -nologo -v q >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }

echo "demo: shake validate $config"
echo "------------------------------------------------------------------------"
status=0
dotnet src/Shake.Host/bin/Release/net10.0/shake.dll validate "$config" || status=$?
echo "------------------------------------------------------------------------"
echo "demo: shake validate exited with $status"
exit "$status"
