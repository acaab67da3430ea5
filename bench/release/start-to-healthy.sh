#!/usr/bin/env bash
# bench/release/start-to-healthy.sh FORNAX DATA_DIR [RUNNER]
# Starts `FORNAX node run` on DATA_DIR (ports chosen by the OS), returns once GET /healthz answers 200, then stops it
# (SIGKILL: shutdown time is not start-up time). RUNNER (e.g. qemu-aarch64) runs a foreign-architecture build.
# Meant for hyperfine: hyperfine 'bench/release/start-to-healthy.sh ./fornax /tmp/site'. Prepare DATA_DIR once with
# one run first, so every timed start is a restart of an existing site (CA and certificates already made).
set -euo pipefail
fornax=$1 data=$2 runner=${3:-}
rm -f "$data/endpoints.json"
$runner "$fornax" node run --data-dir "$data" --name bench --api-port 0 --ingress-port 0 --resp-port 0 --log-level Warning \
  >/dev/null 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
while :; do
  if [ -s "$data/endpoints.json" ]; then
    api=$(sed -n 's/.*"api": *"\([^"]*\)".*/\1/p' "$data/endpoints.json")
    if [ -n "$api" ] && curl -sf -o /dev/null "$api/healthz"; then
      break
    fi
  fi
  kill -0 $pid 2>/dev/null || { echo "fornax exited before it was healthy" >&2; exit 1; }
  sleep 0.005
done
