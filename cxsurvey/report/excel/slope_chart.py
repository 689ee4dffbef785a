"""The ``Slopes`` sheet (PLS with interaction terms): the simple slopes of every
interaction and a native Excel scatter chart with lines of them.

One block per interaction term: the slopes at the moderator's -1 SD, mean and +1 SD
(slope, p), then the plot's data: the iv at -1 and +1 SD (column A) and the predicted
standardised outcome at each moderator level (one column each). The chart has one
straight-line series per level referencing those cells, so the chart follows the cells
when a reader edits them. The numbers come from
:func:`cxsurvey.report.slope_chart.slope_plots`.

References
----------
Aiken, L. S., & West, S. G. (1991). *Multiple regression: Testing and interpreting
interactions*. Sage.
"""

from __future__ import annotations

from openpyxl.chart import Reference, ScatterChart, Series
from openpyxl.chart.data_source import StrRef
from openpyxl.chart.marker import Marker
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.drawing.line import LineProperties
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from cxsurvey.report.excel.cells import (
    BOLD,
    HEADER_FILL,
    NOTE_FONT,
    P_FORMAT,
    TITLE_FONT,
    cell_value,
    text,
)
from cxsurvey.report.slope_chart import X_HIGH, X_LOW, SlopePlot, slope_axis, slope_plots
from cxsurvey.results import Results

__all__ = ["SHEET", "has_slopes", "write_slopes"]

SHEET = "Slopes"

_COLOURS = ("D6604D", "57606A", "2166AC")
_DASHES = ("dash", None, "sysDot")
_BLOCK = 20  # rows per interaction: room for its chart (12 x 7.5 cm)
_CHART_COL = "I"


def has_slopes(res: Results) -> bool:
    """Whether the run has a PLS moderation with simple slopes to plot."""
    return bool(slope_plots(res))


def write_slopes(ws: Worksheet, res: Results) -> None:
    """Fill the ``Slopes`` sheet: per interaction term its slopes, the plot's cells and a
    scatter chart with one line per moderator level."""
    plots = slope_plots(res)
    ws.cell(row=1, column=1, value="Simple slopes").font = TITLE_FONT
    row = 3
    for plot in plots:
        height = _block(ws, row, plot)
        row += max(height, _BLOCK) + 1
    ws.cell(row=row, column=1, value=text(
        "Slope of X: b_X + b_XM m with the moderator m at -1 SD, its mean and +1 SD, b_XM "
        "the interaction path on the product scale (Aiken & West 1991; seminr's "
        "slope_analysis); the lines join the predicted standardised outcome at X = -1 and "
        "X = +1 SD. The charts reference these cells.")).font = NOTE_FONT
    ws.column_dimensions["A"].width = 22
    for col in "BCDEFG":
        ws.column_dimensions[col].width = 14


def _header(ws: Worksheet, row: int, labels: tuple[str, ...]) -> None:
    for j, label in enumerate(labels, start=1):
        cell = ws.cell(row=row, column=j, value=text(label))
        cell.font, cell.fill = BOLD, HEADER_FILL
        if j > 1:
            cell.alignment = Alignment(horizontal="right")


def _block(ws: Worksheet, top: int, plot: SlopePlot) -> int:
    """One interaction's cells and chart from row ``top``; the rows used."""
    lines = plot.lines
    ws.cell(row=top, column=1, value=text(
        f"{plot.term} -> {plot.outcome}: slope of {plot.iv} by {plot.moderator}")).font = BOLD
    _header(ws, top + 1, ("Moderator level", "Moderator (SD)", "Slope of X", "p"))
    for i, r in enumerate(lines.itertuples(index=False)):
        at = top + 2 + i
        ws.cell(row=at, column=1, value=text(r.level))
        ws.cell(row=at, column=2, value=cell_value(r.moderator_value, "num")).number_format \
            = "0"
        ws.cell(row=at, column=3, value=cell_value(r.slope, "num")).number_format = "0.000"
        ws.cell(row=at, column=4, value=cell_value(r.pvalue, "num")).number_format = P_FORMAT
    data = top + 3 + len(lines)
    _header(ws, data, (f"{plot.iv} (SD)", *(f"{plot.moderator} {lv}" for lv in lines["level"])))
    for k, (xv, key) in enumerate(((X_LOW, "y_low"), (X_HIGH, "y_high")), start=1):
        ws.cell(row=data + k, column=1, value=xv).number_format = "0"
        for j, value in enumerate(lines[key], start=2):
            ws.cell(row=data + k, column=j, value=cell_value(value, "num")).number_format = \
                "0.000"
    ws.add_chart(_chart(ws, plot, data), f"{_CHART_COL}{top}")
    return data + 2 - top + 1


def _line(colour: str, dash: str | None) -> GraphicalProperties:
    props = GraphicalProperties(ln=LineProperties(solidFill=colour, w=28575))
    if dash is not None:
        props.line.prstDash = dash
    return props


def _chart(ws: Worksheet, plot: SlopePlot, data: int) -> ScatterChart:
    """One straight-line series per moderator level over the cells below ``data``."""
    chart = ScatterChart(scatterStyle="line")
    chart.title = f"Simple slopes: {plot.iv} on {plot.outcome} by {plot.moderator}"
    chart.style = 13
    xs = Reference(ws, min_col=1, min_row=data + 1, max_row=data + 2)
    for j in range(len(plot.lines)):
        col = 2 + j
        series = Series(Reference(ws, min_col=col, min_row=data + 1, max_row=data + 2), xs,
                        title=None)
        series.tx = SeriesLabel(strRef=StrRef(
            f"'{ws.title}'!${chr(ord('A') + col - 1)}${data}"))
        series.marker = Marker(symbol="none")
        series.graphicalProperties = _line(_COLOURS[min(j, 2)], _DASHES[min(j, 2)])
        series.smooth = False
        chart.series.append(series)
    start, stop, step = slope_axis(plot)
    chart.x_axis.title = f"{plot.iv} (SD units)"
    chart.x_axis.scaling.min, chart.x_axis.scaling.max = X_LOW, X_HIGH
    chart.x_axis.majorUnit = 1
    chart.x_axis.delete = False
    chart.x_axis.axPos = "b"
    chart.y_axis.title = f"{plot.outcome} (predicted, std.)"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = start, stop
    chart.y_axis.majorUnit = step
    chart.y_axis.number_format = "0.0"
    chart.y_axis.delete = False
    # both axes cross the other at its minimum: the y axis at the left, x at the bottom
    chart.x_axis.crosses = chart.y_axis.crosses = "min"
    chart.legend.position = "r"
    chart.width, chart.height = 15.0, 9.0
    return chart
