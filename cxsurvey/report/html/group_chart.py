"""The group-differences chart of the HTML report: per construct, each group's mean score
as a dot with its 95% confidence interval as a whisker (inline SVG, the conventions of
:mod:`cxsurvey.report.html.svg`).

Rows are the constructs, one line per group inside a row; the value axis spans the
intervals (rounded out to half scale points). Each dot carries ``data-group``,
``data-mean``, ``data-lower`` and ``data-upper`` and a ``<title>`` (shown on hover).
"""

from __future__ import annotations

import math

import pandas as pd

from cxsurvey.report.html.svg import GRID, MUTED, TEXT, clip, esc, num

__all__ = ["GROUP_COLOURS", "group_means_chart"]

GROUP_COLOURS = ("#2166ac", "#d6604d", "#1a7f37", "#8250df", "#bf8700", "#57606a")
"""Colours of the groups, in order (repeated beyond six groups)."""

_LABEL_W, _PLOT_W, _PAD = 130.0, 480.0, 12.0
_LEGEND_H, _AXIS_H, _LINE_H, _ROW_GAP = 28.0, 24.0, 12.0, 10.0


def _axis(frame: pd.DataFrame) -> tuple[float, float]:
    values = pd.concat([frame["ci_lower"], frame["ci_upper"], frame["mean"]]).astype(float)
    values = values[values.map(math.isfinite)]
    lo, hi = float(values.min()), float(values.max())
    lo, hi = math.floor(lo * 2) / 2, math.ceil(hi * 2) / 2
    return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)


def group_means_chart(frame: pd.DataFrame, chart_id: str = "group-means-chart") -> str:
    """``<svg class="group-means-chart">`` of :func:`cxsurvey.report.group_chart.group_means`
    (``construct, group, n, mean, sd, ci_lower, ci_upper``); empty when ``frame`` is."""
    if not len(frame):
        return ""
    groups = list(dict.fromkeys(frame["group"].astype(str)))
    constructs = list(dict.fromkeys(frame["construct"].astype(str)))
    colour = {g: GROUP_COLOURS[i % len(GROUP_COLOURS)] for i, g in enumerate(groups)}
    lo, hi = _axis(frame)
    row_h = _LINE_H * len(groups) + _ROW_GAP
    top = _LEGEND_H + _AXIS_H
    width = _LABEL_W + _PLOT_W + 2 * _PAD
    height = top + row_h * len(constructs) + _PAD

    def x(v: float) -> float:
        return _LABEL_W + _PLOT_W * (v - lo) / (hi - lo)

    parts: list[str] = []
    lx = _LABEL_W
    for g in groups:
        parts.append(f'<circle cx="{num(lx + 5)}" cy="12" r="5" fill="{colour[g]}"/>'
                     f'<text x="{num(lx + 14)}" y="16" font-size="12" fill="{MUTED}">'
                     f"{esc(clip(g, 110))}</text>")
        lx += 130
    step = 0.5 if hi - lo <= 4 else 1.0
    tick = lo
    while tick <= hi + 1e-9:
        parts.append(f'<line x1="{num(x(tick))}" y1="{num(top - 4)}" x2="{num(x(tick))}" '
                     f'y2="{num(height - _PAD)}" stroke="{GRID}" stroke-width="1"/>'
                     f'<text x="{num(x(tick))}" y="{num(top - 8)}" font-size="11" '
                     f'text-anchor="middle" fill="{MUTED}">{tick:g}</text>')
        tick += step
    for i, con in enumerate(constructs):
        y0 = top + i * row_h
        parts.append(f'<g class="construct" data-construct="{esc(con)}">'
                     f'<text x="{num(_LABEL_W - 8)}" y="{num(y0 + row_h / 2 + 2)}" '
                     f'font-size="12" text-anchor="end" fill="{TEXT}">'
                     f"{esc(clip(con, _LABEL_W - 8))}</text>")
        for k, g in enumerate(groups):
            hit = frame[(frame["construct"].astype(str) == con)
                        & (frame["group"].astype(str) == g)]
            if not len(hit):
                continue
            r = hit.iloc[0]
            y = y0 + _ROW_GAP / 2 + (k + 0.5) * _LINE_H
            m, a, b = float(r["mean"]), float(r["ci_lower"]), float(r["ci_upper"])
            tip = (f"{con}, {g}: mean {m:.2f} (95% CI {a:.2f} to {b:.2f}, n = {int(r['n'])})"
                   if math.isfinite(a) else f"{con}, {g}: mean {m:.2f} (n = {int(r['n'])})")
            if math.isfinite(a) and math.isfinite(b):
                parts.append(f'<line x1="{num(x(a))}" y1="{num(y)}" x2="{num(x(b))}" '
                             f'y2="{num(y)}" stroke="{colour[g]}" stroke-width="2"/>')
            parts.append(f'<circle cx="{num(x(m))}" cy="{num(y)}" r="4" fill="{colour[g]}" '
                         f'data-group="{esc(g)}" data-mean="{m:.4f}" data-lower="{a:.4f}" '
                         f'data-upper="{b:.4f}"><title>{esc(tip)}</title></circle>')
        parts.append("</g>")
    return (f'<svg class="group-means-chart" viewBox="0 0 {num(width)} {num(height)}" '
            f'width="{num(width)}" height="{num(height)}" role="img" '
            f'style="max-width:{num(width)}px" aria-labelledby="{esc(chart_id)}-title">'
            f'<title id="{esc(chart_id)}-title">Construct score means per group with 95% '
            "confidence intervals</title>" + "".join(parts) + "</svg>")
