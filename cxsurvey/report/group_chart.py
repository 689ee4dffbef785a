"""The data of the group-differences chart: each construct score's mean per group with its
95% confidence interval, from the segment comparison's descriptives (``--group``).

The HTML report draws it as inline SVG (:mod:`cxsurvey.report.html.group_chart`), the
Excel report as a native column chart with error bars
(:mod:`cxsurvey.report.excel.group_chart`).
"""

from __future__ import annotations

import math

import pandas as pd

from cxsurvey.results import Results

__all__ = ["LEVEL", "MEANS_COLUMNS", "group_means", "mean_interval"]

LEVEL = 0.95
MEANS_COLUMNS = ["construct", "group", "n", "mean", "sd", "ci_lower", "ci_upper"]


def mean_interval(mean: float, sd: float, n: int, level: float = LEVEL
                  ) -> tuple[float, float]:
    """The t interval of a mean: ``mean -/+ t_{1-a/2, n-1} sd / sqrt(n)``.

    Parameters
    ----------
    mean, sd : float
        Sample mean and standard deviation (n - 1 denominator).
    n : int
        Number of values; NaN bounds below 2.
    level : float
        Confidence level.

    Returns
    -------
    (lower, upper) : tuple of float

    References
    ----------
    Student (1908). The probable error of a mean. *Biometrika*, 6(1), 1-25.
    """
    from scipy.stats import t

    if n < 2 or not (math.isfinite(mean) and math.isfinite(sd)):
        return math.nan, math.nan
    half = float(t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    return mean - half, mean + half


def group_means(res: Results, level: float = LEVEL) -> pd.DataFrame:
    """Construct score means per compared group with their t intervals.

    Returns
    -------
    DataFrame
        :data:`MEANS_COLUMNS`, constructs in model order and groups in the segment
        comparison's order; empty without ``--group`` or with fewer than two compared
        groups.
    """
    sg = res.segments
    if sg is None:
        return pd.DataFrame(columns=MEANS_COLUMNS)
    compared = sg.groups[sg.groups["status"] == "compared"]
    d = sg.descriptives
    d = d[d["kind"] == "construct"]
    if len(compared) < 2 or not len(d):
        return pd.DataFrame(columns=MEANS_COLUMNS)
    rows = []
    for r in d.itertuples(index=False):
        lo, hi = mean_interval(float(r.mean), float(r.sd), int(r.n), level)
        rows.append({"construct": str(r.variable), "group": str(r.group), "n": int(r.n),
                     "mean": float(r.mean), "sd": float(r.sd), "ci_lower": lo,
                     "ci_upper": hi})
    return pd.DataFrame(rows, columns=MEANS_COLUMNS)
