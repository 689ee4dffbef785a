"""Bounds on an Excel workbook, checked before a sheet is parsed.

An .xlsx file is a zip archive of XML parts: a few MB on disk can expand to gigabytes of
XML (a decompression bomb), and a sheet can declare more rows than Excel allows. Before
the reader parses a sheet, :func:`check_sheet` looks at the zip directory (each part's
uncompressed size, ``ZipInfo.file_size``), the sheet's declared ``<dimension ref>`` (read
from the first KB of the part) and then inflates the part in 1 MiB chunks counting its
rows and cells (``</row>`` and ``</c>`` closing tags: those that hold a value) and the
extent they reach (the highest row and column referenced), refusing as soon as a bound
is passed. Memory stays at a chunk; the count runs at about 150-300 MB of XML a second
on one core. Reading the part to its end also makes :mod:`zipfile` verify its CRC-32, so
a part whose stored size lies is found too.

Excel's own bounds are 1,048,576 rows and 16,384 columns per worksheet (Microsoft,
"Excel specifications and limits"); a sheet beyond them is not a valid worksheet.

The functions print nothing; a file over a bound is an :class:`~cxsurvey.errors.InputError`
naming what was found and the flag that raises the bound.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxsurvey.errors import InputError, Location
from cxsurvey.options import ReadLimits

__all__ = ["EXCEL_MAX_COLUMNS", "EXCEL_MAX_ROWS", "SheetPart", "SheetScan", "check_sheet",
           "ole2_kind", "parse_ref", "sheet_parts"]

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The first bytes of an OLE2 compound file: an .xls workbook or an encrypted .xlsx."""

_HEAD_BYTES = 64 * 1024
_CHUNK = 1 << 20
_XML_PARTS_MAX = 64 * 1024 * 1024  # workbook.xml and its relationships
_REF = re.compile(r"^\$?([A-Za-z]{1,3})?\$?(\d+)?(?::\$?([A-Za-z]{1,3})?\$?(\d+)?)?$")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s[^>]*?ref\s*=\s*["\']([^"\']*)["\']')
_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData[\s>/]")
_ROOT = re.compile(rb"<(\w+:)?worksheet[\s>]")
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr\s*=\s*["\'](\d+)["\']')
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LAST_REF = re.compile(rb' r="[A-Z]{0,4}(\d+)"')
_TAIL = 64  # bytes of a chunk kept for the next: a tag or a reference fits in it


@dataclass(frozen=True)
class SheetPart:
    """A sheet of a workbook: its name, its zip member and its kind.

    ``kind`` is the last word of the relationship type: ``worksheet``, ``chartsheet``,
    ``dialogsheet`` or ``xlMacrosheet``.
    """

    name: str
    part: str
    kind: str


@dataclass(frozen=True)
class SheetScan:
    """What the streamed count of a worksheet part found.

    Attributes
    ----------
    rows : int
        Rows that hold cells (``</row>`` tags; an empty ``<row r="9"/>`` holds none).
    cells : int
        Cells that hold a value (``</c>`` tags; an empty ``<c r="B2"/>`` holds none).
    last_row : int
        The highest row number (``r``) of a ``<row>`` tag (0 when none has one).
    last_column : int
        The highest column of a cell reference (0 when no cell has one).
    error_cells : bool
        The part has cells of type error (``t="e"``: ``#N/A``, ``#DIV/0!``).
    dimension : str or None
        The declared ``<dimension ref>``.
    """

    rows: int
    cells: int
    last_row: int
    last_column: int
    error_cells: bool
    dimension: str | None


