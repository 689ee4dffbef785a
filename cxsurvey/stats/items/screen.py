"""Data-quality screen of respondents on their raw answers: straightlining, duplicates,
speeding and failed attention checks.

The screen reads what each respondent ticked, before reverse keying: reverse-keyed items
make an attentive respondent's recoded answers look uniform and hide a real
straightliner's uniform raw answers. Flags are screening rules, not statistical tests:
they mark respondents to inspect or exclude (``--exclude-flagged``), and every constant
below names its source.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["MIN_ANSWERED", "DUPLICATE_MIN_ANSWERED", "LONG_RUN_SHARE", "SPEED_FRACTION",
           "SPEED_MIN_N", "ScreenResult", "longest_runs", "same_answer", "screen"]

MIN_ANSWERED = 5
"""Straightlining needs at least this many answered items: identical answers to fewer are
unremarkable (Kim, Dykema, Stevenson, Black & Moberg 2019)."""

LONG_RUN_SHARE = 0.8
"""A run of one answer over at least this share of the items (in questionnaire order) is
long-string responding (Johnson 2005; Meade & Craig 2012; Curran 2016, who advise cut-offs
that catch only the extreme cases)."""

DUPLICATE_MIN_ANSWERED = 10
"""Identical answer rows count as duplicates only with at least this many answered items,
so that chance agreement of short rows is not taken for a copy (Kuriakose & Robbins 2016
treat a match of 85% or more of the items as suspicious; identity is 100%)."""

SPEED_FRACTION = 1 / 3
"""Speeders took less than this fraction of the median completion time, i.e. a relative
speed index (median / own time) above 3 (Greszki, Meyer & Schoen 2015 measure speed
relative to the median; Leiner 2019 flags an index above 2, a stricter cut-off)."""

SPEED_MIN_N = 10
"""The speed rule needs at least this many positive durations for a meaningful median."""

RULES = {
    "straightliner": (
        f"the same raw answer to every item answered (at least {MIN_ANSWERED} items), or one "
        f"answer repeated over at least {LONG_RUN_SHARE:.0%} of the items in file order "
        "(long-string analysis: Johnson 2005; Meade & Craig 2012; Curran 2016)"),
    "duplicate": (
        "the same respondent id as an earlier row, or the same answers to every item as an "
        f"earlier row with at least {DUPLICATE_MIN_ANSWERED} items answered and not all the "
        "same (Kuriakose & Robbins 2016); the first submission is kept"),
    "speeder": (
        f"a completion time under 1/{1 / SPEED_FRACTION:g} of the median (relative speed index "
        f"above {1 / SPEED_FRACTION:g}; Greszki, Meyer & Schoen 2015; Leiner 2019); needs a "
        f"duration column and at least {SPEED_MIN_N} durations"),
    "attention": (
        "an answer to an attention check ([data.attention]) that is not an accepted one; a "
        "blank answer is not a failure (Meade & Craig 2012)"),
}
"""Each rule in words, with its sources (the JSON ``data_quality.rules``)."""

_COLUMNS = ["row", "id", "answered", "straightliner", "answer", "longest_run", "duplicate_of",
            "duplicate_by", "speeder", "duration", "attention_failed", "flagged", "reasons"]


@dataclass(frozen=True)
class ScreenResult:
    """Per-respondent flags of the data-quality screen.

    Attributes
    ----------
    respondents : DataFrame
        One row per respondent in file order: ``row`` (file row), ``id``, ``answered``
        (items answered), ``straightliner``, ``answer`` (the one raw answer of an all-same
        respondent, else NaN), ``longest_run``, ``duplicate_of`` (file row of the earlier
        submission, else NaN), ``duplicate_by`` (``"id"`` or ``"answers"``), ``speeder``,
        ``duration``, ``attention_failed``, ``flagged`` (any rule) and ``reasons`` (text).
    counts : dict
        ``screened`` and the respondents each rule flags, and ``flagged`` (any rule).
    rules : dict
        Rule -> its definition and sources; rules that could not run say why.
    longest_run : dict
        Distribution of ``longest_run``: ``min, p25, median, p75, max`` and the
        ``threshold`` of the long-string rule.
    excluded : bool
        True when the flagged respondents were dropped before the analyses.
    """

    respondents: pd.DataFrame
    counts: dict[str, int] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)
    longest_run: dict[str, float] = field(default_factory=dict)
    excluded: bool = False

    @property
    def flagged(self) -> pd.DataFrame:
        """The flagged respondents only."""
        return self.respondents[self.respondents["flagged"]].reset_index(drop=True)


def same_answer(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Respondents who gave one answer to every item they answered.

    Parameters
    ----------
    values : ndarray
        Answers, respondents x items (NaN = missing).

    Returns
    -------
    mask : ndarray of bool
        True for respondents with at least ``min(MIN_ANSWERED, items)`` answers, all equal
        (never with a single item).
    answer : ndarray
        That answer (NaN elsewhere).

    References
    ----------
    Kim, Y., Dykema, J., Stevenson, J., Black, P., & Moberg, D. P. (2019). Straightlining:
    overview of measurement, comparison of indicators, and effects in mail-web mixed-mode
    surveys. Social Science Computer Review, 37(2), 214-233.
    """
    values = np.asarray(values, dtype=float)
    k = values.shape[1]
    if k == 0:
        return np.zeros(values.shape[0], dtype=bool), np.full(values.shape[0], np.nan)
    answered = np.isfinite(values).sum(axis=1)
    with np.errstate(invalid="ignore"):  # fmin/fmax skip NaN; a row of NaN stays NaN
        lo = np.fmin.reduce(values, axis=1)
        hi = np.fmax.reduce(values, axis=1)
    mask = (answered >= min(MIN_ANSWERED, k)) & (answered > 0) & (lo == hi) & (k > 1)
    return mask, np.where(mask, lo, np.nan)


