"""The Excel report: a Summary sheet, one sheet per table, an About sheet.

The workbook shows the same tables as the console (:func:`tables.build_tables`), with
numbers kept as numbers: number formats do the rounding, so ``0.0004`` stays a number
that displays as ``< .001`` and can still be used in formulas. Cells that breach a
threshold are shaded light red and the table's notes say which threshold applies.

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
    passed by the caller and a list of the table sheets (with links).
one sheet per table
    Title row, bold header row with fill, frozen panes below the header (and right of
    the leading text columns), notes below the table.
``About``
    Provenance: input file and its SHA-256, sheet read, date, rows read and used,
    missing-value policy, scale, options, seed, model file, cxsurvey and dependency
    versions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from cxsurvey.analysis.results import Results
from cxsurvey.errors import InputError, Location
from cxsurvey.report import files
from cxsurvey.report.formatting import format_value
from cxsurvey.report.tables import Column, Table, build_tables

__all__ = ["excel_number_format", "sheet_names", "write_excel"]

P_FORMAT = '[<0.001]"< .001";0.000'
"""p-values: a number below .001 displays as ``< .001``, others with three decimals."""

_TITLE_FONT = Font(bold=True, size=13)
_BOLD = Font(bold=True)
_NOTE_FONT = Font(italic=True, color="595959")
_HEADER_FILL = PatternFill("solid", start_color="D9E1F2", end_color="D9E1F2")
FLAG_FILL = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
"""Light red, Excel's own "Bad" cell style."""
_FLAG_FONT = Font(color="9C0006")

_MIN_WIDTH, _MAX_WIDTH = 6, 50
_MAX_CELL_TEXT = 32_767  # Excel's limit on the characters in one cell
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_RESERVED = ("Summary", "About")


def excel_number_format(kind: str, decimals: int = 3) -> str:
    """The Excel number format for a column kind (``text|int|num|p|pct``).

    >>> excel_number_format("num", 2)
    '0.00'
    >>> excel_number_format("p", 3)
    '[<0.001]"< .001";0.000'
    """
    if kind == "int":
        return "0"
    if kind == "pct":
        return "0.0"
    if kind == "p":
        return P_FORMAT
    if kind == "num":
        return "0." + "0" * decimals if decimals > 0 else "0"
    if kind == "text":
        return "General"
    raise ValueError(f"unknown column kind {kind!r}; choose from text, int, num, p, pct")


