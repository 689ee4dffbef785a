"""Read survey exports (.xlsx/.xlsm, .csv/.tsv/.txt, SPSS .sav) into a raw table.

Readers do no statistics and no recoding: they return every column as read, plus what
is needed to point the user at a cell (sheet, file row of the first data row) and, for
SPSS files, the value labels. Workbooks are read by openpyxl, which uses defusedxml for
its XML when that package is installed (it is a dependency of cxsurvey).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    typed_cell,
)
from cxsurvey.model.spec import DataSpec

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
SPSS_SUFFIXES = {".sav", ".zsav"}
SUPPORTED = EXCEL_SUFFIXES | TEXT_SUFFIXES | SPSS_SUFFIXES
_DELIMITERS = [",", ";", "\t", "|"]
_SCAN_ROWS = 20
#: The csv module's field size limit is a C long; Windows' is 32 bits.
_MAX_FIELD = 2**31 - 1
# A quoted field (quotes inside doubled), and the unquoted rest of a field up to its end
_QUOTED = re.compile(r'"[^"]*(?:""[^"]*)*"')
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class RawTable:
    """A survey export as read, before any recoding.

    Attributes
    ----------
    frame : DataFrame
        One column per file column, named by the header; one row per respondent.
    path : str
        The file as the user named it.
    kind : str
        ``"excel"``, ``"text"`` or ``"spss"``.
    sheet : str, optional
        The worksheet read (Excel only).
    first_data_row : int
        File row (1-based, as a spreadsheet or editor shows it) of ``frame``'s first row.
    row_numbers : tuple of int, optional
        File row of every row of ``frame`` when they are not consecutive (a text file
        with blank lines or answers that span lines); None means
        ``first_data_row + position``.
    value_labels : dict
        SPSS value labels per column (code -> label), empty for other files.
    details : dict
        How the file was read (delimiter, encoding, header row), for the report.
    descriptions : dict
        Column -> its question text: the row Qualtrics writes under the header and,
        for a column renamed by ``[data.items]``, its original header.
    duplicates : dict
        Column name -> 1-based file positions of every column of that name, for the
        names the header repeats; the repeats are read as ``name.1``, ``name.2``.
    """

    frame: pd.DataFrame
    path: str
    kind: str
    sheet: str | None = None
    first_data_row: int = 2
    value_labels: dict[str, dict[float, str]] = field(default_factory=dict)
    details: dict[str, object] = field(default_factory=dict)
    row_numbers: tuple[int, ...] | None = None
    descriptions: dict[str, str] = field(default_factory=dict)
    duplicates: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def row_number(self, position: int) -> int:
        """File row number of the respondent at 0-based ``position``."""
        if self.row_numbers is not None:
            return self.row_numbers[int(position)]
        return self.first_data_row + int(position)

    def file_rows(self) -> list[int]:
        """File row number of every row of ``frame``, in order."""
        return [self.row_number(i) for i in range(self.frame.shape[0])]

    def location(self, position: int | None = None, column: str | None = None) -> Location:
        """Where the cell at 0-based ``position`` and ``column`` sits in the file."""
        row = None if position is None else self.row_number(position)
        return Location(file=self.path, sheet=self.sheet, row=row, column=column)


def read_table(path: str | Path, spec: DataSpec | None = None) -> RawTable:
    """Read a survey export.

    Parameters
    ----------
    path : str or Path
        The file; its suffix chooses the reader.
    spec : DataSpec, optional
        Sheet, header row, delimiter and encoding when the user fixed them.

    Raises
    ------
    InputError
        Missing, empty, unreadable or corrupt file; unknown sheet; inconsistent
        delimiters. The message names the file (and sheet and row where known).
    """
    spec = spec or DataSpec()
    p = Path(path)
    where = Location(file=str(path))
    if not p.exists():
        raise InputError("file not found", where, "Check the path and the file name.")
    if p.is_dir():
        raise InputError("is a folder, not a survey file", where)
    try:
        size = p.stat().st_size
        with open(p, "rb"):
            pass
    except OSError as exc:
        raise InputError(f"cannot open the file ({exc.strerror or exc})", where,
                         "Check its permissions, or close it in the program that locks it.",
                         ) from None
    suffix = p.suffix.lower()
    if suffix not in SUPPORTED:
        hint = " Save it as .xlsx from Excel." if suffix in {".xls", ".ods"} else ""
        raise InputError(
            f"unsupported file type '{suffix or '(none)'}'", where,
            f"cxsurvey reads {', '.join(sorted(SUPPORTED))}.{hint}",
        )
    if size == 0:
        raise InputError("the file is empty (0 bytes)", where, "Export the survey again.")
    if suffix in EXCEL_SUFFIXES:
        table = _read_excel(p, str(path), spec)
    elif suffix in SPSS_SUFFIXES:
        table = _read_spss(p, str(path))
    else:
        table = _read_text(p, str(path), spec, suffix)
    if table.frame.shape[0] == 0:
        raise InputError("the file has a header but no data rows",
                         Location(file=str(path), sheet=table.sheet),
                         "Check that this is the export with the answers"
                         + (" and the right sheet ([data] sheet)." if table.sheet else "."))
    return table


# ----------------------------------------------------------------------------- excel
def _read_excel(p: Path, shown: str, spec: DataSpec) -> RawTable:
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


# ----------------------------------------------------------------------------- text
def _decode(data: bytes, shown: str, encoding: str | None) -> tuple[str, str]:
    if encoding:
        try:
            return data.decode(encoding).lstrip("\ufeff"), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(f"cannot decode the file as {encoding} ({exc})",
                             Location(file=shown)) from None
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the sample lines into the most consistent fields."""
    best, best_score = ",", -1.0
    for d in _DELIMITERS:
        with _field_limit(max((len(ln) for ln in lines), default=0)):
            counts = [len(next(csv.reader([ln], delimiter=d))) for ln in lines if ln.strip()]
        if not counts or max(counts) < 2:
            continue
        mode = max(set(counts), key=counts.count)
        score = counts.count(mode) / len(counts) * (mode > 1) + mode * 1e-3
        if score > best_score:
            best, best_score = d, score
    return best


