#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh), then runs the main job, `smitin demo`: synthesises probing and evaluation
# songs, probes the trait (probe-weight and mass-mean directions), evaluates no control / text / ITI / SMITIN on audio
# continuation with the independent trait judge, and writes one offline HTML report (out/demo/report.html).
# Model: $SMITIN_MODEL if set, else the embedded default model (models/smitin-synth-small), else the tiny random
# fixture (plumbing only: its audio is noise). Sizes: see docs/evaluation.md; SMITIN_DEMO_ARGS adds options.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
OUT="${SMITIN_OUT:-out/demo}"
smitin() { dotnet src/Smitin.Cli/bin/Release/net10.0/smitin.dll "$@"; }
ARGS=()
if [ -n "${SMITIN_MODEL:-}" ]; then
  ARGS=(--model "$SMITIN_MODEL")
elif [ ! -f models/smitin-synth-small/config.json ]; then
  echo "== no default model in models/smitin-synth-small: running on the random fixture (results are meaningless)"
  ARGS=(--model "$(cd .. && pwd)/shared/fixtures/musicgen-tiny-mono" --prompts 12 --probe-songs 16 --eval-songs 16)
fi
smitin info
# shellcheck disable=SC2086
smitin demo "${ARGS[@]}" --out "$OUT" ${SMITIN_DEMO_ARGS:-}
