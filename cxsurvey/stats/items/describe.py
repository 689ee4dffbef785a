"""Item descriptives, Likert answer distributions and response-quality flags."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from cxsurvey.stats.items.moments import kurtosis, skewness
from cxsurvey.stats.items.results import DescribeResult
from cxsurvey.stats.items.screen import same_answer

__all__ = ["describe"]


def describe(items: pd.DataFrame, constructs: dict[str, tuple[str, ...]],
             scale: tuple[int, int], row_numbers: np.ndarray | None = None,
             ids: pd.Series | None = None,
             answers: pd.DataFrame | None = None,
             scales: Mapping[str, tuple[int, int]] | None = None) -> DescribeResult:
    """Describe every item on its valid answers.

    Parameters
    ----------
    items : DataFrame
        Item scores (NaN = missing).
    constructs : dict
        Construct -> items, for the ``construct`` column.
    scale : (int, int)
        Likert range; answer percentages are given for each integer point.
    row_numbers : array, optional
        File row of each respondent, to name straightliners; default 1..n.
    ids : Series, optional
        Respondent identifiers (``[data] id``), shown beside straightliners' rows.
    answers : DataFrame, optional
        The raw answers (before reverse keying) on which straightliners are found;
        default ``items``.
    scales : mapping, optional
        Item -> its own ``(min, max)`` (``[data.scales]``); items not in it use ``scale``.
        Each item's percentages and top-2 box are on its own points; the ``pct_<k>``
        columns cover the union of the points (NaN where k is not on an item's scale).

    Returns
    -------
    DescribeResult
        ``items`` has ``construct, item, n, missing, mean, sd, median, min, max,
        skewness, skewness_se, kurtosis, kurtosis_se, pct_<k>..., top2_box``. ``sd`` uses
        n - 1; skewness/kurtosis are SPSS's G1/G2; ``top2_box`` is the percent of answers
        in the two highest points of the item's scale. ``scales`` holds each item's scale
        when the items' scales differ (empty otherwise).

    Notes
    -----
    A straightliner gave the same raw answer to every item and answered at least 5 items
    (fewer answers make identical answers unremarkable); see
    :func:`cxsurvey.stats.items.screen.same_answer`. Raw answers, because a respondent who
    ticks 1 on every item and 4 on the reverse-keyed ones answered attentively, and one who
    ticks 3 everywhere did not, whatever the keys.

    References
    ----------
    Joanes & Gill (1998) for G1/G2; Kim, Dykema, Stevenson, Black & Moberg (2019),
    Straightlining: overview of measurement, comparison of indicators, and effects in
    mail-web mixed-mode surveys, Social Science Computer Review 37(2), 214-233.
    """
    owner = {i: c for c, its in constructs.items() for i in its}
    own = {str(i): tuple(map(int, (scales or {}).get(str(i), scale))) for i in items.columns}
    union = sorted({k for lo, hi in [scale, *own.values()] for k in range(lo, hi + 1)})
    if len(set(own.values()) | {tuple(scale)}) == 1:
        union, own = list(range(int(scale[0]), int(scale[1]) + 1)), {}
    points = union
    rows = [_item_row(item, items[item], owner.get(item), points, own.get(str(item)))
            for item in items.columns]
    zero_var = [str(r["item"]) for r in rows if r.pop("_constant")]
    table = pd.DataFrame(rows)
    values = (items if answers is None else answers).to_numpy(dtype=float)
    straight, lo = same_answer(values)
    if row_numbers is None:
        row_numbers = np.arange(1, values.shape[0] + 1)
    sl = pd.DataFrame({"row": np.asarray(row_numbers)[straight].astype(int),
                       "answer": lo[straight]})
    if ids is not None:
        sl.insert(1, "id", np.asarray(ids, dtype=object)[straight])
    return DescribeResult(items=table, zero_variance=tuple(zero_var), straightliners=sl,
                          scale_points=tuple(points),
                          scales={i: (s[0], s[1]) for i, s in own.items()})


def _item_row(item: str, column: pd.Series, construct: str | None,
              points: list[int], own: tuple[int, ...] | None = None) -> dict[str, object]:
    """One item's descriptives (``_constant``: every valid answer the same).

    ``points`` are the columns' scale points; ``own`` the item's ``(min, max)`` when it
    differs between items (its percentages are then NaN off its own points).
    """
    x = column.to_numpy(dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    sk, sk_se = skewness(x)
    ku, ku_se = kurtosis(x)
    row: dict[str, object] = {
        "construct": construct, "item": item, "n": n,
        "missing": int(column.shape[0] - n),
        "mean": float(x.mean()) if n else np.nan,
        "sd": float(x.std(ddof=1)) if n > 1 else np.nan,
        "median": float(np.median(x)) if n else np.nan,
        "min": float(x.min()) if n else np.nan,
        "max": float(x.max()) if n else np.nan,
        "skewness": sk, "skewness_se": sk_se, "kurtosis": ku, "kurtosis_se": ku_se,
    }
    mine = points if own is None else list(range(own[0], own[1] + 1))
    for k in points:
        row[f"pct_{k}"] = float(np.mean(x == k) * 100) if n and k in mine else np.nan
    row["top2_box"] = float(np.mean(x >= mine[-2]) * 100) if n and len(mine) > 2 else np.nan
    row["_constant"] = bool(n > 0 and np.ptp(x) == 0)
    return row
