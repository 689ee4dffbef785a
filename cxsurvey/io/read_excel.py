"""Read Excel workbooks (.xlsx/.xlsm) into a raw table.

Before a sheet is parsed, :func:`cxsurvey.io.workbook_limits.check_sheet` bounds it (size
of its XML, declared and counted rows and cells), so a decompression bomb is refused in
seconds. The sheet is then read by python-calamine (Rust, streaming), its values made
the Python types openpyxl gives (integral numbers as ``int``, empty cells as ``None``,
dates as ``datetime``); a workbook calamine cannot read, or one with error cells
(``#N/A``, ``#DIV/0!``, which calamine reads as empty), is read by openpyxl in read-only
(streaming) mode, which uses defusedxml for its XML. Both are imported when a workbook
is read, not with the package.
"""

from __future__ import annotations

import datetime as _dt
import warnings
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from cxsurvey.errors import InputError, Location
from cxsurvey.io.layout import (
    column_names,
    description_rows,
    find_header,
    is_blank,
    notes_below,
    question_texts,
    repeated_names,
    two_row_header,
    two_row_names,
)
from cxsurvey.io.raw_table import RawTable
from cxsurvey.io.workbook_limits import check_sheet, ole2_kind, sheet_parts
from cxsurvey.model.spec import DataSpec
from cxsurvey.options import ReadLimits

__all__ = ["read_excel"]

_SCAN_ROWS = 20
_RESAVE = "Open and re-save it in Excel, or export the survey again."
_EXACT_INT = 2.0 ** 53


def read_excel(p: Path, shown: str, spec: DataSpec, limits: ReadLimits | None = None,
               ) -> RawTable:
    """Read the chosen sheet of a workbook: header, title and description rows found as
    for text files, notes below the data left out.

    Parameters
    ----------
    p : Path
        The workbook.
    shown : str
        The file name as the user gave it (for messages).
    spec : DataSpec
        Sheet and header row, when the user fixed them.
    limits : ReadLimits, optional
        Bounds checked before the sheet is parsed (default: :class:`ReadLimits`).

    Raises
    ------
    InputError
        Encrypted, old-format (.xls) or corrupt workbook; unknown sheet; a chart sheet;
        a sheet over Excel's bounds or ``limits``; an empty sheet.
    """
    limits = limits or ReadLimits()
    sheet_name, exact = _checked_sheet(p, shown, spec, limits)
    where = Location(file=shown, sheet=sheet_name)
    rows = None if exact else _calamine_rows(p, sheet_name)
    # calamine's rows: every one the sheet's full width, empty cells as "", typed as
    # openpyxl types them only where they are read (the header rows; the body by column)
    rectangular = rows is not None and len({len(r) for r in rows}) <= 1
    if rows is not None and not rectangular:
        rows = [_openpyxl_row(r) for r in rows]
    if rows is None:
        rows = _openpyxl_rows(p, sheet_name, where)
    while rows and all(is_blank(v) for v in rows[-1]):
        rows.pop()
    if not rows:
        raise InputError("the sheet is empty", where,
                         "Name the sheet with the answers in [data] sheet.")
    if spec.header_row is not None:
        h = spec.header_row - 1
        if h >= len(rows):
            raise InputError(f"header_row {spec.header_row} is past the last row "
                             f"({len(rows)})", where)
        if all(is_blank(v) for v in rows[h]):
            raise InputError(f"header_row {spec.header_row} is blank", where,
                             "Set [data] header_row to the row with the column names.")
    else:
        h = find_header(rows[:_SCAN_ROWS])
    # answers right of the last header cell get "Unnamed: j" columns rather than vanish
    width = _used_width(rows[h:]) if rectangular else max(len(r) for r in rows[h:])
    # the header and the rows under it as openpyxl types them (calamine's as read)
    head = [_openpyxl_row(r) for r in rows[h:h + 3]] if rectangular else rows[h:h + 3]
    header = head[0][:width] + [None] * (width - len(head[0]))
    two_rows = two_row_header(head, 0)  # SurveyMonkey: the row labels are part of the names
    header = two_row_names(header, head[1]) if two_rows else header
    names, skip = column_names(header), 1 if two_rows else description_rows(head[1:3])
    data = rows[h + 1 + skip:]
    notes = notes_below(data, len(names))
    if rectangular and data[:len(data) - notes]:
        frame = _columns_frame(data[:len(data) - notes], names)
    else:
        body = [r[:width] + [None] * (width - len(r)) for r in data[:len(data) - notes]]
        frame = pd.DataFrame(body, columns=names, dtype=object) if body else pd.DataFrame(
            columns=names)
        frame = frame.loc[:, [not n.startswith("Unnamed: ") or bool(frame[n].notna().any())
                              for n in names]]
        frame = frame.map(lambda v: None if is_blank(v) else v).infer_objects()
    return RawTable(frame=frame, path=shown, kind="excel", sheet=sheet_name,
                    first_data_row=h + 2 + skip, duplicates=repeated_names(header),
                    descriptions=question_texts(names, head[1:3], skip),
                    details={"header_row": h + 1, "sheet": sheet_name,
                             "description_rows_skipped": skip,
                             **({"notes_below_data": notes} if notes else {})})


