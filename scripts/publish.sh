#!/usr/bin/env bash
# Publishes `shake` for this machine's platform (or --rid RID) into ./publish (or OUT) and prints the executable's path.
#   scripts/publish.sh [--r2r] [--rid linux-x64|linux-arm64] [OUT]
# Another architecture than this machine's (--rid linux-arm64 on x86-64) is cross-compiled with clang and that
# architecture's GNU toolchain and C library (Debian: clang gcc-aarch64-linux-gnu libc6-dev-arm64-cross).
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
extra=()
case "$(uname -m)/$rid" in
  x86_64/linux-arm64) triple=aarch64-linux-gnu ;;
  aarch64/linux-x64) triple=x86_64-linux-gnu ;;
  *) triple="" ;;
esac
if [ "$aot" = true ] && [ -n "$triple" ]; then
  # Native AOT links a foreign architecture through clang --target; gcc has no such switch.
  clang=$(compgen -c clang | grep -E '^clang(-[0-9]+)?$' | sort -t- -k2 -n | tail -n 1 || true)
  [ -n "$clang" ] || { echo "publish: cross-compiling for $rid needs clang" >&2; exit 1; }
  extra+=(-p:CppCompilerAndLinker="$clang")
  if command -v "$triple-objcopy" >/dev/null; then extra+=(-p:ObjCopyName="$triple-objcopy"); fi
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! dotnet publish src/Shake.Host/Shake.Host.csproj -c Release -r "$rid" -p:PublishAot="$aot" "${extra[@]}" -o "$out" >"$log" 2>&1; then
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
