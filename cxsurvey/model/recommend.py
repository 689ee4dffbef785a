"""Find the likelihood-to-recommend question (the 0-10 item of a Net Promoter Score).

A column is the recommend question when its header, or the question text under it (a
Qualtrics export's second row), reads like "How likely are you to recommend us to a
friend or colleague?", or when the column is named like ``NPS``, ``Recommend`` or ``LTR``
(``NPS_score``, ``recommend rating`` ...), and its answers are whole numbers from 0 to 10
that go above 5 (a 1-5 agreement item such as "I recommend the company to others" is
not one). Such a column is no item of a construct; ``cxsurvey init`` names it in
``[metrics] nps`` with ``[data.scales] <name> = [0, 10]``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping

from cxsurvey.model.spec import ItemColumn

__all__ = ["NPS_RANGE", "RECOMMEND_NAME", "RecommendEntries", "answers_are_0_10",
           "find_recommend", "is_recommend_header", "recommend_entries", "recommend_name"]

#: The answer range of a likelihood-to-recommend question.
NPS_RANGE = (0, 10)
#: The short name proposed for a recommend question whose header is long.
RECOMMEND_NAME = "Recommend"
_LIKELY = re.compile(r"\blikel(?:y|ihood)\b.*\brecommend", re.IGNORECASE | re.DOTALL)
_NAMED = re.compile(r"^(?:nps|ltr|recommend(?:ation)?|likelihood[ _-]?to[ _-]?recommend)"
                    r"(?:[ _-]?(?:score|rating|question))?$", re.IGNORECASE)
_SHORT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def is_recommend_header(header: str, question: str | None = None) -> bool:
    """Whether a column header (or its question text) asks the likelihood to recommend."""
    name = " ".join(str(header).split())
    if _NAMED.match(name) or _LIKELY.search(name):
        return True
    return question is not None and bool(_LIKELY.search(" ".join(question.split())))


def _number(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def answers_are_0_10(values: Iterable[object]) -> bool:
    """Whether the answers are whole numbers in 0..10 with at least one above 5.

    Missing answers (None, NaN, blank text) are skipped; any other text is not a number
    and makes the column no recommend question.
    """
    seen = False
    high = False
    for value in values:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        x = _number(value)
        if x is None:
            return False
        if math.isnan(x):
            continue
        if not x.is_integer() or not NPS_RANGE[0] <= x <= NPS_RANGE[1]:
            return False
        seen = True
        high = high or x > 5
    return seen and high


def find_recommend(columns: Iterable[str], answers: Callable[[str], Iterable[object]],
                   questions: Mapping[str, str] | None = None) -> str | None:
    """The first column that is a likelihood-to-recommend question, or None.

    Parameters
    ----------
    columns : iterable of str
        Column names in file order.
    answers : callable
        Column -> its answers as read.
    questions : mapping, optional
        Column -> its question text, where the export has one apart from the header.
    """
    questions = questions or {}
    for col in columns:
        if is_recommend_header(col, questions.get(col)) and answers_are_0_10(answers(col)):
            return col
    return None


def recommend_name(column: str, taken: Iterable[str] = ()) -> str:
    """The model's name for the recommend column: the column itself when it is a short
    name (``NPS``, ``Q9``), else ``Recommend`` (``Recommend2`` ... when taken, compared
    ignoring case)."""
    if _SHORT.match(column):
        return column
    used = {t.lower() for t in taken}
    name, k = RECOMMEND_NAME, 1
    while name.lower() in used:
        k += 1
        name = f"{RECOMMEND_NAME}{k}"
    return name


#: ``[data.items]``, ``[metrics]`` and ``[data.scales]`` entries for a recommend question.
RecommendEntries = tuple[dict[str, ItemColumn], dict[str, str], dict[str, tuple[int, int]]]


def recommend_entries(columns: Iterable[str], answers: Callable[[str], Iterable[object]],
                      questions: Mapping[str, str] | None = None,
                      taken: Iterable[str] = ()) -> RecommendEntries:
    """The model entries for the file's recommend question (all empty without one).

    Returns
    -------
    items : dict
        ``{short name: ItemColumn(header)}`` when the header is long, else empty.
    metrics : dict
        ``{"nps": name}``.
    scales : dict
        ``{name: (0, 10)}``.
    """
    columns = [str(c) for c in columns]
    column = find_recommend(columns, answers, questions)
    if column is None:
        return {}, {}, {}
    name = recommend_name(column, [*columns, *taken])
    items = {name: ItemColumn(column)} if name != column else {}
    return items, {"nps": name}, {name: NPS_RANGE}
