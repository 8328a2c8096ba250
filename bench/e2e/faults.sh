#!/usr/bin/env bash
# The fault suite in full: every partition variant (source/target, full sync/stream, 5 s and past repl-timeout),
# the frozen target for 30 s, the source dropping Shake, a full disk under dir, and the SIGKILL loop with
# SHAKE_FAULT_ITERATIONS (default 20) iterations. CI runs the same tests with the short variants and 3 iterations.
# Prints the fault table (fault × phase → outcome, keys compared, time to recover) at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
report="${SHAKE_FAULT_REPORT:-$(mktemp -t shake-faults-XXXXXX.md)}"
: > "$report"
export SHAKE_FAULTS_FULL=1 SHAKE_FAULT_REPORT="$report" SHAKE_FAULT_ITERATIONS="${SHAKE_FAULT_ITERATIONS:-20}"
dotnet build tests/Shake.Host.Tests/Shake.Host.Tests.csproj -c Release >/dev/null
status=0
dotnet test tests/Shake.Host.Tests/Shake.Host.Tests.csproj -c Release --no-build \
  --filter "FullyQualifiedName~Shake.Host.Tests.Faults" --logger "console;verbosity=normal" || status=$?
echo
echo "| fault | phase | outcome | keys compared | time to recover |"
echo "| --- | --- | --- | --- | --- |"
cat "$report"
exit $status
