#!/usr/bin/env bash
# Publishes `shake` for this machine's platform (or --rid RID) into ./publish (or OUT) and prints the executable's path.
#   scripts/publish.sh [--r2r] [--rid linux-x64|linux-arm64] [OUT]
# Default: one native executable (Native AOT; needs clang or gcc and zlib's headers), with liblua54.so beside it for
# Lua filter scripts and shake.dbg holding its symbols. --r2r: the self-contained ReadyToRun build instead (a folder
# with the runtime; no C toolchain needed; runs on CPUs older than x86-64-v3). A trim or AOT warning fails the publish:
# every code path of the native executable must be one the compiler could see.
set -euo pipefail
cd "$(dirname "$0")/.."
aot=true rid="" out=publish
while [ $# -gt 0 ]; do
  case "$1" in
    --r2r) aot=false ;;
    --rid) rid=$2; shift ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "publish: unknown option $1" >&2; exit 2 ;;
    *) out=$1 ;;
  esac
  shift
done
if [ -z "$rid" ]; then
  case "$(uname -m)" in
    x86_64) rid=linux-x64 ;;
    aarch64) rid=linux-arm64 ;;
    *) echo "publish: unsupported machine $(uname -m)" >&2; exit 1 ;;
  esac
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! dotnet publish src/Shake.Host/Shake.Host.csproj -c Release -r "$rid" -p:PublishAot="$aot" -o "$out" >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
# IL2xxx are trim warnings, IL3xxx AOT and single-file warnings.
if grep -E 'warning IL[23][0-9]{3}' "$log" >&2; then
  echo "publish: the build has trim/AOT warnings (above)" >&2
  exit 1
fi
# The native executable carries everything; the referenced projects' symbol files are of no use beside it.
if [ "$aot" = true ]; then rm -f "$out"/*.pdb; fi
echo "$out/shake"
