"""The data of the importance-performance map chart: one point per construct (importance
on x, performance 0-100 on y) and the two averages that split the map into quadrants.

The HTML report draws it as inline SVG (:mod:`cxsurvey.report.html.ipma_chart`), the
Excel report as a native scatter chart (:mod:`cxsurvey.report.excel.ipma_chart`). The
priorities (above-average importance, below-average performance) are those of
:func:`cxsurvey.gates.pls_guidelines.ipma_priorities`.

References
----------
Ringle, C. M., & Sarstedt, M. (2016). Gain more insight from your PLS-SEM results: The
importance-performance map analysis. *Industrial Management & Data Systems*, 116(9),
1865-1886.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from cxsurvey.gates.pls_guidelines import ipma_priorities
from cxsurvey.results import Results

__all__ = ["POINT_COLUMNS", "IpmaMap", "ipma_map", "nice_range"]

POINT_COLUMNS = ["construct", "importance", "performance", "priority"]


@dataclass(frozen=True)
class IpmaMap:
    """What the IPMA chart draws.

    Attributes
    ----------
    target : str
    target_performance : float
    points : DataFrame
        :data:`POINT_COLUMNS`: one row per construct in model order; ``priority`` True
        for the constructs :func:`~cxsurvey.gates.pls_guidelines.ipma_priorities` names.
    mean_importance, mean_performance : float
        The averages over the constructs (the dashed lines: the quadrants' borders).
    """

    target: str
    target_performance: float
    points: pd.DataFrame
    mean_importance: float
    mean_performance: float


def ipma_map(res: Results) -> IpmaMap | None:
    """The IPMA chart's data of a run; None when no IPMA ran or it mapped no construct."""
    guide = res.pls.guidelines if res.pls is not None else None
    m = guide.ipma if guide is not None else None
    if m is None or not len(m.constructs):
        return None
    cons = m.constructs
    first = set(ipma_priorities(cons))
    points = pd.DataFrame({
        "construct": [str(c) for c in cons["construct"]],
        "importance": cons["importance"].astype(float).to_numpy(),
        "performance": cons["performance"].astype(float).to_numpy(),
        "priority": [str(c) in first for c in cons["construct"]]}, columns=POINT_COLUMNS)
    return IpmaMap(str(m.target), float(m.target_performance), points,
                   float(points["importance"].mean()), float(points["performance"].mean()))


def nice_range(low: float, high: float, ticks: int = 5) -> tuple[float, float, float]:
    """An axis from 0 (or below, for negative values) to a round number above ``high``.

    Parameters
    ----------
    low, high : float
        The smallest and largest values to show.
    ticks : int
        About how many intervals the axis should have.

    Returns
    -------
    (start, stop, step) : tuple of float
        ``step`` is 1, 2, 2.5 or 5 times a power of ten; ``start <= min(low, 0)`` and
        ``stop >= high`` are multiples of it.

    >>> nice_range(0.008, 0.4995)
    (0.0, 0.5, 0.1)
    """
    low, high = min(low, 0.0), max(high, 0.0)
    span = high - low if high > low else 1.0
    raw = span / max(ticks, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(f * power for f in (1.0, 2.0, 2.5, 5.0, 10.0) if f * power >= raw - 1e-12)
    start = math.floor(low / step + 1e-9) * step
    stop = math.ceil(high / step - 1e-9) * step
    if stop <= start:
        stop = start + step
    return round(start, 12), round(stop, 12), round(step, 12)
