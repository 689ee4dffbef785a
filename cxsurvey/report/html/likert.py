"""The Likert chart of the HTML report: the answers to each item as inline SVG.

:func:`likert_chart` draws a diverging stacked bar per item: the share of each answer,
the lower answers left of a centre line, the higher ones right of it, the midpoint of an
odd scale split half/half across the line; items grouped by construct under a header
row. Each segment carries its percentage in ``data-pct`` and in a ``<title>`` (shown on
hover). The markup conventions are those of :mod:`cxsurvey.report.html.svg`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from cxsurvey.report.formatting import is_missing
from cxsurvey.report.html.svg import GRID, MUTED, TEXT, clip, esc, num, text_width

__all__ = ["likert_chart", "likert_colours"]

_DISAGREE = ((0xB2, 0x18, 0x2B), (0xF4, 0xA5, 0x82))  # dark red -> light red
_AGREE = ((0x92, 0xC5, 0xDE), (0x21, 0x66, 0xAC))  # light blue -> dark blue
_NEUTRAL = "#cfcfcf"

_PAD = 8.0  # left and right margin
_LEGEND_H = 34.0  # height of the legend line
_AXIS_H = 22.0  # height of the percentage axis
_ROW_H = 22.0  # height of an item row
_HEAD_H = 24.0  # height of a construct header row
_BAR_H = 16.0  # height of a bar


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> str:
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))


def _is_dark(colour: str) -> bool:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5


def likert_colours(n_points: int) -> list[str]:
    """A diverging palette for ``n_points`` answers: reds (low), grey (midpoint), blues.

    >>> likert_colours(5)
    ['#b2182b', '#f4a582', '#cfcfcf', '#92c5de', '#2166ac']
    """
    half = n_points // 2

    def ramp(ends: tuple[tuple[int, int, int], ...], k: int) -> list[str]:
        if k == 1:
            return [_mix(ends[0], ends[1], 0.5)]
        return [_mix(ends[0], ends[1], i / (k - 1)) for i in range(k)]

    low = ramp(_DISAGREE, half) if half else []
    high = ramp(_AGREE, half) if half else []
    return low + ([_NEUTRAL] if n_points % 2 else []) + high


def _pct(value: object) -> float:
    return 0.0 if is_missing(value) else max(0.0, float(value))  # type: ignore[arg-type]


def _midpoint(n_points: int) -> int | None:
    """Index of the midpoint answer of an odd scale; None for an even scale."""
    return n_points // 2 if n_points % 2 else None


@dataclass(frozen=True)
class _Row:
    """One item: its shares per answer and how far its bar reaches left and right."""

    construct: str
    item: str
    pcts: list[float]
    left: float
    right: float
    n: object


@dataclass(frozen=True)
class _Geometry:
    """Horizontal layout: percent domains, scale (px per percent) and x positions."""

    dom_left: float
    dom_right: float
    scale: float
    label_w: float
    x_plot: float  # left edge of the bar area
    x0: float  # the centre line
    width: float


def likert_chart(items: pd.DataFrame, scale_points: Sequence[int], *,
                 plot_width: float = 560.0) -> str:
    """A diverging stacked bar chart of the answers to each item.

    Parameters
    ----------
    items : DataFrame
        One row per item with ``construct``, ``item`` and ``pct_<k>`` for every scale
        point ``k`` (percent of the item's valid answers), as
        :attr:`DescribeResult.items`; ``n`` is used in the hover text when present.
    scale_points : sequence of int
        The answers of the scale, lowest first.
    plot_width : float
        Width of the bar area in SVG units.

    Returns
    -------
    str
        ``<svg class="likert-chart">``: a legend, then per construct a header row and
        one ``<g class="likert-row" data-item=...>`` per item whose ``<rect>`` segments
        carry ``data-point`` and ``data-pct`` (the midpoint of an odd scale appears as
        two halves). ``data-px-per-pct`` on the ``<svg>`` gives the horizontal scale.
    """
    points = list(scale_points)
    colours = likert_colours(len(points))
    rows = _rows(items, points)
    geo = _geometry(rows, plot_width)
    body, labels, plot_bottom = _body(rows, points, colours, geo)
    grid, centre_line = _grid(geo, plot_bottom)
    legend = _legend(points, colours)
    width, height = geo.width, plot_bottom + 10
    return (f'<svg class="likert-chart" id="likert-chart" viewBox="0 0 {num(width)} '
            f'{num(height)}" width="{num(width)}" height="{num(height)}" role="img" '
            f'style="max-width:{num(width)}px" aria-labelledby="likert-chart-title" '
            f'data-px-per-pct="{geo.scale:.6f}" preserveAspectRatio="xMinYMin meet">'
            f'<title id="likert-chart-title">Answers per item (% of valid answers)</title>'
            + "".join(legend) + "".join(grid) + "".join(body) + centre_line
            + '<g class="likert-values">' + "".join(labels) + "</g></svg>")


def _rows(items: pd.DataFrame, points: list[int]) -> list[_Row]:
    """The items in frame order; the midpoint's share counts half to each side."""
    m = len(points)
    mid = _midpoint(m)
    low_idx = list(range(m // 2))
    high_idx = list(range(m - m // 2, m))
    rows = []
    for rec in items.to_dict(orient="records"):
        pcts = [_pct(rec.get(f"pct_{k}")) for k in points]
        neutral = pcts[mid] if mid is not None else 0.0
        left = sum(pcts[i] for i in low_idx) + neutral / 2
        right = sum(pcts[i] for i in high_idx) + neutral / 2
        rows.append(_Row(str(rec.get("construct", "")), str(rec.get("item", "")), pcts, left,
                         right, rec.get("n")))
    return rows


def _geometry(rows: list[_Row], plot_width: float) -> _Geometry:
    """Percent domains rounded up to tens (at most 100) each side; label column width."""
    step_of = 10.0
    max_left = max([r.left for r in rows], default=0.0)
    max_right = max([r.right for r in rows], default=0.0)
    dom_left = min(100.0, max(step_of, math.ceil(max_left / step_of - 1e-9) * step_of))
    dom_right = min(100.0, max(step_of, math.ceil(max_right / step_of - 1e-9) * step_of))
    scale = plot_width / (dom_left + dom_right)
    label_w = min(220.0, max(60.0, max([text_width(r.item) for r in rows], default=0) + 16))
    x_plot = _PAD + label_w
    return _Geometry(dom_left=dom_left, dom_right=dom_right, scale=scale, label_w=label_w,
                     x_plot=x_plot, x0=x_plot + dom_left * scale,
                     width=x_plot + plot_width + _PAD + 8)


def _body(rows: list[_Row], points: list[int], colours: list[str], geo: _Geometry,
          ) -> tuple[list[str], list[str], float]:
    """Header and item rows top to bottom, the bar labels and the bottom of the plot.

    The percentages printed on the bars are returned apart: they are drawn after the
    centre line, so that they stay above it.
    """
    body: list[str] = []
    labels: list[str] = []
    y = _LEGEND_H + _AXIS_H
    construct = None
    for row in rows:
        if row.construct != construct:
            construct = row.construct
            body.append(_construct_header(row.construct, geo, y))
            y += _HEAD_H
        markup, row_labels = _item_row(row, points, colours, geo, y)
        body.append(markup)
        labels.extend(row_labels)
        y += _ROW_H
    return body, labels, y + 4


def _construct_header(construct: str, geo: _Geometry, y: float) -> str:
    """The construct's name over a rule across the chart."""
    return (f'<g class="likert-construct"><text x="{num(_PAD)}" y="{num(y + 16)}" '
            f'class="construct-label" font-weight="600" font-size="13" '
            f'fill="{TEXT}">{esc(construct)}</text>'
            f'<line x1="{num(_PAD)}" x2="{num(geo.width - _PAD)}" y1="{num(y + _HEAD_H - 2)}" '
            f'y2="{num(y + _HEAD_H - 2)}" stroke="{GRID}" stroke-width="1"/></g>')


def _item_row(row: _Row, points: list[int], colours: list[str], geo: _Geometry, y: float,
              ) -> tuple[str, list[str]]:
    """An item's label and bar segments; the percentages to print on wide segments."""
    mid = _midpoint(len(points))
    item, con = row.item, row.construct
    top = y + (_ROW_H - _BAR_H) / 2
    n_text = "" if is_missing(row.n) else f" (n = {int(float(row.n))})"  # type: ignore[arg-type]
    parts = [f'<g class="likert-row" data-item="{esc(item)}" '
             f'data-construct="{esc(con)}">',
             f'<text x="{num(geo.x_plot - 8)}" y="{num(y + _ROW_H / 2 + 4)}" '
             f'text-anchor="end" font-size="12" fill="{TEXT}">'
             f'<title>{esc(item)}{esc(n_text)}</title>{esc(clip(item, geo.label_w))}</text>']
    labels: list[str] = []
    x = geo.x0 - row.left * geo.scale
    for i, (k, pct) in enumerate(zip(points, row.pcts, strict=True)):
        halves = [pct / 2, pct / 2] if i == mid else [pct]
        for share in halves:
            w = share * geo.scale
            tip = f"{item}: answer {k} = {pct:.1f}%"
            if i == mid:
                tip += " (midpoint, drawn half each side of the centre line)"
            parts.append(
                f'<rect class="seg" x="{x:.2f}" y="{num(top)}" width="{w:.3f}" '
                f'height="{num(_BAR_H)}" fill="{colours[i]}" data-point="{k}" '
                f'data-pct="{share:.4f}"><title>{esc(tip)}</title></rect>')
            x += w
        seg_w = pct * geo.scale
        if seg_w >= 30:
            labels.append(_bar_label(x - seg_w / 2, top, pct, colours[i]))
    parts.append("</g>")
    return "".join(parts), labels


def _bar_label(centre: float, top: float, pct: float, colour: str) -> str:
    """A segment's percentage, white on a dark colour."""
    fill = "#ffffff" if _is_dark(colour) else TEXT
    return (f'<text x="{num(centre)}" y="{num(top + _BAR_H - 4)}" text-anchor="middle" '
            f'font-size="10.5" fill="{fill}" pointer-events="none">{pct:.0f}%</text>')


def _grid(geo: _Geometry, plot_bottom: float) -> tuple[list[str], str]:
    """Vertical grid lines with their percentages, and the centre line."""
    grid: list[str] = []
    step = 10.0 if geo.dom_left + geo.dom_right <= 80 else 20.0
    ticks = [-v for v in _range(step, geo.dom_left, step)][::-1] + [0.0] + list(
        _range(step, geo.dom_right, step))
    top_axis = _LEGEND_H + _AXIS_H - 4
    for t in ticks:
        gx = geo.x0 + t * geo.scale
        grid.append(f'<line x1="{num(gx)}" x2="{num(gx)}" y1="{num(top_axis)}" '
                    f'y2="{num(plot_bottom)}" stroke="{GRID}" stroke-width="1"/>')
        grid.append(f'<text x="{num(gx)}" y="{num(top_axis - 5)}" text-anchor="middle" '
                    f'font-size="10.5" fill="{MUTED}">{abs(t):.0f}%</text>')
    centre_line = (f'<line class="centre-line" x1="{geo.x0:.2f}" x2="{geo.x0:.2f}" '
                   f'y1="{num(top_axis)}" y2="{num(plot_bottom)}" stroke="{TEXT}" '
                   f'stroke-width="1.5"/>')
    return grid, centre_line


def _legend(points: list[int], colours: list[str]) -> list[str]:
    """The legend: "Answer" and a swatch per answer."""
    legend = [f'<g class="likert-legend"><text x="{num(_PAD)}" y="20" font-size="12" '
              f'fill="{MUTED}">Answer</text>']
    lx = _PAD + 56
    for k, colour in zip(points, colours, strict=True):
        legend.append(f'<rect x="{num(lx)}" y="9" width="14" height="14" rx="2" '
                      f'fill="{colour}" data-point="{k}"/>'
                      f'<text x="{num(lx + 19)}" y="20" font-size="12" '
                      f'fill="{TEXT}">{k}</text>')
        lx += 26 + text_width(str(k))
    legend.append("</g>")
    return legend


def _range(start: float, stop: float, step: float) -> list[float]:
    out, v = [], start
    while v <= stop + 1e-9:
        out.append(v)
        v += step
    return out