def _choose_sheet(names: list[str], wanted: str | int | None, where: Location) -> str:
    if not names:
        raise InputError("the workbook has no sheets", where, "Export the survey again.")
    if wanted is None:
        return names[0]
    if isinstance(wanted, int):
        if not 0 <= wanted < len(names):
            raise InputError(
                f"there is no sheet number {wanted} (0-based; the workbook has {len(names)})",
                where, f"Sheets: {', '.join(repr(n) for n in names)}.")
        return names[wanted]
    if wanted in names:
        return wanted
    folded = [n for n in names if n.strip().casefold() == wanted.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    raise InputError(f"there is no sheet '{wanted}'", where,
                     f"The workbook has: {', '.join(repr(n) for n in names)}; "
                     "set [data] sheet to one of them.")


def _unreadable(exc: BaseException, where: Location) -> InputError:
    return InputError(
        f"not a readable Excel workbook (corrupt or truncated: {type(exc).__name__})",
        where, "Open and re-save it in Excel, or export the survey again.")


def _checked_sheet(p: Path, shown: str, spec: DataSpec, limits: ReadLimits,
                   ) -> tuple[str, bool]:
    """The chosen sheet's name, checked against ``limits``; and whether it must be read
    by openpyxl (it has error cells, which calamine reads as empty)."""
    where = Location(file=shown)
    kind = ole2_kind(p)
    if kind == "encrypted":
        raise InputError(
            "the workbook is password-protected (encrypted), so it cannot be read", where,
            "Save an unprotected copy: in Excel, File > Info > Protect Workbook > Encrypt "
            "with Password, clear the password, and save.")
    if kind == "xls":
        raise InputError("this is an old Excel 97-2003 (.xls) workbook, not an .xlsx file",
                         where, "Open it in Excel and save it as .xlsx.")
    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _unreadable(exc, where) from None
    with zf:
        try:
            found, shared = sheet_parts(zf)
        except Exception as exc:  # a missing part, or XML errors from defusedxml
            raise _unreadable(exc, where) from None
        # as openpyxl: a sheet whose part is missing is no sheet
        sheets = {s.name: s for s in found if s.part in zf.NameToInfo}
        name = _choose_sheet(list(sheets), spec.sheet, where)
        sheet = sheets[name]
        where = Location(file=shown, sheet=name)
        if sheet.kind == "chartsheet":
            raise InputError("this sheet is a chart, not a table of answers", where,
                             "Name the sheet with the answers in [data] sheet.")
        try:
            scan = check_sheet(zf, sheet, shared, limits, where)
        except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error) as exc:
            raise InputError(f"the sheet cannot be read (corrupt: {exc})", where,
                             _RESAVE) from None
    return name, scan.error_cells


