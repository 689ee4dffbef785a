"""The columns a data-quality screen reads besides the items: duration and attention checks.

Durations are found by the column's name; attention checks are declared in the model file
(``[data.attention]``). Both are read from the table as exported, one row per respondent
in file order, like the item frame.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from cxsurvey.errors import InputError, Location
from cxsurvey.io.labels import leading_number, normalise
from cxsurvey.io.readers import RawTable
from cxsurvey.model.load import key_line
from cxsurvey.model.spec import SurveyModel

__all__ = ["DURATION_NAME", "attention_answers", "find_duration"]

DURATION_NAME = re.compile(
    r"^(duration|time_?taken|seconds)(_(in_)?(seconds|secs|sec|s))?$")
"""A duration column's name, lower-cased with runs of other characters written ``_``:
Qualtrics' ``Duration (in seconds)``, ``duration``, ``Duration_sec``, ``time_taken``,
``TimeTaken``, ``seconds``."""


def _name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def find_duration(raw: RawTable, taken: set[str]) -> pd.Series | None:
    """The first column (in file order) named like a duration and holding numbers.

    Parameters
    ----------
    raw : RawTable
        The table as read.
    taken : set of str
        Columns with another role (items, id, attention checks), never a duration.

    Returns
    -------
    Series or None
        Durations as floats (texts and non-positive values NaN), named by the column,
        index 0..n-1; None when no column qualifies.
    """
    for col in raw.frame.columns:
        name = str(col)
        if name in taken or not DURATION_NAME.match(_name_key(name)):
            continue
        values = pd.to_numeric(raw.frame[col], errors="coerce").astype(float)
        values = values.where(values > 0).reset_index(drop=True)
        if values.notna().any():
            return values.rename(name)
    return None


def attention_answers(raw: RawTable, model: SurveyModel, mapping: dict[str, float],
                      convert: Callable[[str], pd.Series],
                      ) -> tuple[pd.DataFrame, dict[str, tuple[float, ...]]]:
    """The answers to the ``[data.attention]`` columns and each check's accepted scores.

    Parameters
    ----------
    raw : RawTable
    model : SurveyModel
    mapping : dict
        Normalised answer text -> score, the items' mapping; an accepted answer given as
        text is scored through it (or its leading number, ``"4 - Agree"``).
    convert : callable
        Column name -> its answers as floats (missing codes NaN), as the items are read.

    Raises
    ------
    InputError
        An accepted answer text that nothing maps (naming the model file and line).
    """
    checks = model.data.attention
    frame = pd.DataFrame({c: convert(c).to_numpy() for c in checks},
                         index=pd.RangeIndex(raw.frame.shape[0]))
    accepted: dict[str, tuple[float, ...]] = {}
    for col, values in checks.items():
        scores: list[float] = []
        for v in values:
            score = _score(v, mapping)
            if score is None:
                raise InputError(
                    f"[data.attention] '{col}' accepts {v!r}, a text that no label "
                    "mapping covers",
                    Location(file=model.source,
                             line=key_line(model.text, "data.attention", col)),
                    "Give the expected answer as a score (e.g. 4) or as a text listed in "
                    "[data.labels].")
            scores.append(score)
        accepted[col] = tuple(scores)
    return frame, accepted


def _score(value: float | str, mapping: dict[str, float]) -> float | None:
    if not isinstance(value, str):
        return float(value)
    key = normalise(value)
    if key in mapping:
        return mapping[key]
    try:
        return float(key.replace(",", "."))
    except ValueError:
        lead = leading_number(key)
        return None if lead is None or not np.isfinite(lead) else float(lead)
