#!/usr/bin/env bash
# Runs the notebooks the way a user does, headless: packs Smitin into the local feed (scripts/pack.sh), executes
# notebooks/*.ipynb with real Jupyter and the .NET (C#) kernel (jupyter nbconvert --execute), checks every executed
# notebook (scripts/check-notebook.py: no error output, expected players and charts), exports the quickstart to
# HTML and screenshots it in headless Chromium with networking disabled (scripts/check-screenshot.py: the heatmap
# is drawn; a copy whose charts never draw must come out blank, which shows the check can fail). It also runs a
# generated notebook that loads the extension the other documented way: #r of the built dll + SmitinExtension.Load.
# Prints one PASS/FAIL line per check and ends with "notebooks: N passed, N failed"; exit code 0 only if all passed.
# Outputs (executed notebooks, HTML, screenshots, logs) go to $SMITIN_NOTEBOOK_OUT, default artifacts/notebooks.
set -uo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
OUT="${SMITIN_NOTEBOOK_OUT:-$REPO/artifacts/notebooks}"
PY=/usr/bin/python3                      # Debian's python (json, zlib, struct only); the PATH python may be another one
export PATH="$PATH:$HOME/.dotnet/tools"  # the kernelspec runs `dotnet interactive jupyter ...`
TIMEOUT="${SMITIN_NOTEBOOK_TIMEOUT:-900}" # seconds per cell
mkdir -p "$OUT"
rm -f "$OUT"/*.ipynb "$OUT"/*.html "$OUT"/*.png "$OUT"/*.log

passed=0; failed=0
tally() { # echoes PASS/FAIL lines read on stdin and counts them
  local line
  while IFS= read -r line; do
    echo "$line"
    case "$line" in PASS*) passed=$((passed + 1)) ;; FAIL*) failed=$((failed + 1)) ;; esac
  done
}
check() { # check NAME COMMAND...: one PASS/FAIL line from a command's exit code (its output goes to the log)
  local name="$1"; shift
  if "$@" >>"$OUT/run.log" 2>&1; then echo "PASS $name"; else echo "FAIL $name (see $OUT/run.log)"; fi
}
finish() { echo "notebooks: $passed passed, $failed failed"; [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]; exit $?; }
: >"$OUT/run.log"

# Prerequisites (installed by scripts/setup.sh).
tally < <(
  check "prerequisite: jupyter nbconvert" command -v jupyter
  check "prerequisite: .NET (C#) Jupyter kernel" sh -c "jupyter kernelspec list | grep -q '\.net-csharp'"
  check "prerequisite: chromium" command -v chromium
  check "pack: local feed (scripts/pack.sh)" bash scripts/pack.sh
)
[ "$failed" -eq 0 ] || finish

# Expected outputs per notebook (check-notebook.py --expect KIND:MIN).
declare -A EXPECT=(
  [quickstart]="--expect audio:5 --expect heatmap:1 --expect trace:1 --expect plotly:1"
  [probing]="--expect audio:4 --expect heatmap:5 --expect plotly:1"
  [steering]="--expect audio:6 --expect heatmap:1 --expect trace:3 --expect compare:1 --expect plotly:1"
)

for nb in quickstart probing steering; do
  src="notebooks/$nb.ipynb"
  if [ ! -f "$src" ]; then tally < <(echo "FAIL $nb: $src missing"); continue; fi
  start=$(date +%s)
  # --allow-errors: run every cell so the checker reports all errors; the kernel's own logging goes to the log.
  jupyter nbconvert --to notebook --execute --allow-errors --ExecutePreprocessor.timeout="$TIMEOUT" \
    --output-dir "$OUT" "$src" >>"$OUT/$nb.log" 2>&1
  rc=$?
  tally < <(
    if [ $rc -eq 0 ]; then echo "PASS $nb: executed headless in $(( $(date +%s) - start )) s"; else echo "FAIL $nb: nbconvert exit code $rc (see $OUT/$nb.log)"; fi
    [ -f "$OUT/$nb.ipynb" ] && $PY scripts/check-notebook.py "$OUT/$nb.ipynb" "$nb" ${EXPECT[$nb]}
  )
done

# The dll variant: a generated notebook that #r's the built assembly and makes the one documented call.
fixtures="${SMITIN_FIXTURES:-}"
if [ -z "$fixtures" ]; then
  d="$REPO"
  while [ "$d" != "/" ]; do
    for c in "$d/shared/fixtures" "$d/../shared/fixtures"; do [ -d "$c" ] && { fixtures="$(cd "$c" && pwd)"; break 2; }; done
    d="$(dirname "$d")"
  done
fi
dll="$REPO/src/Smitin.Interactive/bin/Release/net10.0/Smitin.Interactive.dll"
tally < <(check "dll variant: Release build" dotnet build src/Smitin.Interactive -c Release -nologo -v q -clp:ErrorsOnly)
if [ -f "$dll" ] && [ -n "$fixtures" ]; then
  $PY - "$dll" "$fixtures/musicgen-tiny-mono" "$OUT/dll-variant.ipynb" <<'PYEOF'
import json, sys
dll, model, out = sys.argv[1:4]
cells = [f'#r "{dll}"\nSmitin.Interactive.SmitinExtension.Load(Microsoft.DotNet.Interactive.Kernel.Root);',
         f'#!smitin load "{model}"',
         '#!smitin generate "drums" --duration 0.5 --seed 1']
json.dump({"cells": [{"cell_type": "code", "id": f"c{i}", "execution_count": None, "metadata": {}, "outputs": [], "source": c}
                     for i, c in enumerate(cells)],
           "metadata": {"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"}, "language_info": {"name": "C#"}},
           "nbformat": 4, "nbformat_minor": 5}, open(out, "w"), indent=1)
PYEOF
  jupyter nbconvert --to notebook --execute --allow-errors --ExecutePreprocessor.timeout="$TIMEOUT" --inplace \
    "$OUT/dll-variant.ipynb" >>"$OUT/dll-variant.log" 2>&1
  tally < <($PY scripts/check-notebook.py "$OUT/dll-variant.ipynb" "dll variant" --expect audio:1)
else
  tally < <(echo "FAIL dll variant: no $dll or no shared/fixtures (set SMITIN_FIXTURES)")
fi

# Offline rendering of the exported quickstart.
html="$OUT/quickstart.html"
shot() { # shot HTML PNG: a full-page screenshot with networking disabled (dead proxy, no DNS, no background traffic)
  chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,12000 \
    --virtual-time-budget=20000 --proxy-server=127.0.0.1:9 --proxy-bypass-list='<-loopback>' \
    --host-resolver-rules='MAP * ~NOTFOUND' --disable-background-networking --disable-component-update \
    --disable-sync --disable-default-apps --no-first-run --screenshot="$2" "file://$1" >>"$OUT/run.log" 2>&1
  [ -s "$2" ]
}
if [ -f "$OUT/quickstart.ipynb" ]; then
  tally < <(check "quickstart: exported to HTML" jupyter nbconvert --to html "$OUT/quickstart.ipynb" --output-dir "$OUT")
  if [ -f "$html" ]; then
    # Control: the same page with Plotly.newPlot disabled, so the heatmap area must stay blank.
    $PY -c 'import sys; s=open(sys.argv[1],encoding="utf-8").read(); open(sys.argv[2],"w",encoding="utf-8").write(s.replace("window.Plotly.newPlot(", "(function () {})("))' \
      "$html" "$OUT/quickstart-nodraw.html"
    tally < <(
      if shot "$html" "$OUT/quickstart.png"; then $PY scripts/check-screenshot.py "$OUT/quickstart.png" "quickstart (offline chromium)"
      else echo "FAIL quickstart (offline chromium): no screenshot (see $OUT/run.log)"; fi
      if shot "$OUT/quickstart-nodraw.html" "$OUT/quickstart-nodraw.png"; then $PY scripts/check-screenshot.py "$OUT/quickstart-nodraw.png" "quickstart control" --expect-blank
      else echo "FAIL quickstart control: no screenshot (see $OUT/run.log)"; fi
    )
  fi
fi
finish
