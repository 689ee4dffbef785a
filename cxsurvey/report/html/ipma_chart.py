"""The importance-performance map of the HTML report (inline SVG, the conventions of
:mod:`cxsurvey.report.html.svg`): importance on x, performance 0-100 on y, one labelled
point per construct, dashed lines at the mean importance and the mean performance.

The priorities (above-average importance, below-average performance, the lower right
quadrant; Ringle & Sarstedt 2016) are drawn in the accent colour. Each point carries
``data-construct``, ``data-importance``, ``data-performance`` and ``data-priority`` and a
``<title>`` (shown on hover).
"""

from __future__ import annotations

import math

from cxsurvey.report.html.svg import (
    GRID,
    MUTED,
    TEXT,
    axis_titles,
    clip,
    esc,
    horizontal_grid,
    num,
    text_width,
    ticks,
    vertical_grid,
)
from cxsurvey.report.ipma_chart import IpmaMap, nice_range

__all__ = ["ipma_chart"]

POINT = "#2166ac"
PRIORITY = "#d6604d"

_LEFT, _TOP, _PLOT_W, _PLOT_H = 56.0, 34.0, 520.0, 320.0
_RIGHT, _BOTTOM, _LABEL_H = 110.0, 46.0, 13.0


def _overlaps(box: tuple[float, float, float, float],
              others: list[tuple[float, float, float, float]]) -> bool:
    return any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
               for b in others)


def _labels(points: list[tuple[float, float, str]]) -> list[tuple[float, float, str]]:
    """Label positions beside the points: right of the point, else left, at the point's
    height or one, two ... lines above or below, the first place that covers neither a
    label placed before nor another point; ``(x, y, text-anchor)`` per point."""
    dots = [(px - 5, py - 5, px + 5, py + 5) for px, py, _ in points]
    placed: list[tuple[float, float, float, float]] = []
    out: list[tuple[float, float, str]] = []
    right_edge = _LEFT + _PLOT_W + _RIGHT - 4
    shifts = [0.0] + [d * k * _LABEL_H for k in range(1, 9) for d in (-1, 1)]
    for n, (px, py, name) in enumerate(points):
        width = text_width(name, 11)
        others = placed + [d for m, d in enumerate(dots) if m != n]
        best = None
        for dy in shifts:
            for anchor in ("start", "end"):
                x = px + 8 if anchor == "start" else px - 8
                left = x if anchor == "start" else x - width
                if left < _LEFT - 40 or left + width > right_edge:
                    continue
                y = py + 4 + dy
                box = (left, y - _LABEL_H + 3, left + width, y + 2)
                if not _overlaps(box, others):
                    best = (x, y, anchor, box)
                    break
            if best is not None:
                break
        if best is None:  # crowded: right of the point, over whatever is there
            x, y = px + 8, py + 4
            best = (x, y, "start", (x, y - _LABEL_H + 3, x + width, y + 2))
        placed.append(best[3])
        out.append(best[:3])
    return out


def _leader(px: float, py: float, lx: float, ly: float, anchor: str) -> str:
    """A thin line from a point to its label when the label sits a line or more away."""
    if abs(ly - 4 - py) < _LABEL_H / 2:
        return ""
    end = lx - 2 if anchor == "start" else lx + 2
    return (f'<line class="leader" x1="{num(px)}" y1="{num(py)}" x2="{num(end)}" '
            f'y2="{num(ly - 4)}" stroke="{MUTED}" stroke-width="0.7"/>')


