"""The ``Group means`` sheet (``--group``): construct score means per group with their 95%
confidence intervals, and a native Excel chart of them: a dot per group with error bars.

One block of columns per group (mean, lower, upper, n, and the two error lengths the
chart's custom error bars reference), one row per construct; the chart has one series
per group whose error bars point at those cells, so it follows the cells when a reader
edits them. The numbers come from :func:`cxsurvey.report.group_chart.group_means`.
"""

from __future__ import annotations

import math

import numpy as np
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, NumDataSource, NumRef, StrRef
from openpyxl.chart.error_bar import ErrorBars
from openpyxl.chart.marker import Marker
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cxsurvey.report.excel.cells import BOLD, HEADER_FILL, NOTE_FONT, TITLE_FONT, cell_value, text
from cxsurvey.report.group_chart import group_means
from cxsurvey.results import Results

__all__ = ["SHEET", "has_group_means", "write_group_means"]

SHEET = "Group means"

_COLOURS = ("2166AC", "D6604D", "1A7F37", "8250DF", "BF8700", "57606A")
_FIELDS = (("mean", "Mean", "0.00"), ("ci_lower", "95% CI low", "0.00"),
           ("ci_upper", "95% CI high", "0.00"), ("n", "N", "0"),
           ("plus", "Error +", "0.000"), ("minus", "Error -", "0.000"))
_HEADER_ROW, _FIRST = 2, 3


class _ErrorBars(ErrorBars):
    """openpyxl's error bars with ``plus`` before ``minus``, the order of the chart
    schema's ``CT_ErrBars`` (ECMA-376 Part 1, dml-chart.xsd), which Excel enforces."""

    __elements__ = ("errDir", "errBarType", "errValType", "noEndCap", "plus", "minus",
                    "val", "spPr")
    __attrs__ = ErrorBars.__attrs__
    __nested__ = ErrorBars.__nested__
    __namespaced__ = ErrorBars.__namespaced__


def has_group_means(res: Results) -> bool:
    """Whether the run compared at least two groups on construct scores."""
    return bool(len(group_means(res)))


def write_group_means(ws: Worksheet, res: Results) -> None:
    """Fill the ``Group means`` sheet: the means table and its column chart."""
    frame = group_means(res)
    sg = res.segments
    assert sg is not None
    groups = list(dict.fromkeys(frame["group"]))
    constructs = list(dict.fromkeys(frame["construct"]))
    ws.cell(row=1, column=1, value=text(
        f"Construct scores by {sg.group}: means with 95% confidence intervals")).font = TITLE_FONT
    head = ws.cell(row=_HEADER_ROW, column=1, value="Construct")
    head.font, head.fill = BOLD, HEADER_FILL
    width = len(_FIELDS)
    for k, g in enumerate(groups):
        for f, (_, label, _) in enumerate(_FIELDS):
            cell = ws.cell(row=_HEADER_ROW, column=2 + k * width + f,
                           value=text(f"{label} {g}"))
            cell.font, cell.fill = BOLD, HEADER_FILL
            cell.alignment = Alignment(horizontal="right")
    for i, con in enumerate(constructs):
        row = _FIRST + i
        ws.cell(row=row, column=1, value=cell_value(con, "text"))
        for k, g in enumerate(groups):
            hit = frame[(frame["construct"] == con) & (frame["group"] == g)]
            if not len(hit):
                continue
            r = hit.iloc[0]
            values = {"mean": r["mean"], "ci_lower": r["ci_lower"], "ci_upper": r["ci_upper"],
                      "n": r["n"], "plus": r["ci_upper"] - r["mean"],
                      "minus": r["mean"] - r["ci_lower"]}
            for f, (key, _, fmt) in enumerate(_FIELDS):
                cell = ws.cell(row=row, column=2 + k * width + f,
                               value=cell_value(values[key], "int" if key == "n" else "num"))
                cell.number_format = fmt
    last = _FIRST + len(constructs) - 1
    ws.cell(row=last + 2, column=1, value=text(
        "Mean construct score per group; 95% CI = mean +/- t(n - 1) x SD / sqrt(n). Error "
        "+/- are the lengths of the chart's error bars (upper - mean, mean - lower); the "
        "chart references these cells. Tests of the differences: the Segments sheets."
    )).font = NOTE_FONT
    ws.column_dimensions["A"].width = max(12, min(30, 2 + max(map(len, constructs))))
    for j in range(2, 2 + width * len(groups)):
        ws.column_dimensions[get_column_letter(j)].width = 12
    ws.freeze_panes = ws.cell(row=_FIRST, column=2)
    values = frame[["ci_lower", "ci_upper", "mean"]].to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    bounds = (math.floor(values.min() * 2) / 2, math.ceil(values.max() * 2) / 2)
    ws.add_chart(_chart(ws, groups, len(constructs), bounds), f"A{last + 4}")


def _chart(ws: Worksheet, groups: list[str], n: int, bounds: tuple[float, float]
           ) -> LineChart:
    """A dot per group and construct (a line chart with markers and no lines) with custom
    error bars: the usual picture of means and their intervals."""
    last = _FIRST + n - 1
    chart = LineChart()
    chart.title = "Construct score means by group (95% CI)"
    chart.style = 10
    names = Reference(ws, min_col=1, min_row=_FIRST, max_row=last)
    width = len(_FIELDS)
    for k, _ in enumerate(groups):
        col = 2 + k * width
        colour = _COLOURS[k % len(_COLOURS)]
        chart.add_data(Reference(ws, min_col=col, min_row=_HEADER_ROW, max_row=last),
                       titles_from_data=True)
        series = chart.series[-1]
        series.cat = AxDataSource(strRef=StrRef(f=str(names)))
        series.marker = Marker(symbol="circle", size=7)
        series.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
        series.marker.graphicalProperties.line.solidFill = colour
        series.graphicalProperties = GraphicalProperties()
        series.graphicalProperties.line.noFill = True
        series.smooth = False
        plus = Reference(ws, min_col=col + 4, min_row=_FIRST, max_row=last)
        minus = Reference(ws, min_col=col + 5, min_row=_FIRST, max_row=last)
        bars = _ErrorBars(errDir="y", errBarType="both", errValType="cust",
                          plus=NumDataSource(numRef=NumRef(f=str(plus))),
                          minus=NumDataSource(numRef=NumRef(f=str(minus))))
        bars.spPr = GraphicalProperties()
        bars.spPr.line.solidFill = colour
        series.errBars = bars
    chart.x_axis.title = "Construct"
    chart.x_axis.delete = False
    chart.y_axis.title = "Mean score"
    chart.y_axis.number_format = "0.0"
    chart.y_axis.delete = False
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = bounds
    chart.legend.position = "b"
    chart.width = max(16.0, 2.2 * n + 4.0)
    chart.height = 9.0
    return chart
