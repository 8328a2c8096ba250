#!/usr/bin/env bash
# Container health probe: GET / on shake's status port must answer HTTP 200.
# The port is SHAKE_STATUS_PORT when set, else status_port (v4) or metrics_port (v3) read from the configuration
# (SHAKE_CONFIG, default /etc/sync/sync.toml). No status port configured (absent or 0): healthy, nothing to ask.
# Needs only bash (its /dev/tcp), so the runtime image carries no HTTP client.
set -uo pipefail
config=${SHAKE_CONFIG:-/etc/sync/sync.toml}
port=${SHAKE_STATUS_PORT:-}
if [ -z "$port" ] && [ -r "$config" ]; then
  port=$(sed -n 's/^[[:space:]]*\(status_port\|metrics_port\)[[:space:]]*=[[:space:]]*\([0-9][0-9]*\).*/\2/p' "$config" | head -n 1)
fi
[ -z "$port" ] || [ "$port" = 0 ] && exit 0
exec 3<>"/dev/tcp/127.0.0.1/$port" || { echo "status port $port: connection refused" >&2; exit 1; }
printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
IFS= read -r -t 3 status <&3 || { echo "status port $port: no answer" >&2; exit 1; }
exec 3<&-
case "$status" in
  "HTTP/1."[01]" 200"*) exit 0 ;;
  *) echo "status port $port: ${status%$'\r'}" >&2; exit 1 ;;
esac
