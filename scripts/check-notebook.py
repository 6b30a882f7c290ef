#!/usr/bin/python3
"""Checks an executed notebook (json only, Debian's /usr/bin/python3).

usage: check-notebook.py EXECUTED.ipynb NAME [--expect KIND:MIN ...] [--probe-accuracy TRAIT:MIN ...]
                         [--eval-methods M1,M2,...] [--judge-above A:B ...]
KIND is one of (counted as occurrences, e.g. every player of a table):
audio (an <audio controls> player with an embedded WAV), heatmap (a probe heatmap chart),
trace (a monitor trace chart), compare (a comparison table), eval (an evaluation: players per prompt and condition
with the judge's p, results table, success chart), plotly (the inlined plotly.js library, in every chart output).
--probe-accuracy TRAIT:MIN: at least one probe set of TRAIT is shown, and every one shown has a best-head
  validation accuracy >= MIN (read from the probe set output's data-best-accuracy).
--eval-methods: every evaluation output has, for each method, an adding row in its results table and, for each
  example prompt, a player with the judge's p(trait) in [0, 1].
--judge-above A:B: in every evaluation output the mean judge p over the players of method A exceeds that of B.
Always checked: every code cell ran, and no output is an error. Prints one "PASS name: check" or
"FAIL name: check: why" line per check and exits with the number of failures.
"""
import json
import re
import sys

MARKERS = {
    "audio": ('<audio controls', 'src="data:audio/wav;base64,'),
    "heatmap": ('smitin-plot smitin-heatmap', 'smitin-plot-area'),
    "trace": ('smitin-plot smitin-trace', 'smitin-plot-area'),
    "compare": ('class="smitin-compare"', '<audio controls'),
    "eval": ('<div class="smitin-eval">', 'class="smitin-eval-players"', 'class="smitin-eval-table"', 'smitin-eval-chart', '<audio controls'),
    "plotly": ("inlined by Smitin (gzip, base64)", "DecompressionStream"),
}


def text(value):
    return "".join(value) if isinstance(value, list) else str(value)


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    path, name = argv[1], argv[2]
    expects, accuracies, judge_above = [], [], []
    methods = None
    args = argv[3:]
    while args:
        opt, value = args[0], args[1] if len(args) > 1 else ""
        if opt == "--expect" and ":" in value and value.split(":")[0] in MARKERS:
            kind, count = value.split(":", 1)
            expects.append((kind, int(count)))
        elif opt == "--probe-accuracy" and ":" in value:
            trait, minimum = value.rsplit(":", 1)
            accuracies.append((trait, float(minimum)))
        elif opt == "--eval-methods" and value:
            methods = value.split(",")
        elif opt == "--judge-above" and value.count(":") == 1:
            judge_above.append(tuple(value.split(":")))
        else:
            print(f"FAIL {name}: bad arguments {args!r} (expected --expect KIND:MIN with KIND in {sorted(MARKERS)}, "
                  "--probe-accuracy TRAIT:MIN, --eval-methods M1,M2 or --judge-above A:B)")
            return 1
        args = args[2:]

    results = []
    try:
        with open(path, encoding="utf-8") as f:
            nb = json.load(f)
    except (OSError, ValueError) as e:
        print(f"FAIL {name}: notebook readable: {e}")
        return 1

    code_cells = [c for c in nb.get("cells", []) if c.get("cell_type") == "code" and text(c.get("source", "")).strip()]
    not_run = [i for i, c in enumerate(code_cells) if c.get("execution_count") is None]
    results.append(("every code cell ran", not not_run, f"cells {not_run} have no execution_count"))

    errors = []
    html = []
    for i, cell in enumerate(code_cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors.append(f"cell {i}: {out.get('ename')}: {text(out.get('evalue', ''))[:300]}")
            data = out.get("data", {})
            if "text/html" in data:
                html.append(text(data["text/html"]))
    results.append(("no error outputs", not errors, "; ".join(errors)))

    for kind, minimum in expects:
        # occurrences of the first marker (e.g. every player of a comparison table) in outputs that have all markers
        found = sum(h.count(MARKERS[kind][0]) for h in html if all(m in h for m in MARKERS[kind]))
        results.append((f"at least {minimum} {kind} output(s)", found >= minimum, f"found {found}"))

    # probe sets: the best-head validation accuracy every probe set output states (ProbeSetHtml's data attributes)
    shown = [(m.group(1), float(m.group(2))) for h in html
             for m in re.finditer(r'class="smitin-probeset" data-trait="([^"]*)" data-direction="[^"]*" data-best-accuracy="([0-9.]+)"', h)]
    for trait, minimum in accuracies:
        best = [a for t, a in shown if t == trait]
        results.append((f"every {trait} probe set shown has best-head accuracy >= {minimum} ({', '.join(f'{a:.3f}' for a in best) or 'none'})",
                        bool(best) and min(best) >= minimum, f"found {best or 'no ' + trait + ' probe set'}"))

    # evaluations: each method has a table row and a player with the judge's p per example prompt
    evals = [h for h in html if all(m in h for m in MARKERS["eval"])]
    if methods is not None or judge_above:
        if not evals:
            results.append(("an evaluation output to check", False, "none found"))
    for i, h in enumerate(evals):
        cells = [(m.group(1), float(m.group(2))) for m in
                 re.finditer(r'class="smitin-judge" data-method="([^"]+)" data-task="add" data-p="([0-9.eE+-]+)">', h)]
        prompts = len(re.findall(r'<tr><th>[^<]*@[^<]*</th>', h.split('class="smitin-eval-table"')[0]))
        for method in methods or []:
            ps = [p for m, p in cells if m == method]
            row = f'<tr data-method="{method}" data-task="add">' in h
            ok = row and prompts > 0 and len(ps) >= prompts and all(0.0 <= p <= 1.0 for p in ps)
            results.append((f"evaluation {i}: {method}: table row and {prompts} players with p(judge) "
                            f"({', '.join(f'{p:.2f}' for p in ps)})", ok,
                            f"table row {'present' if row else 'missing'}, {len(ps)} players for {prompts} prompts, p {ps}"))
        for a, b in judge_above:
            pa, pb = [p for m, p in cells if m == a], [p for m, p in cells if m == b]
            ma = sum(pa) / len(pa) if pa else float("nan")
            mb = sum(pb) / len(pb) if pb else float("nan")
            results.append((f"evaluation {i}: mean judge p of {a} ({ma:.3f}) above {b} ({mb:.3f})", bool(pa and pb) and ma > mb,
                            f"{a}: {pa}, {b}: {pb}"))

    # every chart output must draw on its own (re-run, cleared or reordered cells must not take the library away)
    charts = [h for h in html if 'class="smitin-plot ' in h]
    bare = sum(1 for h in charts if not all(m in h for m in MARKERS["plotly"]))
    results.append(("every chart output carries plotly.js", bare == 0, f"{bare} of {len(charts)} chart outputs without it"))

    failures = 0
    for check, ok, why in results:
        if ok:
            print(f"PASS {name}: {check}")
        else:
            failures += 1
            print(f"FAIL {name}: {check}: {why}")
    return failures


if __name__ == "__main__":
    sys.exit(main(sys.argv))