def _calamine_rows(p: Path, sheet_name: str) -> list[list[object]] | None:
    """The sheet's rows as python-calamine reads them (empty cells ``""``, numbers
    ``float``); ``None`` when calamine cannot read the workbook."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - a dependency; openpyxl reads it then
        return None
    try:
        wb = CalamineWorkbook.from_path(str(p))
        try:
            values = wb.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        finally:
            wb.close()
    except Exception:  # CalamineError, XmlError, ZipError, ...: openpyxl may read it
        return None
    return cast("list[list[object]]", values) if isinstance(values, list) else [
        list(r) for r in values]


def _used_width(rows: list[list[object]]) -> int:
    """One past the last column with a filled cell in any of ``rows`` (calamine's rows
    all have the sheet's width, empty cells as ``""``)."""
    for j in range(max((len(r) for r in rows), default=0) - 1, -1, -1):
        if not all(is_blank(r[j]) for r in rows):
            return j + 1
    return 0


def _columns_frame(body: list[list[object]], names: list[str]) -> pd.DataFrame:
    """The body rows read by calamine as a frame, typed column by column as the cell by
    cell path types them (:func:`_openpyxl_row`, blanks to ``None``, then
    ``infer_objects``): a column of numbers and blanks is converted at once."""
    cells = np.array(body, dtype=object)
    columns: dict[str, pd.Series] = {}
    for j, name in enumerate(names):
        col = cells[:, j] if j < cells.shape[1] else np.full(len(body), "", dtype=object)
        if name.startswith("Unnamed: ") and all(v == "" or v is None for v in col):
            continue  # no header and no answer: no column
        columns[name] = _typed_column(col)
    return pd.DataFrame(columns, columns=list(columns))


def _typed_column(col: np.ndarray) -> pd.Series:
    # the common column, every cell a number, typed at once (no text, no booleans)
    if col.size and pd.api.types.infer_dtype(col, skipna=False) in (
            "floating", "integer", "mixed-integer-float"):
        values = col.astype(float)
        if bool(np.all(np.abs(values) < _EXACT_INT)):  # else integers beyond a float's
            whole = bool(np.all(values == np.round(values)))
            return pd.Series(values.astype(np.int64) if whole else values)
    kinds = set(map(type, col))  # bool is a kind of its own: booleans stay booleans
    if kinds <= {int, float, str}:
        text = (np.fromiter((type(v) is str for v in col), dtype=bool, count=col.size)
                if str in kinds else np.zeros(col.size, dtype=bool))
        if not text.all() and all(not v.strip() for v in col[text]):
            if int in kinds and any(type(v) is int and abs(v) >= _EXACT_INT for v in col):
                return _cell_column(col)  # integers a float cannot hold
            values = np.where(text, np.nan, col).astype(float)
            whole = (not text.any() and bool(np.all(values == np.round(values)))
                     and bool(np.all(np.abs(values) < _EXACT_INT)))
            return pd.Series(values.astype(np.int64) if whole else values)
    return _cell_column(col)


def _cell_column(col: np.ndarray) -> pd.Series:
    """A column typed cell by cell, as :func:`_openpyxl_row` and ``infer_objects``."""
    cells = _openpyxl_row(list(col)) if col.size else []
    cells += [None] * (col.size - len(cells))
    return pd.Series([None if is_blank(v) else v for v in cells],
                     dtype=object).infer_objects()


def _openpyxl_row(values: Sequence[object]) -> list[object]:
    """A calamine row as openpyxl's read-only ``iter_rows`` gives it: integral numbers as
    ``int`` (openpyxl parses ``<v>3</v>`` as 3), empty cells as ``None``, date cells as
    ``datetime``, the row ending at its last non-empty cell."""
    row: list[object] = []
    for v in values:
        if isinstance(v, float):
            row.append(int(v) if v.is_integer() and -_EXACT_INT < v < _EXACT_INT else v)
        elif isinstance(v, str):
            row.append(v or None)
        elif isinstance(v, _dt.date) and not isinstance(v, _dt.datetime):
            row.append(_dt.datetime(v.year, v.month, v.day))
        else:
            row.append(v)
    while row and row[-1] is None:
        row.pop()
    return row


def _openpyxl_rows(p: Path, sheet_name: str, where: Location) -> list[list[object]]:
    """The sheet's rows read by openpyxl in read-only mode (bounded by the checks made
    before)."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    with warnings.catch_warnings():
        # openpyxl warns about unsupported extensions, styles, data validation: not the
        # user's concern, and a warning would break the one-line error contract
        warnings.simplefilter("ignore")
        try:
            wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, EOFError,
                ValueError, TypeError) as exc:
            raise _unreadable(exc, Location(file=where.file)) from None
        except Exception as exc:  # lxml/defusedxml errors from a damaged part
            raise InputError(
                f"not a readable Excel workbook ({type(exc).__name__}: {exc})",
                Location(file=where.file), _RESAVE) from None
        try:
            if sheet_name not in wb.sheetnames:
                raise InputError("the sheet cannot be read by openpyxl", where, _RESAVE)
            ws = wb[sheet_name]
            if not hasattr(ws, "iter_rows"):
                raise InputError("this sheet is a chart, not a table of answers", where,
                                 "Name the sheet with the answers in [data] sheet.")
            if hasattr(ws, "reset_dimensions"):
                # some exporters store a wrong used range; read every row there is
                ws.reset_dimensions()
            try:
                return [list(r) for r in ws.iter_rows(values_only=True)]
            except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError) as exc:
                raise InputError(f"the sheet cannot be read (corrupt: {exc})",
                                 where, _RESAVE) from None
            except Exception as exc:
                raise InputError(f"the sheet cannot be read ({type(exc).__name__})",
                                 where, _RESAVE) from None
        finally:
            wb.close()
