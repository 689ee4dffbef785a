"""Customer-experience metrics: Net Promoter Score, CSAT, CES, top-2 box, with 95% CIs.

Pure functions on item scores (NaN = missing): each metric uses the item's valid answers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["MetricsResult", "NpsShares", "cx_metrics", "mean_interval", "nps",
           "top2_share", "wilson_interval"]

COLUMNS = ["name", "item", "value", "se", "ci_lower", "ci_upper", "n", "method"]


def _z(level: float) -> float:
    from scipy.stats import norm

    return float(norm.isf((1 - level) / 2))


def wilson_interval(k: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion ``k / n``.

    Returns
    -------
    (lower, upper) : tuple of float
        Proportions; ``(nan, nan)`` when ``n`` is 0.

    Notes
    -----
    With ``z`` the normal quantile and ``p = k/n``: centre ``(p + z^2/2n) / (1 + z^2/n)``,
    half-width ``z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n)``. Unlike the Wald interval it
    stays inside [0, 1] and keeps close to its nominal coverage for small n and for p
    near 0 or 1, as top-box shares often are (Brown, Cai & DasGupta 2001 recommend it).

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. Journal of the American Statistical Association, 22(158), 209-212.
    Brown, L. D., Cai, T. T., & DasGupta, A. (2001). Interval estimation for a binomial
    proportion. Statistical Science, 16(2), 101-133.
    """
    if n <= 0:
        return math.nan, math.nan
    z = _z(level)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return centre - half, centre + half


@dataclass(frozen=True)
class NpsShares:
    """One NPS item's answers: counts of detractors (0-6), passives (7-8), promoters (9-10).

    ``value`` is the NPS in points (-100..100); ``se`` its standard error in points.
    """

    n: int
    detractors: int
    passives: int
    promoters: int
    value: float
    se: float


def nps(x: np.ndarray | pd.Series) -> NpsShares:
    """Net Promoter Score of 0-10 answers: % promoters (9-10) minus % detractors (0-6).

    Notes
    -----
    With ``p+`` and ``p-`` the sample shares of promoters and detractors, the NPS is
    ``100 (p+ - p-)``. The three groups are one multinomial draw, so
    ``Var(p+ - p-) = (p+ + p- - (p+ - p-)^2) / n`` (the covariance of two multinomial
    shares is ``-p+ p- / n``); the standard error in points is 100 times its square root.

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "net promoter score". The American
    Statistician, 70(4), 365-372.
    Reichheld, F. F. (2003). The one number you need to grow. Harvard Business Review,
    81(12), 46-54.
    """
    v = np.asarray(x, dtype=float)
    v = v[np.isfinite(v)]
    n = int(v.size)
    pro, det = int(np.sum(v >= 9)), int(np.sum(v <= 6))
    if n == 0:
        return NpsShares(0, 0, 0, 0, math.nan, math.nan)
    p_pro, p_det = pro / n, det / n
    var = (p_pro + p_det - (p_pro - p_det) ** 2) / n
    return NpsShares(n, det, n - pro - det, pro, 100 * (p_pro - p_det),
                     100 * math.sqrt(max(var, 0.0)))


def top2_share(x: np.ndarray | pd.Series, scale: tuple[int, int]) -> tuple[int, int]:
    """``(answers in the two highest points of scale, valid answers)``."""
    v = np.asarray(x, dtype=float)
    v = v[np.isfinite(v)]
    return int(np.sum(v >= scale[1] - 1)), int(v.size)


def mean_interval(x: np.ndarray | pd.Series, level: float = 0.95,
                  ) -> tuple[float, float, float, float, int]:
    """``(mean, se, lower, upper, n)``: the mean with Student's t interval (df = n - 1).

    References
    ----------
    Student (1908). The probable error of a mean. Biometrika, 6(1), 1-25.
    """
    from scipy.stats import t

    v = np.asarray(x, dtype=float)
    v = v[np.isfinite(v)]
    n = int(v.size)
    if n == 0:
        return math.nan, math.nan, math.nan, math.nan, 0
    mean = float(v.mean())
    if n < 2:
        return mean, math.nan, math.nan, math.nan, n
    se = float(v.std(ddof=1)) / math.sqrt(n)
    q = float(t.isf((1 - level) / 2, n - 1))
    return mean, se, mean - q * se, mean + q * se, n


