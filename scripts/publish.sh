#!/usr/bin/env bash
# Publishes the self-contained, precompiled `shake` binary for this machine's platform into ./publish (or $1).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-publish}"
case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64) rid=linux-arm64 ;;
  *) echo "publish: unsupported machine $(uname -m)" >&2; exit 1 ;;
esac
dotnet publish src/Shake.Host/Shake.Host.csproj -c Release -r "$rid" -o "$out" >/dev/null
echo "$out/shake"
