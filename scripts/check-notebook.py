#!/usr/bin/python3
"""Checks an executed notebook (json only, Debian's /usr/bin/python3).

usage: check-notebook.py EXECUTED.ipynb NAME [--expect KIND:MIN ...]
KIND is one of (counted as occurrences, e.g. every player of a table):
audio (an <audio controls> player with an embedded WAV), heatmap (a probe heatmap chart),
trace (a monitor trace chart), compare (a comparison table), plotly (the inlined plotly.js library, in every chart output).
Always checked: every code cell ran, and no output is an error. Prints one "PASS name: check" or
"FAIL name: check: why" line per check and exits with the number of failures.
"""
import json
import sys

MARKERS = {
    "audio": ('<audio controls', 'src="data:audio/wav;base64,'),
    "heatmap": ('smitin-plot smitin-heatmap', 'smitin-plot-area'),
    "trace": ('smitin-plot smitin-trace', 'smitin-plot-area'),
    "compare": ('class="smitin-compare"', '<audio controls'),
    "plotly": ("inlined by Smitin (gzip, base64)", "DecompressionStream"),
}


def text(value):
    return "".join(value) if isinstance(value, list) else str(value)


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    path, name = argv[1], argv[2]
    expects = []
    args = argv[3:]
    while args:
        if args[0] != "--expect" or len(args) < 2 or ":" not in args[1] or args[1].split(":")[0] not in MARKERS:
            print(f"FAIL {name}: bad arguments {args!r} (expected --expect KIND:MIN, KIND in {sorted(MARKERS)})")
            return 1
        kind, count = args[1].split(":", 1)
        expects.append((kind, int(count)))
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
