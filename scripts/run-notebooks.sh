#!/usr/bin/env bash
# Runs the notebooks the way a user does, headless: packs Smitin into the local feed (scripts/pack.sh), executes
# notebooks/*.ipynb with real Jupyter and the .NET (C#) kernel (jupyter nbconvert --execute), checks every executed
# notebook (scripts/check-notebook.py: no error output, expected players and charts), exports the quickstart to
# HTML and screenshots it in headless Chromium with networking disabled (scripts/check-screenshot.py: the heatmap
# is drawn; a copy whose charts never draw must come out blank, which shows the check can fail). It also runs a
# generated notebook that loads the extension the other documented way: #r of the built dll + SmitinExtension.Load,
# and Jupyter's interrupt on a running magic (scripts/check-interrupt.py: cancelled, the kernel survives).
# Then the quickstart runs in the real front end (scripts/ui-test.py: classic Jupyter Notebook in headless chromium,
# cells run through the UI, one chart cell re-run, saved, reloaded), and the notebook it saved is exported and
# rendered offline too (every chart drawn, the heatmap in the screenshot).
# Prints one PASS/FAIL line per check and ends with "notebooks: N passed, N failed"; exit code 0 only if all passed.
# Outputs (executed notebooks, HTML, screenshots, logs) go to $SMITIN_NOTEBOOK_OUT, default artifacts/notebooks.
set -uo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
OUT="${SMITIN_NOTEBOOK_OUT:-$REPO/artifacts/notebooks}"
PY=/usr/bin/python3                      # Debian's python (json, zlib, struct only); the PATH python may be another one
export PATH="$PATH:$HOME/.dotnet/tools"  # the kernelspec runs `dotnet interactive jupyter ...`
TIMEOUT="${SMITIN_NOTEBOOK_TIMEOUT:-900}" # seconds per cell
STARTUP="${SMITIN_KERNEL_STARTUP_TIMEOUT:-300}" # seconds for the .NET kernel to start (nbclient's 60 s is too short on a loaded machine)
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
  check "prerequisite: jupyter notebook (front end)" jupyter notebook --version
  check "prerequisite: chromedriver + selenium" sh -c "command -v chromedriver && $PY -c 'import selenium'"
  check "pack: local feed (scripts/pack.sh)" bash scripts/pack.sh
)
[ "$failed" -eq 0 ] || finish

# Expected outputs per notebook (check-notebook.py: --expect KIND:MIN, and on the embedded default model: every
# probe set shown well above chance (0.5), the evaluation's table and players for every condition with the judge's
# p, and the judge hearing the real drums more than their absence).
declare -A EXPECT=(
  [quickstart]="--expect audio:5 --expect heatmap:1 --expect trace:1 --expect plotly:3 --probe-accuracy drums:0.8"
  [probing]="--expect audio:4 --expect heatmap:5 --expect plotly:5 --probe-accuracy drums:0.8 --probe-accuracy bass:0.7"
  [steering]="--expect audio:30 --expect heatmap:1 --expect trace:3 --expect compare:1 --expect eval:1 --expect plotly:5 --probe-accuracy drums:0.8
              --eval-methods real-without,none,text,iti,smitin,smitin+text,real-with --judge-above real-with:real-without"
)

for nb in quickstart probing steering; do
  src="notebooks/$nb.ipynb"
  if [ ! -f "$src" ]; then tally < <(echo "FAIL $nb: $src missing"); continue; fi
  start=$(date +%s)
  # --allow-errors: run every cell so the checker reports all errors; the kernel's own logging goes to the log.
  jupyter nbconvert --to notebook --execute --allow-errors --ExecutePreprocessor.timeout="$TIMEOUT" --ExecutePreprocessor.startup_timeout="$STARTUP" \
    --output-dir "$OUT" "$src" >>"$OUT/$nb.log" 2>&1
  rc=$?
  tally < <(
    if [ $rc -eq 0 ]; then echo "PASS $nb: executed headless in $(( $(date +%s) - start )) s"; else echo "FAIL $nb: nbconvert exit code $rc (see $OUT/$nb.log)"; fi
    [ -f "$OUT/$nb.ipynb" ] && $PY scripts/check-notebook.py "$OUT/$nb.ipynb" "$nb" ${EXPECT[$nb]}
  )
done

# The dll variant: a generated notebook that #r's the built assembly and makes the one documented call.
dll="$REPO/src/Smitin.Interactive/bin/Release/net10.0/Smitin.Interactive.dll"
tally < <(check "dll variant: Release build" dotnet build src/Smitin.Interactive -c Release -nologo -v q -clp:ErrorsOnly)
if [ -f "$dll" ]; then
  # (#!smitin load without a model: the default model next to the built engine, the other place DefaultModel looks)
  $PY - "$dll" "$OUT/dll-variant.ipynb" <<'PYEOF'
import json, sys
dll, out = sys.argv[1:3]
cells = [f'#r "{dll}"\nSmitin.Interactive.SmitinExtension.Load(Microsoft.DotNet.Interactive.Kernel.Root);',
         '#!smitin load',
         'Smitin.Models.DefaultModel.Folder',
         '#!smitin generate "drums" --duration 0.5 --seed 1']
json.dump({"cells": [{"cell_type": "code", "id": f"c{i}", "execution_count": None, "metadata": {}, "outputs": [], "source": c}
                     for i, c in enumerate(cells)],
           "metadata": {"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"}, "language_info": {"name": "C#"}},
           "nbformat": 4, "nbformat_minor": 5}, open(out, "w"), indent=1)
