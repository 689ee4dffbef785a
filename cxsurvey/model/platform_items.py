"""Short item names (``[data.items]``) for the question layouts of survey platforms.

- Google Forms heads grid rows ``Question title [Row label]``; every title with at least
  two rows becomes a construct named from it, its rows ``<Construct>1..k``.
- SurveyMonkey writes two header rows, the question text over its columns and the row
  labels under it; the reader joins them into ``Question text | Row label``
  (:func:`cxsurvey.io.layout.two_row_names`). Every question with at least two rows
  becomes a construct named from its text, its rows ``<Construct>1..k``.
- LimeSurvey's question-code export heads an array question's sub-questions
  ``G01Q01[SQ001]``. Every question code with at least two sub-questions becomes a
  construct named by the code, its sub-questions ``<code>_1..k`` in file order.
- Microsoft Forms writes one column per Likert statement, headed
  ``Question title.Statement``; statements sharing the title before the first ``.``
  (at least two) become a construct named from the title, ``<Construct>1..k``.
- Typeform heads a matrix question's rows ``Question text - Row label``; rows sharing
  the text before the first `` - `` (at least two) become a construct the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from cxsurvey.model.infer import GRID_HEADER, construct_name, is_metadata, item_prefix
from cxsurvey.model.spec import ItemColumn

__all__ = ["SURVEYMONKEY_JOIN", "TYPEFORM_JOIN", "google_forms_items", "limesurvey_items",
           "msforms_items", "platform_items", "surveymonkey_items", "typeform_items"]

Items = tuple[dict[str, ItemColumn], dict[str, str]]
"""Short name -> :class:`ItemColumn` (for ``[data.items]``), and construct -> its
question title (or code)."""

#: What joins SurveyMonkey's question text and row label into one column name.
SURVEYMONKEY_JOIN = " | "
_LIMESURVEY = re.compile(r"^(?P<code>[A-Za-z][A-Za-z0-9]*)\[(?P<sub>[A-Za-z0-9_]+)\]$")
_LIMESURVEY_SIGNS = frozenset({"submitdate", "lastpage", "startlanguage"})
_SURVEYMONKEY_SIGNS = frozenset({"respondent id", "collector id"})
#: What separates a Typeform matrix question's text from the row label in its headers.
TYPEFORM_JOIN = " - "
_TYPEFORM_SIGNS = frozenset({"network id", "submit date (utc)"})
_MSFORMS_SIGNS = frozenset({"id", "start time", "completion time"})
_MSFORMS_STATEMENT = re.compile(r"^(?P<title>[^.]*\S)\.(?P<row>.*\S.*)$", re.DOTALL)


def _lower(columns: list[str]) -> set[str]:
    return {" ".join(c.split()).lower() for c in columns}


def _questions(columns: list[str], title_of: Callable[[str], str | None],
               skip_metadata: bool = True) -> dict[str, list[str]]:
    """Columns grouped by their question's title (``title_of`` gives None for a column
    that is no question row), in file order."""
    questions: dict[str, list[str]] = {}
    for col in columns:
        title = title_of(col)
        if title is not None and not (skip_metadata and is_metadata(col)):
            questions.setdefault(title, []).append(col)
    return questions


def _taken(columns: list[str]) -> set[str]:
    """Names a new construct must not take: the columns and the constructs they imply."""
    taken = {c.lower() for c in columns}
    return taken | {p.lower() for c in columns if (p := item_prefix(c)) is not None}


def _titled_items(columns: list[str], questions: dict[str, list[str]]) -> Items:
    """Every question title with at least two columns -> a construct named by
    :func:`construct_name`, its columns ``<Construct>1..k`` in file order."""
    taken = _taken(columns)
    items: dict[str, ItemColumn] = {}
    titles: dict[str, str] = {}
    for title, cols in questions.items():
        if len(cols) < 2:
            continue
        name = construct_name(title, taken)
        taken.add(name.lower())
        titles[name] = title
        items.update({f"{name}{k}": ItemColumn(col) for k, col in enumerate(cols, start=1)})
    return items, titles


def _words(text: str) -> str:
    return " ".join(text.split())


def _grid_title(col: str) -> str | None:
    m = GRID_HEADER.match(col.strip())
    return _words(m.group("title")) if m else None


def google_forms_items(columns: Iterable[str]) -> Items:
    """Short item names for Google Forms grid rows ``Question title [Row label]``, each
    mapped to its exact header."""
    columns = [str(c) for c in columns]
    return _titled_items(columns, _questions(columns, _grid_title))


def surveymonkey_items(columns: Iterable[str]) -> Items:
    """Short item names for SurveyMonkey matrix rows ``Question text | Row label``.

    Returns
    -------
    items : dict
        Short name -> :class:`ItemColumn` (for ``[data.items]``).
    titles : dict
        Construct -> the question text.
    """
    columns = [str(c) for c in columns]

    def title_of(col: str) -> str | None:
        return _words(col.split(SURVEYMONKEY_JOIN, 1)[0]) if SURVEYMONKEY_JOIN in col else None

    return _titled_items(columns, _questions(columns, title_of))


def msforms_items(columns: Iterable[str]) -> Items:
    """Short item names for Microsoft Forms Likert statements ``Question title.Statement``.

    A statement of digits only (``Comment.1``: a repeated header numbered by the
    reader) is not one.

    Returns
    -------
    items : dict
        Short name -> :class:`ItemColumn` (for ``[data.items]``).
    titles : dict
        Construct -> the question title.
    """
    columns = [str(c) for c in columns]

    def title_of(col: str) -> str | None:
        m = _MSFORMS_STATEMENT.match(col.strip())
        return _words(m.group("title")) if m and not m.group("row").strip().isdigit() else None

    return _titled_items(columns, _questions(columns, title_of))


def limesurvey_items(columns: Iterable[str]) -> Items:
    """Short item names for LimeSurvey array sub-questions ``CODE[SUBCODE]``.

    ``other`` and ``...comment`` sub-columns (free text) are left out. A construct is
    named by its question code (``<code>x2`` when that is already a column or construct
    name; a name from the code's letters when ``<code>_1`` would not read back as
    ``<code>``).

    Returns
    -------
    items : dict
        Short name -> :class:`ItemColumn` (for ``[data.items]``).
    titles : dict
        Construct -> the question code (the export carries no question text).
    """
    columns = [str(c) for c in columns]

    def code_of(col: str) -> str | None:
        m = _LIMESURVEY.match(col.strip())
        if m is None:
            return None
        sub = m.group("sub").lower()
        return None if sub == "other" or sub.endswith("comment") else m.group("code")

    questions = _questions(columns, code_of, skip_metadata=False)
    taken = _taken(columns)
    items: dict[str, ItemColumn] = {}
    titles: dict[str, str] = {}
    for code, cols in questions.items():
        if len(cols) < 2:
            continue
        name, n = code, 1
        while name.lower() in taken:
            n += 1
            name = f"{code}x{n}"
        sep = "_"
        if item_prefix(f"{name}_1") != name:  # such as Q1A: ``Q1A_1`` reads back as no prefix
            name, sep = construct_name(code, taken), ""
        taken.add(name.lower())
        titles[name] = code
        items.update({f"{name}{sep}{k}": ItemColumn(col)
                      for k, col in enumerate(cols, start=1)})
    return items, titles


def typeform_items(columns: Iterable[str]) -> Items:
    """Short item names for Typeform matrix rows ``Question text - Row label``.

    Returns
    -------
    items : dict
        Short name -> :class:`ItemColumn` (for ``[data.items]``).
    titles : dict
        Construct -> the question text.
    """
    columns = [str(c) for c in columns]

    def title_of(col: str) -> str | None:
        title, sep, row = col.partition(TYPEFORM_JOIN)
        return _words(title) if sep and title.strip() and row.strip() else None

    return _titled_items(columns, _questions(columns, title_of))


def platform_items(columns: Iterable[str]) -> Items:
    """Short item names for whichever platform layout ``columns`` show.

    SurveyMonkey when ``Respondent ID`` and ``Collector ID`` are columns, LimeSurvey when
    ``submitdate``, ``lastpage`` or ``startlanguage`` is, Microsoft Forms when ``ID``,
    ``Start time`` and ``Completion time`` are, Typeform when ``Network ID`` and ``Submit
    Date (UTC)`` are, else Google Forms grids.
    """
    columns = [str(c) for c in columns]
    names = _lower(columns)
    if names >= _SURVEYMONKEY_SIGNS:
        return surveymonkey_items(columns)
    if names & _LIMESURVEY_SIGNS:
        return limesurvey_items(columns)
    if names >= _MSFORMS_SIGNS:
        return msforms_items(columns)
    if names >= _TYPEFORM_SIGNS:
        return typeform_items(columns)
    return google_forms_items(columns)
