"""The ``IPMA`` sheet (PLS with an importance-performance map): the constructs'
importance and performance and a native Excel scatter chart of them.

One row per construct (importance, performance, priority) and the four cells of the two
mean lines; the chart has one series per construct (a point labelled with the series
name, the construct) and two dashed series for the mean importance and the mean
performance, all referencing the cells, so the chart follows the cells when a reader
edits them. The numbers come from :func:`cxsurvey.report.ipma_chart.ipma_map`.

References
----------
Ringle, C. M., & Sarstedt, M. (2016). Gain more insight from your PLS-SEM results: The
importance-performance map analysis. *Industrial Management & Data Systems*, 116(9),
1865-1886.
"""

from __future__ import annotations

import math

from openpyxl.chart import Reference, ScatterChart, Series
from openpyxl.chart.data_source import StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.marker import Marker
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.drawing.line import LineProperties
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from cxsurvey.report.excel.cells import BOLD, HEADER_FILL, NOTE_FONT, TITLE_FONT, cell_value, text
from cxsurvey.report.ipma_chart import IpmaMap, ipma_map, nice_range
from cxsurvey.results import Results

__all__ = ["SHEET", "has_ipma", "write_ipma"]

SHEET = "IPMA"

_POINT, _PRIORITY, _MEAN = "2166AC", "D6604D", "57606A"
_HEADER_ROW, _FIRST = 2, 3
_HEADERS = (("Construct", "text"), ("Importance", "0.000"), ("Performance", "0.0"),
            ("Priority", "text"))


def has_ipma(res: Results) -> bool:
    """Whether the run has an importance-performance map with at least one construct."""
    return ipma_map(res) is not None


def write_ipma(ws: Worksheet, res: Results) -> None:
    """Fill the ``IPMA`` sheet: the constructs' importance and performance, the mean
    lines' cells and the scatter chart."""
    data = ipma_map(res)
    assert data is not None
    pts = data.points
    ws.cell(row=1, column=1, value=text(
        f"Importance-performance map of {data.target}")).font = TITLE_FONT
    for j, (label, _) in enumerate(_HEADERS, start=1):
        cell = ws.cell(row=_HEADER_ROW, column=j, value=label)
        cell.font, cell.fill = BOLD, HEADER_FILL
        if j in (2, 3):
            cell.alignment = Alignment(horizontal="right")
    for i, r in enumerate(pts.itertuples(index=False)):
        row = _FIRST + i
        ws.cell(row=row, column=1, value=cell_value(r.construct, "text"))
        ws.cell(row=row, column=2, value=cell_value(r.importance, "num")).number_format = \
            "0.000"
        ws.cell(row=row, column=3, value=cell_value(r.performance, "num")).number_format = \
            "0.0"
        ws.cell(row=row, column=4, value="yes" if r.priority else "")
    last = _FIRST + len(pts) - 1
    finite = [float(v) for v in pts["importance"] if math.isfinite(float(v))] or [0.0]
    start, stop, step = nice_range(min(finite), max(finite))
    lines = last + 2
    ws.cell(row=lines, column=1, value="Mean lines").font = BOLD
    for j, label in enumerate(("Importance", "Performance"), start=2):
        cell = ws.cell(row=lines, column=j, value=label)
        cell.font, cell.fill = BOLD, HEADER_FILL
    rows = (("Mean importance", data.mean_importance, 0.0),
            ("", data.mean_importance, 100.0),
            ("Mean performance", start, data.mean_performance),
            ("", stop, data.mean_performance))
    for k, (label, x, y) in enumerate(rows, start=lines + 1):
        ws.cell(row=k, column=1, value=label or None)
        ws.cell(row=k, column=2, value=cell_value(x, "num")).number_format = "0.000"
        ws.cell(row=k, column=3, value=cell_value(y, "num")).number_format = "0.0"
    note = lines + len(rows) + 2
    ws.cell(row=note, column=1, value=text(
        f"Importance: the unstandardised total effect on {data.target} of the rescaled "
        f"(0-100) construct scores; performance: the mean rescaled score (0-100). Target "
        f"performance: {data.target_performance:.1f}. Dashed lines: mean importance "
        f"({data.mean_importance:.3f}) and mean performance ({data.mean_performance:.1f}). "
        "Priority (red in the chart): importance above and performance below the "
        "averages, the lower-right quadrant (Ringle & Sarstedt 2016). The chart references "
        "these cells.")).font = NOTE_FONT
    ws.column_dimensions["A"].width = max(
        18, min(30, 2 + max(len(str(c)) for c in pts["construct"])))
    for col in "BCD":
        ws.column_dimensions[col].width = 13
    ws.freeze_panes = ws.cell(row=_FIRST, column=2)
    ws.add_chart(_chart(ws, data, lines, (start, stop, step)), f"F{_HEADER_ROW}")


def _line(colour: str, dash: str | None = None, width: int = 12700) -> GraphicalProperties:
    props = GraphicalProperties(ln=LineProperties(solidFill=colour, w=width))
    if dash is not None:
        props.line.prstDash = dash
    return props


def _chart(ws: Worksheet, data: IpmaMap, lines: int,
           axis: tuple[float, float, float]) -> ScatterChart:
    """One marker-only series per construct labelled with its name, and the two dashed
    mean lines."""
    chart = ScatterChart(scatterStyle="lineMarker")
    chart.title = f"Importance-performance map ({data.target})"
    chart.style = 13
    for i, prio in enumerate(data.points["priority"]):
        row = _FIRST + i
        series = Series(Reference(ws, min_col=3, min_row=row),
                        Reference(ws, min_col=2, min_row=row),
                        title=None)
        series.tx = SeriesLabel(strRef=_str_ref(ws, row))
        colour = _PRIORITY if prio else _POINT
        series.marker = Marker(symbol="circle", size=8)
        series.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
        series.marker.graphicalProperties.line.solidFill = colour
        series.graphicalProperties = GraphicalProperties()
        series.graphicalProperties.line.noFill = True
        series.dLbls = DataLabelList()
        series.dLbls.showSerName = True
        series.dLbls.showVal = False
        series.dLbls.showCatName = False
        series.dLbls.showLegendKey = False
        series.dLbls.position = "r"
        chart.series.append(series)
    for first in (lines + 1, lines + 3):
        series = Series(Reference(ws, min_col=3, min_row=first, max_row=first + 1),
                        Reference(ws, min_col=2, min_row=first, max_row=first + 1),
                        title=None)
        series.tx = SeriesLabel(strRef=_str_ref(ws, first))
        series.marker = Marker(symbol="none")
        series.graphicalProperties = _line(_MEAN, "dash")
        series.smooth = False
        chart.series.append(series)
    start, stop, step = axis
    chart.x_axis.title = f"Importance (total effect on {data.target})"
    chart.x_axis.scaling.min, chart.x_axis.scaling.max = start, stop
    chart.x_axis.majorUnit = step
    chart.x_axis.number_format = "0.00"
    chart.x_axis.delete = False
    chart.x_axis.axPos = "b"
    chart.y_axis.title = "Performance (0-100)"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
    chart.y_axis.majorUnit = 20
    chart.y_axis.delete = False
    chart.legend = None
    chart.width, chart.height = 18.0, 12.0
    return chart


def _str_ref(ws: Worksheet, row: int) -> StrRef:
    """The construct (or mean line) name in column A of ``row``: the series' name."""
    return StrRef(f=f"'{ws.title}'!$A${row}")