PYEOF
  jupyter nbconvert --to notebook --execute --allow-errors --ExecutePreprocessor.timeout="$TIMEOUT" --ExecutePreprocessor.startup_timeout="$STARTUP" --inplace \
    "$OUT/dll-variant.ipynb" >>"$OUT/dll-variant.log" 2>&1
  tally < <($PY scripts/check-notebook.py "$OUT/dll-variant.ipynb" "dll variant" --expect audio:1)
else
  tally < <(echo "FAIL dll variant: no $dll")
fi

# Jupyter's interrupt button on a running magic (the kernelspec from scripts/setup.sh): cancelled, kernel alive.
# It runs on the tiny fixture model ($SMITIN_FIXTURES, else the nearest shared/fixtures above the repository).
fixtures="${SMITIN_FIXTURES:-}"
if [ -z "$fixtures" ]; then
  d="$REPO"
  while [ "$d" != "/" ]; do
    for c in "$d/shared/fixtures" "$d/../shared/fixtures"; do [ -d "$c" ] && { fixtures="$(cd "$c" && pwd)"; break 2; }; done
    d="$(dirname "$d")"
  done
fi
if [ -f "$dll" ] && [ -n "$fixtures" ]; then
  tally < <($PY scripts/check-interrupt.py "$dll" "$fixtures/musicgen-tiny-mono" 2>>"$OUT/interrupt.log")
else
  tally < <(echo "FAIL interrupt: no $dll or no shared/fixtures (set SMITIN_FIXTURES)")
fi

# The quickstart in the real front end (classic Jupyter Notebook) in headless chromium: Run All through the menus,
# live-DOM checks, the first chart cell run again, save, reload, checks again, a control that must fail
# (scripts/ui-test.py). The notebook it saved is exported and rendered offline below.
ui_saved="$OUT/ui/quickstart.ipynb"
start=$(date +%s)
tally < <(SMITIN_FEED="${SMITIN_FEED:-$REPO/artifacts/feed}" $PY scripts/ui-test.py notebooks/quickstart.ipynb "$OUT" \
  --expect audio:5 --expect heatmap:1 --expect trace:1 --expect plot:3 --rerun-first-chart 2>>"$OUT/run.log")
echo "ui quickstart: $(( $(date +%s) - start )) s" >>"$OUT/run.log"
if [ -f "$OUT/ui-quickstart.png" ]; then  # the heatmap and the restyled Plotly.NET heatmap, as the front end showed them
  tally < <($PY scripts/check-screenshot.py "$OUT/ui-quickstart.png" "ui quickstart (front-end screenshot)" --min 2)
else
  tally < <(echo "FAIL ui quickstart (front-end screenshot): $OUT/ui-quickstart.png missing")
fi

# Offline rendering of the exported notebooks: the headless run, and the one re-run and saved in the front end.
shot() { # shot HTML PNG: a full-page screenshot with networking disabled (dead proxy, no DNS, no background traffic)
  chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,12000 \
    --virtual-time-budget=20000 --proxy-server=127.0.0.1:9 --proxy-bypass-list='<-loopback>' \
    --host-resolver-rules='MAP * ~NOTFOUND' --disable-background-networking --disable-component-update \
    --disable-sync --disable-default-apps --no-first-run --screenshot="$2" "file://$1" >>"$OUT/run.log" 2>&1
  [ -s "$2" ]
}
drawn() { # drawn HTML NAME: every Smitin chart in the page has been drawn by plotly.js (offline, DOM after scripts)
  chromium --headless=new --no-sandbox --disable-gpu --virtual-time-budget=20000 --proxy-server=127.0.0.1:9 \
    --proxy-bypass-list='<-loopback>' --host-resolver-rules='MAP * ~NOTFOUND' --disable-background-networking \
    --no-first-run --dump-dom "file://$1" 2>>"$OUT/run.log" | $PY -c '
import re, sys; d = sys.stdin.read()
n = len(re.findall(r"<div id=\"smitin-plot-[0-9a-f]{12}\"", d)); k = len(re.findall(r"<div id=\"smitin-plot-[0-9a-f]{12}\" class=\"js-plotly-plot\"", d))
print(("PASS" if n > 0 and k == n else "FAIL") + f" {sys.argv[1]}: {k} of {n} charts drawn offline")' "$2"
}
for variant in quickstart ui/quickstart; do
  nb="$OUT/$variant.ipynb"; name="${variant//\//-}"
  [ -f "$nb" ] || { tally < <(echo "FAIL $name: $nb missing"); continue; }
  tally < <(check "$name: exported to HTML" jupyter nbconvert --to html "$nb" --output "$name" --output-dir "$OUT")
  html="$OUT/$name.html"
  [ -f "$html" ] || continue
  # Control: the same page with Plotly.newPlot disabled, so the heatmap area must stay blank.
  $PY -c 'import sys; s=open(sys.argv[1],encoding="utf-8").read(); open(sys.argv[2],"w",encoding="utf-8").write(s.replace("window.Plotly.newPlot(", "(function () {})("))' \
    "$html" "$OUT/$name-nodraw.html"
  tally < <(
    drawn "$html" "$name (exported, offline chromium)"
    if shot "$html" "$OUT/$name.png"; then $PY scripts/check-screenshot.py "$OUT/$name.png" "$name (offline chromium)" --min 2
    else echo "FAIL $name (offline chromium): no screenshot (see $OUT/run.log)"; fi
    if shot "$OUT/$name-nodraw.html" "$OUT/$name-nodraw.png"; then $PY scripts/check-screenshot.py "$OUT/$name-nodraw.png" "$name control" --expect-blank
    else echo "FAIL $name control: no screenshot (see $OUT/run.log)"; fi
  )
done
finish
