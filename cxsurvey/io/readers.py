"""Read survey exports (.xlsx/.xlsm, .csv/.tsv/.txt, SPSS .sav) into a raw table.

Readers do no statistics and no recoding: they return every column as read, plus what
is needed to point the user at a cell (sheet, file row of the first data row) and, for
SPSS files, the value labels. Workbooks are read by openpyxl, which uses defusedxml for
its XML when that package is installed (it is a dependency of cxsurvey).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cxsurvey.errors import InputError, Location
from cxsurvey.model.spec import DataSpec

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
SPSS_SUFFIXES = {".sav", ".zsav"}
SUPPORTED = EXCEL_SUFFIXES | TEXT_SUFFIXES | SPSS_SUFFIXES
_DELIMITERS = [",", ";", "\t", "|"]
_SCAN_ROWS = 20


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
    value_labels : dict
        SPSS value labels per column (code -> label), empty for other files.
    details : dict
        How the file was read (delimiter, encoding, header row), for the report.
    """

    frame: pd.DataFrame
    path: str
    kind: str
    sheet: str | None = None
    first_data_row: int = 2
    value_labels: dict[str, dict[float, str]] = field(default_factory=dict)
    details: dict[str, object] = field(default_factory=dict)

    def row_number(self, position: int) -> int:
        """File row number of the respondent at 0-based ``position``."""
        return self.first_data_row + int(position)

    def location(self, position: int | None = None, column: str | None = None) -> Location:
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
    suffix = p.suffix.lower()
    if suffix not in SUPPORTED:
        hint = " Save it as .xlsx from Excel." if suffix in {".xls", ".ods"} else ""
        raise InputError(
            f"unsupported file type '{suffix or '(none)'}'", where,
            f"cxsurvey reads {', '.join(sorted(SUPPORTED))}.{hint}",
        )
    if p.stat().st_size == 0:
        raise InputError("the file is empty", where, "Export the survey again.")
    if suffix in EXCEL_SUFFIXES:
        table = _read_excel(p, str(path), spec)
    elif suffix in SPSS_SUFFIXES:
        table = _read_spss(p, str(path))
    else:
        table = _read_text(p, str(path), spec, suffix)
    if table.frame.shape[0] == 0:
        raise InputError("the file has a header but no data rows",
                         Location(file=str(path), sheet=table.sheet))
    return table


# ----------------------------------------------------------------------------- headers
def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _detect_header(rows: list[list[object]]) -> int:
    """0-based index of the header row among the first rows of a sheet or file.

    The header is the first row whose filled cells are all text and which fills at
    least 60% of the widest row seen: a title or notes row above it fills one or two.
    """
    counts = [sum(not _is_blank(v) for v in r) for r in rows]
    width = max(counts, default=0)
    for i, (row, n) in enumerate(zip(rows, counts, strict=True)):
        if n >= max(2, 0.6 * width) and all(
            isinstance(v, str) for v in row if not _is_blank(v)
        ):
            return i
    return 0


def _column_names(header: list[object]) -> list[str]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for j, v in enumerate(header):
        name = str(v).strip() if not _is_blank(v) else f"Unnamed: {j + 1}"
        if isinstance(v, float) and v.is_integer():
            name = str(int(v))
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    return names


