"""Charts of the HTML report as inline SVG, drawn in Python.

The HTML report is one self-contained file, so its charts are plain SVG markup built
here: no JavaScript library, no web font, no external reference. Every function returns
an ``<svg>`` element as a string that is well-formed XML (it parses with
:mod:`xml.etree.ElementTree`), sized by its ``viewBox`` so that it scales with the page.
Every text that comes from the data (item, construct names) is escaped.

Charts
------
:func:`likert_chart`
    A diverging stacked bar per item: the share of each answer, the lower answers left
    of a centre line, the higher ones right of it, the midpoint of an odd scale split
    half/half across the line; items grouped by construct under a header row. Each
    segment carries its percentage in ``data-pct`` and in a ``<title>`` (shown on hover).
:func:`path_diagram`
    The structural model: constructs as rounded boxes in topological layers
    (:func:`layer_nodes`), left to right; a model with more layers than fit in one row
    is wrapped in a snake (the second row runs right to left, and so on), so a long
    chain of constructs stays readable. Arrows carry the coefficient and its
    significance mark (:func:`significance_mark`); non-significant paths are dashed;
    endogenous boxes show their R². An arrow that would cross another box is bent
    around it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import pandas as pd

from cxsurvey.report.formatting import format_number, format_p, is_missing

__all__ = ["layer_nodes", "likert_chart", "likert_colours", "path_diagram",
           "significance_mark", "snake_layout"]

_DISAGREE = ((0xB2, 0x18, 0x2B), (0xF4, 0xA5, 0x82))  # dark red -> light red
_AGREE = ((0x92, 0xC5, 0xDE), (0x21, 0x66, 0xAC))  # light blue -> dark blue
_NEUTRAL = "#cfcfcf"
_TEXT = "#1f2328"
_MUTED = "#57606a"
_GRID = "#d0d7de"


def _num(x: float) -> str:
    """A coordinate for SVG markup: at most one decimal, no trailing ``.0``."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _esc(text: object) -> str:
    return escape(str(text), quote=True)


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


