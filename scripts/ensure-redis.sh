#!/usr/bin/env bash
# Installs the Debian package redis-server when redis-server or redis-cli is missing.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
  exit 0
fi
echo "redis-server not found: installing the Debian package redis-server" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq redis-server >/dev/null
# The package starts a system service on 6379; Shake's tests and demo use their own servers on free ports.
command -v redis-server >/dev/null
