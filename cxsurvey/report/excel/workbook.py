"""The Excel report: Summary, paper tables, answer distributions, one sheet per table, About.

The workbook shows the same tables as the console (:func:`tables.build_tables`), with
numbers kept as numbers: number formats do the rounding, so ``0.0004`` stays a number
that displays as ``< .001`` and can still be used in formulas. Cells that breach a
threshold are highlighted light red by live conditional-formatting rules
(:mod:`excel_rules`; the cut-offs sit in editable cells on the Summary sheet and the
header of each thresholded column has a note with the citation); tests a rule cannot
express (Fornell-Larcker, cross-loadings, alpha if deleted) keep a fixed shading. The
table's notes say which threshold applies.

Safety
------
* Every text cell goes through :func:`files.neutralise`: a survey text such as
  ``=HYPERLINK(...)`` (an item, construct or file name, a warning) is stored as text,
  never as a formula.
* The file is written through :func:`files.atomic_write`: a failure leaves no partial
  workbook, and an existing report is replaced only by a complete one.
* A report is never written over the run's survey or model file.

Sheets
------
``Summary``
    The plain-language reading (``Results.summary``), the warnings, any extra text
    passed by the caller, a list of the sheets (with links) and the Thresholds block.
``Table 2 Normality`` .. ``Table 5 Paths``
    The reference study's tables laid out as they are pasted into a paper
    (:mod:`excel_paper`), for the analyses that ran.
``Distributions``
    Answer percentages per item and scale point with a native stacked bar chart
    (:mod:`excel_chart`).
``Group means``
    With ``--group``: construct score means per group with 95% CIs and a native chart
    of them with error bars (:mod:`excel_group_chart`).
``IPMA``
    With PLS and an importance-performance map: the constructs' importance and
    performance and a native scatter chart of them (:mod:`excel_ipma_chart`).
``Slopes``
    With a PLS moderation: the simple slopes of each interaction term and a native
    scatter chart with one line per moderator level (:mod:`excel_slope_chart`).
one sheet per table
    Title row, bold header row with fill, frozen panes below the header (and right of
    the leading text columns), notes below the table.
``About``
    Provenance: input file and its SHA-256, sheet read, date, rows read and used,
    missing-value policy, scale, options, seed, model file, cxsurvey and dependency
    versions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from cxsurvey.report import files
from cxsurvey.report.excel import chart as excel_chart
from cxsurvey.report.excel import group_chart as excel_group_chart
from cxsurvey.report.excel import ipma_chart as excel_ipma_chart
from cxsurvey.report.excel import layout
from cxsurvey.report.excel import paper as excel_paper
from cxsurvey.report.excel import rules as excel_rules
from cxsurvey.report.excel import slope_chart as excel_slope_chart
from cxsurvey.report.excel.cells import (
    BOLD,
    FLAG_FILL,
    FLAG_FONT,
    HEADER_FILL,
    LINK_FONT,
    NOTE_FONT,
    P_FORMAT,
    TITLE_FONT,
    cell_value,
    excel_number_format,
    missing,
    text,
)
from cxsurvey.report.formatting import format_value
from cxsurvey.report.provenance import about_rows
from cxsurvey.report.tables import Column, Table, build_tables
from cxsurvey.results import Results

__all__ = ["FLAG_FILL", "P_FORMAT", "build_workbook", "excel_number_format", "sheet_names",
           "write_excel"]

_MIN_WIDTH, _MAX_WIDTH = 6, 50
_SUMMARY_WIDTH = 120
_RESERVED = ("Summary", "About")


def _plain(value: object) -> object:
    """An About/metadata value as a cell: numbers stay numbers, the rest is safe text."""
    if missing(value):
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, Mapping):
        return text(", ".join(f"{k}: {_join(v)}" for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return text(_join(value))
    return text(value)


def _join(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def sheet_names(tables: Iterable[Table], reserved: Iterable[str] = ()) -> list[str]:
    """Excel sheet names for ``tables``: the title, shortened to 31 characters when
    longer (:func:`layout.short_sheet_name`: ``HTMT (discriminant validity) (PLS)`` ->
    ``HTMT (PLS)``); unique (case-insensitively, as Excel requires) and never
    ``Summary``, ``About`` or one of ``reserved`` (the other sheets of the workbook)."""
    taken = {r.lower() for r in (*_RESERVED, *reserved)}
    out: list[str] = []
    for t in tables:
        name = (layout.short_sheet_name(t.title) or "Table")[:31].strip()
        base, i = name, 2
        while name.lower() in taken:
            suffix = f" ({i})"
            name = base[:31 - len(suffix)].rstrip() + suffix
            i += 1
        taken.add(name.lower())
        out.append(name)
    return out


def _fit_widths(ws: Worksheet, widths: dict[int, int]) -> None:
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(
            _MAX_WIDTH, max(_MIN_WIDTH, width + 2))


def _display_width(value: object, col: Column) -> int:
    if value is None:
        return 0
    if col.kind == "p":
        return 6  # "< .001" or "0.023"
    return len(format_value(value, col.kind, col.decimals)) if not isinstance(
        value, str) else len(value)


def _write_table(ws: Worksheet, table: Table, book: excel_rules.CutBook) -> None:
    cols = list(table.file_columns)
    rules = excel_rules.table_rules(table, book)
    live = excel_rules.covered(rules, len(table.frame))
    ws.cell(row=1, column=1, value=text(table.title)).font = TITLE_FONT
    header_row, first = 2, 3
    widths: dict[int, int] = {}
    for j, col in enumerate(cols, start=1):
        cell = ws.cell(row=header_row, column=j, value=text(col.label))
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="left" if col.kind == "text" else "right",
                                   vertical="bottom", wrap_text=False)
        widths[j] = len(col.label)

    frame = table.frame.reset_index(drop=True)
    for j, col in enumerate(cols, start=1):
        for i, raw in enumerate(frame[col.key].tolist()):
            kind = col.kind_at(i)
            value = cell_value(raw, kind)
            cell = ws.cell(row=first + i, column=j, value=value)
            if value is not None and not isinstance(value, str):
                cell.number_format = excel_number_format(kind, col.decimals)
            if (i, col.key) in table.flags and (i, col.key) not in live:
                cell.fill = FLAG_FILL
                cell.font = FLAG_FONT
            widths[j] = max(widths[j], _display_width(value, col))

    # Freeze the title and header rows, and the leading text columns (construct, item).
    lead = 0
    for col in cols:
        if col.kind != "text":
            break
        lead += 1
    ws.freeze_panes = ws.cell(row=first, column=lead + 1 if lead < len(cols) else 1)

    columns = {col.key: j for j, col in enumerate(cols, start=1)}
    cuts = excel_rules.apply_table_rules(ws, rules, book, columns, header_row, first,
                                         len(frame))
    notes = list(table.notes)
    if table.flags or cuts:
        notes.insert(0, "Shaded red: value outside the threshold named in these notes.")
    if cuts:
        notes.append(excel_rules.rules_note(cuts))
    row = first + len(frame) + 1
    _fit_widths(ws, widths)
    for note in notes:
        ws.cell(row=row, column=1, value=text(note)).font = NOTE_FONT
        layout.wrap_note(ws, row, len(cols))
        row += 1
    if cols:
        ws.auto_filter.ref = (f"A{header_row}:{get_column_letter(len(cols))}"
                              f"{max(header_row, first + len(frame) - 1)}")
    layout.print_setup(ws, f"1:{header_row}")


def _heading(ws: Worksheet, row: int, title: str) -> int:
    ws.cell(row=row, column=1, value=text(title)).font = BOLD
    return row + 1


def _lines(ws: Worksheet, row: int, lines: Iterable[object], empty: str) -> int:
    wrote = False
    for line in lines:
        cell = ws.cell(row=row, column=1, value=text(line))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        layout.fit_height(ws, row, cell.value, _SUMMARY_WIDTH)
        row += 1
        wrote = True
    if not wrote:
        ws.cell(row=row, column=1, value=text(empty)).font = NOTE_FONT
        row += 1
    return row + 1


def _write_summary(ws: Worksheet, res: Results, contents: list[tuple[str, str]],
                   extra_text: Mapping[str, object] | None,
                   book: excel_rules.CutBook) -> None:
    """The Summary sheet; ``contents`` lists (title, sheet name) of the other sheets."""
    meta = res.meta
    ws.cell(row=1, column=1, value="cxsurvey report").font = TITLE_FONT
    file_line = f"{meta.get('file', '')}"
    if meta.get("n_rows") is not None:
        file_line += (f": {meta.get('n_used')} of {meta.get('n_rows')} respondents "
                      "used in the analyses")
    ws.cell(row=2, column=1, value=text(file_line))
    row = _heading(ws, 4, "Summary")
    row = _lines(ws, row, res.summary, "No summary.")
    row = _heading(ws, row, "Warnings")
    row = _lines(ws, row, res.warnings, "None.")
    for title, body in (extra_text or {}).items():
        row = _heading(ws, row, str(title))
        body_lines = [body] if isinstance(body, str) or not isinstance(
            body, Iterable) else list(body)
        row = _lines(ws, row, body_lines, "")
    row = _heading(ws, row, "Contents")
    for title, name in contents:
        cell = ws.cell(row=row, column=1, value=text(title))
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{name}'!A1")
        cell.font = LINK_FONT
        row += 1
    ws.column_dimensions["A"].width = _SUMMARY_WIDTH
    book.write_block(ws, row + 1)
    layout.print_setup(ws)


def _write_about(ws: Worksheet, res: Results) -> None:
    ws.cell(row=1, column=1, value="About this report").font = TITLE_FONT
    for j, label in enumerate(("Field", "Value"), start=1):
        cell = ws.cell(row=2, column=j, value=label)
        cell.font = BOLD
        cell.fill = HEADER_FILL
    widths = {1: 5, 2: 5}
    for i, (label, value) in enumerate(about_rows(res), start=3):
        shown = _plain(value)
        ws.cell(row=i, column=1, value=text(label))
        cell = ws.cell(row=i, column=2, value=shown)
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        layout.fit_height(ws, i, shown if shown is not None else "", 90)
        widths[1] = max(widths[1], len(label))
        widths[2] = max(widths[2], len(str(shown)) if shown is not None else 0)
    ws.freeze_panes = "A3"
    widths[2] = min(widths[2], 90)
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width + 2
    layout.print_setup(ws, "1:2")


def build_workbook(results: Results, extra_text: Mapping[str, Any] | None = None) -> Workbook:
    """The report as an in-memory :class:`openpyxl.Workbook` (not yet saved)."""
    tables = build_tables(results)
    book = excel_rules.CutBook.of(results)
    paper = excel_paper.paper_sheets(results, tables)
    charts = excel_chart.has_distributions(results)
    group_means = excel_group_chart.has_group_means(results)
    ipma = excel_ipma_chart.has_ipma(results)
    slopes = excel_slope_chart.has_slopes(results)
    reserved = [p.name for p in paper] + ([excel_chart.SHEET] if charts else []) + (
        [excel_group_chart.SHEET] if group_means else []) + (
        [excel_ipma_chart.SHEET] if ipma else []) + (
        [excel_slope_chart.SHEET] if slopes else [])
    names = sheet_names(tables, reserved)
    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    contents: list[tuple[str, str]] = []
    for sheet in paper:
        sheet.write(ws := wb.create_sheet(sheet.name), book)
        layout.print_setup(ws)
        contents.append((sheet.title, sheet.name))
    if charts:
        excel_chart.write_distributions(ws := wb.create_sheet(excel_chart.SHEET), results)
        layout.print_setup(ws)
        contents.append(("Answer distributions (chart)", excel_chart.SHEET))
    if group_means:
        excel_group_chart.write_group_means(ws := wb.create_sheet(excel_group_chart.SHEET),
                                            results)
        layout.print_setup(ws)
        contents.append(("Construct scores by group (chart)", excel_group_chart.SHEET))
    if ipma:
        excel_ipma_chart.write_ipma(ws := wb.create_sheet(excel_ipma_chart.SHEET), results)
        layout.print_setup(ws)
        contents.append(("Importance-performance map (chart)", excel_ipma_chart.SHEET))
    if slopes:
        excel_slope_chart.write_slopes(ws := wb.create_sheet(excel_slope_chart.SHEET), results)
        layout.print_setup(ws)
        contents.append(("Simple slopes (chart)", excel_slope_chart.SHEET))
    for table, name in zip(tables, names, strict=True):
        _write_table(wb.create_sheet(name), table, book)
        contents.append((table.title, name))
    _write_about(wb.create_sheet("About"), results)
    _write_summary(summary, results, contents, extra_text, book)
    wb.properties.creator = "cxsurvey"
    return wb


def write_excel(results: Results, path: str | Path,
                extra_text: Mapping[str, Any] | None = None) -> Path:
    """Write the Excel report of a run to ``path`` (an ``.xlsx`` file), atomically.

    Parameters
    ----------
    results : Results
        The run to report.
    path : str or Path
        Output workbook; its folder must exist. Replaced only once the new workbook is
        complete; never one of the run's input files.
    extra_text : mapping, optional
        Extra sections for the Summary sheet: heading -> text (a string or a list of
        lines), e.g. ``{"Command": "cxsurvey analyze survey.xlsx"}``. Neutralised like
        every other text.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    InputError
        The name does not end in ``.xlsx``, the folder does not exist, or the path is
        the survey or model file.
    """
    target = files.check_output(path, (results.meta.get("file"), results.meta.get("model")),
                                suffixes=(".xlsx",), what="an Excel report")
    wb = build_workbook(results, extra_text)
    return files.atomic_write_workbook(target, wb)
