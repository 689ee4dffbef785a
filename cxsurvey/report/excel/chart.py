"""The ``Distributions`` sheet: answers per scale point and a native Excel bar chart.

A table item x scale point (% of the item's valid answers) and a horizontal 100 %
stacked bar chart whose series reference those cells, one series per scale point, coloured
on a diverging scale (red for the low end, grey for the midpoint, blue for the high end),
the usual picture of Likert answers. The chart is an Excel chart object (DrawingML), so
it follows the cells when a reader edits them and can be copied into a paper.
"""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cxsurvey.report.excel.cells import BOLD, HEADER_FILL, NOTE_FONT, TITLE_FONT, cell_value, text
from cxsurvey.results import Results

__all__ = ["SHEET", "diverging_colors", "has_distributions", "write_distributions"]

SHEET = "Distributions"

_ANCHORS = ((0.0, (0xB2, 0x18, 0x2B)), (0.25, (0xF4, 0xA5, 0x82)),
            (0.5, (0xBD, 0xBD, 0xBD)), (0.75, (0x92, 0xC5, 0xDE)),
            (1.0, (0x21, 0x66, 0xAC)))
"""ColorBrewer RdBu ends with a neutral grey midpoint."""

_HEADER_ROW, _FIRST = 2, 3


def diverging_colors(n: int) -> list[str]:
    """``n`` hex colours from red (lowest answer) through grey to blue (highest).

    >>> diverging_colors(3)
    ['B2182B', 'BDBDBD', '2166AC']
    """
    if n <= 0:
        return []
    if n == 1:
        return ["BDBDBD"]
    out = []
    for i in range(n):
        t = i / (n - 1)
        for (t0, c0), (t1, c1) in zip(_ANCHORS, _ANCHORS[1:], strict=False):
            if t <= t1 + 1e-12:
                w = 0.0 if t1 == t0 else (t - t0) / (t1 - t0)
                rgb = [round(a + w * (b - a)) for a, b in zip(c0, c1, strict=True)]
                out.append("".join(f"{v:02X}" for v in rgb))
                break
    return out


def has_distributions(res: Results) -> bool:
    """Whether the run has answer percentages to chart."""
    d = res.descriptives
    return (d is not None and bool(d.scale_points) and len(d.items) > 0
            and all(f"pct_{k}" in d.items.columns for k in d.scale_points))


def write_distributions(ws: Worksheet, res: Results) -> None:
    """Fill the ``Distributions`` sheet: the percentage table and its bar chart."""
    d = res.descriptives
    assert d is not None
    points = list(d.scale_points)
    items = d.items.reset_index(drop=True)
    n = len(items)
    ws.cell(row=1, column=1, value="Answer distribution per item (% of valid answers)"
            ).font = TITLE_FONT
    headers = ["Construct", "Item", *(f"% {k}" for k in points)]
    for j, label in enumerate(headers, start=1):
        cell = ws.cell(row=_HEADER_ROW, column=j, value=text(label))
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(horizontal="left" if j <= 2 else "right")
    for i, rec in enumerate(items.to_dict("records")):
        ws.cell(row=_FIRST + i, column=1, value=cell_value(rec.get("construct"), "text"))
        ws.cell(row=_FIRST + i, column=2, value=cell_value(rec.get("item"), "text"))
        for j, k in enumerate(points, start=3):
            cell = ws.cell(row=_FIRST + i, column=j, value=cell_value(rec[f"pct_{k}"], "pct"))
            cell.number_format = "0.0"
    last = _FIRST + n - 1
    ws.cell(row=last + 2, column=1, value=text(
        f"Scale {points[0]}..{points[-1]}; % of each item's valid answers. The chart "
        "references these cells.")).font = NOTE_FONT
    ws.freeze_panes = ws.cell(row=_FIRST, column=3)
    ws.column_dimensions["A"].width = max(12, min(30, 2 + max(
        (len(str(c)) for c in items["construct"]), default=0)))
    ws.column_dimensions["B"].width = max(8, min(30, 2 + max(
        (len(str(c)) for c in items["item"]), default=0)))
    for j in range(3, 3 + len(points)):
        ws.column_dimensions[get_column_letter(j)].width = 8
    chart = _chart(ws, points, n)
    ws.add_chart(chart, f"{get_column_letter(len(headers) + 2)}{_HEADER_ROW}")


def _chart(ws: Worksheet, points: list[int], n: int) -> BarChart:
    last = _FIRST + n - 1
    chart = BarChart()
    chart.type = "bar"  # horizontal bars
    chart.grouping = "percentStacked"
    chart.overlap = 100
    chart.gapWidth = 40
    chart.title = "Answer distribution per item"
    chart.style = 10
    data = Reference(ws, min_col=3, max_col=2 + len(points), min_row=_HEADER_ROW,
                     max_row=last)
    chart.add_data(data, titles_from_data=True)
    items = Reference(ws, min_col=2, min_row=_FIRST, max_row=last)
    for series, colour in zip(chart.series, diverging_colors(len(points)), strict=True):
        series.cat = AxDataSource(strRef=StrRef(f=str(items)))  # item names are text
        series.graphicalProperties = GraphicalProperties(solidFill=colour)
        series.graphicalProperties.line.solidFill = "FFFFFF"
    # Items top to bottom in sheet order, value axis at the bottom.
    chart.x_axis.title = "Item"
    chart.x_axis.scaling.orientation = "maxMin"
    chart.x_axis.delete = False
    chart.x_axis.axPos = "l"
    chart.y_axis.title = "% of answers"
    chart.y_axis.number_format = "0%"
    chart.y_axis.crosses = "max"
    chart.y_axis.delete = False
    chart.y_axis.axPos = "b"
    chart.y_axis.majorGridlines = None
    chart.legend.position = "b"
    chart.width = 20
    chart.height = max(8.0, 0.6 * n + 4.0)
    return chart