def _text_width(text: str, size: float = 12.0) -> float:
    """A rough width of ``text`` in a sans-serif font (no font metrics at hand)."""
    return len(text) * size * 0.58


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
    m = len(points)
    colours = likert_colours(m)
    mid = m // 2 if m % 2 else None
    low_idx = list(range(m // 2))
    high_idx = list(range(m - m // 2, m))

    rows = []
    for rec in items.to_dict(orient="records"):
        pcts = [_pct(rec.get(f"pct_{k}")) for k in points]
        neutral = pcts[mid] if mid is not None else 0.0
        left = sum(pcts[i] for i in low_idx) + neutral / 2
        right = sum(pcts[i] for i in high_idx) + neutral / 2
        rows.append((str(rec.get("construct", "")), str(rec.get("item", "")), pcts, left,
                     right, rec.get("n")))

    step_of = 10.0
    max_left = max([r[3] for r in rows], default=0.0)
    max_right = max([r[4] for r in rows], default=0.0)
    dom_left = min(100.0, max(step_of, math.ceil(max_left / step_of - 1e-9) * step_of))
    dom_right = min(100.0, max(step_of, math.ceil(max_right / step_of - 1e-9) * step_of))
    scale = plot_width / (dom_left + dom_right)

    label_w = min(220.0, max(60.0, max([_text_width(r[1]) for r in rows], default=0) + 16))
    pad = 8.0
    x_plot = pad + label_w
    x0 = x_plot + dom_left * scale
    legend_h, axis_h, row_h, head_h, bar_h = 34.0, 22.0, 22.0, 24.0, 16.0
    width = x_plot + plot_width + pad + 8

    body: list[str] = []
    labels: list[str] = []  # percentages printed on the bars, drawn above the centre line
    y = legend_h + axis_h
    construct = None
    for con, item, pcts, left, _right, n in rows:
        if con != construct:
            construct = con
            body.append(
                f'<g class="likert-construct"><text x="{_num(pad)}" y="{_num(y + 16)}" '
                f'class="construct-label" font-weight="600" font-size="13" '
                f'fill="{_TEXT}">{_esc(con)}</text>'
                f'<line x1="{_num(pad)}" x2="{_num(width - pad)}" y1="{_num(y + head_h - 2)}" '
                f'y2="{_num(y + head_h - 2)}" stroke="{_GRID}" stroke-width="1"/></g>')
            y += head_h
        top = y + (row_h - bar_h) / 2
        n_text = "" if is_missing(n) else f" (n = {int(float(n))})"  # type: ignore[arg-type]
        parts = [f'<g class="likert-row" data-item="{_esc(item)}" '
                 f'data-construct="{_esc(con)}">',
                 f'<text x="{_num(x_plot - 8)}" y="{_num(y + row_h / 2 + 4)}" '
                 f'text-anchor="end" font-size="12" fill="{_TEXT}">'
                 f'<title>{_esc(item)}{_esc(n_text)}</title>{_esc(_clip(item, label_w))}</text>']
        x = x0 - left * scale
        for i, (k, pct) in enumerate(zip(points, pcts, strict=True)):
            halves = [pct / 2, pct / 2] if i == mid else [pct]
            for share in halves:
                w = share * scale
                tip = f"{item}: answer {k} = {pct:.1f}%"
                if i == mid:
                    tip += " (midpoint, drawn half each side of the centre line)"
                parts.append(
                    f'<rect class="seg" x="{x:.2f}" y="{_num(top)}" width="{w:.3f}" '
                    f'height="{_num(bar_h)}" fill="{colours[i]}" data-point="{k}" '
                    f'data-pct="{share:.4f}"><title>{_esc(tip)}</title></rect>')
                x += w
            seg_w = pct * scale
            if seg_w >= 30:
                centre = x - seg_w / 2
                fill = "#ffffff" if _is_dark(colours[i]) else _TEXT
                labels.append(
                    f'<text x="{_num(centre)}" y="{_num(top + bar_h - 4)}" text-anchor="middle" '
                    f'font-size="10.5" fill="{fill}" pointer-events="none">{pct:.0f}%</text>')
        parts.append("</g>")
        body.append("".join(parts))
        y += row_h
    plot_bottom = y + 4

    grid: list[str] = []
    step = 10.0 if dom_left + dom_right <= 80 else 20.0
    ticks = [-v for v in _range(step, dom_left, step)][::-1] + [0.0] + list(
        _range(step, dom_right, step))
    top_axis = legend_h + axis_h - 4
    for t in ticks:
        gx = x0 + t * scale
        grid.append(f'<line x1="{_num(gx)}" x2="{_num(gx)}" y1="{_num(top_axis)}" '
                    f'y2="{_num(plot_bottom)}" stroke="{_GRID}" stroke-width="1"/>')
        grid.append(f'<text x="{_num(gx)}" y="{_num(top_axis - 5)}" text-anchor="middle" '
                    f'font-size="10.5" fill="{_MUTED}">{abs(t):.0f}%</text>')
    centre_line = (f'<line class="centre-line" x1="{x0:.2f}" x2="{x0:.2f}" '
                   f'y1="{_num(top_axis)}" y2="{_num(plot_bottom)}" stroke="{_TEXT}" '
                   f'stroke-width="1.5"/>')

    legend = [f'<g class="likert-legend"><text x="{_num(pad)}" y="20" font-size="12" '
              f'fill="{_MUTED}">Answer</text>']
    lx = pad + 56
    for k, colour in zip(points, colours, strict=True):
        legend.append(f'<rect x="{_num(lx)}" y="9" width="14" height="14" rx="2" '
                      f'fill="{colour}" data-point="{k}"/>'
                      f'<text x="{_num(lx + 19)}" y="20" font-size="12" '
                      f'fill="{_TEXT}">{k}</text>')
        lx += 26 + _text_width(str(k))
    legend.append("</g>")

    height = plot_bottom + 10
    return (f'<svg class="likert-chart" id="likert-chart" viewBox="0 0 {_num(width)} '
            f'{_num(height)}" width="{_num(width)}" height="{_num(height)}" role="img" '
            f'style="max-width:{_num(width)}px" aria-labelledby="likert-chart-title" '
            f'data-px-per-pct="{scale:.6f}" preserveAspectRatio="xMinYMin meet">'
            f'<title id="likert-chart-title">Answers per item (% of valid answers)</title>'
            + "".join(legend) + "".join(grid) + "".join(body) + centre_line
            + '<g class="likert-values">' + "".join(labels) + "</g></svg>")


def _range(start: float, stop: float, step: float) -> list[float]:
    out, v = [], start
    while v <= stop + 1e-9:
        out.append(v)
        v += step
    return out


def _clip(text: str, width: float, size: float = 12.0) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` (the full text is in a title)."""
    limit = max(3, int((width - 12) / (size * 0.58)))
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


# --------------------------------------------------------------------- path diagram


def significance_mark(p: object) -> str:
    """``***`` p < .001, ``**`` p < .01, ``*`` p < .05, ``ns`` otherwise; ``""`` if unknown.

    >>> [significance_mark(p) for p in (0.0001, 0.004, 0.03, 0.2, None)]
    ['***', '**', '*', 'ns', '']
    """
    if is_missing(p):
        return ""
    p = float(p)  # type: ignore[arg-type]
    if p < 0.001:
        return "***"
    if p < 0.01:
        return "**"
    if p < 0.05:
        return "*"
    return "ns"


def layer_nodes(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> list[list[str]]:
    """Topological layers: a node sits one layer right of its furthest predecessor.

    Sources are in layer 0. A feedback loop (a non-recursive model) is broken at the
    node with the fewest unplaced predecessors, so every node gets a layer. Within a
    layer, nodes are ordered by the mean position of their predecessors (fewer
    crossings), else in the order given.
    """
    order = list(dict.fromkeys(nodes))
    preds: dict[str, list[str]] = {n: [] for n in order}
    for a, b in edges:
        if a != b and a in preds and b in preds and a not in preds[b]:
            preds[b].append(a)
    layer: dict[str, int] = {}
    while len(layer) < len(order):
        ready = [n for n in order if n not in layer and all(p in layer for p in preds[n])]
        if not ready:  # a cycle: place the node that waits on the fewest others
            ready = [min((n for n in order if n not in layer),
                         key=lambda n: sum(p not in layer for p in preds[n]))]
        for n in ready:
            layer[n] = 1 + max((layer[p] for p in preds[n] if p in layer), default=-1)
    layers: list[list[str]] = [[] for _ in range(max(layer.values(), default=-1) + 1)]
    for n in order:
        layers[layer[n]].append(n)
    position: dict[str, float] = {}
    for members in layers:
        def centre(n: str) -> float:
            placed = [position[p] for p in preds[n] if p in position]
            return sum(placed) / len(placed) if placed else math.inf
        members.sort(key=lambda n: (centre(n), order.index(n)))
        for i, n in enumerate(members):
            position[n] = i - (len(members) - 1) / 2
    return [m for m in layers if m]


def snake_layout(n_layers: int, max_cols: int = 4) -> list[tuple[int, int]]:
    """Grid cell ``(row, column)`` of each layer: left to right, wrapping as a snake.

    Layers are spread evenly over as few rows as needed; odd rows run right to left so
    that consecutive layers stay next to each other.

    >>> snake_layout(5, 4)
    [(0, 0), (0, 1), (0, 2), (1, 1), (1, 0)]
    """
    if n_layers <= 0:
        return []
    rows = math.ceil(n_layers / max_cols)
    cols = math.ceil(n_layers / rows)
    out = []
    for i in range(n_layers):
        r, c = divmod(i, cols)
        out.append((r, cols - 1 - c if r % 2 else c))
    return out


@dataclass(frozen=True)
class _Box:
    name: str
    cx: float
    cy: float
    hw: float
    hh: float

    def contains(self, x: float, y: float, pad: float = 0.0) -> bool:
        return abs(x - self.cx) <= self.hw + pad and abs(y - self.cy) <= self.hh + pad

    def border(self, dx: float, dy: float) -> tuple[float, float]:
        """Where a ray from the centre in direction ``(dx, dy)`` leaves the box."""
        t = min(self.hw / abs(dx) if dx else math.inf, self.hh / abs(dy) if dy else math.inf)
        if math.isinf(t):
            return self.cx, self.cy
        return self.cx + dx * t, self.cy + dy * t


def _quad(p0: tuple[float, float], c: tuple[float, float], p1: tuple[float, float],
          t: float) -> tuple[float, float]:
    u = 1 - t
    return (u * u * p0[0] + 2 * u * t * c[0] + t * t * p1[0],
            u * u * p0[1] + 2 * u * t * c[1] + t * t * p1[1])


def _route(a: _Box, b: _Box, others: Sequence[_Box], bend_sign: float
           ) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
    """Start, control and end point of the edge ``a -> b`` (a quadratic Bezier curve).

    Straight when that crosses no other box; else bent, further and further, to the
    side that first clears every box.
    """
    dx, dy = b.cx - a.cx, b.cy - a.cy
    length = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / length, dx / length
    mx, my = (a.cx + b.cx) / 2, (a.cy + b.cy) / 2
    candidates = [0.0] if bend_sign == 0 else []
    for k in range(1, 9):
        off = 30.0 * k
        first = bend_sign or 1.0
        candidates += [first * off, -first * off]
    chosen = None
    for off in candidates:
        c = (mx + nx * off, my + ny * off)
        start = a.border(c[0] - a.cx, c[1] - a.cy)
        end = b.border(c[0] - b.cx, c[1] - b.cy)
        ctrl = c if off else ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        samples = [_quad(start, ctrl, end, i / 40) for i in range(1, 40)]
        if not any(o.contains(x, y, 6.0) for o in others for x, y in samples):
            chosen = (start, ctrl, end)
            break
    if chosen is None:  # nothing clears: fall back to a straight arrow
        start = a.border(dx, dy)
        end = b.border(-dx, -dy)
        chosen = (start, ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2), end)
    return chosen


def _box_width(names: Sequence[str]) -> float:
    widest = max([_text_width(n, 13.5) for n in names], default=60.0)
    return min(210.0, max(116.0, widest + 28))


def path_diagram(paths: pd.DataFrame, r2: pd.DataFrame | None = None, *,
                 diagram_id: str = "paths", title: str = "Path diagram",
                 max_cols: int = 4) -> str:
    """The structural model as an SVG path diagram.

    Parameters
    ----------
    paths : DataFrame
        ``from, to, pvalue`` and the coefficient: ``std_all`` (standardised, CB-SEM)
        where present and not missing, else ``est``.
    r2 : DataFrame, optional
        ``construct, r2``; shown inside the boxes of the endogenous constructs.
    diagram_id : str
        ``id`` of the ``<svg>``; also prefixes the arrowhead marker ids, so several
        diagrams can share a page.
    title : str
        Accessible title of the chart.
    max_cols : int
        Layers per row before the layout wraps into a snake.

    Returns
    -------
    str
        ``<svg class="path-diagram">`` with one ``<g class="node" data-construct=...>``
        per construct and one ``<g class="edge" data-from=... data-to=...>`` per path
        (class ``ns`` and a dashed line when p >= .05).
    """
    records = paths.to_dict(orient="records")
    edges = [(str(r["from"]), str(r["to"])) for r in records]
    nodes = list(dict.fromkeys(n for e in edges for n in e))
    r2_of: dict[str, float] = {}
    if r2 is not None and len(r2):
        for rec in r2.to_dict(orient="records"):
            if not is_missing(rec.get("r2")):
                r2_of[str(rec["construct"])] = float(rec["r2"])

    layers = layer_nodes(nodes, edges)
    cells = snake_layout(len(layers), max_cols)
    box_w = _box_width(nodes)
    box_h = 52.0
    col_gap, v_gap, row_gap, margin = 104.0, 40.0, 84.0, 24.0
    n_rows = max((r for r, _ in cells), default=0) + 1
    n_cols = max((c for _, c in cells), default=0) + 1
    row_height = [0.0] * n_rows
    for members, (r, _c) in zip(layers, cells, strict=True):
        row_height[r] = max(row_height[r], len(members) * box_h + (len(members) - 1) * v_gap)
    row_top = [margin]
    for h in row_height[:-1]:
        row_top.append(row_top[-1] + h + row_gap)
    boxes: dict[str, _Box] = {}
    for members, (r, c) in zip(layers, cells, strict=True):
        stack = len(members) * box_h + (len(members) - 1) * v_gap
        top = row_top[r] + (row_height[r] - stack) / 2
        cx = margin + c * (box_w + col_gap) + box_w / 2
        for i, n in enumerate(members):
            boxes[n] = _Box(n, cx, top + i * (box_h + v_gap) + box_h / 2, box_w / 2, box_h / 2)
    width = 2 * margin + n_cols * box_w + (n_cols - 1) * col_gap
    height = row_top[-1] + row_height[-1] + margin

    mk = _esc(f"{diagram_id}-arrow")
    defs = (f'<defs><marker id="{mk}" viewBox="0 0 10 10" refX="10" refY="5" '
            f'markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" '
            f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#3b4a5a"/>'
            f'</marker></defs>')
    edge_svg: list[str] = []
    label_svg: list[str] = []
    pairs = set(edges)
    for rec, (a, b) in zip(records, edges, strict=True):
        if a == b:
            continue
        others = [box for n, box in boxes.items() if n not in (a, b)]
        bend = 1.0 if (b, a) in pairs else 0.0  # a loop pair: bend both, on opposite sides
        start, ctrl, end = _route(boxes[a], boxes[b], others, bend)
        coef = rec.get("std_all")
        if is_missing(coef):
            coef = rec.get("est")
        p = rec.get("pvalue")
        mark = significance_mark(p)
        ns = mark == "ns"
        label = format_number(coef, 2) + ("" if mark in ("", "ns") else mark)
        label = label + " ns" if ns else label
        tip = f"{a} \u2192 {b}: coefficient {format_number(coef, 3)}"
        if not is_missing(p):
            shown_p = format_p(p)
            tip += f", p {shown_p}" if shown_p.startswith("<") else f", p = {shown_p}"
        d = (f"M{start[0]:.1f},{start[1]:.1f} Q{ctrl[0]:.1f},{ctrl[1]:.1f} "
             f"{end[0]:.1f},{end[1]:.1f}")
        dash = ' stroke-dasharray="6 5"' if ns else ""
        edge_svg.append(
            f'<g class="edge{" ns" if ns else ""}" data-from="{_esc(a)}" data-to="{_esc(b)}">'
            f'<title>{_esc(tip)}</title>'
            f'<path d="{d}" fill="none" stroke="#3b4a5a" stroke-width="1.8"{dash} '
            f'marker-end="url(#{mk})"/></g>')
        lx, ly = _quad(start, ctrl, end, 0.5)
        lw = _text_width(label, 12.5) + 10
        label_svg.append(
            f'<g class="edge-label" data-from="{_esc(a)}" data-to="{_esc(b)}">'
            f'<title>{_esc(tip)}</title>'
            f'<rect x="{lx - lw / 2:.1f}" y="{ly - 10:.1f}" width="{lw:.1f}" height="20" '
            f'rx="4" fill="#ffffff" fill-opacity="0.92" stroke="{_GRID}" stroke-width="0.8"/>'
            f'<text x="{lx:.1f}" y="{ly + 4.5:.1f}" text-anchor="middle" font-size="12.5" '
            f'font-weight="{"400" if ns else "600"}" '
            f'fill="{_MUTED if ns else _TEXT}">{_esc(label)}</text></g>')

    node_svg: list[str] = []
    for n, box in boxes.items():
        endogenous = n in r2_of
        fill = "#e8f0fb" if endogenous else "#f3f4f6"
        name_y = box.cy - (4 if endogenous else -5)
        parts = [f'<g class="node{" endogenous" if endogenous else ""}" '
                 f'data-construct="{_esc(n)}"><title>{_esc(n)}'
                 + (f": R\u00b2 = {format_number(r2_of[n], 3)}" if endogenous else "")
                 + "</title>",
                 f'<rect x="{box.cx - box.hw:.1f}" y="{box.cy - box.hh:.1f}" '
                 f'width="{2 * box.hw:.1f}" height="{2 * box.hh:.1f}" rx="12" fill="{fill}" '
                 f'stroke="#2f5597" stroke-width="1.6"/>',
                 f'<text x="{box.cx:.1f}" y="{name_y:.1f}" text-anchor="middle" '
                 f'font-size="13.5" font-weight="600" fill="{_TEXT}">'
                 f'{_esc(_clip(n, 2 * box.hw + 8, 13.5))}</text>']
        if endogenous:
            parts.append(f'<text class="r2" x="{box.cx:.1f}" y="{box.cy + 15:.1f}" '
                         f'text-anchor="middle" font-size="12" fill="{_MUTED}">'
                         f'R\u00b2 = {format_number(r2_of[n], 2)}</text>')
        parts.append("</g>")
        node_svg.append("".join(parts))

    sid = _esc(diagram_id)
    return (f'<svg class="path-diagram" id="{sid}" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'width="{width:.0f}" height="{height:.0f}" role="img" '
            f'style="max-width:{width:.0f}px" aria-labelledby="{sid}-title" '
            f'preserveAspectRatio="xMinYMin meet">'
            f'<title id="{sid}-title">{_esc(title)}</title>{defs}'
            + "".join(edge_svg) + "".join(node_svg) + "".join(label_svg) + "</svg>")

