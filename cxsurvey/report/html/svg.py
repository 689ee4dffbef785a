"""SVG markup shared by the charts of the HTML report.

The HTML report is one self-contained file, so its charts are plain SVG markup built
in Python: no JavaScript library, no web font, no external reference. Every chart
function returns an ``<svg>`` element as a string that is well-formed XML (it parses
with :mod:`xml.etree.ElementTree`), sized by its ``viewBox`` so that it scales with the
page. Every text that comes from the data (item, construct names) is escaped.

Charts
------
:func:`cxsurvey.report.html.likert.likert_chart`
    A diverging stacked bar per item, grouped by construct.
:func:`cxsurvey.report.html.diagram.path_diagram`
    The structural model: constructs as boxes in topological layers, arrows with the
    coefficients.

This module holds what both draw with: the text and grid colours, coordinates written
compactly, escaping, and a rough text width with clipping (no font metrics at hand).
"""

from __future__ import annotations

from html import escape

__all__ = ["GRID", "MUTED", "TEXT", "axis_titles", "clip", "esc", "horizontal_grid", "num",
           "text_width", "ticks", "vertical_grid"]

#: Colour of the main text.
TEXT = "#1f2328"
#: Colour of secondary text: axis labels, legend title, non-significant labels.
MUTED = "#57606a"
#: Colour of grid and separator lines.
GRID = "#d0d7de"


def num(x: float) -> str:
    """A coordinate for SVG markup: at most one decimal, no trailing ``.0``.

    Parameters
    ----------
    x : float
        The coordinate.

    Returns
    -------
    str
        ``x`` rounded to one decimal, ``"12"`` rather than ``"12.0"``.

    >>> num(12.0), num(3.14159)
    ('12', '3.1')
    """
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def esc(text: object) -> str:
    """``text`` escaped for SVG/HTML text and attribute values (quotes included).

    Parameters
    ----------
    text : object
        Any value; it is converted with :class:`str` first.

    Returns
    -------
    str
        The escaped text.
    """
    return escape(str(text), quote=True)


def text_width(text: str, size: float = 12.0) -> float:
    """A rough width of ``text`` in a sans-serif font (no font metrics at hand).

    Parameters
    ----------
    text : str
        The text.
    size : float
        Font size in SVG units.

    Returns
    -------
    float
        The estimated width in SVG units.
    """
    return len(text) * size * 0.58


def clip(text: str, width: float, size: float = 12.0) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` (the full text is in a title).

    Parameters
    ----------
    text : str
        The text.
    width : float
        The room in SVG units.
    size : float
        Font size in SVG units.

    Returns
    -------
    str
        ``text``, or its start and an ellipsis; at least three characters are kept.
    """
    limit = max(3, int((width - 12) / (size * 0.58)))
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def ticks(start: float, stop: float, step: float) -> list[float]:
    """``start, start + step, ...`` up to ``stop`` (allowing for rounding).

    >>> ticks(0.0, 0.3, 0.1)
    [0.0, 0.1, 0.2, 0.3]
    """
    out: list[float] = []
    k = 0
    while start + k * step <= stop + 1e-9:
        out.append(round(start + k * step, 10))
        k += 1
    return out


def vertical_grid(x: float, top: float, bottom: float, label: object) -> str:
    """A vertical grid line of a plot with its tick label below the plot."""
    return (f'<line x1="{num(x)}" y1="{num(top)}" x2="{num(x)}" y2="{num(bottom)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{num(x)}" y="{num(bottom + 16)}" font-size="11" '
            f'text-anchor="middle" fill="{MUTED}">{label}</text>')


def horizontal_grid(y: float, left: float, right: float, label: object) -> str:
    """A horizontal grid line of a plot with its tick label left of the plot."""
    return (f'<line x1="{num(left)}" y1="{num(y)}" x2="{num(right)}" y2="{num(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{num(left - 6)}" y="{num(y + 4)}" font-size="11" '
            f'text-anchor="end" fill="{MUTED}">{label}</text>')


def axis_titles(left: float, top: float, plot_w: float, plot_h: float, height: float,
                x_title: str, y_title: str) -> str:
    """The titles of a plot's axes (escaped by the caller): below it, and rotated along
    its left side."""
    mid_y = num(top + plot_h / 2)
    return (f'<text x="{num(left + plot_w / 2)}" y="{num(height - 8)}" font-size="12" '
            f'text-anchor="middle" fill="{TEXT}">{x_title}</text>'
            f'<text x="14" y="{mid_y}" font-size="12" text-anchor="middle" fill="{TEXT}" '
            f'transform="rotate(-90 14 {mid_y})">{y_title}</text>')
