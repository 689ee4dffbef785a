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
#: Lines of text in which the header, title and description rows are looked for
_HEAD_LINES = 400
#: Rows the C parser types at a time (their memory is the parse's overhead)
_CHUNK_ROWS = 50_000


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
    record exact (a row of another width or an unclosed quote is refused).

    The header, title, description and notes rows are found by the csv module on the
    first records; a body without quotes, blank lines or notes, in an encoding that
    keeps ASCII as it is, is then parsed by pandas' C parser (a check of the delimiter
    count proves every row has the header's width). Any other body takes the general
    path, which parses every record with the csv module and names the row at fault.
    """
    data = p.read_bytes()
    text, encoding = _decode(data, shown, spec.encoding)
    if not text.strip():
        raise InputError("the file is empty (no text)", Location(file=shown),
                         "Export the survey again.")
    delim = spec.delimiter or ("\t" if suffix == ".tsv" else _sniff_delimiter(
        _first_lines(text, _SCAN_ROWS)))
    if delim in ("\\t", "tab", "TAB"):
        delim = "\t"
    if len(delim) != 1:
        raise InputError(f"[data] delimiter must be one character, got {delim!r}",
                         Location(file=shown), 'Write delimiter = ";" or delimiter = "\\t".')
    head_text = text[:_span_of_lines(text, _HEAD_LINES)]
    del text  # the C parser reads the bytes; the general path decodes them again
    fast = _read_fast(data, head_text, encoding, delim, spec, shown)
    if fast is not None:
        return fast
    text = _decode(data, shown, spec.encoding)[0]
    records = _records(text, delim, shown)
    h, two_rows, skip = _layout([(line, row) for line, row in records], spec, shown)
    header = records[h][1]
    width = len(header)
    shown_delim = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(
        delim, repr(delim))
    body: list[list[str]] = []
    lines: list[int] = []
    rest = records[h + 1 + skip:]
    notes = notes_below([row for _, row in rest], width)
    for line, row in rest[:len(rest) - notes]:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # a blank line is no respondent
        if len(row) > width and not any(c.strip() for c in row[width:]):
            row = row[:width]  # trailing delimiters after the last answer
        elif len(row) < width and not any(c.strip() for c in header[len(row):]):
            row = row + [""] * (width - len(row))  # trailing delimiters after the header
        _check_swallowed(row, line, delim, width, shown)
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
    frame = pd.DataFrame({j: _text_column([r[j] for r in body]) for j in range(width)},
                         columns=range(width))
    consecutive = all(b - a == 1 for a, b in zip(lines, lines[1:], strict=False))
    return _table(frame, cells, records, h, skip, shown, {
        "delimiter": delim, "encoding": encoding, "header_row": records[h][0],
        "description_rows_skipped": skip, **({"notes_below_data": notes} if notes else {})},
        first_data_row=lines[0] if lines else records[h][0] + 1,
        row_numbers=None if consecutive else tuple(lines))


def _check_swallowed(row: list[str], line: int, delim: str, width: int, shown: str) -> None:
    """Refuse a quoted answer that spans lines which read as respondents of their own.

    A quote left open in one answer is closed by the next quote in the file, and every
    line between becomes part of that answer. A free-text answer may span lines, but a
    line inside it that splits at the delimiter into the header's width with numbers in
    at least half of its filled cells is a swallowed row.

    Raises
    ------
    InputError
        Naming the row where the quoted answer opens and where it ends.
    """
    before = 0  # line breaks in the fields before the one that spans lines
    for cell in row:
        breaks = _LINE_BREAK.findall(cell)
        if breaks and width >= 2:
            inner = _LINE_BREAK.split(cell)[1:]
            for k, text in enumerate(inner, start=1):
                fields = text.split(delim)
                filled = [f for f in fields if f.strip()]
                numbers = sum(isinstance(typed_cell(f), float) for f in filled)
                if len(fields) >= width and filled and numbers * 2 >= len(filled):
                    opened = line + before
                    raise InputError(
                        f"the quoted answer opened on row {opened} runs over "
                        f"{len(breaks)} line break(s) to row {opened + len(breaks)}, and its "
                        f"line {opened + k} reads as a respondent of its own: a quote is "
                        "probably never closed",
                        Location(file=shown, row=opened),
                        'Close the quote on that row (a quote inside an answer is written '
                        '""), or export the file again.')
        before += len(breaks)


def _layout(records: list[tuple[int, list[str]]], spec: DataSpec,
            shown: str) -> tuple[int, bool, int]:
    """(index of the header record, whether a second header row names the options, how
    many records below the header describe the columns), from the first records."""
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
    two_rows = h + 1 < len(records) and two_row_header(
        [[typed_cell(c) for c in row] for _, row in records[h:h + 2]], 0)
    skip = 1 if two_rows else description_rows([row for _, row in records[h + 1:h + 3]])
    return h, two_rows, skip


def _table(frame: pd.DataFrame, cells: list[object],
           records: list[tuple[int, list[str]]], h: int, skip: int, shown: str,
           details: dict[str, object], first_data_row: int,
           row_numbers: tuple[int, ...] | None) -> RawTable:
    """The raw table from the parsed columns (in file order) and the header cells;
    columns named ``Unnamed: j`` (no header) are kept only when they hold an answer."""
    names = column_names(cells)
    for j in frame.columns:
        if frame[j].dtype == np.int64:
            frame[j] = _compact(frame[j].to_numpy())
    frame.columns = pd.Index(names)
    empty = [n for n in names if n.startswith("Unnamed: ") and not frame[n].notna().any()]
    if empty:
        frame = frame.drop(columns=empty)
    return RawTable(frame=frame, path=shown, kind="text", duplicates=repeated_names(cells),
                    first_data_row=first_data_row, row_numbers=row_numbers,
                    descriptions=question_texts(
                        names, [row for _, row in records[h + 1:h + 3]], skip),
                    details=details)


# ----------------------------------------------------------------------------- fast path
def _span_of_lines(text: str, k: int) -> int:
    """Offset just after the first ``k`` lines of ``text`` (its length if it has fewer)."""
    pos = 0
    for _ in range(k):
        m = _LINE_BREAK.search(text, pos)
        if m is None:
            return len(text)
        pos = m.end()
    return pos


def _first_lines(text: str, k: int) -> list[str]:
    """The first ``k`` lines of ``text``, without splitting the whole text."""
    out: list[str] = []
    pos = 0
    while len(out) < k and pos < len(text):
        m = _LINE_BREAK.search(text, pos)
        end = m.start() if m else len(text)
        out.append(text[pos:end])
        pos = m.end() if m else len(text)
    return out


def _head_records(text: str, delim: str, k: int) -> list[tuple[int, list[str], int]]:
    """The first ``k`` records: (file line it starts on, fields, offset in ``text`` just
    after it). Raises csv.Error when one cannot be parsed."""
    end = [0]

    def lines() -> Iterator[str]:
        pos, n = 0, len(text)
        while pos < n:
            m = _LINE_BREAK.search(text, pos)
            stop = m.end() if m else n
            end[0] = stop
            yield text[pos:stop]
            pos = stop

    reader = csv.reader(lines(), delimiter=delim)
    out: list[tuple[int, list[str], int]] = []
    prev = 0
    with _field_limit(len(text)):
        for row in reader:
            out.append((prev + 1, row, end[0]))
            prev = reader.line_num
            if len(out) >= k:
                break
    return out


def _ascii_safe(encoding: str) -> bool:
    """Whether ``encoding`` writes ASCII text as ASCII bytes (UTF-8, cp1252, Latin-1),
    so that the delimiter, quotes and line breaks can be found in the bytes."""
    try:
        return "a,;|\t\"\r\n19".encode(encoding) == b"a,;|\t\"\r\n19"
    except (LookupError, UnicodeError):
        return False


def _read_fast(data: bytes, text: str, encoding: str, delim: str, spec: DataSpec,
               shown: str) -> RawTable | None:
    """The table parsed by pandas' C parser, or None when the body needs the general path.

    ``text`` is the start of the decoded file (its first lines): the header, title and
    description rows are found there, the body is parsed from ``data``.

    The body qualifies when it has no quote, no NUL byte, no lone carriage return, no
    blank line and no notes below the data, and its delimiter count is exactly
    (width - 1) per line: the C parser refuses a row with more fields, so the count
    leaves no row with fewer.
    """
    if not _ascii_safe(encoding):
        return None
    try:
        head = _head_records(text, delim, _SCAN_ROWS + 3)
    except csv.Error:
        return None
    if not head or head[-1][2] >= len(text):
        return None  # the head text may end inside a record: take the general path
    try:
        h, two_rows, skip = _layout([(line, row) for line, row, _ in head], spec, shown)
    except InputError:
        return None  # the general path says it with every record in hand
    last = h + skip  # the last record above the body
    if last + 1 >= len(head):
        return None  # a short file: nothing to gain
    header = head[h][1]
    width = len(header)
    if width < 2:
        return None
    try:
        prefix = text[:head[last][2]].encode(encoding)
    except UnicodeError:
        return None
    bom = next((b for b in (0, 2, 3) if data.startswith(prefix, b)), None)
    if bom is None:
        return None
    start, stop = bom + len(prefix), len(data)
    while stop > start and data[stop - 1] in b"\r\n":
        stop -= 1
    sep = delim.encode(encoding)
    if (stop <= start or len(sep) != 1 or data.find(b'"', start, stop) >= 0
            or data.find(b"\0", start, stop) >= 0
            or data.count(b"\r", start, stop) != data.count(b"\r\n", start, stop)):
        return None
    n_lines = data.count(b"\n", start, stop) + 1
    if data.count(sep, start, stop) != (width - 1) * n_lines:
        return None
    tail = _tail_rows(data, start, stop, encoding, delim, 12)
    if tail is None or notes_below(tail, width):
        return None
    blank_tail = 0
    while blank_tail < len(tail) and not any(c.strip() for c in tail[-1 - blank_tail]):
        blank_tail += 1
    parsed = _parse_numbers(data, start, stop, encoding, delim, width, n_lines)
    if parsed is None:
        return None
    texts = [j for j, v in enumerate(parsed) if v is None]
    again = (_parse_body(data, start, stop, encoding, delim, width, usecols=texts,
                         as_text=True) if texts else None)
    if texts and (again is None or again.shape[0] != n_lines):
        return None
    keep = n_lines - blank_tail  # rows of delimiters only, at the end, are no respondents
    columns: dict[int, pd.Series] = {}
    for j, values in enumerate(parsed):
        if values is None:
            assert again is not None
            columns[j] = _text_column(again[j].tolist()[:keep])
        else:
            columns[j] = _number_column(values[:keep])
    frame = pd.DataFrame(columns, columns=range(width), copy=False)
    records = [(line, row) for line, row, _ in head]
    cells: list[object] = (two_row_names(list(header), list(head[h + 1][1])) if two_rows
                           else list(header))
    return _table(frame, cells, records, h, skip, shown, {
        "delimiter": delim, "encoding": encoding, "header_row": head[h][0],
        "description_rows_skipped": skip}, first_data_row=head[last + 1][0],
        row_numbers=None)


def _tail_rows(data: bytes, start: int, stop: int, encoding: str, delim: str,
               k: int) -> list[list[str]] | None:
    """The last ``k`` lines of the body split into fields (the body has no quotes)."""
    cut = start
    pos = stop
    for _ in range(k):
        nl = data.rfind(b"\n", start, pos)
        if nl < 0:
            cut = start
            break
        cut, pos = nl + 1, nl
    try:
        lines = data[cut:stop].decode(encoding).splitlines()
    except UnicodeError:
        return None
    return [ln.split(delim) for ln in lines]


def _parse_body(data: bytes, start: int, stop: int, encoding: str, delim: str,
                width: int, usecols: list[int] | None = None,
                as_text: bool = False) -> pd.DataFrame | None:
    """The body's fields by pandas' C parser: numbers typed, blank cells NaN, every other
    text kept as written (no NA spellings, no quotes); None when it refuses a row."""
    buf = io.BytesIO(data)  # shares the bytes; past ``stop`` only line breaks remain
    buf.seek(start)
    try:
        return pd.read_csv(
            buf, sep=delim, header=None, names=list(range(width)), index_col=False,
            usecols=usecols, dtype=str if as_text else None, keep_default_na=False,
            na_values=[] if as_text else [""], na_filter=not as_text,
            skip_blank_lines=True, quoting=csv.QUOTE_NONE, engine="c",
            encoding=encoding, encoding_errors="strict")
    except (ValueError, UnicodeError, pd.errors.ParserError):
        return None


def _parse_numbers(data: bytes, start: int, stop: int, encoding: str, delim: str,
                   width: int, n_rows: int) -> list[np.ndarray | None] | None:
    """Every column of the body as int64 or float64 values, parsed chunk by chunk into
    arrays of the final length (None for a column with text in it, which is read again as
    text); None when the C parser refuses a row or the row count is not ``n_rows``."""
    buf = io.BytesIO(data)  # shares the bytes; past ``stop`` only line breaks remain
    buf.seek(start)
    out: list[np.ndarray | None] = [None] * width
    text = [False] * width
    pos = 0
    try:
        chunks = pd.read_csv(
            buf, sep=delim, header=None, names=list(range(width)), index_col=False,
            keep_default_na=False, na_values=[""], skip_blank_lines=True,
            quoting=csv.QUOTE_NONE, engine="c", encoding=encoding, encoding_errors="strict",
            chunksize=_CHUNK_ROWS)
        for chunk in chunks:
            m = chunk.shape[0]
            if pos + m > n_rows:
                return None
            for j in range(width):
                if text[j]:
                    continue
                col = chunk[j]
                if col.dtype not in (np.int64, np.float64):  # text, booleans, big integers
                    text[j], out[j] = True, None
                    continue
                values = col.to_numpy()
                target = out[j]
                if target is None:
                    target = out[j] = np.empty(n_rows, dtype=values.dtype)
                elif target.dtype != values.dtype:
                    if target.dtype == np.int64:  # a blank or a decimal from here on
                        target = out[j] = target.astype(np.float64)
                    else:
                        values = values.astype(np.float64)
                target[pos:pos + m] = values
            pos += m
    except (ValueError, UnicodeError, pd.errors.ParserError):
        return None
    return out if pos == n_rows else None


def _compact(values: np.ndarray) -> np.ndarray:
    """Integers in the smallest signed type that holds them (a Likert column of a million
    answers in 1 MB, not 8); every later use converts them to float."""
    if not values.size:
        return values
    lo, hi = int(values.min()), int(values.max())
    for kind in (np.int8, np.int16, np.int32):
        info = np.iinfo(kind)
        if info.min <= lo and hi <= info.max:
            return values.astype(kind)
    return values


def _number_column(values: np.ndarray) -> pd.Series:
    """C-parsed numbers typed as :func:`_text_column` types the same cells: integers
    below 2**53 as integers (float above, as a float parse gives), integral floats
    without blanks as integers."""
    if values.dtype == np.int64:
        if values.size and np.abs(values).max() >= 2**53:
            return pd.Series(values.astype(float))
        return pd.Series(_compact(values), copy=False)
    finite = np.isfinite(values)
    if (values.size and finite.all() and np.all(values == np.round(values))
            and np.abs(values).max() < 2**53):
        return pd.Series(values.astype(np.int64))
    return pd.Series(values, copy=False)
