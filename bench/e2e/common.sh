# Shared helpers of the end-to-end benchmark scripts (sourced, not run).
# Everything listens on 127.0.0.1 only; every server started here is stopped on exit.

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/shake-bench.XXXXXX")
CHILD_PIDS=()

cleanup() {
  local pid
  for pid in "${CHILD_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  # start_redis runs in command substitutions (subshells), so the servers are found by their pid files.
  for f in "$WORK"/*/redis.pid; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
  sleep 0.5
  for f in "$WORK"/*/redis.pid; do
    [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true
  done
  [ "${KEEP_WORK:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# A TCP port on 127.0.0.1 nobody listens on (bounded number of tries).
free_port() {
  local p i
  for i in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  echo "no free port found" >&2; return 1
}

# start_redis NAME -> prints the port; the server runs daemonized with its files under $WORK/NAME.
start_redis() {
  local name=$1; shift
  local port dir
  port=$(free_port)
  dir="$WORK/$name"; mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" \
    --logfile "$dir/redis.log" --save "" --appendonly no --enable-debug-command yes \
    --repl-diskless-sync-delay 0 "$@" >/dev/null
  local i
  for i in $(seq 1 100); do
    redis-cli -p "$port" PING >/dev/null 2>&1 && { echo "$port"; return 0; }
    sleep 0.05
  done
  echo "redis $name did not start on $port" >&2; return 1
}

cli() { local port=$1; shift; redis-cli -h 127.0.0.1 -p "$port" "$@"; }

info_field() { cli "$1" INFO "$2" | tr -d '\r' | awk -F: -v k="$3" '$1 == k { print $2 }'; }

# VmHWM (peak RSS) of a running process, in MB.
peak_rss_mb() { awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }

redis_pid() { cat "$WORK/$1/redis.pid"; }

# Stops the server started as NAME and waits until it is gone (its memory is back before the next measurement).
stop_redis() {
  local pid i
  pid=$(redis_pid "$1") || return 0
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
  kill -9 "$pid" 2>/dev/null || true
}

# median X... (numbers) and max A B ("?" counts as 0).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { a += 0; b += 0; print (a > b ? a : b) }'; }

# The shake executable: $SHAKE, or the native executable of scripts/publish.sh (what ships).
find_shake() {
  if [ -n "${SHAKE:-}" ]; then echo "$SHAKE"; return 0; fi
  log "publishing the native shake (scripts/publish.sh)"
  "$REPO_ROOT/scripts/publish.sh" "$WORK/publish"
}

# Writes a v4 sync config for shake from 127.0.0.1:$1 to 127.0.0.1:$2 into $3 (sync_aof = $4). Checkpoints in the
# target are off unless CHECKPOINT_KEY names a prefix: the scripts compare whole keyspaces by DEBUG DIGEST.
shake_sync_config() {
  cat > "$3" <<TOML
[sync_reader]
address = "127.0.0.1:$1"
sync_rdb = true
sync_aof = $4
try_diskless = ${TRY_DISKLESS:-true}

[redis_writer]
address = "127.0.0.1:$2"

[advanced]
dir = "$WORK/shake"
log_file = "shake.log"
log_interval = 1
rdb_restore_command_behavior = "rewrite"
checkpoint_key = "${CHECKPOINT_KEY-}"
TOML
}
