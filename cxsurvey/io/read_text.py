"""Read delimited text exports (.csv/.tsv/.txt) into a raw table.

The encoding and delimiter are found unless the model file fixes them; every record must
parse to the header's width, and a quote that is never closed is refused, so no
respondent is lost without a word.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from cxsurvey.errors import InputError, Location
from cxsurvey.io.layout import (
    column_names,
    description_rows,
    find_header,
    notes_below,
    question_texts,
    repeated_names,
    two_row_header,
    two_row_names,
    typed_cell,
)
from cxsurvey.io.raw_table import RawTable
from cxsurvey.model.spec import DataSpec

__all__ = ["read_text"]

_DELIMITERS = [",", ";", "\t", "|"]
_SCAN_ROWS = 20
#: The csv module's field size limit is a C long; Windows' is 32 bits.
_MAX_FIELD = 2**31 - 1
# A quoted field (quotes inside doubled)
_QUOTED = re.compile(r'"[^"]*(?:""[^"]*)*"')
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


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


def read_text(p: Path, shown: str, spec: DataSpec, suffix: str) -> RawTable:
    """Read a delimited text export: encoding and delimiter found unless given, every
    record exact (a row of another width or an unclosed quote is refused)."""
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