# ----------------------------------------------------------------------------- excel
def _read_excel(p: Path, shown: str, spec: DataSpec) -> RawTable:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    where = Location(file=shown)
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, EOFError,
            ValueError, TypeError) as exc:
        raise InputError(
            f"not a readable Excel workbook (corrupt or truncated: {type(exc).__name__})",
            where, "Open and re-save it in Excel, or export the survey again.",
        ) from None
    except Exception as exc:  # lxml/defusedxml errors from a damaged part
        raise InputError(f"not a readable Excel workbook ({type(exc).__name__}: {exc})",
                         where, "Export the survey again.") from None
    try:
        names = wb.sheetnames
        if spec.sheet is None:
            sheet_name = names[0]
        elif isinstance(spec.sheet, int):
            if not 0 <= spec.sheet < len(names):
                raise InputError(f"there is no sheet number {spec.sheet} (0-based)", where,
                                 f"Sheets: {', '.join(names)}.")
            sheet_name = names[spec.sheet]
        elif spec.sheet in names:
            sheet_name = spec.sheet
        else:
            raise InputError(f"there is no sheet '{spec.sheet}'", where,
                             f"The workbook has: {', '.join(repr(n) for n in names)}.")
        ws = wb[sheet_name]
        try:
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
        except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError) as exc:
            raise InputError(f"sheet '{sheet_name}' cannot be read (corrupt: {exc})",
                             where, "Export the survey again.") from None
        except Exception as exc:
            raise InputError(f"sheet '{sheet_name}' cannot be read ({type(exc).__name__})",
                             where, "Export the survey again.") from None
    finally:
        wb.close()
    while rows and all(_is_blank(v) for v in rows[-1]):
        rows.pop()
    if not rows:
        raise InputError("the sheet is empty", Location(file=shown, sheet=sheet_name))
    if spec.header_row is not None:
        h = spec.header_row - 1
        if h >= len(rows):
            raise InputError(f"header_row {spec.header_row} is past the last row",
                             Location(file=shown, sheet=sheet_name))
    else:
        h = _detect_header(rows[:_SCAN_ROWS])
    names = _column_names(rows[h])
    width = len(names)
    body = [r[:width] + [None] * (width - len(r)) for r in rows[h + 1:]]
    frame = pd.DataFrame(body, columns=names)
    frame = frame.loc[:, [not n.startswith("Unnamed: ") or frame[n].notna().any()
                          for n in names]]
    frame = frame.replace(r"^\s*$", None, regex=True).infer_objects()
    return RawTable(frame=frame, path=shown, kind="excel", sheet=sheet_name,
                    first_data_row=h + 2, details={"header_row": h + 1, "sheet": sheet_name})


# ----------------------------------------------------------------------------- text
def _decode(data: bytes, shown: str, encoding: str | None) -> tuple[str, str]:
    if encoding:
        try:
            return data.decode(encoding), encoding
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
        counts = [len(next(csv.reader([ln], delimiter=d))) for ln in lines if ln.strip()]
        if not counts or max(counts) < 2:
            continue
        mode = max(set(counts), key=counts.count)
        score = counts.count(mode) / len(counts) * (mode > 1) + mode * 1e-3
        if score > best_score:
            best, best_score = d, score
    return best


def _read_text(p: Path, shown: str, spec: DataSpec, suffix: str) -> RawTable:
    data = p.read_bytes()
    text, encoding = _decode(data, shown, spec.encoding)
    if not text.strip():
        raise InputError("the file is empty", Location(file=shown))
    head = text.splitlines()[:_SCAN_ROWS]
    delim = spec.delimiter or ("\t" if suffix == ".tsv" else _sniff_delimiter(head))
    head_rows = list(csv.reader(head, delimiter=delim))
    if spec.header_row is not None:
        h = spec.header_row - 1
    else:
        h = _detect_header([[c if c.strip() else None for c in r] for r in head_rows])
    width = len(head_rows[h]) if h < len(head_rows) else 0
    # every data row must have as many fields as the header: a row with other counts
    # means mixed delimiters or an unquoted delimiter inside an answer
    for i, row in enumerate(csv.reader(io.StringIO(text), delimiter=delim)):
        if i <= h or not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != width:
            shown_delim = {"\t": "tab"}.get(delim, repr(delim))
            raise InputError(
                f"this row has {len(row)} field(s) but the header has {width} "
                f"(delimiter {shown_delim})",
                Location(file=shown, row=i + 1),
                "The file mixes delimiters or has an unquoted delimiter inside an answer; "
                "export it again with one delimiter, or set [data] delimiter.",
            )
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delim, skiprows=h, dtype=None,
                            skip_blank_lines=True, skipinitialspace=True)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"cannot parse the file ({exc})", Location(file=shown)) from None
    frame.columns = _column_names(list(frame.columns))
    return RawTable(frame=frame, path=shown, kind="text", first_data_row=h + 2,
                    details={"delimiter": delim, "encoding": encoding, "header_row": h + 1})


# ----------------------------------------------------------------------------- spss
def _read_spss(p: Path, shown: str) -> RawTable:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(p), user_missing=False)
    except Exception as exc:  # pyreadstat raises its own ReadstatError and others
        raise InputError(f"not a readable SPSS file ({type(exc).__name__}: {exc})",
                         Location(file=shown), "Save it again from SPSS.") from None
    labels = {str(k): {float(c): str(v) for c, v in d.items()
                       if isinstance(c, (int, float))}
              for k, d in (meta.variable_value_labels or {}).items()}
    return RawTable(frame=frame, path=shown, kind="spss", first_data_row=1,
                    value_labels=labels,
                    details={"file_label": meta.file_label, "encoding": meta.file_encoding})