def _text(value: object) -> str:
    """Text made safe for a cell: no control characters, no formula, Excel's length cap."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:_MAX_CELL_TEXT]
    return str(files.neutralise(text))


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return not math.isfinite(value)
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _cell_value(value: object, kind: str) -> object:
    """A raw table value as written to a cell: number, safe text, or None (empty)."""
    if _missing(value):
        return None
    if kind == "text":
        return _text(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return _text(value)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return _text(value)
    if not math.isfinite(number):
        return None
    if kind == "int" and number.is_integer():
        return int(number)
    return number


def _plain(value: object) -> object:
    """An About/metadata value as a cell: numbers stay numbers, the rest is safe text."""
    if _missing(value):
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, Mapping):
        return _text(", ".join(f"{k}: {_join(v)}" for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return _text(_join(value))
    return _text(value)


def _join(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _sheet_title(text: str) -> str:
    text = _SHEET_FORBIDDEN.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip().strip("'")
    return text


def sheet_names(tables: Iterable[Table]) -> list[str]:
    """Excel sheet names for ``tables``: the title when it fits in 31 characters, else
    the key in words (``normality_constructs`` -> ``Normality constructs``); unique
    (case-insensitively, as Excel requires) and never ``Summary`` or ``About``."""
    taken = {r.lower() for r in _RESERVED}
    out: list[str] = []
    for t in tables:
        name = _sheet_title(t.title)
        if not name or len(name) > 31:
            name = _sheet_title(t.key.replace("_", " ").capitalize())
        name = (name or "Table")[:31].strip()
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


def _write_table(ws: Worksheet, table: Table) -> None:
    cols = list(table.file_columns)
    ws.cell(row=1, column=1, value=_text(table.title)).font = _TITLE_FONT
    header_row, first = 2, 3
    widths: dict[int, int] = {}
    for j, col in enumerate(cols, start=1):
        cell = ws.cell(row=header_row, column=j, value=_text(col.label))
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="left" if col.kind == "text" else "right",
                                   vertical="bottom", wrap_text=False)
        widths[j] = len(col.label)

    frame = table.frame.reset_index(drop=True)
    formats = {c.key: excel_number_format(c.kind, c.decimals) for c in cols}
    for j, col in enumerate(cols, start=1):
        for i, raw in enumerate(frame[col.key].tolist()):
            value = _cell_value(raw, col.kind)
            cell = ws.cell(row=first + i, column=j, value=value)
            if value is not None and not isinstance(value, str):
                cell.number_format = formats[col.key]
            if (i, col.key) in table.flags:
                cell.fill = FLAG_FILL
                cell.font = _FLAG_FONT
            widths[j] = max(widths[j], _display_width(value, col))

    # Freeze the title and header rows, and the leading text columns (construct, item).
    lead = 0
    for col in cols:
        if col.kind != "text":
            break
        lead += 1
    ws.freeze_panes = ws.cell(row=first, column=lead + 1 if lead < len(cols) else 1)

    notes = list(table.notes)
    if table.flags:
        notes.insert(0, "Shaded red: value outside the threshold named in these notes.")
    row = first + len(frame) + 1
    for note in notes:
        ws.cell(row=row, column=1, value=_text(note)).font = _NOTE_FONT
        row += 1
    if cols:
        ws.auto_filter.ref = (f"A{header_row}:{get_column_letter(len(cols))}"
                              f"{max(header_row, first + len(frame) - 1)}")
    _fit_widths(ws, widths)


def _heading(ws: Worksheet, row: int, text: str) -> int:
    ws.cell(row=row, column=1, value=_text(text)).font = _BOLD
    return row + 1


def _lines(ws: Worksheet, row: int, lines: Iterable[object], empty: str) -> int:
    wrote = False
    for line in lines:
        cell = ws.cell(row=row, column=1, value=_text(line))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
        wrote = True
    if not wrote:
        ws.cell(row=row, column=1, value=_text(empty)).font = _NOTE_FONT
        row += 1
    return row + 1


def _write_summary(ws: Worksheet, res: Results, tables: list[Table], names: list[str],
                   extra_text: Mapping[str, object] | None) -> None:
    meta = res.meta
    ws.cell(row=1, column=1, value="cxsurvey report").font = _TITLE_FONT
    file_line = f"{meta.get('file', '')}"
    if meta.get("n_rows") is not None:
        file_line += (f": {meta.get('n_used')} of {meta.get('n_rows')} respondents "
                      "used in the analyses")
    ws.cell(row=2, column=1, value=_text(file_line))
    row = _heading(ws, 4, "Summary")
    row = _lines(ws, row, res.summary, "No summary.")
    row = _heading(ws, row, "Warnings")
    row = _lines(ws, row, res.warnings, "None.")
    for title, body in (extra_text or {}).items():
        row = _heading(ws, row, str(title))
        body_lines = [body] if isinstance(body, str) or not isinstance(
            body, Iterable) else list(body)
        row = _lines(ws, row, body_lines, "")
    row = _heading(ws, row, "Tables")
    for table, name in zip(tables, names, strict=True):
        cell = ws.cell(row=row, column=1, value=_text(table.title))
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{name}'!A1")
        cell.font = Font(color="0563C1", underline="single")
        row += 1
    ws.column_dimensions["A"].width = 120


def _no_sheet(file: object) -> str:
    suffix = Path(str(file)).suffix.lower() if file else ""
    return "(first sheet)" if suffix.startswith(".xl") else "(not a workbook)"


def _about_rows(res: Results) -> list[tuple[str, object]]:
    m = res.meta
    model = m.get("model")
    if not model:
        model = ("none: constructs inferred from the column names"
                 if m.get("model_inferred", True) else "")
    scale = m.get("scale")
    scale_text = (f"{scale[0]}-{scale[1]}" if isinstance(scale, (list, tuple))
                  and len(scale) == 2 else _join(scale))
    if m.get("scale_source"):
        scale_text += f" ({m['scale_source']})"
    rows: list[tuple[str, object]] = [
        ("Input file", m.get("file")),
        ("SHA-256 of the input file", m.get("sha256")),
        ("Sheet read", m.get("sheet") or _no_sheet(m.get("file"))),
        ("Created (UTC)", m.get("created")),
        ("Rows read", m.get("n_rows")),
        ("Rows complete on every item", m.get("n_used")),
        ("Missing values", m.get("missing_policy")),
        ("Scale", scale_text),
    ]
    for key, value in (m.get("options") or {}).items():
        rows.append((f"Option: {key}", "none" if value is None else value))
    rows += [
        ("Seed", "none" if m.get("seed") is None else m.get("seed")),
        ("Model file", model),
    ]
    for construct, items in (m.get("constructs") or {}).items():
        rows.append((f"Construct {construct}", items))
    for key, value in (m.get("recoded") or {}).items():
        rows.append((f"Recoded: {key.replace('_', ' ')}",
                     "none" if isinstance(value, (list, tuple)) and not value else value))
    for key, value in (m.get("read") or {}).items():
        rows.append((f"Read: {key.replace('_', ' ')}", value))
    rows.append(("cxsurvey version", m.get("version")))
    for name, version in (m.get("dependencies") or {}).items():
        rows.append((f"{name} version", version))
    return rows


def _write_about(ws: Worksheet, res: Results) -> None:
    ws.cell(row=1, column=1, value="About this report").font = _TITLE_FONT
    for j, label in enumerate(("Field", "Value"), start=1):
        cell = ws.cell(row=2, column=j, value=label)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
    widths = {1: 5, 2: 5}
    for i, (label, value) in enumerate(_about_rows(res), start=3):
        shown = _plain(value)
        ws.cell(row=i, column=1, value=_text(label))
        cell = ws.cell(row=i, column=2, value=shown)
        cell.alignment = Alignment(horizontal="left")
        widths[1] = max(widths[1], len(label))
        widths[2] = max(widths[2], len(str(shown)) if shown is not None else 0)
    ws.freeze_panes = "A3"
    widths[2] = min(widths[2], 90)
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width + 2


def build_workbook(results: Results, extra_text: Mapping[str, Any] | None = None) -> Workbook:
    """The report as an in-memory :class:`openpyxl.Workbook` (not yet saved)."""
    tables = build_tables(results)
    names = sheet_names(tables)
    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    _write_summary(summary, results, tables, names, extra_text)
    for table, name in zip(tables, names, strict=True):
        _write_table(wb.create_sheet(name), table)
    _write_about(wb.create_sheet("About"), results)
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
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise InputError("an Excel report must be an .xlsx file", Location(file=str(path)),
                         "Give the output a name ending in .xlsx.")
    files.ensure_not_input(target, [p for p in (results.meta.get("file"),
                                                results.meta.get("model")) if p])
    wb = build_workbook(results, extra_text)
    return files.atomic_write(target, wb.save)
