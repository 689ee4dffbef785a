"""Text answers -> Likert scores: the user's ``[data.labels]`` and built-in English sets.

Matching ignores case and surrounding or repeated white space, so "agree ", "Agree" and
"AGREE" are one answer. Answers such as "5 - Strongly agree" or "5 = Strongly agree" take
their leading number.
"""

from __future__ import annotations

import re

AGREE_5 = {
    "strongly disagree": 1, "disagree": 2,
    "neither agree nor disagree": 3, "neither agree or disagree": 3,
    "neither disagree nor agree": 3, "neutral": 3, "undecided": 3, "neither": 3,
    "agree": 4, "strongly agree": 5,
}
AGREE_7 = {
    "strongly disagree": 1, "disagree": 2,
    "somewhat disagree": 3, "slightly disagree": 3, "mildly disagree": 3,
    "neither agree nor disagree": 4, "neither agree or disagree": 4,
    "neither disagree nor agree": 4, "neutral": 4, "undecided": 4, "neither": 4,
    "somewhat agree": 5, "slightly agree": 5, "mildly agree": 5,
    "agree": 6, "strongly agree": 7,
}
_SEVEN_ONLY = {k for k in AGREE_7 if k not in AGREE_5}
#: Texts read as missing without being declared (normalised): what spreadsheets and
#: statistics packages write for "no value". Other non-answers ("Don't know") must be
#: listed under ``[data] missing``.
MISSING_TEXT = frozenset({"", "na", "n/a", "#n/a", "nan", "null"})
_LEADING_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:[-=:.)]\s*|\s+)\S")


def normalise(text: str) -> str:
    """Case-fold and collapse white space (also non-breaking spaces)."""
    return " ".join(str(text).replace("\u00a0", " ").split()).casefold()


def builtin_set(answers: set[str], scale: tuple[int, int] | None) -> dict[str, float]:
    """Choose the built-in agreement set that fits the answers and the scale.

    A 7-point scale (``[data] scale = [1, 7]``) takes the 7-point set and a 5-point scale
    the 5-point set. Without a scale the 7-point set is used when an answer exists only
    in it ("somewhat agree"), otherwise the 5-point set. Call it once for all items of
    a survey so that "agree" has one score in every column.
    """
    if scale is not None and scale[1] - scale[0] in (4, 6):
        seven = scale[1] - scale[0] == 6
    else:
        seven = bool(answers & _SEVEN_ONLY)
    return {k: float(v) for k, v in (AGREE_7 if seven else AGREE_5).items()}


def in_seven_point_set_only(text: str) -> bool:
    """Whether a normalised answer belongs to the 7-point set but not the 5-point one."""
    return text in _SEVEN_ONLY


def leading_number(text: str) -> float | None:
    """``"5 - Strongly agree"`` -> 5.0; None when the text does not start so."""
    m = _LEADING_NUMBER.match(text)
    return float(m.group(1)) if m else None
