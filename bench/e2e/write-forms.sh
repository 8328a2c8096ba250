#!/usr/bin/env bash
# The target's CPU per key for each form Shake could write an RDB entry as: the same keys piped into a fresh empty
# server as RESTORE (what `shake rdb resp` prints from the source's RDB), as plain commands (SET, SET NX, HSET, RPUSH,
# SADD, ZADD) and, for strings, as MSET/MSETNX batches of 100 keys. Each form's file is generated before its target
# starts; the target's `used_cpu_user + used_cpu_sys` (INFO cpu) is read before and after `redis-cli --pipe`, and the
# copy's DEBUG DIGEST is compared with the source's (so every row is the same data).
# Environment: KEYS (default 200000 per small kind; the 1000-element kinds use KEYS/100), ROUNDS (default 3; the
#   table shows the median), KINDS (space-separated subset), SHAKE, KEEP_WORK=1.
set -euo pipefail
source "$(dirname "$0")/common.sh"

KEYS=${KEYS:-200000}
ROUNDS=${ROUNDS:-3}
KINDS=${KINDS:-"str strttl int hash10 list20 set10 intset10 zset10 hash1000 zset1000"}
GEN="$(dirname "$0")/write-forms.awk"
SHAKE_BIN=$(find_shake)
BASE_MS=$(( $(date +%s) * 1000 ))

cpu_of() { cli "$1" INFO cpu | tr -d '\r' | awk -F: '$1 == "used_cpu_user" || $1 == "used_cpu_sys" { s += $2 } END { printf "%.6f", s }'; }

# A busy shared machine sometimes lets a start time out: try again under another name and port.
start_target() { local i; for i in 1 2 3; do start_redis "$1-$i" 2>/dev/null && return 0; done; echo "target $1 did not start" >&2; return 1; }

forms_of() {
  case $1 in
    str|int) echo "restore set setnx mset msetnx" ;;
    strttl) echo "restore set setnx" ;;
    *) echo "restore plain" ;;
  esac
}

SRC=$(start_redis source)
ROWS=()
for kind in $KINDS; do
  n=$KEYS
  case $kind in *1000) n=$((KEYS / 100)) ;; esac
  load_form=plain
  case $kind in str|strttl|int) load_form=set ;; esac
  cli "$SRC" FLUSHALL >/dev/null
  awk -v kind="$kind" -v form="$load_form" -v n="$n" -v base="$BASE_MS" -f "$GEN" | cli "$SRC" --pipe >/dev/null
  [ "$(cli "$SRC" DBSIZE)" = "$n" ] || { log "source has $(cli "$SRC" DBSIZE) $kind keys, expected $n"; exit 1; }
  digest=$(cli "$SRC" DEBUG DIGEST)
  rm -f "$WORK/dump.rdb"
  cli "$SRC" --rdb "$WORK/dump.rdb" >/dev/null 2>&1
  log "$kind: $n keys ($(cli "$SRC" OBJECT ENCODING "$kind:0"))"
  for form in $(forms_of "$kind"); do
    if [ "$form" = restore ]; then "$SHAKE_BIN" rdb resp "$WORK/dump.rdb" > "$WORK/form.resp"
    else awk -v kind="$kind" -v form="$form" -v n="$n" -v base="$BASE_MS" -f "$GEN" > "$WORK/form.resp"; fi
    cpus=()
    same=equal
    for r in $(seq 1 "$ROUNDS"); do
      T=$(start_target "target-$kind-$form-$r")
      c0=$(cpu_of "$T")
      cli "$T" --pipe < "$WORK/form.resp" > "$WORK/pipe.out"
      c1=$(cpu_of "$T")
      [ "$(cli "$T" DEBUG DIGEST)" = "$digest" ] || same="DIFFERENT"
      for d in "$WORK"/target-"$kind-$form-$r"-*; do stop_redis "$(basename "$d")"; done
      cpus+=("$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.3f", b - a }')")
    done
    cpu=$(median "${cpus[@]}")
    ROWS+=("$(printf '%-10s %-8s %8s %10s %8s  %-9s %s' "$kind" "$form" "$n" "$cpu" "$(awk -v c="$cpu" -v n="$n" 'BEGIN { printf "%.2f", c * 1e6 / n }')" "$same" "${cpus[*]}")")
    log "${ROWS[-1]}"
  done
done
rm -f "$WORK/form.resp"
echo
echo "Target CPU (used_cpu_user + used_cpu_sys) per write form, $(nproc) CPUs, $(redis-server --version | awk '{ print $3 }'), median of $ROUNDS rounds"
printf '%-10s %-8s %8s %10s %8s  %-9s %s\n' "kind" "form" "keys" "CPU (s)" "us/key" "digest" "rounds (s)"
printf '%s\n' "${ROWS[@]}"
echo "kinds: str/strttl = 100-byte strings without/with a TTL (PXAT), int = integer strings, hash10/list20/set10/"
echo "intset10/zset10 = small collections, hash1000/zset1000 = 1000-element ones; mset/msetnx = batches of 100 keys."