def longest_runs(values: np.ndarray) -> np.ndarray:
    """Longest run of one answer in consecutive items, per respondent (long-string index).

    A missing answer ends a run (as R's ``careless::longstring``, which runs ``rle`` on the
    answers).

    Parameters
    ----------
    values : ndarray
        Answers, respondents x items in questionnaire order (NaN = missing).

    Returns
    -------
    ndarray of int

    References
    ----------
    Johnson, J. A. (2005). Ascertaining the validity of individual protocols from Web-based
    personality inventories. Journal of Research in Personality, 39(1), 103-129.
    Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey data.
    Psychological Methods, 17(3), 437-455.
    """
    values = np.asarray(values, dtype=float)
    n, k = values.shape
    if k == 0:
        return np.zeros(n, dtype=int)
    finite = np.isfinite(values)
    run = finite[:, 0].astype(int)
    best = run.copy()
    for j in range(1, k):
        same = finite[:, j] & finite[:, j - 1] & (values[:, j] == values[:, j - 1])
        run = np.where(same, run + 1, finite[:, j].astype(int))
        best = np.maximum(best, run)
    return best


def _first_of(keys: pd.Series, usable: np.ndarray) -> np.ndarray:
    """Position of the first earlier row with the same key (-1 where none or not usable)."""
    pos = pd.Series(np.arange(len(keys)), index=keys.index)
    first = pos[usable].groupby(keys[usable], sort=False).transform("min")
    out = np.full(len(keys), -1)
    out[first.index.to_numpy()] = first.to_numpy()
    return np.where(out == np.arange(len(keys)), -1, out)