def ipma_chart(data: IpmaMap, chart_id: str = "ipma-chart") -> str:
    """``<svg class="ipma-chart">`` of :func:`cxsurvey.report.ipma_chart.ipma_map`'s
    data; empty without points.

    References
    ----------
    Ringle, C. M., & Sarstedt, M. (2016). Gain more insight from your PLS-SEM results: The
    importance-performance map analysis. *Industrial Management & Data Systems*, 116(9),
    1865-1886.
    """
    pts = data.points
    if not len(pts):
        return ""
    imp = [float(v) for v in pts["importance"]]
    finite = [v for v in imp if math.isfinite(v)] or [0.0]
    start, stop, step = nice_range(min(finite), max(finite))
    width = _LEFT + _PLOT_W + _RIGHT
    height = _TOP + _PLOT_H + _BOTTOM

    def x(v: float) -> float:
        return _LEFT + _PLOT_W * (v - start) / (stop - start)

    def y(v: float) -> float:
        return _TOP + _PLOT_H * (1 - v / 100.0)

    parts = [vertical_grid(x(t), _TOP, _TOP + _PLOT_H, f"{t:g}")
             for t in ticks(start, stop, step)]
    parts += [horizontal_grid(y(t), _LEFT, _LEFT + _PLOT_W, t) for t in range(0, 101, 20)]
    parts.append(axis_titles(_LEFT, _TOP, _PLOT_W, _PLOT_H, height,
                             f"Importance (total effect on {esc(clip(data.target, 200))})",
                             "Performance (0-100)"))
    mi, mp = data.mean_importance, data.mean_performance
    if math.isfinite(mi):
        parts.append(f'<line class="mean-importance" x1="{num(x(mi))}" y1="{num(_TOP)}" '
                     f'x2="{num(x(mi))}" y2="{num(_TOP + _PLOT_H)}" stroke="{MUTED}" '
                     f'stroke-width="1.2" stroke-dasharray="5 4" data-value="{mi:.4f}">'
                     f"<title>Mean importance {mi:.3f}</title></line>")
    if math.isfinite(mp):
        parts.append(f'<line class="mean-performance" x1="{num(_LEFT)}" y1="{num(y(mp))}" '
                     f'x2="{num(_LEFT + _PLOT_W)}" y2="{num(y(mp))}" stroke="{MUTED}" '
                     f'stroke-width="1.2" stroke-dasharray="5 4" data-value="{mp:.4f}">'
                     f"<title>Mean performance {mp:.1f}</title></line>")
    rows = [(str(c), float(i), float(p), bool(pr)) for c, i, p, pr in zip(
        pts["construct"], pts["importance"], pts["performance"], pts["priority"],
        strict=True)]
    shown = [r for r in rows if math.isfinite(r[1]) and math.isfinite(r[2])]
    order = sorted(shown, key=lambda r: (-r[2], r[1]))
    labels = _labels([(x(i), y(p), clip(c, _RIGHT + 40, 11)) for c, i, p, _ in order])
    for (con, i, p, prio), (lx, ly, anchor) in zip(order, labels, strict=True):
        colour = PRIORITY if prio else POINT
        tip = (f"{con}: importance {i:.3f}, performance {p:.1f}"
               + (" (priority)" if prio else ""))
        parts.append(f'<g class="construct" data-construct="{esc(con)}">'
                     f'<circle cx="{num(x(i))}" cy="{num(y(p))}" r="5" fill="{colour}" '
                     f'data-importance="{i:.4f}" data-performance="{p:.4f}" '
                     f'data-priority="{"yes" if prio else "no"}"><title>{esc(tip)}</title>'
                     f"</circle>{_leader(x(i), y(p), lx, ly, anchor)}"
                     f'<text x="{num(lx)}" y="{num(ly)}" font-size="11" '
                     f'text-anchor="{anchor}" fill="{TEXT}">{esc(clip(con, _RIGHT + 40, 11))}'
                     "</text></g>")
    return (f'<svg class="ipma-chart" viewBox="0 0 {num(width)} {num(height)}" '
            f'width="{num(width)}" height="{num(height)}" role="img" '
            f'style="max-width:{num(width)}px" aria-labelledby="{esc(chart_id)}-title">'
            f'<title id="{esc(chart_id)}-title">Importance-performance map of '
            f"{esc(data.target)}</title>"
            f'<rect x="{num(_LEFT)}" y="{num(_TOP)}" width="{num(_PLOT_W)}" '
            f'height="{num(_PLOT_H)}" fill="none" stroke="{GRID}"/>'
            + "".join(parts) + "</svg>")