@contextlib.contextmanager
def _field_limit(chars: int) -> Iterator[None]:
    """Let the csv module read fields of up to ``chars`` characters, not only its default
    131,072 (a long free-text answer); the bound is the text read, so no field of it is
    refused. The previous limit is restored afterwards."""
    old = csv.field_size_limit()
    csv.field_size_limit(min(max(old, chars + 1), _MAX_FIELD))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _records(text: str, delim: str, shown: str) -> list[tuple[int, list[str]]]:
    """Every record with the file line it starts on (quoted answers may span lines).

    Raises
    ------
    InputError
        A record cannot be parsed, or the file ends inside a quoted field: a quote that
        is never closed, which the csv module would silently read, with every line after
        it, as one answer.
    """
    read = [0]  # characters of ``text`` the reader has taken so far

    def lines() -> Iterator[str]:
        for ln in io.StringIO(text, newline=""):
            read[0] += len(ln)
            yield ln

    reader = csv.reader(lines(), delimiter=delim)
    out: list[tuple[int, list[str]]] = []
    prev = start = after = 0
    try:
        with _field_limit(len(text)):
            for row in reader:
                out.append((prev + 1, row))
                prev, start, after = reader.line_num, after, read[0]
    except csv.Error as exc:
        raise InputError(f"cannot parse the file ({exc})", Location(file=shown, row=prev + 1),
                         "Export it again as CSV.") from None
    # only the last record can end inside a quote: the text from its first line on
    last = out[-1][0] if out else 1
    opened = _unclosed_quote(text[start:], delim)
    if opened is not None:
        line = last + len(_LINE_BREAK.findall(text, start, start + opened))
        raise InputError(
            f"the quote opened on row {line} is never closed: the file ends inside it, and "
            f"its {prev - line + 1} line(s) to the end would be read as one answer",
            Location(file=shown, row=line),
            "Close the quote or export the file again.")
    return out


