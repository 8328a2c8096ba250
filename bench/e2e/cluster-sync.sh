#!/usr/bin/env bash
# Cluster -> cluster full sync, measured in one run on this machine:
#   (a) one shake process following the whole source cluster ([sync_reader] cluster = true)
#   (b) three shake processes, one per source leader (the deployment guide's layout), started together
# Both write into a 3-master target cluster (cluster = true) with sync_aof = false, so each run ends once every
# shard's snapshot is applied. Prints wall time, keys/s, keys/s per CPU second of shake, peak RSS, and checks that every
# target master holds the same DEBUG DIGEST as the source master with the same slots. ROUNDS (default 3) alternate the
# two ways; the table shows medians and every round. Then, once, the peak RSS of one process following 8 shards.
# Environment: KEYS (default 300000), ROUNDS, SHAKE (a built shake; default: the native executable of scripts/publish.sh),
# KEEP_WORK=1, EXTRA_ADVANCED (lines appended to every [advanced] section, e.g. to compare spool sizes).
set -euo pipefail
source "$(dirname "$0")/common.sh"

KEYS=${KEYS:-300000}
ROUNDS=${ROUNDS:-3}
TIMEOUT=${TIMEOUT:-600}
SHAKE_BIN=$(find_shake)
TIME_BIN=/usr/bin/time
[ -x "$TIME_BIN" ] || { log "GNU time (/usr/bin/time) is needed for CPU and RSS figures"; exit 1; }