def _row_hashes(values: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each row's answers (missing as one value), column by column so
    that no copy of the whole table is made."""
    out = np.zeros(values.shape[0], dtype=np.uint64)
    for j in range(values.shape[1]):
        col = values[:, j]
        col = np.where(np.isnan(col), -np.inf, col)
        with np.errstate(over="ignore"):
            out = out * np.uint64(1_000_003) ^ pd.util.hash_array(col)
    return out


def duplicates(values: np.ndarray, ids: pd.Series | None = None,
               straight: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Later submissions of a respondent: the same id, or the same answers to every item.

    Parameters
    ----------
    values : ndarray
        Raw answers, respondents x items (NaN = missing).
    ids : Series, optional
        Respondent identifiers (missing ids are never duplicates).
    straight : ndarray of bool, optional
        :func:`same_answer`'s mask when the caller has it (computed otherwise).

    Returns
    -------
    first : ndarray of int
        Position of the first submission each row repeats (-1: none).
    by : ndarray of object
        ``"id"``, ``"answers"`` or None.

    References
    ----------
    Kuriakose, N., & Robbins, M. (2016). Don't get duped: fraud through duplication in
    public opinion surveys. Statistical Journal of the IAOS, 32(3), 283-291.
    """
    values = np.asarray(values, dtype=float)
    n = values.shape[0]
    first = np.full(n, -1)
    by = np.full(n, None, dtype=object)
    if ids is not None:
        id_keys = pd.Series(np.asarray(ids, dtype=object)).map(
            lambda v: None if v is None or (isinstance(v, float) and math.isnan(v))
            else str(v).strip() or None)
        hit = _first_of(id_keys.fillna(""), id_keys.notna().to_numpy())
        first, by = np.where(hit >= 0, hit, first), np.where(hit >= 0, "id", by)
    if straight is None:
        straight = same_answer(values)[0]
    usable = (np.isfinite(values).sum(axis=1) >= DUPLICATE_MIN_ANSWERED) & ~straight
    keys = pd.Series(_row_hashes(values))
    hit = _first_of(keys, usable)
    if (hit >= 0).any():
        # a 64-bit hash is checked against the rows themselves (missing equals missing)
        same = [i for i in np.flatnonzero(hit >= 0)
                if np.array_equal(values[i], values[hit[i]], equal_nan=True)]
        new = np.zeros(n, dtype=bool)
        new[same] = True
        new &= first < 0
        first, by = np.where(new, hit, first), np.where(new, "answers", by)
    return first, by


def speeders(duration: pd.Series | None, n: int) -> tuple[np.ndarray, float | None]:
    """Respondents faster than :data:`SPEED_FRACTION` of the median completion time.

    Returns
    -------
    mask : ndarray of bool
    median : float or None
        The median of the positive durations; None when there are fewer than
        :data:`SPEED_MIN_N` (the rule then flags nobody).

    References
    ----------
    Greszki, R., Meyer, M., & Schoen, H. (2015). Exploring the effects of removing "too
    fast" responses and respondents from web surveys. Public Opinion Quarterly, 79(2),
    471-503.
    Leiner, D. J. (2019). Too fast, too straight, too weird: non-reactive indicators for
    meaningless data in internet surveys. Survey Research Methods, 13(3), 229-248.
    """
    if duration is None:
        return np.zeros(n, dtype=bool), None
    d = pd.to_numeric(pd.Series(np.asarray(duration)), errors="coerce").to_numpy(dtype=float)
    valid = np.isfinite(d) & (d > 0)
    if valid.sum() < SPEED_MIN_N:
        return np.zeros(n, dtype=bool), None
    median = float(np.median(d[valid]))
    return valid & (d < SPEED_FRACTION * median), median


def attention_failures(attention: pd.DataFrame | None,
                       accepted: dict[str, tuple[float, ...]]) -> dict[int, list[str]]:
    """The attention checks answered with an answer not accepted, by respondent position
    (respondents who failed none are left out).

    A blank answer is no failure: a respondent who left the survey before the check, or a
    skipped question, says nothing about attention.

    References
    ----------
    Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey data.
    Psychological Methods, 17(3), 437-455.
    """
    out: dict[int, list[str]] = {}
    if attention is None:
        return out
    for col, ok in accepted.items():
        x = attention[col].to_numpy(dtype=float)
        bad = np.isfinite(x) & ~np.isin(x, np.asarray(ok, dtype=float))
        for i in np.flatnonzero(bad):
            out.setdefault(int(i), []).append(f"{col} = {x[i]:g}")
    return out


def screen(answers: pd.DataFrame, row_numbers: np.ndarray | None = None,
           ids: pd.Series | None = None, duration: pd.Series | None = None,
           attention: pd.DataFrame | None = None,
           accepted: dict[str, tuple[float, ...]] | None = None) -> ScreenResult:
    """Flag straightliners, duplicate submissions, speeders and failed attention checks.

    Parameters
    ----------
    answers : DataFrame
        Raw answers (before reverse keying; NaN = missing), respondents x items in
        questionnaire (file) order.
    row_numbers : array, optional
        File row of each respondent; default 1..n.
    ids : Series, optional
        Respondent identifiers.
    duration : Series, optional
        Completion time of each respondent (any unit; the rule is relative).
    attention : DataFrame, optional
        Answers to the attention checks; ``accepted`` maps each column to its accepted
        answers.

    Returns
    -------
    ScreenResult

    Notes
    -----
    The rules and their constants are in :data:`RULES`. A respondent is ``flagged`` when
    any rule flags them.

    References
    ----------
    Curran, P. G. (2016). Methods for the detection of carelessly invalid responses in
    survey data. Journal of Experimental Social Psychology, 66, 4-19.
    Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey data.
    Psychological Methods, 17(3), 437-455.
    """
    values = answers.to_numpy(dtype=float)
    n, k = values.shape
    rows = np.arange(1, n + 1) if row_numbers is None else np.asarray(row_numbers).astype(int)
    all_same, answer = same_answer(values)
    runs = longest_runs(values)
    threshold = max(MIN_ANSWERED, math.ceil(LONG_RUN_SHARE * k))
    straight = all_same | ((runs >= threshold) & (k >= MIN_ANSWERED))
    first, by = duplicates(values, ids, all_same)
    fast, median = speeders(duration, n)
    failed = attention_failures(attention, accepted or {})
    attention_failed = np.zeros(n, dtype=bool)
    attention_failed[list(failed)] = True
    frame = pd.DataFrame({
        "row": rows,
        "id": (np.asarray(ids, dtype=object) if ids is not None
               else np.full(n, None, dtype=object)),
        "answered": np.isfinite(values).sum(axis=1).astype(np.int32),
        "straightliner": straight, "answer": answer, "longest_run": runs,
        "duplicate_of": np.where(first >= 0, rows[np.maximum(first, 0)], np.nan),
        "duplicate_by": by, "speeder": fast,
        "duration": (pd.to_numeric(pd.Series(np.asarray(duration)), errors="coerce")
                     .to_numpy(dtype=float) if duration is not None else np.full(n, np.nan)),
        "attention_failed": attention_failed,
    })
    frame["flagged"] = (frame["straightliner"] | frame["duplicate_of"].notna()
                        | frame["speeder"] | frame["attention_failed"])
    reasons = np.full(n, "", dtype=object)
    hit = np.flatnonzero(frame["flagged"].to_numpy())
    reasons[hit] = [_reasons(r, failed.get(int(i), []), k, median) for i, r in
                    zip(hit, frame.iloc[hit].itertuples(index=False), strict=True)]
    frame["reasons"] = reasons
    counts = {"screened": n, "straightliner": int(straight.sum()),
              "duplicate": int((first >= 0).sum()), "speeder": int(fast.sum()),
              "attention": int(frame["attention_failed"].sum()),
              "flagged": int(frame["flagged"].sum())}
    rules = dict(RULES)
    if median is None:
        rules["speeder"] += ("; not applied: no duration column" if duration is None
                             else f"; not applied: fewer than {SPEED_MIN_N} durations")
    if not accepted:
        rules["attention"] += "; not applied: no [data.attention] in the model file"
    q = np.percentile(runs, [0, 25, 50, 75, 100]) if n else [np.nan] * 5
    dist = dict(zip(("min", "p25", "median", "p75", "max"), map(float, q), strict=True))
    return ScreenResult(respondents=frame[_COLUMNS], counts=counts, rules=rules,
                        longest_run={**dist, "threshold": threshold, "items": k})


def _reasons(r, failed: list[str], k: int, median: float | None) -> str:  # type: ignore[no-untyped-def]
    """The rules that flag one respondent, in words."""
    out: list[str] = []
    if r.straightliner:
        out.append(f"same answer ({r.answer:g}) to all {r.answered} items answered"
                   if r.answer == r.answer else
                   f"same answer to {r.longest_run} of {k} items in a row")
    if r.duplicate_of == r.duplicate_of:
        what = "id" if r.duplicate_by == "id" else "answers"
        out.append(f"same {what} as row {int(r.duplicate_of)}")
    if r.speeder and median is not None:
        out.append(f"took {r.duration:g}, under 1/{1 / SPEED_FRACTION:g} of the median "
                   f"{median:g}")
    if failed:
        out.append("attention check failed: " + ", ".join(failed))
    return "; ".join(out)
