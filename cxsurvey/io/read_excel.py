"""Read Excel workbooks (.xlsx/.xlsm) into a raw table.

Workbooks are read by openpyxl in read-only (streaming) mode; openpyxl uses defusedxml for
its XML when that package is installed (it is a dependency of cxsurvey).
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

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
from cxsurvey.model.spec import DataSpec

__all__ = ["read_excel"]

_SCAN_ROWS = 20


def read_excel(p: Path, shown: str, spec: DataSpec) -> RawTable:
    """Read the chosen sheet of a workbook: header, title and description rows found as
    for text files, notes below the data left out."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    where = Location(file=shown)
    with warnings.catch_warnings():
        # openpyxl warns about unsupported extensions, styles, data validation: not the
        # user's concern, and a warning would break the one-line error contract
        warnings.simplefilter("ignore")
        try:
            wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, EOFError,
                ValueError, TypeError) as exc:
            raise InputError(
                f"not a readable Excel workbook (corrupt or truncated: {type(exc).__name__})",
                where, "Open and re-save it in Excel, or export the survey again.",
            ) from None
        except Exception as exc:  # lxml/defusedxml errors from a damaged part
            raise InputError(
                f"not a readable Excel workbook ({type(exc).__name__}: {exc})",
                where, "Open and re-save it in Excel, or export the survey again.",
            ) from None
        try:
            sheet_name = _choose_sheet(wb.sheetnames, spec.sheet, where)
            where = Location(file=shown, sheet=sheet_name)
            ws = wb[sheet_name]
            if not hasattr(ws, "iter_rows"):
                raise InputError("this sheet is a chart, not a table of answers", where,
                                 "Name the sheet with the answers in [data] sheet.")
            if hasattr(ws, "reset_dimensions"):
                # some exporters store a wrong used range; read every row there is
                ws.reset_dimensions()
            try:
                rows = [list(r) for r in ws.iter_rows(values_only=True)]
            except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError) as exc:
                raise InputError(f"the sheet cannot be read (corrupt: {exc})",
                                 where, "Open and re-save it in Excel, or export it again.",
                                 ) from None
            except Exception as exc:
                raise InputError(f"the sheet cannot be read ({type(exc).__name__})",
                                 where, "Open and re-save it in Excel, or export it again.",
                                 ) from None
        finally:
            wb.close()
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
    width = max(len(r) for r in rows[h:])
    header = rows[h] + [None] * (width - len(rows[h]))
    two_rows = two_row_header(rows, h)  # SurveyMonkey: the row labels are part of the names
    header = two_row_names(header, rows[h + 1]) if two_rows else header
    names, skip = column_names(header), 1 if two_rows else description_rows(rows[h + 1:h + 3])
    data = rows[h + 1 + skip:]
    notes = notes_below(data, len(names))
    body = [r[:width] + [None] * (width - len(r)) for r in data[:len(data) - notes]]
    frame = pd.DataFrame(body, columns=names, dtype=object) if body else pd.DataFrame(
        columns=names)
    frame = frame.loc[:, [not n.startswith("Unnamed: ") or bool(frame[n].notna().any())
                          for n in names]]
    frame = frame.map(lambda v: None if is_blank(v) else v).infer_objects()
    return RawTable(frame=frame, path=shown, kind="excel", sheet=sheet_name,
                    first_data_row=h + 2 + skip, duplicates=repeated_names(header),
                    descriptions=question_texts(names, rows[h + 1:h + 3], skip),
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
