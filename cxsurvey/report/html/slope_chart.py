"""The simple slope plot of the HTML report (inline SVG, the conventions of
:mod:`cxsurvey.report.html.svg`): the iv in SD units (-1 to +1) on x, the predicted
standardised outcome on y, one line per moderator level (-1 SD, mean, +1 SD) with a
legend.

Each line is a ``<line class="slope">`` carrying ``data-level``, ``data-slope``,
``data-y-low`` and ``data-y-high`` and a ``<title>`` (shown on hover).
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
    ticks,
    vertical_grid,
)
from cxsurvey.report.slope_chart import X_HIGH, X_LOW, SlopePlot, slope_axis, slope_plots
from cxsurvey.results import Results

__all__ = ["LEVEL_STYLES", "slope_chart", "slope_section"]

LEVEL_STYLES = (("#d6604d", "6 4"), ("#57606a", ""), ("#2166ac", "2 3"))
"""Colour and dash pattern of the lines at -1 SD, the mean and +1 SD of the moderator."""

_LEFT, _TOP, _PLOT_W, _PLOT_H = 60.0, 34.0, 360.0, 260.0
_RIGHT, _BOTTOM = 170.0, 48.0


def slope_chart(plot: SlopePlot, chart_id: str = "slope-chart") -> str:
    """``<svg class="slope-chart">`` of one :class:`~cxsurvey.report.slope_chart.SlopePlot`;
    empty without lines.

    References
    ----------
    Aiken, L. S., & West, S. G. (1991). *Multiple regression: Testing and interpreting
    interactions*. Sage.
    """
    lines = plot.lines
    if not len(lines):
        return ""
    start, stop, step = slope_axis(plot)
    width = _LEFT + _PLOT_W + _RIGHT
    height = _TOP + _PLOT_H + _BOTTOM

    def x(v: float) -> float:
        return _LEFT + _PLOT_W * (v - X_LOW) / (X_HIGH - X_LOW)

    def y(v: float) -> float:
        return _TOP + _PLOT_H * (stop - v) / (stop - start)

    parts = [horizontal_grid(y(t), _LEFT, _LEFT + _PLOT_W, f"{t:g}")
             for t in ticks(start, stop, step)]
    parts += [vertical_grid(x(t), _TOP, _TOP + _PLOT_H, label)
              for t, label in ((X_LOW, "-1 SD"), (0.0, "mean"), (X_HIGH, "+1 SD"))]
    iv, mod, out = (esc(clip(s, 260)) for s in (plot.iv, plot.moderator, plot.outcome))
    parts.append(axis_titles(_LEFT, _TOP, _PLOT_W, _PLOT_H, height, f"{iv} (SD units)",
                             f"{out} (predicted, std.)"))
    legend_x, legend_y = _LEFT + _PLOT_W + 16, _TOP + 8
    parts.append(f'<text class="legend-title" x="{num(legend_x)}" y="{num(legend_y)}" '
                 f'font-size="11" fill="{MUTED}">'
                 f'{esc(clip(plot.moderator + " (moderator)", _RIGHT, 11))}'
                 "</text>")
    for i, r in enumerate(lines.itertuples(index=False)):
        colour, dash = LEVEL_STYLES[min(i, len(LEVEL_STYLES) - 1)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        y_low, y_high, slope = float(r.y_low), float(r.y_high), float(r.slope)
        p = float(r.pvalue)
        tip = (f"{plot.moderator} at {r.level}: slope of {plot.iv} {slope:.3f}"
               + (f" (p {p:.3f})" if math.isfinite(p) else "")
               + f"; {plot.outcome} {y_low:.3f} at {plot.iv} -1 SD, {y_high:.3f} at +1 SD")
        if math.isfinite(y_low) and math.isfinite(y_high):
            parts.append(f'<line class="slope" x1="{num(x(X_LOW))}" y1="{num(y(y_low))}" '
                         f'x2="{num(x(X_HIGH))}" y2="{num(y(y_high))}" stroke="{colour}" '
                         f'stroke-width="2.5"{dashed} data-level="{esc(r.level)}" '
                         f'data-slope="{slope:.4f}" data-y-low="{y_low:.4f}" '
                         f'data-y-high="{y_high:.4f}"><title>{esc(tip)}</title></line>')
        ly = legend_y + 18 * (i + 1)
        parts.append(f'<g class="legend-item"><line x1="{num(legend_x)}" y1="{num(ly - 4)}" '
                     f'x2="{num(legend_x + 24)}" y2="{num(ly - 4)}" stroke="{colour}" '
                     f'stroke-width="2.5"{dashed}/><text x="{num(legend_x + 30)}" '
                     f'y="{num(ly)}" font-size="11" fill="{TEXT}">{esc(r.level)}: '
                     f"slope {slope:.2f}</text></g>")
    title = f"Simple slopes of {plot.iv} on {plot.outcome} by {plot.moderator}"
    return (f'<svg class="slope-chart" viewBox="0 0 {num(width)} {num(height)}" '
            f'width="{num(width)}" height="{num(height)}" role="img" '
            f'style="max-width:{num(width)}px" aria-labelledby="{esc(chart_id)}-title" '
            f'data-term="{esc(plot.term)}" data-outcome="{esc(plot.outcome)}">'
            f'<title id="{esc(chart_id)}-title">{esc(title)}</title>'
            f'<rect x="{num(_LEFT)}" y="{num(_TOP)}" width="{num(_PLOT_W)}" '
            f'height="{num(_PLOT_H)}" fill="none" stroke="{GRID}"/>'
            + "".join(parts) + "</svg>")


def slope_section(res: Results) -> str:
    """``<section id="slopes">`` with one slope plot per interaction term of the run's
    PLS moderation; empty without one."""
    figures = []
    for n, plot in enumerate(slope_plots(res)):
        chart = slope_chart(plot, f"slope-chart-{n + 1}")
        if not chart:
            continue
        figures.append(
            "<figure>" + chart + f"<figcaption>Predicted {esc(plot.outcome)} (standardised) "
            f"against {esc(plot.iv)} from -1 to +1 SD, one line per level of "
            f"{esc(plot.moderator)} (-1 SD, mean, +1 SD): the line's slope is the simple "
            f"slope of {esc(plot.iv)} at that level (Aiken &amp; West 1991); lines that "
            "are not parallel show the moderation. Hover over a line for its values."
            "</figcaption></figure>")
    if not figures:
        return ""
    return ('<section id="slopes"><h2>Simple slopes (moderation)</h2>' + "".join(figures)
            + "</section>")
