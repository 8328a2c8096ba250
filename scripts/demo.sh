#!/usr/bin/env bash
# Demonstration: starts a local Redis on a free loopback port and checks a configuration against it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-redis.sh
echo "demo: not implemented yet" >&2
exit 1
