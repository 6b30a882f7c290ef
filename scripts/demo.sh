#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh), then runs the main job on the fixture model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
MODEL="${SMITIN_MODEL:-$(cd .. && pwd)/shared/fixtures/musicgen-tiny-mono}"
OUT="${SMITIN_OUT:-out/demo}"
mkdir -p "$OUT"
smitin() { dotnet src/Smitin.Cli/bin/Release/net10.0/smitin.dll "$@"; }
smitin info
echo "demo: model $MODEL, outputs in $OUT"
