#!/usr/bin/python3
"""Checks that a chart was drawn in a headless-browser screenshot (python stdlib only: zlib + struct).

usage: check-screenshot.py SHOT.png NAME [--expect-blank] [--min N]

A heatmap is "drawn" when the screenshot holds a solid block of colour-scale pixels (plotly's Viridis, the
probe heatmap's scale): their bounding box is at least 150 x 100 px, at least half of the box is colour-scale
pixels, and the box shows at least 6 distinct colours (cells with different accuracies). Each vertical band of
such pixels is judged on its own; --min N asks for at least N heatmaps. Nothing else on the
page (text, players, the blue waveform pictures) uses these colours. --expect-blank inverts the verdict, used
as a control on a page whose scripts were removed. Prints one PASS/FAIL line, exit code 0/1.
"""
import struct
import sys
import zlib

# plotly.js Viridis colour scale stops
VIRIDIS = [(68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
           (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37)]


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG file")
    pos, idat, width = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or color not in (2, 6) or interlace:
                raise ValueError(f"{path}: unsupported PNG (bit depth {depth}, colour type {color}, interlace {interlace})")
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


def near_scale(r, g, b):
    # distance to the piecewise-linear colour scale (segments between consecutive stops)
    best = 1e9
    for (r0, g0, b0), (r1, g1, b1) in zip(VIRIDIS, VIRIDIS[1:]):
        dr, dg, db = r1 - r0, g1 - g0, b1 - b0
        t = ((r - r0) * dr + (g - g0) * dg + (b - b0) * db) / float(dr * dr + dg * dg + db * db)
        t = min(1.0, max(0.0, t))
        d = (r - r0 - t * dr) ** 2 + (g - g0 - t * dg) ** 2 + (b - b0 - t * db) ** 2
        best = min(best, d)
    return best <= 18 * 18


def block(rows, channels, cache, hits):
    """One heatmap candidate from its colour-scale pixels [(x, y, colour)]: (drawn?, description)."""
    xs = sorted(h[0] for h in hits)
    ys = sorted(h[1] for h in hits)
    colours = {h[2] for h in hits}
    # the dense block: percentiles ignore stray pixels
    x0, x1 = xs[len(xs) // 50], xs[-1 - len(xs) // 50]
    y0, y1 = ys[len(ys) // 50], ys[-1 - len(ys) // 50]
    box_w, box_h = x1 - x0 + 1, y1 - y0 + 1
    inside = sum(1 for y in range(y0, y1 + 1, 2) for x in range(x0, x1 + 1, 2)
                 if cache.get(rows[y][x * channels:x * channels + 3]))
    density = inside / max(1, ((box_w + 1) // 2) * ((box_h + 1) // 2))
    ok = box_w >= 150 and box_h >= 100 and density >= 0.5 and len(colours) >= 6
    return ok, f"box {box_w}x{box_h} px at ({x0},{y0}), {density:.0%} colour-scale, {len(colours)} colours"


def analyse(path):
    """Heatmaps found: notebook outputs stack vertically, so colour-scale pixels are split into bands separated by
    more than 40 px without any, and each band is judged on its own. Returns (number drawn, description)."""
    width, height, channels, rows = read_png(path)
    cache = {}
    hits = []
    for y in range(0, height, 2):
        row = rows[y]
        for x in range(0, width, 2):
            px = row[x * channels:x * channels + 3]
            hit = cache.get(px)
            if hit is None:
                hit = cache[px] = near_scale(*px)
            if hit:
                hits.append((x, y, (px[0] // 16, px[1] // 16, px[2] // 16)))
    if not hits:
        return 0, f"no colour-scale pixels in {width}x{height}"
    bands, current = [], [hits[0]]
    for h in hits[1:]:
        if h[1] - current[-1][1] > 40:
            bands.append(current)
            current = []
        current.append(h)
    bands.append(current)
    results = [block(rows, channels, cache, b) for b in bands if len(b) >= 50]
    drawn = sum(1 for ok, _ in results if ok)
    return drawn, "; ".join(d for _, d in results) + f" (page {width}x{height})"


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    path, name, blank = argv[1], argv[2], "--expect-blank" in argv[3:]
    minimum = int(argv[argv.index("--min") + 1]) if "--min" in argv else 1
    try:
        drawn, detail = analyse(path)
    except (OSError, ValueError, zlib.error) as e:
        print(f"FAIL {name}: screenshot readable: {e}")
        return 1
    ok = drawn == 0 if blank else drawn >= minimum
    what = "heatmap area is blank (control)" if blank else f"{drawn} heatmap(s) drawn in the screenshot (at least {minimum})"
    print(f"{'PASS' if ok else 'FAIL'} {name}: {what}: {detail}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
