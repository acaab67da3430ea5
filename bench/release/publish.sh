#!/usr/bin/env bash
# bench/release/publish.sh — prints the path of the `fornax` a benchmark runs: $FORNAX when it names one, else the
# Native AOT release build (the one that ships) published from this clone into artifacts/bench/linux-x64.
# The publish log is shown only when it fails (it says why instead of a script ending silently under set -e).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -n "${FORNAX:-}" ]; then
  realpath "$FORNAX"
  exit 0
fi
log=$(mktemp)
if ! dotnet publish src/Fornax.Cli -c Release -r linux-x64 -o artifacts/bench/linux-x64 --nologo -v q >"$log" 2>&1; then
  cat "$log" >&2
  echo "publishing the release build of src/Fornax.Cli failed (docs/install.md, \"Build\")" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
realpath artifacts/bench/linux-x64/fornax