def _unclosed_quote(record: str, delim: str) -> int | None:
    """Offset in ``record`` (a record's text, to the end of the file) of a quote that opens
    a field and is never closed, as the csv module's default dialect parses: a quote is
    special only at the start of a field, a doubled quote inside one is a quote, and
    what follows the closing quote up to the delimiter belongs to the field."""
    rest = re.compile(f"[^{re.escape(delim)}\r\n]*")
    pos, end = 0, len(record)
    while pos < end:
        if record[pos] == '"':
            m = _QUOTED.match(record, pos)
            if m is None:
                return pos
            pos = m.end()
        unquoted = rest.match(record, pos)  # always matches, perhaps nothing
        pos = unquoted.end() if unquoted else pos
        if pos < end and record[pos] == delim:
            pos += 1
        elif pos < end:  # a line break: the next record starts
            pos += 2 if record.startswith("\r\n", pos) else 1
    return None


def _text_column(values: list[str]) -> pd.Series:
    """Blank cells -> NaN; a column whose every answer is a number becomes numeric."""
    fast = _numeric_column(values)
    if fast is not None:
        return fast
    s = pd.Series([None if not v.strip() else v for v in values], dtype=object)
    present = s.dropna()
    if present.empty:
        return s.astype(float)
    nums = pd.to_numeric(present.str.strip(), errors="coerce")
    if nums.isna().any():
        return s
    out = pd.to_numeric(s.str.strip(), errors="coerce")
    if not out.isna().any() and bool((out == out.round()).all()) and out.abs().max() < 2**53:
        return out.astype("int64")
    return out.astype(float)


def _numeric_column(values: list[str]) -> pd.Series | None:
    """The common case fast: every cell blank or a plain decimal number (numpy parses).

    Returns None when any cell is something else (text, "1,5", "NaN"), which the general
    path then handles. Integral columns without blanks become int64, as pandas reads them.
    """
    if not values:
        return pd.Series(np.array([], dtype=float))
    try:
        out = np.array(values, dtype=float)  # no blank cells: one C-level parse
        blank = np.zeros(out.shape, dtype=bool)
    except ValueError:
        cells = [v if v.strip() else "nan" for v in values]
        try:
            out = np.array(cells, dtype=float)
        except ValueError:
            return None
        blank = np.array([not v.strip() for v in values], dtype=bool)
    if np.isnan(out[~blank]).any() or np.isinf(out).any():
        return None  # a literal "nan"/"inf" answer: let the general path decide
    if not blank.any() and np.all(out == np.round(out)) and np.abs(out).max() < 2**53:
        return pd.Series(out.astype("int64"))
    return pd.Series(out)


