"""Page layout of the Excel report: row heights for wrapped text, print setup, sheet names.

Excel and LibreOffice keep the default row height for a row written by a program, so a
wrapped text would overlap the rows below it; :func:`fit_height` sizes the row from the
text's length and the column width instead (a word-wrapped line estimate, on the safe
side). :func:`wrap_note` spreads a note below a table over the table's columns.
:func:`print_setup` makes every sheet print one page wide, in landscape when it is wide,
with its header rows repeated on each page. :func:`short_sheet_name` builds a readable
Excel sheet name of at most 31 characters from a table's title.
"""

from __future__ import annotations

import math
import re
import textwrap

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["column_width", "fit_height", "print_setup", "short_sheet_name", "text_lines",
           "wrap_note"]

DEFAULT_WIDTH = 8.43
"""Excel's default column width (characters of the default font)."""
LINE_HEIGHT = 15.0
"""Points per line of 11-point text: Excel's default row height."""
NOTE_WIDTH = 80
"""The least width (characters) a note below a table is wrapped in."""
PORTRAIT_WIDTH = 95
"""Sheets wider than this (characters) print in landscape."""
SHEET_NAME_MAX = 31
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_GROUP = re.compile(r"\s*\(([^()]*)\)")


def text_lines(value: object, width: float) -> int:
    """The lines ``value`` takes when word-wrapped in a column ``width`` characters wide.

    >>> text_lines("short", 20), text_lines("a b c d e f g h i j", 5)
    (1, 4)
    """
    per_line = max(1, int(width))
    return sum(max(1, len(textwrap.wrap(part, per_line, break_long_words=True)))
               for part in str(value).split("\n"))


def fit_height(ws: Worksheet, row: int, value: object, width: float,
               size: float = 11) -> None:
    """Make ``row`` tall enough for ``value`` wrapped in ``width`` characters (never
    lower than its current height)."""
    lines = text_lines(value, width * 11 / size)
    if lines <= 1:
        return
    height = math.ceil(lines * LINE_HEIGHT * size / 11)
    current = ws.row_dimensions[row].height or 0
    ws.row_dimensions[row].height = max(current, height)


def column_width(ws: Worksheet, col: int) -> float:
    """The width of column ``col`` (1-based), Excel's default when none is set."""
    letter = get_column_letter(col)
    if letter in ws.column_dimensions and ws.column_dimensions[letter].width:
        return float(ws.column_dimensions[letter].width)
    return DEFAULT_WIDTH


def wrap_note(ws: Worksheet, row: int, columns: int) -> None:
    """Merge the note in column A of ``row`` over the table's ``columns`` (more when they
    are narrower than :data:`NOTE_WIDTH`), wrap it and size the row to it."""
    last, width = 1, column_width(ws, 1)
    while last < columns or width < NOTE_WIDTH:
        last += 1
        width += column_width(ws, last)
    cell = ws.cell(row=row, column=1)
    if last > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if cell.value is not None:
        fit_height(ws, row, cell.value, width)


def print_setup(ws: Worksheet, title_rows: str | None = None) -> None:
    """One page wide (as many pages tall as needed), landscape when the used columns are
    wider than :data:`PORTRAIT_WIDTH`, ``title_rows`` (e.g. ``"1:2"``) on every page,
    narrow margins, the sheet name and page number in the footer."""
    width = sum(column_width(ws, c) for c in range(1, ws.max_column + 1))
    ws.page_setup.orientation = "landscape" if width > PORTRAIT_WIDTH else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6, header=0.3,
                                  footer=0.3)
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "&A, page &P of &N"


def _clean(name: str) -> str:
    return re.sub(r"\s+", " ", _FORBIDDEN.sub(" ", name)).strip().strip("'")


def _abbreviate(name: str) -> str:
    """Shorten the longest word after the first to four letters and a full stop."""
    words = name.split(" ")
    long = [i for i, w in enumerate(words[1:], start=1) if len(w) > 5 and w.isalpha()]
    if not long:
        return " ".join(words[:-1]) if len(words) > 1 else name[:SHEET_NAME_MAX]
    i = max(long, key=lambda k: len(words[k]))
    words[i] = words[i][:4] + "."
    return " ".join(words)


def short_sheet_name(title: str) -> str:
    """A readable sheet name of at most 31 characters from a table's title.

    In turn: only the last parenthetical is kept (``HTMT (discriminant validity) (PLS)``
    -> ``HTMT (PLS)``), the part after a colon is dropped, "and" becomes "&", the
    parenthetical loses words from its end, then itself, then long words are
    abbreviated and last words dropped. Characters Excel forbids become spaces.

    >>> short_sheet_name("HTMT (discriminant validity) (PLS)")
    'HTMT (PLS)'
    >>> short_sheet_name("Reliability and convergent validity")
    'Reliability & conv. validity'
    """
    name = _clean(title)
    if len(name) <= SHEET_NAME_MAX:
        return name
    groups = _GROUP.findall(title)
    main = _GROUP.sub("", title)
    group = groups[-1] if groups else ""
    main = main.split(":", 1)[0] if ":" in main else main
    main = _clean(main.replace(" and ", " & "))
    words = _clean(group).split(" ") if group else []
    while words:
        # a parenthetical cut after a comma keeps no dangling comma: "(PLS,)" -> "(PLS)"
        name = f"{main} ({' '.join(words).rstrip(',;')})"
        if len(name) <= SHEET_NAME_MAX:
            return name
        words.pop()
    name = main
    while len(name) > SHEET_NAME_MAX:
        name = _abbreviate(name)
    return name
