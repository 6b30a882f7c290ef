#!/usr/bin/python3
"""Checks a headless-browser screenshot of a Smitin evaluation report (python stdlib only).

usage: check-report-screenshot.py SHOT.png --players N [--expect-missing]

Looks for every visual element of the page in the pixels:
  heatmap   the probe heatmap's Viridis block (check-screenshot.py's test: >= 150 x 100 px, >= 6 colours)
  success   the success chart's ITI bars (#e377c2) and SMITIN bars (#17becf): >= 300 px of each colour
  monitor   the monitor chart's first three series (#1f77b4, #d62728, #2ca02c): >= 40 px of each colour, >= 400 in all
  players   Chromium's audio controls: regions of their background (#f1f3f4) at least 200 x 40 px; counts them
Prints one PASS/FAIL line per element and exits 0 when all pass. --expect-missing inverts the overall verdict:
the control (a page with its charts and players removed) must have every element missing.
"""
import importlib.util
import os
import sys

_spec = importlib.util.spec_from_file_location("check_screenshot", os.path.join(os.path.dirname(os.path.abspath(__file__)), "check-screenshot.py"))
_cs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_cs)


def hexrgb(h):
    return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))


def count_colours(rows, width, height, channels, colours, tol=12):
    """Pixels (sampled on a 2-px grid, so each counts for 4) within tol of each colour."""
    counts = [0] * len(colours)
    cache = {}
    for y in range(0, height, 2):
        row = rows[y]
        for x in range(0, width, 2):
            px = row[x * channels:x * channels + 3]
            k = cache.get(px)
            if k is None:
                k = -1
                for i, (r, g, b) in enumerate(colours):
                    if abs(px[0] - r) <= tol and abs(px[1] - g) <= tol and abs(px[2] - b) <= tol:
                        k = i
                        break
                cache[px] = k
            if k >= 0:
                counts[k] += 4
    return counts


def players(rows, width, height, channels, rgb=(241, 243, 244), tol=2):
    """Connected regions (4-neighbour, on a 2-px grid) of the player background with a bounding box >= 200 x 40."""
    def bg(x, y):
        o = x * channels
        r = rows[y]
        return abs(r[o] - rgb[0]) <= tol and abs(r[o + 1] - rgb[1]) <= tol and abs(r[o + 2] - rgb[2]) <= tol
    seen = set()
    found = 0
    for y0 in range(0, height, 2):
        for x0 in range(0, width, 2):
            if (x0, y0) in seen or not bg(x0, y0):
                continue
            stack = [(x0, y0)]
            seen.add((x0, y0))
            xmin = xmax = x0
            ymin = ymax = y0
            while stack:
                x, y = stack.pop()
                xmin, xmax, ymin, ymax = min(xmin, x), max(xmax, x), min(ymin, y), max(ymax, y)
                for nx, ny in ((x + 2, y), (x - 2, y), (x, y + 2), (x, y - 2)):
                    if 0 <= nx < width and 0 <= ny < height and (nx, ny) not in seen and bg(nx, ny):
                        seen.add((nx, ny))
                        stack.append((nx, ny))
            w, h = xmax - xmin + 2, ymax - ymin + 2
            if w >= 200 and 40 <= h <= 80:
                found += 1
    return found


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    path = argv[1]
    expected_players = int(argv[argv.index("--players") + 1]) if "--players" in argv else 1
    missing_expected = "--expect-missing" in argv
    try:
        width, height, channels, rows = _cs.read_png(path)
        heat_ok, heat_detail = _cs.analyse(path)
    except (OSError, ValueError) as e:
        print(f"FAIL screenshot readable: {e}")
        return 1
    results = [("heatmap", heat_ok, heat_detail)]
    iti, smitin, *lines = count_colours(rows, width, height, channels,
                                        [hexrgb(c) for c in ("#e377c2", "#17becf", "#1f77b4", "#d62728", "#2ca02c")])
    results.append(("success chart", iti >= 300 and smitin >= 300, f"ITI bar px {iti}, SMITIN bar px {smitin}"))
    # series may overlap (the same prompt and seed before the first shift): each colour must show (legend, ticks, τ)
    # and together they must draw lines
    results.append(("monitor chart", all(n >= 40 for n in lines) and sum(lines) >= 400, f"series px {lines}"))
    p = players(rows, width, height, channels)
    results.append(("players", p >= expected_players, f"{p} players found, {expected_players} expected"))
    for name, ok, detail in results:
        print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}")
    all_present = all(ok for _, ok, _ in results)
    none_present = not any(ok for _, ok, _ in results)
    if missing_expected:
        print(f"{'PASS' if none_present else 'FAIL'} control: every element missing")
        return 0 if none_present else 1
    print(f"{'PASS' if all_present else 'FAIL'} report: every chart and player present")
    return 0 if all_present else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