def _read_text(p: Path, shown: str, spec: DataSpec, suffix: str) -> RawTable:
    data = p.read_bytes()
    text, encoding = _decode(data, shown, spec.encoding)
    if not text.strip():
        raise InputError("the file is empty (no text)", Location(file=shown),
                         "Export the survey again.")
    head = text.splitlines()[:_SCAN_ROWS]
    delim = spec.delimiter or ("\t" if suffix == ".tsv" else _sniff_delimiter(head))
    if delim in ("\\t", "tab", "TAB"):
        delim = "\t"
    if len(delim) != 1:
        raise InputError(f"[data] delimiter must be one character, got {delim!r}",
                         Location(file=shown), 'Write delimiter = ";" or delimiter = "\\t".')
    records = _records(text, delim, shown)
    if spec.header_row is not None:
        found = [i for i, (line, _) in enumerate(records) if line == spec.header_row]
        if not found:
            raise InputError(f"header_row {spec.header_row} is past the last row or inside "
                             "a quoted answer", Location(file=shown),
                             "Set [data] header_row to the line with the column names.")
        h = found[0]
        if not any(c.strip() for c in records[h][1]):
            raise InputError(f"header_row {spec.header_row} is blank", Location(file=shown),
                             "Set [data] header_row to the line with the column names.")
    else:
        scan = [[typed_cell(c) for c in row] for _, row in records[:_SCAN_ROWS]]
        h = find_header(scan)
    header = records[h][1]
    two_rows = h + 1 < len(records) and two_row_header(
        [[typed_cell(c) for c in row] for _, row in records[h:h + 2]], 0)
    width = len(header)
    shown_delim = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(
        delim, repr(delim))
    body: list[list[str]] = []
    lines: list[int] = []
    skip = 1 if two_rows else description_rows([row for _, row in records[h + 1:h + 3]])
    rest = records[h + 1 + skip:]
    notes = notes_below([row for _, row in rest], width)
    for line, row in rest[:len(rest) - notes]:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # a blank line is no respondent
        if len(row) > width and not any(c.strip() for c in row[width:]):
            row = row[:width]  # trailing delimiters after the last answer
        elif len(row) < width and not any(c.strip() for c in header[len(row):]):
            row = row + [""] * (width - len(row))  # trailing delimiters after the header
        if len(row) != width:
            raise InputError(
                f"this row has {len(row)} field(s) but the header (row {records[h][0]}) "
                f"has {width} when split at the {shown_delim}",
                Location(file=shown, row=line),
                "The file mixes delimiters or has an unquoted delimiter inside an answer; "
                "export it again with one delimiter, or set [data] delimiter.",
            )
        body.append(row)
        lines.append(line)
    while body and not any(c.strip() for c in body[-1]):
        body.pop()
        lines.pop()
    cells: list[object] = (two_row_names(list(header), list(records[h + 1][1])) if two_rows
                           else list(header))
    names = column_names(cells)
    frame = pd.DataFrame({n: _text_column([r[j] for r in body]) for j, n in enumerate(names)},
                         columns=names)
    frame = frame.loc[:, [not n.startswith("Unnamed: ") or bool(frame[n].notna().any())
                          for n in names]]
    consecutive = all(b - a == 1 for a, b in zip(lines, lines[1:], strict=False))
    return RawTable(frame=frame, path=shown, kind="text", duplicates=repeated_names(cells),
                    first_data_row=lines[0] if lines else records[h][0] + 1,
                    row_numbers=None if consecutive else tuple(lines),
                    descriptions=question_texts(
                        names, [row for _, row in records[h + 1:h + 3]], skip),
                    details={"delimiter": delim, "encoding": encoding,
                             "header_row": records[h][0], "description_rows_skipped": skip,
                             **({"notes_below_data": notes} if notes else {})})


# ----------------------------------------------------------------------------- spss
def _read_spss(p: Path, shown: str) -> RawTable:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(p), user_missing=True)
    except Exception as exc:  # pyreadstat raises its own ReadstatError and others
        raise InputError(f"not a readable SPSS file ({type(exc).__name__}: {exc})",
                         Location(file=shown), "Save it again from SPSS.") from None
    ranges: dict[str, Any] = dict(meta.missing_ranges or {})
    user_missing = 0
    for col, spans in ranges.items():
        if col not in frame.columns:
            continue
        hit = pd.Series(False, index=frame.index)
        for span in spans:
            lo, hi = span.get("lo"), span.get("hi")
            s = frame[col]
            if isinstance(lo, (int, float)) and isinstance(hi, (int, float)):
                num = pd.to_numeric(s, errors="coerce")
                hit |= (num >= lo) & (num <= hi)
            elif isinstance(lo, str):
                hit |= s.astype(str).str.strip() == lo.strip()
        if hit.any():
            user_missing += int(hit.sum())
            frame[col] = frame[col].mask(hit)
    labels: dict[str, dict[float, str]] = {}
    for col, d in (meta.variable_value_labels or {}).items():
        spans = ranges.get(col, [])
        labels[str(col)] = {
            float(c): str(v) for c, v in d.items()
            if isinstance(c, (int, float)) and not any(
                isinstance(sp.get("lo"), (int, float)) and sp["lo"] <= c <= sp["hi"]
                for sp in spans)
        }
    return RawTable(frame=frame, path=shown, kind="spss", first_data_row=1,
                    value_labels=labels,
                    details={"file_label": meta.file_label, "encoding": meta.file_encoding,
                             "user_missing_cells": user_missing})
