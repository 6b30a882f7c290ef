#!/usr/bin/env bash
# Format check: every C# file under src/, tests/ and bench/ follows the whitespace rules of .editorconfig.
# Offline and quick (no restore, no build: `dotnet format --folder` reads the files only).
# Fix what it reports with:  dotnet format whitespace --folder .
# Prints "format: ok" or the offending file:line list, then exits non-zero.
set -uo pipefail
cd "$(dirname "$0")/.."
out="$(dotnet format whitespace --folder . --include src/ tests/ bench/ --exclude '**/obj/' '**/bin/' \
  --verify-no-changes -v q 2>&1)"
rc=$?
if [ "$rc" -eq 0 ]; then
  echo "format: ok"
else
  printf '%s\n' "$out" | sed "s|$(pwd)/||" | head -n 50
  echo "format: FAILED (run: dotnet format whitespace --folder .)"
fi
exit "$rc"
