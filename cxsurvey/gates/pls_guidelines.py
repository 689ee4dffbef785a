"""Readings of the PLS guideline statistics: the exact-fit test and the IPMA's priorities.

* The exact-fit test of a PLS model (Dijkstra & Henseler 2015): a discrepancy (SRMR,
  d_ULS, d_G) below its bootstrap quantile HI95 (HI99) means the model-implied
  correlation matrix is not rejected at the 5% (1%) level.
* The importance-performance map's priorities (Ringle & Sarstedt 2016): constructs of
  above-average importance and below-average performance, the lower-right quadrant.

The PLSpredict verdict is in :mod:`cxsurvey.gates.predictive`.

References
----------
Dijkstra, T. K., & Henseler, J. (2015). Consistent and asymptotically normal PLS
estimators for linear structural equations. *Computational Statistics & Data Analysis*,
81, 10-23.
Ringle, C. M., & Sarstedt, M. (2016). Gain more insight from your PLS-SEM results: The
importance-performance map analysis. *Industrial Management & Data Systems*, 116(9),
1865-1886.
"""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["exact_fit", "ipma_priorities"]


def exact_fit(table: pd.DataFrame) -> pd.DataFrame:
    """Which discrepancies stay below their bootstrap quantiles.

    Parameters
    ----------
    table : DataFrame
        ``model, measure, value, hi95, hi99`` (:class:`~cxsurvey.stats.pls.model_fit.
        PlsModelFit`'s table).

    Returns
    -------
    DataFrame
        The table with ``below_hi95`` and ``below_hi99`` (None where a quantile is
        undefined).

    References
    ----------
    Dijkstra, T. K., & Henseler, J. (2015). *Computational Statistics & Data Analysis*,
    81, 10-23.
    """
    def below(value: float, q: float) -> bool | None:
        if not (math.isfinite(value) and math.isfinite(q)):
            return None
        return bool(value < q)

    out = table.copy()
    out["below_hi95"] = [below(float(v), float(q)) for v, q in zip(out["value"], out["hi95"],
                                                                    strict=True)]
    out["below_hi99"] = [below(float(v), float(q)) for v, q in zip(out["value"], out["hi99"],
                                                                    strict=True)]
    return out


def ipma_priorities(constructs: pd.DataFrame) -> list[str]:
    """The constructs to improve first: importance above and performance below the
    averages of the map (Ringle & Sarstedt 2016), most important first.

    References
    ----------
    Ringle, C. M., & Sarstedt, M. (2016). *Industrial Management & Data Systems*, 116(9),
    1865-1886.
    """
    if not len(constructs):
        return []
    imp, perf = constructs["importance"], constructs["performance"]
    chosen = constructs[(imp > imp.mean()) & (perf < perf.mean())]
    return [str(c) for c in chosen.sort_values("importance", ascending=False)["construct"]]