def ole2_kind(path: Path) -> str | None:
    """``"encrypted"`` for a password-protected Office file, ``"xls"`` for another OLE2
    compound file (an Excel 97-2003 workbook), ``None`` for anything else.

    An encrypted .xlsx is an OLE2 compound file (MS-OFFCRYPTO 2.3.4) whose directory holds
    an ``EncryptedPackage`` stream; directory entry names are UTF-16LE, so the name is
    searched for in the file, chunk by chunk.
    """
    with open(path, "rb") as fh:
        if fh.read(len(OLE2_MAGIC)) != OLE2_MAGIC:
            return None
        name = "EncryptedPackage".encode("utf-16-le")
        tail = b""
        while chunk := fh.read(_CHUNK):
            if name in tail + chunk:
                return "encrypted"
            tail = chunk[-(len(name) - 1):]
    return "xls"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml(zf: zipfile.ZipFile, member: str) -> Any:
    from defusedxml.ElementTree import fromstring

    if zf.getinfo(member).file_size > _XML_PARTS_MAX:
        raise ValueError(f"{member} is larger than {_XML_PARTS_MAX // 2**20} MB")
    return fromstring(zf.read(member))


def _rels(zf: zipfile.ZipFile, source: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, zip member) of the part ``source``."""
    folder, base = posixpath.split(source)
    member = posixpath.join(folder, "_rels", base + ".rels")
    if member not in zf.NameToInfo:
        return {}
    out = {}
    for rel in _xml(zf, member):
        if _local(rel.tag) != "Relationship" or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        path = (target.lstrip("/") if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target)))
        out[rel.get("Id", "")] = (rel.get("Type", ""), path)
    return out


def _workbook_part(zf: zipfile.ZipFile) -> str:
    for kind, path in _rels(zf, "").values():
        if kind.endswith("/officeDocument"):
            return path
    return "xl/workbook.xml"


def sheet_parts(zf: zipfile.ZipFile) -> tuple[list[SheetPart], str | None]:
    """The workbook's sheets in their tab order, and its shared-strings part (if any).

    Raises
    ------
    KeyError, ValueError, xml.etree.ElementTree.ParseError
        A part is missing or is not well-formed XML (a corrupt workbook).
    """
    workbook = _workbook_part(zf)
    rels = _rels(zf, workbook)
    sheets = []
    for node in _xml(zf, workbook).iter():
        if _local(node.tag) != "sheet":
            continue
        rid = next((v for k, v in node.attrib.items() if _local(k) == "id"), "")
        kind, part = rels.get(rid, ("", ""))
        sheets.append(SheetPart(name=node.get("name", ""), part=part,
                                kind=kind.rsplit("/", 1)[-1]))
    shared = next((p for k, p in rels.values() if k.endswith("/sharedStrings")), None)
    return sheets, shared


def parse_ref(ref: str) -> tuple[int, int] | None:
    """The last row and column (1-based) of a range such as ``A1:AN80001`` or ``B2``;
    ``None`` when ``ref`` is not a cell range."""
    m = _REF.match(ref.strip())
    if not m or not (m.group(1) or m.group(2)):
        return None
    col = (m.group(3) or m.group(1) or "A").upper()
    row = int(m.group(4) or m.group(2) or 1)
    number = 0
    for ch in col:
        number = number * 26 + ord(ch) - 64
    return row, number


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB" if size >= 2**20 else f"{size / 2**20:.2f} MB"


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def _greater(value: str, alphabet: str, shortest_longer: str) -> str:
    """A regex alternation matching a word of ``alphabet`` that is greater than ``value``
    as a number written in that alphabet: as long and greater at the first difference,
    or longer (``shortest_longer``: the pattern of the longer ones)."""
    lo, hi = alphabet[0], alphabet[-1]
    alts = [shortest_longer]
    for i, ch in enumerate(value):
        if ch != hi:
            rest = len(value) - i - 1
            alts.append(value[:i] + f"[{alphabet[alphabet.index(ch) + 1]}-{hi}]"
                        + (f"[{lo}-{hi}]{{{rest}}}" if rest else ""))
    return "|".join(alts)


def _wider(letters: str) -> re.Pattern[bytes]:
    """Cell references whose column is right of ``letters`` (``r="AO7"`` after ``AN``);
    the letters in group 1. ``<row r>`` values have no letters, so rows never match."""
    longer = f"[A-Z]{{{len(letters) + 1},4}}"
    alts = _greater(letters, _UPPER, longer) if letters else "[A-Z]{1,4}"
    return re.compile(f' r=["\']({alts})(?=\\d)'.encode())


def _lower(row: int, row_tag: bytes) -> re.Pattern[bytes]:
    """``<row r>`` tags (``r`` first, as every writer puts it) below row ``row``; the row
    number in group 1."""
    digits = str(row)
    alts = _greater(digits, "0123456789", f"[1-9][0-9]{{{len(digits)},}}")
    return re.compile(row_tag + f' r=["\']({alts})["\']'.encode())


def _raise_mb(size: int) -> int:
    return -(-size // 2**20) + 1


def _check_size(zf: zipfile.ZipFile, member: str, what: str, limits: ReadLimits,
                where: Location) -> None:
    size = zf.getinfo(member).file_size
    if size > limits.max_sheet_bytes:
        raise InputError(
            f"{what} expands to {_mb(size)} of XML, above the {limits.max_sheet_mb:,} MB "
            "limit", where,
            f"If the file is genuine, raise the limit: --max-sheet-mb {_raise_mb(size)}.")


def _declared(head: bytes) -> str | None:
    m = _DIMENSION.search(head)
    if m is None:
        return None
    sheet_data = _SHEET_DATA.search(head)
    if sheet_data is not None and sheet_data.start() < m.start():
        return None  # a <dimension> inside the data is no declaration
    return m.group(1).decode("ascii", "replace")


def _check_declared(ref: str, limits: ReadLimits, where: Location) -> None:
    last = parse_ref(ref)
    if last is None:
        return
    rows, cols = last
    invalid = "Open and re-save it in Excel, or export the survey again."
    if rows > EXCEL_MAX_ROWS:
        raise InputError(f"the sheet declares {rows:,} rows ({ref}), more than Excel's "
                         f"{EXCEL_MAX_ROWS:,}: not a valid worksheet", where, invalid)
    if cols > EXCEL_MAX_COLUMNS:
        raise InputError(f"the sheet declares {cols:,} columns ({ref}), more than Excel's "
                         f"{EXCEL_MAX_COLUMNS:,}: not a valid worksheet", where, invalid)
    if rows * cols > limits.max_cells:
        raise InputError(
            f"the sheet declares {rows:,} rows x {cols:,} columns = {rows * cols:,} cells "
            f"({ref}), more than the limit of {limits.max_cells:,}", where,
            f"If the file is genuine, raise the limit: --max-cells {rows * cols}.")


def _scan(zf: zipfile.ZipFile, member: str, limits: ReadLimits, where: Location,
          dimension: str | None) -> SheetScan:
    rows = cells = last_row = 0
    errors = False
    tail = b""
    widest = ""
    row_tag = cell_tag = row_end = b""
    declared = f" (it declares {dimension})" if dimension else ""
    with zf.open(member) as fh:
        while chunk := fh.read(_CHUNK):
            buf = tail + chunk
            if not row_tag:
                root = _ROOT.search(buf)
                prefix = (root.group(1) or b"") if root else b""
                row_tag, cell_tag = b"<" + prefix + b"row", b"</" + prefix + b"c>"
                row_end = b"</" + prefix + b"row>"
            # bytes.count runs at about 1 GB/s; a tag wholly inside ``tail`` was counted
            # with the previous chunk
            cells += buf.count(cell_tag) - tail.count(cell_tag)
            rows += buf.count(row_end) - tail.count(row_end)
            errors = errors or b' t="e"' in buf
            # the extent the cells reach (a reader allocates it from A1: a cell at A1 and
            # one at XFD1048576 make 17 billion). Rows come in order, so the chunk's last
            # row or cell reference is its highest, and one pass finds any higher row (none
            # in a well-formed sheet); columns grow by a pass for wider cell references.
            at = buf.rfind(row_tag)
            m = _ROW_NUMBER.match(buf, at) if at >= 0 else None
            last_ref = _LAST_REF.match(buf, max(0, buf.rfind(b' r="')))
            for found in (m, last_ref):
                if found is not None:
                    last_row = max(last_row, int(found.group(1)))
            for hit in _lower(last_row, row_tag).finditer(buf):
                last_row = max(last_row, int(hit.group(1)))
            for wide in _wider(widest).finditer(buf):
                letters = wide.group(1).decode()
                if (len(letters), letters) > (len(widest), widest):
                    widest = letters
            if max(rows, last_row) > EXCEL_MAX_ROWS:
                raise InputError(
                    f"the sheet has more than {EXCEL_MAX_ROWS:,} rows, Excel's limit"
                    f"{declared}, so it is not a valid worksheet (a decompression bomb?)",
                    where,
                    "Open and re-save it in Excel, or export the survey again.")
            columns = _column_number(widest)
            if columns > EXCEL_MAX_COLUMNS:
                raise InputError(
                    f"the sheet has a cell in column {widest}, beyond Excel's "
                    f"{EXCEL_MAX_COLUMNS:,} columns: not a valid worksheet", where,
                    "Open and re-save it in Excel, or export the survey again.")
            if max(rows, last_row) * columns > limits.max_cells:
                extent = max(rows, last_row) * columns
                raise InputError(
                    f"the sheet's cells reach row {max(rows, last_row):,} and column "
                    f"{widest}: {extent:,} cells from A1{declared}, more than the "
                    f"limit of {limits.max_cells:,}", where,
                    "If the file is genuine, raise the limit: --max-cells N with N above "
                    f"{extent}.")
            if cells > limits.max_cells:
                raise InputError(
                    f"the sheet has more than {limits.max_cells:,} cells{declared}, "
                    "the limit", where,
                    "If the file is genuine, raise the limit: --max-cells N with N above "
                    f"{limits.max_cells}.")
            tail = buf[-_TAIL:]
    return SheetScan(rows=rows, cells=cells, last_row=last_row,
                     last_column=_column_number(widest), error_cells=errors,
                     dimension=dimension)


def check_sheet(zf: zipfile.ZipFile, sheet: SheetPart, shared: str | None,
                limits: ReadLimits, where: Location) -> SheetScan:
    """Check a worksheet against ``limits`` and Excel's bounds before it is parsed.

    In order: the uncompressed size of the sheet part and of the shared strings; the
    declared ``<dimension ref>`` (rows, columns, cells from A1); a streamed count of the
    rows and cells and of the extent the cells reach (rows x columns from A1, which is
    what a reader allocates), stopped as soon as a bound is passed.

    Parameters
    ----------
    zf : zipfile.ZipFile
        The open workbook.
    sheet : SheetPart
        The worksheet (from :func:`sheet_parts`).
    shared : str or None
        The shared-strings part.
    limits : ReadLimits
    where : Location
        The file and sheet, for the message.

    Returns
    -------
    SheetScan

    Raises
    ------
    InputError
        A bound is passed; the message says what was found and the flag that raises it.
    KeyError, zipfile.BadZipFile, OSError, EOFError
        A part is missing, or corrupt (bad CRC, truncated data).
    """
    _check_size(zf, sheet.part, "the sheet", limits, where)
    if shared is not None and shared in zf.NameToInfo:
        _check_size(zf, shared, "the shared strings", limits, where)
    with zf.open(sheet.part) as fh:
        head = fh.read(_HEAD_BYTES)
    dimension = _declared(head)
    if dimension is not None:
        _check_declared(dimension, limits, where)
    return _scan(zf, sheet.part, limits, where, dimension)