# A port for a cluster node: it and its bus port (port + 10000) are free, and the bus port is a valid port.
free_cluster_port() {
  local p i
  for i in $(seq 1 200); do
    p=$((20000 + RANDOM % 25000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && ! (exec 3<>"/dev/tcp/127.0.0.1/$((p + 10000))") 2>/dev/null; then echo "$p"; return 0; fi
  done
  echo "no free port found" >&2; return 1
}

# start_node NAME -> prints the port of a new cluster-enabled server.
start_node() {
  local name=$1 port dir i
  port=$(free_cluster_port)
  dir="$WORK/$name"; mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" \
    --logfile "$dir/redis.log" --save "" --appendonly no --enable-debug-command yes --repl-diskless-sync-delay 0 \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 3000 >/dev/null
  for i in $(seq 1 100); do
    cli "$port" PING >/dev/null 2>&1 && { echo "$port"; return 0; }
    sleep 0.05
  done
  echo "redis $name did not start on $port" >&2; return 1
}

# start_cluster NAME MASTERS -> prints the ports (masters only, no replicas: a full sync reads the masters).
start_cluster() {
  local name=$1 masters=$2 ports=() i p
  for i in $(seq 1 "$masters"); do
    p=$(start_node "$name-$i")
    ports+=("$p")
  done
  redis-cli --cluster create $(printf '127.0.0.1:%s ' "${ports[@]}") --cluster-yes >/dev/null
  for i in $(seq 1 100); do
    [ "$(cli "${ports[0]}" CLUSTER INFO | tr -d '\r' | awk -F: '$1 == "cluster_state" { print $2 }')" = ok ] && break
    sleep 0.1
  done
  echo "${ports[@]}"
}

# Loads KEYS mixed keys (80% strings of 100 bytes, 10% hashes x10, 5% lists x20, 5% zsets x10) into a cluster:
# keys carry one of 4096 hash tags, and each master is sent the keys of the tags it owns.
load_cluster() {
  local ports=("$@") tags="$WORK/tags.txt" p
  seq 0 4095 | awk '{ printf "CLUSTER KEYSLOT {t%d}\n", $1 }' | cli "${ports[0]}" > "$WORK/slots.txt"
  : > "$tags"
  for p in "${ports[@]}"; do
    # The slot ranges this master owns, from CLUSTER NODES' myself line.
    cli "$p" CLUSTER NODES | awk '/myself/ { for (i = 9; i <= NF; i++) print $i }' | awk -v port="$p" -F- '{ print port, $1, ($2 == "" ? $1 : $2) }' >> "$WORK/ranges.txt"
  done
  awk 'NR == FNR { port[NR] = $1; lo[NR] = $2; hi[NR] = $3; n = NR; next }
       { slot = $1; for (i = 1; i <= n; i++) if (slot >= lo[i] && slot <= hi[i]) { print FNR - 1, port[i]; break } }' "$WORK/ranges.txt" "$WORK/slots.txt" > "$tags"
  for p in "${ports[@]}"; do
    awk -v keys="$KEYS" -v port="$p" 'NR == FNR { if ($2 == port) mine[$1] = 1; next } END {
      srand(7); s = int(keys * 0.8); h = int(keys * 0.1); l = int(keys * 0.05); z = keys - s - h - l
      v = sprintf("%100s", ""); gsub(/ /, "v", v)
      for (i = 0; i < keys; i++) {
        t = i % 4096; if (!(t in mine)) continue
        if (i < s) printf "SET {t%d}:str:%d %s\r\n", t, i, v
        else if (i < s + h) { printf "HSET {t%d}:hash:%d", t, i; for (f = 0; f < 10; f++) printf " f%d v%d", f, int(rand() * 1e6); printf "\r\n" }
        else if (i < s + h + l) { printf "RPUSH {t%d}:list:%d", t, i; for (e = 0; e < 20; e++) printf " item%d", int(rand() * 1e6); printf "\r\n" }
        else { printf "ZADD {t%d}:zset:%d", t, i; for (m = 0; m < 10; m++) printf " %.4f m%d", rand() * 1000, m; printf "\r\n" }
      } }' "$tags" /dev/null | cli "$p" --pipe > /dev/null
  done
  rm -f "$WORK/ranges.txt"
}

total_keys() { local p n=0; for p in "$@"; do n=$((n + $(cli "$p" DBSIZE))); done; echo "$n"; }
digests() { local p; for p in "$@"; do cli "$p" DEBUG DIGEST; done | paste -sd' '; }

cluster_config() { # source-address cluster-source(true|false) target-address dir file
  cat > "$5" <<TOML
[sync_reader]
address = "$1"
cluster = $2
sync_aof = false
[redis_writer]
address = "$3"
cluster = true
[advanced]
dir = "$4"
log_interval = 60
rdb_restore_command_behavior = "rewrite"
# The rounds compare DEBUG DIGEST per master: no checkpoint keys in the target.
checkpoint_key = ""
${EXTRA_ADVANCED:-}
TOML
}

# Runs the commands given as separate strings together under GNU time each; sets WALL, CPU (sum), RSS (max).
run_together() {
  local t0 t1 i pids=() files=()
  t0=$(now)
  i=0
  for cmd in "$@"; do
    i=$((i + 1))
    "$TIME_BIN" -f "%e %U %S %M" -o "$WORK/time.$i" timeout "$TIMEOUT" $cmd > "$WORK/run.$i.log" 2>&1 &
    pids+=($!); files+=("$WORK/time.$i")
  done
  for i in "${!pids[@]}"; do wait "${pids[$i]}" || { log "a shake run failed:"; tail -5 "$WORK/run.$((i + 1)).log" >&2; exit 1; }; done
  t1=$(now)
  WALL=$(elapsed "$t0" "$t1")
  CPU=$(cat "${files[@]}" | awk '{ s += $2 + $3 } END { printf "%.2f", s }')
  RSS=$(cat "${files[@]}" | awk '{ if ($4 > m) m = $4 } END { printf "%.0f", m / 1024 }')
}

read -r -a SRC <<< "$(start_cluster src 3)"
read -r -a DST <<< "$(start_cluster dst 3)"
log "source cluster ${SRC[*]}, target cluster ${DST[*]}; loading $KEYS keys"
load_cluster "${SRC[@]}"
[ "$(total_keys "${SRC[@]}")" = "$KEYS" ] || { log "source holds $(total_keys "${SRC[@]}") keys, expected $KEYS"; exit 1; }
SRC_DIGESTS=$(digests "${SRC[@]}")

declare -a ONE_WALL ONE_CPU ONE_RSS THREE_WALL THREE_CPU THREE_RSS
for r in $(seq 1 "$ROUNDS"); do
  for way in one three; do
    for p in "${DST[@]}"; do cli "$p" FLUSHALL > /dev/null; done
    dir="$WORK/$way-$r"; mkdir -p "$dir"
    if [ "$way" = one ]; then
      cluster_config "127.0.0.1:${SRC[0]}" true "127.0.0.1:${DST[0]}" "$dir" "$dir/sync.toml"
      run_together "$SHAKE_BIN $dir/sync.toml"
      ONE_WALL+=("$WALL"); ONE_CPU+=("$CPU"); ONE_RSS+=("$RSS")
    else
      cmds=()
      for i in 0 1 2; do
        cluster_config "127.0.0.1:${SRC[$i]}" false "127.0.0.1:${DST[0]}" "$dir/$i" "$dir/sync-$i.toml"
        cmds+=("$SHAKE_BIN $dir/sync-$i.toml")
      done
      run_together "${cmds[@]}"
      THREE_WALL+=("$WALL"); THREE_CPU+=("$CPU"); THREE_RSS+=("$RSS")
    fi
    got=$(digests "${DST[@]}")
    [ "$got" = "$SRC_DIGESTS" ] || { log "round $r ($way): target digests differ from the source's"; exit 1; }
    log "round $r ($way): ${WALL}s, shake CPU ${CPU}s, peak RSS ${RSS} MB, digests equal"
  done
done

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
m1=$(median "${ONE_WALL[@]}"); m3=$(median "${THREE_WALL[@]}")
c1=$(median "${ONE_CPU[@]}"); c3=$(median "${THREE_CPU[@]}")
printf '\n%-32s %8s %10s %14s %8s  %s\n' "cluster -> cluster, $KEYS keys" "wall s" "keys/s" "keys/CPU-s" "RSS MB" "rounds (wall s)"
printf '%-32s %8s %10.0f %14.0f %8s  %s\n' "one shake, whole cluster" "$m1" "$(awk -v k="$KEYS" -v w="$m1" 'BEGIN { print k / w }')" "$(awk -v k="$KEYS" -v c="$c1" 'BEGIN { print k / c }')" "$(median "${ONE_RSS[@]}")" "${ONE_WALL[*]}"
printf '%-32s %8s %10.0f %14.0f %8s  %s\n' "three shakes, one per leader" "$m3" "$(awk -v k="$KEYS" -v w="$m3" 'BEGIN { print k / w }')" "$(awk -v k="$KEYS" -v c="$c3" 'BEGIN { print k / c }')" "$(median "${THREE_RSS[@]}")" "${THREE_WALL[*]}"
printf 'ratio one/three: %s\n' "$(awk -v a="$m1" -v b="$m3" 'BEGIN { printf "%.2f", a / b }')"

# One process following 8 source shards: its peak RSS during the full sync.
read -r -a SRC8 <<< "$(start_cluster src8 8)"
load_cluster "${SRC8[@]}"
for p in "${DST[@]}"; do cli "$p" FLUSHALL > /dev/null; done
mkdir -p "$WORK/eight"
cluster_config "127.0.0.1:${SRC8[0]}" true "127.0.0.1:${DST[0]}" "$WORK/eight" "$WORK/eight/sync.toml"
run_together "$SHAKE_BIN $WORK/eight/sync.toml"
[ "$(total_keys "${DST[@]}")" = "$KEYS" ] || { log "8 shards: target holds $(total_keys "${DST[@]}") keys, expected $KEYS"; exit 1; }
printf 'one shake following 8 shards: %ss, peak RSS %s MB, target connections: one per target master\n' "$WALL" "$RSS"
