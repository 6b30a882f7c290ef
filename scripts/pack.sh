#!/usr/bin/env bash
# Packs Smitin.Engine and Smitin.Interactive (same version) into a local folder feed, by default artifacts/feed.
# Notebooks then use:   #i "nuget: <feed folder>"   and   #r "nuget: Smitin.Interactive, <version>"
# NuGet caches packages by id + version, so the cached copies of Smitin.* are removed: re-packing the same
# version is then picked up by the next restore (a running notebook kernel keeps what it loaded: restart it).
set -euo pipefail
cd "$(dirname "$0")/.."

FEED="${SMITIN_FEED:-$PWD/artifacts/feed}"
CONFIG="${SMITIN_PACK_CONFIGURATION:-Release}"
mkdir -p "$FEED"
rm -f "$FEED"/Smitin.Engine.*.nupkg "$FEED"/Smitin.Interactive.*.nupkg

for project in src/Smitin.Engine src/Smitin.Interactive; do
  dotnet pack "$project" -c "$CONFIG" -o "$FEED" -nologo -v q -clp:ErrorsOnly
done

PACKAGES="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
rm -rf "$PACKAGES/smitin.engine" "$PACKAGES/smitin.interactive"

echo "pack: $(ls "$FEED"/Smitin.*.nupkg | xargs -n1 basename | tr '\n' ' ')-> $FEED"
