"""The path diagram of the HTML report: the structural model as inline SVG.

:func:`path_diagram` draws constructs as rounded boxes in topological layers
(:func:`layer_nodes`), left to right; a model with more layers than fit in one row is
wrapped in a snake (:func:`snake_layout`: the second row runs right to left, and so on),
so a long chain of constructs stays readable. Arrows carry the coefficient and its
significance mark (:func:`significance_mark`); non-significant paths are dashed;
endogenous boxes show their R². An arrow that would cross another box is bent around
it. The markup conventions are those of :mod:`cxsurvey.report.html.svg`.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cxsurvey.report.formatting import format_number, format_p, is_missing
from cxsurvey.report.html.svg import GRID, MUTED, TEXT, clip, esc, text_width

__all__ = ["layer_nodes", "path_diagram", "significance_mark", "snake_layout"]

_BOX_H = 52.0  # height of a construct box
_COL_GAP = 104.0  # horizontal room between layers
_V_GAP = 40.0  # vertical room between the boxes of a layer
_ROW_GAP = 84.0  # vertical room between the rows of a snake
_MARGIN = 24.0

_Point = tuple[float, float]
_Curve = tuple[_Point, _Point, _Point]  # start, control and end of a quadratic Bezier


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

    def border(self, dx: float, dy: float) -> _Point:
        """Where a ray from the centre in direction ``(dx, dy)`` leaves the box."""
        t = min(self.hw / abs(dx) if dx else math.inf, self.hh / abs(dy) if dy else math.inf)
        if math.isinf(t):
            return self.cx, self.cy
        return self.cx + dx * t, self.cy + dy * t


def _quad(p0: _Point, c: _Point, p1: _Point, t: float) -> _Point:
    u = 1 - t
    return (u * u * p0[0] + 2 * u * t * c[0] + t * t * p1[0],
            u * u * p0[1] + 2 * u * t * c[1] + t * t * p1[1])


def _route(a: _Box, b: _Box, others: Sequence[_Box], bend_sign: float) -> _Curve:
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
    widest = max([text_width(n, 13.5) for n in names], default=60.0)
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
    r2_of = _r2_by_construct(r2)
    boxes, width, height = _place_boxes(nodes, edges, max_cols)
    mk = esc(f"{diagram_id}-arrow")
    edge_svg, label_svg = _edges(records, edges, boxes, mk)
    node_svg = [_node(n, box, r2_of.get(n)) for n, box in boxes.items()]
    sid = esc(diagram_id)
    return (f'<svg class="path-diagram" id="{sid}" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'width="{width:.0f}" height="{height:.0f}" role="img" '
            f'style="max-width:{width:.0f}px" aria-labelledby="{sid}-title" '
            f'preserveAspectRatio="xMinYMin meet">'
            f'<title id="{sid}-title">{esc(title)}</title>{_arrow_marker(mk)}'
            + "".join(edge_svg) + "".join(node_svg) + "".join(label_svg) + "</svg>")


def _r2_by_construct(r2: pd.DataFrame | None) -> dict[str, float]:
    """Construct -> R² where it is known."""
    r2_of: dict[str, float] = {}
    if r2 is not None and len(r2):
        for rec in r2.to_dict(orient="records"):
            if not is_missing(rec.get("r2")):
                r2_of[str(rec["construct"])] = float(rec["r2"])
    return r2_of


def _stack_height(n_boxes: int) -> float:
    """Height of a layer of ``n_boxes`` boxes stacked with their gaps."""
    return n_boxes * _BOX_H + (n_boxes - 1) * _V_GAP


def _place_boxes(nodes: list[str], edges: list[tuple[str, str]], max_cols: int,
                 ) -> tuple[dict[str, _Box], float, float]:
    """Each construct's box, laid out in layers on a snake grid; the diagram's size.

    A layer's boxes are stacked and centred in the height of their grid row.
    """
    layers = layer_nodes(nodes, edges)
    cells = snake_layout(len(layers), max_cols)
    box_w = _box_width(nodes)
    n_rows = max((r for r, _ in cells), default=0) + 1
    n_cols = max((c for _, c in cells), default=0) + 1
    row_height = [0.0] * n_rows
    for members, (r, _c) in zip(layers, cells, strict=True):
        row_height[r] = max(row_height[r], _stack_height(len(members)))
    row_top = [_MARGIN]
    for h in row_height[:-1]:
        row_top.append(row_top[-1] + h + _ROW_GAP)
    boxes: dict[str, _Box] = {}
    for members, (r, c) in zip(layers, cells, strict=True):
        top = row_top[r] + (row_height[r] - _stack_height(len(members))) / 2
        cx = _MARGIN + c * (box_w + _COL_GAP) + box_w / 2
        for i, n in enumerate(members):
            boxes[n] = _Box(n, cx, top + i * (_BOX_H + _V_GAP) + _BOX_H / 2, box_w / 2,
                            _BOX_H / 2)
    width = 2 * _MARGIN + n_cols * box_w + (n_cols - 1) * _COL_GAP
    height = row_top[-1] + row_height[-1] + _MARGIN
    return boxes, width, height


def _arrow_marker(mk: str) -> str:
    """The ``<defs>`` with the arrowhead marker ``mk``."""
    return (f'<defs><marker id="{mk}" viewBox="0 0 10 10" refX="10" refY="5" '
            f'markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" '
            f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#3b4a5a"/>'
            f'</marker></defs>')


def _edges(records: list[dict[Hashable, Any]], edges: list[tuple[str, str]],
           boxes: dict[str, _Box], mk: str) -> tuple[list[str], list[str]]:
    """Every path but a self-loop as an arrow, and its label (drawn above the boxes)."""
    edge_svg: list[str] = []
    label_svg: list[str] = []
    pairs = set(edges)
    for rec, (a, b) in zip(records, edges, strict=True):
        if a == b:
            continue
        others = [box for n, box in boxes.items() if n not in (a, b)]
        bend = 1.0 if (b, a) in pairs else 0.0  # a loop pair: bend both, on opposite sides
        curve = _route(boxes[a], boxes[b], others, bend)
        arrow, label = _edge(rec, a, b, curve, mk)
        edge_svg.append(arrow)
        label_svg.append(label)
    return edge_svg, label_svg


def _edge(rec: Mapping[Hashable, Any], a: str, b: str, curve: _Curve, mk: str,
          ) -> tuple[str, str]:
    """The arrow ``a -> b`` along ``curve`` and its label at the curve's middle."""
    start, ctrl, end = curve
    coef = rec.get("std_all")
    if is_missing(coef):
        coef = rec.get("est")
    p = rec.get("pvalue")
    mark = significance_mark(p)
    ns = mark == "ns"
    label = format_number(coef, 2) + ("" if mark in ("", "ns") else mark)
    label = label + " ns" if ns else label
    tip = _edge_tip(a, b, coef, p)
    d = (f"M{start[0]:.1f},{start[1]:.1f} Q{ctrl[0]:.1f},{ctrl[1]:.1f} "
         f"{end[0]:.1f},{end[1]:.1f}")
    dash = ' stroke-dasharray="6 5"' if ns else ""
    arrow = (f'<g class="edge{" ns" if ns else ""}" data-from="{esc(a)}" data-to="{esc(b)}">'
             f'<title>{esc(tip)}</title>'
             f'<path d="{d}" fill="none" stroke="#3b4a5a" stroke-width="1.8"{dash} '
             f'marker-end="url(#{mk})"/></g>')
    lx, ly = _quad(start, ctrl, end, 0.5)
    lw = text_width(label, 12.5) + 10
    tag = (f'<g class="edge-label" data-from="{esc(a)}" data-to="{esc(b)}">'
           f'<title>{esc(tip)}</title>'
           f'<rect x="{lx - lw / 2:.1f}" y="{ly - 10:.1f}" width="{lw:.1f}" height="20" '
           f'rx="4" fill="#ffffff" fill-opacity="0.92" stroke="{GRID}" stroke-width="0.8"/>'
           f'<text x="{lx:.1f}" y="{ly + 4.5:.1f}" text-anchor="middle" font-size="12.5" '
           f'font-weight="{"400" if ns else "600"}" '
           f'fill="{MUTED if ns else TEXT}">{esc(label)}</text></g>')
    return arrow, tag


