#!/usr/bin/env bash
# Replication lag under steady load: a source takes RATE writes/s (default 50000) while shake (sync_aof = true)
# copies it to a target and a real replica follows it too; a probe writes a sequence number into the source every
# PROBE_MS and times until each side has applied it (keyspace notification). Prints p50/p99/max lag for shake's target and for the replica.
# Environment: RATE, DURATION (seconds probed, default 30), WARMUP (seconds of load before probing, default 5),
#   PROBE_MS (default 50), PRELOAD (keys before the sync, default 100000),
#   SHAKE (path of a built shake; default: the native executable of scripts/publish.sh), KEEP_WORK=1,
#   CHECKPOINT_KEY (shake's checkpoint_key; default "shake-checkpoint", empty: no checkpoints, to measure their cost).
#   TARGET_REPLICAS (replicas of shake's target, default 0), TARGET_WAIT ([advanced] target_wait_replicas, default 0):
#   compare TARGET_REPLICAS=1 TARGET_WAIT=0 with TARGET_REPLICAS=1 TARGET_WAIT=1 for the cost of waiting for the replica.
set -euo pipefail
source "$(dirname "$0")/common.sh"
# What a user runs by default: checkpoints in the target on (CHECKPOINT_KEY="" measures without them).
export CHECKPOINT_KEY=${CHECKPOINT_KEY-shake-checkpoint}

RATE=${RATE:-50000}
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-5}
PROBE_MS=${PROBE_MS:-50}
PRELOAD=${PRELOAD:-100000}
SHAKE_BIN=$(find_shake)
PROBE_DIR="$WORK/probe"
mkdir -p "$PROBE_DIR"
cp "$(dirname "$0")/lag-probe.cs" "$PROBE_DIR/"
log "building the load generator / probe"
dotnet build "$PROBE_DIR/lag-probe.cs" -c Release -v quiet -nologo -o "$PROBE_DIR/bin" >&2 2>&1 | tail -3 >&2 || true
[ -f "$PROBE_DIR/bin/lag-probe.dll" ] || { log "could not build lag-probe.cs"; exit 1; }

SRC=$(start_redis source)
cli "$SRC" DEBUG POPULATE "$PRELOAD" pre 100 >/dev/null
REPLICA=$(start_redis replica)
cli "$REPLICA" REPLICAOF 127.0.0.1 "$SRC" >/dev/null
TARGET=$(start_redis shake-target)
mkdir -p "$WORK/shake"
shake_sync_config "$SRC" "$TARGET" "$WORK/shake/sync.toml" true
for i in $(seq 1 "${TARGET_REPLICAS:-0}"); do
  TARGET_REPLICA=$(start_redis "target-replica-$i")
  cli "$TARGET_REPLICA" REPLICAOF 127.0.0.1 "$TARGET" >/dev/null
done
if [ "${TARGET_WAIT:-0}" -gt 0 ]; then echo "target_wait_replicas = $TARGET_WAIT" >> "$WORK/shake/sync.toml"; fi
log "source $SRC, replica $REPLICA, shake target $TARGET: starting shake"
"$SHAKE_BIN" "$WORK/shake/sync.toml" > "$WORK/shake/stdout.log" 2>&1 &
SHAKE_PID=$!
CHILD_PIDS+=("$SHAKE_PID")

# Ready when shake has applied the snapshot (its status line says "syncing aof") and the replica has loaded it, and
# then a marker written after that has reached both sides through the command stream (bounded). A marker written
# earlier could travel inside the snapshot and show up on the target while the rest of it is still being applied.
deadline=$((SECONDS + 300))
until grep -q "syncing aof" "$WORK/shake/stdout.log" && [ "$(info_field "$REPLICA" replication master_link_status)" = up ] \
    && [ "$(info_field "$REPLICA" persistence loading)" = 0 ]; do
  kill -0 "$SHAKE_PID" 2>/dev/null || { log "shake exited:"; tail -20 "$WORK/shake/stdout.log" >&2; exit 1; }
  [ $SECONDS -lt $deadline ] || { log "the initial sync did not finish in 300 s"; tail -5 "$WORK/shake/stdout.log" >&2; exit 1; }
  sleep 0.1
done
cli "$SRC" SET lag:ready 1 >/dev/null
until [ "$(cli "$TARGET" EXISTS lag:ready)" = 1 ] && [ "$(cli "$REPLICA" EXISTS lag:ready)" = 1 ]; do
  [ $SECONDS -lt $deadline ] || { log "the ready marker did not arrive in time"; exit 1; }
  sleep 0.1
done
log "initial sync done; $((WARMUP + DURATION))s of load at $RATE writes/s, probed after ${WARMUP}s"

dotnet "$PROBE_DIR/bin/lag-probe.dll" --source "$SRC" --target "shake -> target=$TARGET" --target "redis replica=$REPLICA" \
  --rate "$RATE" --seconds "$DURATION" --warmup "$WARMUP" --probe-ms "$PROBE_MS" > "$WORK/probe.out"
SHAKE_RSS=$(peak_rss_mb "$SHAKE_PID")
# CPU seconds shake used (user + system) over the whole run: what the load cost it, whatever else the machine ran.
SHAKE_CPU=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$SHAKE_PID/stat" 2>/dev/null || echo "?")
kill -INT "$SHAKE_PID" 2>/dev/null || true
for i in $(seq 1 100); do kill -0 "$SHAKE_PID" 2>/dev/null || break; sleep 0.1; done

echo
echo "Replication lag under load ($(nproc) CPUs, $(redis-server --version | awk '{ print $3 }'), probe every ${PROBE_MS} ms, $PRELOAD keys preloaded, ${TARGET_REPLICAS:-0} target replica(s), target_wait_replicas = ${TARGET_WAIT:-0})"
cat "$WORK/probe.out"
echo "shake peak RSS: ${SHAKE_RSS} MB, CPU: ${SHAKE_CPU} s"
echo "shake target CPU: user $(info_field "$TARGET" cpu used_cpu_user) s, sys $(info_field "$TARGET" cpu used_cpu_sys) s; replica CPU: user $(info_field "$REPLICA" cpu used_cpu_user) s, sys $(info_field "$REPLICA" cpu used_cpu_sys) s"
echo "last shake status line: $(grep -v '^\s*$' "$WORK/shake/stdout.log" | tail -1)"
