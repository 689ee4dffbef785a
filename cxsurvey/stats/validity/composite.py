"""Composite reliability (rho_c) and average variance extracted (AVE) from loadings.

Fornell & Larcker's closed forms on standardised loadings: per construct
(:func:`composite_reliability`, :func:`average_variance_extracted`, :func:`cr_ave`) and
as a table over constructs (:func:`cr_ave_table`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

__all__ = ["composite_reliability", "average_variance_extracted", "cr_ave", "cr_ave_table"]


def _loadings(loadings: Iterable[float]) -> np.ndarray:
    lam = np.asarray(list(loadings), dtype=float)
    if lam.ndim != 1 or lam.size == 0:
        raise ValueError("loadings must be a non-empty 1-D sequence of standardised loadings")
    if not np.all(np.isfinite(lam)):
        raise ValueError("loadings must be finite")
    return lam


def composite_reliability(loadings: Iterable[float]) -> float:
    """Composite reliability (Joreskog's rho, rho_c) from standardised loadings.

    .. math::
        \\rho_c = \\frac{(\\sum_i \\lambda_i)^2}
                       {(\\sum_i \\lambda_i)^2 + \\sum_i (1 - \\lambda_i^2)}

    Parameters
    ----------
    loadings : sequence of float
        Standardised loadings of one construct's indicators (CFA ``std.all`` or PLS
        outer loadings).

    Returns
    -------
    float

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
    unobservable variables and measurement error. Journal of Marketing Research, 18(1),
    39-50. Joreskog, K. G. (1971). Psychometrika, 36(2), 109-133.

    Examples
    --------
    >>> round(composite_reliability([0.882, 0.850, 0.832]), 3)
    0.89
    """
    lam = _loadings(loadings)
    num = lam.sum() ** 2
    return float(num / (num + np.sum(1.0 - lam**2)))


def average_variance_extracted(loadings: Iterable[float]) -> float:
    """Average variance extracted: the mean squared standardised loading.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Journal of Marketing Research, 18(1), 39-50.

    Examples
    --------
    >>> round(average_variance_extracted([0.882, 0.850, 0.832]), 3)
    0.73
    """
    lam = _loadings(loadings)
    return float(np.mean(lam**2))


def cr_ave(loadings: Iterable[float]) -> tuple[float, float]:
    """``(rho_c, AVE)`` from one construct's standardised loadings.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Journal of Marketing Research, 18(1), 39-50.
    """
    lam = _loadings(loadings)
    return composite_reliability(lam), average_variance_extracted(lam)


def cr_ave_table(std_loadings: Mapping[str, Iterable[float]]) -> pd.DataFrame:
    """Composite reliability (rho_c) and AVE per construct from standardised loadings.

    Applies :func:`cr_ave` (Fornell & Larcker's closed forms, residual covariances
    ignored) to each construct.

    Parameters
    ----------
    std_loadings : mapping of str to sequence of float
        Construct -> standardised loadings of its indicators (CFA ``std.all`` or PLS outer
        loadings).

    Returns
    -------
    DataFrame
        Indexed by construct, columns ``rho_c`` and ``ave``.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Journal of Marketing Research, 18(1), 39-50.
    """
    rows = {str(name): cr_ave(values) for name, values in std_loadings.items()}
    return pd.DataFrame.from_dict(rows, orient="index", columns=["rho_c", "ave"])