def _edge_tip(a: str, b: str, coef: object, p: object) -> str:
    """Hover text of a path: its coefficient and p value."""
    tip = f"{a} \u2192 {b}: coefficient {format_number(coef, 3)}"
    if not is_missing(p):
        shown_p = format_p(p)
        tip += f", p {shown_p}" if shown_p.startswith("<") else f", p = {shown_p}"
    return tip


def _node(n: str, box: _Box, r2: float | None) -> str:
    """A construct's box with its name, and its R² when it is endogenous."""
    endogenous = r2 is not None
    fill = "#e8f0fb" if endogenous else "#f3f4f6"
    name_y = box.cy - (4 if endogenous else -5)
    parts = [f'<g class="node{" endogenous" if endogenous else ""}" '
             f'data-construct="{esc(n)}"><title>{esc(n)}'
             + (f": R\u00b2 = {format_number(r2, 3)}" if endogenous else "")
             + "</title>",
             f'<rect x="{box.cx - box.hw:.1f}" y="{box.cy - box.hh:.1f}" '
             f'width="{2 * box.hw:.1f}" height="{2 * box.hh:.1f}" rx="12" fill="{fill}" '
             f'stroke="#2f5597" stroke-width="1.6"/>',
             f'<text x="{box.cx:.1f}" y="{name_y:.1f}" text-anchor="middle" '
             f'font-size="13.5" font-weight="600" fill="{TEXT}">'
             f'{esc(clip(n, 2 * box.hw + 8, 13.5))}</text>']
    if endogenous:
        parts.append(f'<text class="r2" x="{box.cx:.1f}" y="{box.cy + 15:.1f}" '
                     f'text-anchor="middle" font-size="12" fill="{MUTED}">'
                     f'R\u00b2 = {format_number(r2, 2)}</text>')
    parts.append("</g>")
    return "".join(parts)
