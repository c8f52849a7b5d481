"""throughput.svg: throughput against message size over AF_UNIX, one panel per mode, in plain
SVG (no plotting library on the machines the report runs on)."""

import math

import measure
from report_cells import SIZES, fmt_rate, fmt_size, name_of


SERIES = [("raw send/recv", "raw", "SendRecv", "#222222", ""),
          ("sockref send/recv", "sockref", "SendRecv", "#1f66c1", ""),
          ("sockref sendall/recv_into", "sockref", "SendallRecvInto", "#1f66c1", "6,4"),
          ("CPython send/recv", "cpython", "SendRecv", "#e07b00", ""),
          ("CPython sendall/recv_into", "cpython", "SendallRecvInto", "#e07b00", "6,4")]
PANEL_W, PANEL_H, LEFT, TOP, GAP = 400, 300, 80, 50, 90
MODES = ("blocking", "timeout")


class _Axes:
    """Log-log coordinates of both panels: x is the message size, y the throughput."""

    def __init__(self, results):
        values = [measure.throughput(results[n]) for n in results if "Unix/" in n]
        self.y_lo = 10 ** math.floor(math.log10(min(values)))
        self.y_hi = 10 ** math.ceil(math.log10(max(values)))
        self.x_lo, self.x_hi = math.log2(SIZES[0]), math.log2(SIZES[-1])

    def x_of(self, panel, size):
        return (LEFT + panel * (PANEL_W + GAP) +
                (math.log2(size) - self.x_lo) / (self.x_hi - self.x_lo) * PANEL_W)

    def y_of(self, rate):
        frac = ((math.log10(rate) - math.log10(self.y_lo)) /
                (math.log10(self.y_hi) - math.log10(self.y_lo)))
        return TOP + PANEL_H - frac * PANEL_H


def _panel_frame(axes, panel, mode):
    """A panel's title, box, horizontal decade lines and vertical size lines, with labels."""
    x0 = LEFT + panel * (PANEL_W + GAP)
    out = [f'<text x="{x0 + PANEL_W / 2}" y="{TOP - 10}" text-anchor="middle" '
           f'font-size="13">{mode} mode</text>',
           f'<rect x="{x0}" y="{TOP}" width="{PANEL_W}" height="{PANEL_H}" fill="none" '
           f'stroke="#888"/>']
    decade = axes.y_lo
    while decade <= axes.y_hi * 1.0001:
        y = axes.y_of(decade)
        out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + PANEL_W}" y2="{y:.1f}" '
                   f'stroke="#ddd"/>')
        out.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end">'
                   f'{fmt_rate(decade).replace(".00", "")}</text>')
        decade *= 10
    for size in SIZES:
        x = axes.x_of(panel, size)
        out.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + PANEL_H}" '
                   f'stroke="#eee"/>')
        label = fmt_size(size).replace(" B", "").replace(" KiB", "Ki").replace(" MiB", "Mi")
        out.append(f'<text x="{x:.1f}" y="{TOP + PANEL_H + 16}" text-anchor="middle">'
                   f'{label}</text>')
    out.append(f'<text x="{x0 + PANEL_W / 2}" y="{TOP + PANEL_H + 34}" '
               f'text-anchor="middle">message size (bytes, log scale)</text>')
    return out


def _panel_series(axes, results, panel, mode):
    """Each series of SERIES with at least two points, as a polyline and its points."""
    out = []
    for label, impl, api, color, dash in SERIES:
        points = []
        for size in SIZES:
            entry = results.get(name_of(api, "Unix", impl, mode, size))
            if entry:
                points.append((axes.x_of(panel, size), axes.y_of(measure.throughput(entry))))
        if len(points) < 2:
            continue
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2"{dash_attr} '
                   f'points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}"/>')
        for x, y in points:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{color}"/>')
    return out


def _legend(height):
    """The series' legend, three to a row, and the two lines saying what the time is."""
    out = []
    legend_y = TOP + PANEL_H + 60
    for i, (label, _, _, color, dash) in enumerate(SERIES):
        lx = LEFT + (i % 3) * 250
        ly = legend_y + (i // 3) * 20
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 30}" y2="{ly}" stroke="{color}" '
                   f'stroke-width="2"{dash_attr}/>')
        out.append(f'<text x="{lx + 36}" y="{ly + 4}">{label}</text>')
    out.append(f'<text x="{LEFT}" y="{height - 28}" fill="#555">Up to 64 KiB one thread sends '
               f'and receives (never blocks): bytes per second of its CPU time.</text>')
    out.append(f'<text x="{LEFT}" y="{height - 12}" fill="#555">1 MiB: a peer thread receives: '
               f'bytes per second of wall-clock time.</text>')
    return out


def throughput_svg(results):
    """Throughput vs message size, AF_UNIX, one panel per mode, in plain SVG."""
    width = LEFT + 2 * PANEL_W + GAP + 30
    height = TOP + PANEL_H + 150
    axes = _Axes(results)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15">Throughput vs '
           f'message size, AF_UNIX stream socketpair (higher is better)</text>']
    for panel, mode in enumerate(MODES):
        out += _panel_frame(axes, panel, mode)
        out += _panel_series(axes, results, panel, mode)
    out += _legend(height)
    out.append("</svg>")
    return "\n".join(out) + "\n"
