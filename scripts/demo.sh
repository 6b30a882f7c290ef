#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh), then runs the main job: synthetic songs with stems -> per-head drum probes
# (+ heatmap) -> plain, ITI-steered and SMITIN-steered generation with monitor traces, all with one seed.
# Runs on the embedded default model (models/smitin-synth-small) unless SMITIN_MODEL names another model folder or
# hub id (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
MODEL="${SMITIN_MODEL:-$(pwd)/models/smitin-synth-small}"
OUT="${SMITIN_OUT:-out/demo}"
SEED="${SMITIN_SEED:-7}"
mkdir -p "$OUT"
smitin() { dotnet src/Smitin.Cli/bin/Release/net10.0/smitin.dll "$@"; }

smitin info
echo "== demo: model $MODEL, outputs in $OUT"
echo "== 1/4 synthetic songs with stems (MUSDB18-HQ layout)"
smitin dataset synth --out "$OUT/songs" --songs 24 --song-seconds 12 --seed "$SEED"
echo "== 2/4 per-head probes for 'drums' (positive = all stems, negative = without drums)"
smitin probe --model "$MODEL" --source "$OUT/songs" --trait drums --direction mass-mean --seed 0 \
  --out "$OUT/drums.probe" --heatmap "$OUT/drums-heatmap.html"
PROMPT="A warm, relaxed acoustic song in C major at 96 BPM with electric bass and piano; no drums."
echo "== 3/4 generation without control"
smitin generate --model "$MODEL" --text "$PROMPT" --duration 4 --seed "$SEED" \
  --probes "$OUT/drums.probe" --trace-out "$OUT/plain.trace.json" --out "$OUT/plain.wav"
echo "== 4/4 steered generation: ITI and SMITIN (same seed)"
smitin generate --model "$MODEL" --text "$PROMPT" --duration 4 --seed "$SEED" \
  --probes "$OUT/drums.probe" --mode iti --alpha 15 --trace-out "$OUT/iti.trace.json" --out "$OUT/iti.wav"
smitin generate --model "$MODEL" --text "$PROMPT" --duration 4 --seed "$SEED" \
  --probes "$OUT/drums.probe" --mode smitin --alpha 5 --trace-out "$OUT/smitin.trace.json" --out "$OUT/smitin.wav"
echo "== done: $OUT/{plain,iti,smitin}.wav, traces *.trace.json, heatmap drums-heatmap.html"
