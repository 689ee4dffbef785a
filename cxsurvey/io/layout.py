"""Where the answers sit in a sheet or text file: the header row, description rows
under it (Qualtrics), SurveyMonkey's second header row, notes below the data, column
names.

Readers hand these functions their rows as lists of cells (text files: strings; Excel:
cell values) and build the table from what they find.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["column_names", "description_rows", "detect_header", "find_header", "is_blank",
           "is_note", "notes_below", "question_texts", "repeated_names", "two_row_header",
           "two_row_names", "typed_cell"]

#: Joins SurveyMonkey's question text and row label into one column name.
JOIN = " | "
_SURVEYMONKEY_FIRST = frozenset({"respondent id", "collector id"})


def typed_cell(cell: str) -> object:
    """A text-file cell as header detection sees it: blank -> None, number -> float."""
    if not cell.strip():
        return None
    try:
        return float(cell.strip().replace(",", "."))
    except ValueError:
        return cell


def is_blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (
        isinstance(v, str) and not v.strip())


def detect_header(rows: list[list[object]]) -> int:
    """0-based index of the header row among the first rows of a sheet or file.

    The header is the first row whose filled cells are all text and which fills at
    least 60% of the widest row seen: a title or notes row above it fills one or two.
    Text files should pass numbers as numbers (see :func:`typed_cell`), so that a data
    row is not taken for a header.
    """
    counts = [sum(not is_blank(v) for v in r) for r in rows]
    width = max(counts, default=0)
    for i, (row, n) in enumerate(zip(rows, counts, strict=True)):
        if n >= max(2, 0.6 * width) and all(
            isinstance(v, str) for v in row if not is_blank(v)
        ):
            return i
    return 0


def is_note(row: list[Any], width: int) -> bool:
    """A note, not an answer row: text only, and either one cell in the first column with
    the rest blank, or (a text file's unquoted sentence split at its commas) fewer
    fields than the header."""
    filled = [(j, v) for j, v in enumerate(row) if not is_blank(v)]
    if not filled or not all(
            isinstance(typed_cell(v) if isinstance(v, str) else v, str) for _, v in filled):
        return False
    return (len(filled) == 1 and filled[0][0] == 0) or len(row) < width


def notes_below(rows: list[list[Any]], width: int) -> int:
    """How many rows at the end of the data are notes (a source, a footnote) or blank
    lines between them; they are not respondents. Tables of one column have none."""
    if width < 2:
        return 0
    k = len(rows)
    while k > 0 and all(is_blank(v) for v in rows[k - 1]):
        k -= 1
    notes = k
    while notes > 0 and (is_note(rows[notes - 1], width)
                         or all(is_blank(v) for v in rows[notes - 1])):
        notes -= 1
    return len(rows) - notes if any(is_note(r, width) for r in rows[notes:]) else 0


def description_rows(rows: list[list[Any]]) -> int:
    """How many rows below the header describe the columns rather than answer them.

    Qualtrics exports put the question texts and a ``{"ImportId": ...}`` row under the
    column names; those two rows are skipped. Other files: none.
    """
    for k, row in enumerate(rows[:2]):
        if any(isinstance(v, str) and v.lstrip().startswith('{"ImportId"') for v in row):
            return k + 1
    return 0


def question_texts(names: list[str], rows: list[list[Any]], skip: int) -> dict[str, str]:
    """Column -> the question text written under its header (Qualtrics), else empty.

    ``rows`` are the rows below the header and ``skip`` what :func:`description_rows`
    found: with two description rows, the first holds the question texts.
    """
    if skip != 2 or not rows:
        return {}
    return {name: " ".join(str(v).split()) for name, v in zip(names, rows[0], strict=False)
            if not is_blank(v)}


def _header_name(v: object, j: int) -> str:
    """The name of the header cell ``v`` at 0-based position ``j``, before de-duplication."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).replace("\ufeff", "").strip() if not is_blank(v) else f"Unnamed: {j + 1}"


def column_names(header: list[object]) -> list[str]:
    """One unique name per header cell; a repeated name gets ``.1``, ``.2`` (as pandas
    does), and :func:`repeated_names` tells where the header repeats one."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for j, v in enumerate(header):
        name = _header_name(v, j)
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    return names


def repeated_names(header: list[object]) -> dict[str, tuple[int, ...]]:
    """Name -> 1-based positions of every header cell with that name, for the names the
    header repeats (:func:`column_names` reads the repeats as ``name.1``, ...)."""
    where: dict[str, list[int]] = {}
    for j, v in enumerate(header):
        where.setdefault(_header_name(v, j), []).append(j + 1)
    return {name: tuple(pos) for name, pos in where.items() if len(pos) > 1}


def two_row_header(rows: list[list[object]], h: int) -> bool:
    """Whether rows ``h`` and ``h + 1`` are SurveyMonkey's two header rows.

    Row ``h`` names the metadata columns (with ``Respondent ID`` and ``Collector ID``)
    and each question once, over the first of its columns; row ``h + 1`` holds the row
    labels (``Response`` for a single question) and only text. Text files should pass
    typed cells (see :func:`typed_cell`), so that a data row is not taken for labels.
    """
    if h + 1 >= len(rows):
        return False
    top = {" ".join(v.split()).lower() for v in rows[h] if isinstance(v, str)}
    sub = [v for v in rows[h + 1] if not is_blank(v)]
    return top >= _SURVEYMONKEY_FIRST and bool(sub) and all(isinstance(v, str) for v in sub)


def find_header(rows: list[list[object]]) -> int:
    """0-based header row: the first of SurveyMonkey's two header rows, else
    :func:`detect_header`."""
    for i in range(len(rows) - 1):
        if two_row_header(rows, i):
            return i
    return detect_header(rows)


def two_row_names(top: list[object], sub: list[object]) -> list[object]:
    """One name per column from SurveyMonkey's two header rows.

    The question text stands over the first of its columns and is carried to the
    blank cells right of it. A column is named ``Question text | Row label``; the
    question text alone when the label is blank or ``Response`` (a single question, or a
    metadata column), the label alone before the first question text. Runs of white
    space become one space.
    """
    names: list[object] = []
    question: str | None = None
    for j in range(max(len(top), len(sub))):
        t = top[j] if j < len(top) else None
        s = sub[j] if j < len(sub) else None
        if not is_blank(t):
            question = " ".join(str(t).split())
        label = "" if is_blank(s) else " ".join(str(s).split())
        if question is None:
            names.append(label or None)
        elif not label or label.lower() == "response":
            names.append(question)
        else:
            names.append(f"{question}{JOIN}{label}")
    return names
