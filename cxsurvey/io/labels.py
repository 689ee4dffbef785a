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
_LEADING_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:[-=:.)]\s*|\s+)\S")


def normalise(text: str) -> str:
    """Case-fold and collapse white space (also non-breaking spaces)."""
    return " ".join(str(text).replace("\u00a0", " ").split()).casefold()


def builtin_set(answers: set[str], scale: tuple[int, int] | None) -> dict[str, float]:
    """Choose the built-in agreement set that fits the answers and the scale.

    The 7-point set is used when the scale is 1-7 or when an answer exists only in it
    ("somewhat agree"); otherwise the 5-point set.
    """
    seven = (scale is not None and scale[1] - scale[0] == 6) or bool(answers & _SEVEN_ONLY)
    return {k: float(v) for k, v in (AGREE_7 if seven else AGREE_5).items()}


def leading_number(text: str) -> float | None:
    """``"5 - Strongly agree"`` -> 5.0; None when the text does not start so."""
    m = _LEADING_NUMBER.match(text)
    return float(m.group(1)) if m else None
