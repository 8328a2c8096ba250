#!/usr/bin/env bash
# shake verify against the straightforward comparison, in one run on this machine: KEYS (default 1000000) small keys
# (90% 10-byte strings from DEBUG POPULATE, 10% hashes of 5 fields) loaded identically into a source and a target, then
#   (a) shake verify (complete mode; DEBUG DIGEST-VALUE allowed, as on these servers)
#   (b) verify-baseline.cs: SCAN + per-key TYPE, PTTL and GET/HGETALL on both sides, request by request, WORKERS (8)
#       connection pairs, on the first BASELINE_KEYS (default 200000) keys of the scan: its rate is flat, and all
#       1M keys would take minutes per round
# Each runs ROUNDS times (default 3), alternating; prints keys/s of every run and the medians. Both must find no difference.
# Environment: KEYS, ROUNDS, WORKERS, BASELINE_KEYS, SHAKE (a built shake; default: the native executable of scripts/publish.sh), KEEP_WORK=1.
set -euo pipefail
source "$(dirname "$0")/common.sh"

KEYS=${KEYS:-1000000}
ROUNDS=${ROUNDS:-3}
WORKERS=${WORKERS:-8}
BASELINE_KEYS=${BASELINE_KEYS:-200000}
SHAKE_BIN=$(find_shake)
BASELINE_DIR="$WORK/baseline"
mkdir -p "$BASELINE_DIR"
cp "$(dirname "$0")/verify-baseline.cs" "$BASELINE_DIR/"
log "building the baseline comparer"
dotnet build "$BASELINE_DIR/verify-baseline.cs" -c Release -v quiet -nologo -o "$BASELINE_DIR/bin" >&2 2>&1 | tail -3 >&2 || true
[ -f "$BASELINE_DIR/bin/verify-baseline.dll" ] || { log "could not build verify-baseline.cs"; exit 1; }

strings=$((KEYS * 90 / 100)); hashes=$((KEYS - strings))
SRC=$(start_redis source)
TGT=$(start_redis target)
for port in "$SRC" "$TGT"; do
  cli "$port" DEBUG POPULATE "$strings" key 10 >/dev/null
  awk -v h="$hashes" 'BEGIN { for (i = 0; i < h; i++) { printf "HSET hash:%d", i; for (f = 0; f < 5; f++) printf " field%d v%d-%d", f, i, f; printf "\r\n" } }' \
    | cli "$port" --pipe >/dev/null
done
[ "$(cli "$SRC" DBSIZE)" = "$KEYS" ] && [ "$(cli "$TGT" DBSIZE)" = "$KEYS" ] || { log "expected $KEYS keys on both sides"; exit 1; }
log "source $SRC and target $TGT hold $KEYS keys each ($strings strings, $hashes hashes)"

cat > "$WORK/verify.toml" <<TOML
[sync_reader]
address = "127.0.0.1:$SRC"

[redis_writer]
address = "127.0.0.1:$TGT"
TOML

shake_rates=(); baseline_rates=()
for round in $(seq 1 "$ROUNDS"); do
  t0=$(now)
  "$SHAKE_BIN" verify "$WORK/verify.toml" --report "$WORK/report.jsonl" --progress 5 > "$WORK/shake.out" 2>&1 || { cat "$WORK/shake.out" >&2; log "shake verify did not find the sides equal"; exit 1; }
  t1=$(now)
  rate=$(awk -v k="$KEYS" -v s="$(elapsed "$t0" "$t1")" 'BEGIN { printf "%.0f", k / s }')
  shake_rates+=("$rate")
  log "round $round: shake verify $(elapsed "$t0" "$t1") s, $rate keys/s ($(grep 'keys compared' "$WORK/shake.out" | sed 's/ \+/ /g'))"

  t0=$(now)
  out=$(dotnet "$BASELINE_DIR/bin/verify-baseline.dll" --source "$SRC" --target "$TGT" --workers "$WORKERS" --limit "$BASELINE_KEYS")
  t1=$(now)
  case "$out" in *" 0 different"*) ;; *) log "baseline found differences: $out"; exit 1 ;; esac
  rate=$(awk -v k="$(( BASELINE_KEYS > 0 && BASELINE_KEYS < KEYS ? BASELINE_KEYS : KEYS ))" -v s="$(elapsed "$t0" "$t1")" 'BEGIN { printf "%.0f", k / s }')
  baseline_rates+=("$rate")
  log "round $round: baseline $(elapsed "$t0" "$t1") s, $rate keys/s ($out)"
done

shake_median=$(median "${shake_rates[@]}")
baseline_median=$(median "${baseline_rates[@]}")
printf '\n%-44s %14s   %s\n' "method (process start included)" "median keys/s" "every round"
printf '%-44s %14s   %s\n' "shake verify" "$shake_median" "${shake_rates[*]}"
printf '%-44s %14s   %s\n' "SCAN + per-key TYPE/PTTL/GET|HGETALL ($WORKERS)" "$baseline_median" "${baseline_rates[*]}"
awk -v a="$shake_median" -v b="$baseline_median" 'BEGIN { printf "shake verify / baseline: %.1fx\n", a / b }'
