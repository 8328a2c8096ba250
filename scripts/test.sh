#!/usr/bin/env bash
# Runs the whole test suite against real redis-server processes, then prints one totals line
# "N passed, N failed, N skipped" read from the test results.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-redis.sh || exit 1

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
# The native executable is published once, as scripts/publish.sh and the container build make it, for the tests that
# run it (tests/Shake.Host.Tests/Packaging); without clang or gcc they skip and say why.
if [ -z "${SHAKE_NATIVE:-}" ] && { command -v clang || command -v gcc; } >/dev/null; then
  started=$SECONDS
  if native=$(scripts/publish.sh "$results/native"); then
    export SHAKE_NATIVE="$native"
    echo "native shake published in $((SECONDS - started)) s"
  fi
fi
# The long fault variants (category long-fault) are left to bench/e2e/faults.sh.
dotnet test Shake.sln -c Release --logger "trx" --results-directory "$results" --filter "Category!=long-fault" "$@"
status=$?

passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  # Skipped tests are counted in total but not in executed (the notExecuted counter stays 0 for them).
  skipped=$((skipped + $(get total) - $(get executed)))
done
if [ "$files" -eq 0 ] && [ "$status" -ne 0 ]; then failed=$((failed + 1)); fi
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then exit 1; fi
exit 0
