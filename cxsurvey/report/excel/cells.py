"""Cell values, number formats and styles shared by the Excel report's modules.

Every text cell of the workbook goes through :func:`text` (no control characters, no
formula, Excel's length cap); numbers stay numbers and number formats do the rounding.
"""

from __future__ import annotations

import math

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Border, Font, PatternFill, Side

from cxsurvey.report import files
from cxsurvey.report.formatting import is_undefined

__all__ = ["P_FORMAT", "SPSS_FORMAT", "cell_value", "excel_number_format", "missing", "text"]

P_FORMAT = '[<0.001]"< .001";0.000'
"""p-values: a number below .001 displays as ``< .001``, others with three decimals."""

SPSS_FORMAT = ".000"
"""Three decimals without the leading zero, as SPSS prints statistics and Sig. (``.000``)."""

TITLE_FONT = Font(bold=True, size=13)
BOLD = Font(bold=True)
NOTE_FONT = Font(italic=True, color="595959")
HEADER_FILL = PatternFill("solid", start_color="D9E1F2", end_color="D9E1F2")
FLAG_FILL = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
"""Light red, Excel's own "Bad" cell style."""
FLAG_FONT = Font(color="9C0006")
LINK_FONT = Font(color="0563C1", underline="single")
THIN = Side(style="thin", color="000000")
NO_BORDER = Border()

MAX_CELL_TEXT = 32_767  # Excel's limit on the characters in one cell


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


def text(value: object) -> str:
    """Text made safe for a cell: no control characters, no formula, Excel's length cap."""
    cleaned = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:MAX_CELL_TEXT]
    return str(files.neutralise(cleaned))


def missing(value: object) -> bool:
    """True for None, pandas NA/NaT and non-finite floats (an empty cell)."""
    return is_undefined(value)


def cell_value(value: object, kind: str) -> object:
    """A raw table value as written to a cell: number, safe text, or None (empty)."""
    if missing(value):
        return None
    if kind == "text":
        return text(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return text(value)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return text(value)
    if not math.isfinite(number):
        return None
    if kind == "int" and number.is_integer():
        return int(number)
    return number