@dataclass(frozen=True)
class MetricsResult:
    """The CX metrics of a run.

    Attributes
    ----------
    table : DataFrame
        ``name, item, value, se, ci_lower, ci_upper, n, method``: ``nps`` in points
        (-100..100), ``csat`` and ``*_top2`` in percent (0-100), ``ces`` as the item's
        mean; ``method`` names the interval (``wald-multinomial``, ``wilson``, ``t``).
    nps : dict
        NPS item -> its :class:`NpsShares` (for the stacked bar chart).
    """

    table: pd.DataFrame
    nps: dict[str, NpsShares]


def _share_row(name: str, item: str, k: int, n: int, level: float) -> dict[str, object]:
    lo, hi = wilson_interval(k, n, level)
    p = k / n if n else math.nan
    se = math.sqrt(p * (1 - p) / n) if n else math.nan
    return {"name": name, "item": item, "value": 100 * p, "se": 100 * se,
            "ci_lower": 100 * lo, "ci_upper": 100 * hi, "n": n, "method": "wilson"}


def cx_metrics(frame: pd.DataFrame, spec: Mapping[str, str],
               scales: Mapping[str, tuple[int, int]], level: float = 0.95) -> MetricsResult:
    """NPS, CSAT and CES of the items that ``spec`` names.

    Parameters
    ----------
    frame : DataFrame
        Item scores (NaN = missing) holding every item ``spec`` names.
    spec : mapping
        ``nps``, ``csat``, ``ces`` -> item (the ``[metrics]`` table); each optional.
    scales : mapping
        Item -> ``(min, max)``: CSAT and CES top-2 are the two highest points.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    MetricsResult
        Rows ``nps``, ``csat`` (itself a top-2 share), ``ces`` and ``ces_top2``, those
        that ``spec`` names, in this order.

    Notes
    -----
    NPS: Wald interval ``NPS +/- z SE`` with the multinomial SE (Rocks 2016), clipped
    to [-100, 100]. CSAT and top-2 shares: Wilson score interval (Wilson 1927; Brown,
    Cai & DasGupta 2001). CES: mean with Student's t interval.

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "net promoter score". The American
    Statistician, 70(4), 365-372.
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. Journal of the American Statistical Association, 22(158), 209-212.
    Brown, L. D., Cai, T. T., & DasGupta, A. (2001). Interval estimation for a binomial
    proportion. Statistical Science, 16(2), 101-133.
    """
    rows: list[dict[str, object]] = []
    shares: dict[str, NpsShares] = {}
    item = spec.get("nps")
    if item is not None:
        s = shares[item] = nps(frame[item])
        z = _z(level)
        rows.append({"name": "nps", "item": item, "value": s.value, "se": s.se,
                     "ci_lower": max(-100.0, s.value - z * s.se),
                     "ci_upper": min(100.0, s.value + z * s.se), "n": s.n,
                     "method": "wald-multinomial"})
    item = spec.get("csat")
    if item is not None:
        rows.append(_share_row("csat", item, *top2_share(frame[item], scales[item]), level))
    item = spec.get("ces")
    if item is not None:
        mean, se, lo, hi, n = mean_interval(frame[item], level)
        rows.append({"name": "ces", "item": item, "value": mean, "se": se, "ci_lower": lo,
                     "ci_upper": hi, "n": n, "method": "t"})
        rows.append(_share_row("ces_top2", item, *top2_share(frame[item], scales[item]),
                               level))
    return MetricsResult(table=pd.DataFrame(rows, columns=COLUMNS), nps=shares)
