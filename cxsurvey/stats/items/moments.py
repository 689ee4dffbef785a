"""Skewness and kurtosis as SPSS, Excel and SAS print them, with SPSS's standard errors."""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["skewness", "kurtosis"]


def skewness(x: np.ndarray) -> tuple[float, float]:
    """Bias-corrected sample skewness G1 and its standard error.

    .. math:: G_1 = \\frac{\\sqrt{n(n-1)}}{n-2} g_1,\\quad
              SE = \\sqrt{\\frac{6n(n-1)}{(n-2)(n+1)(n+3)}}

    References
    ----------
    Joanes, D. N., & Gill, C. A. (1998). Comparing measures of sample skewness and
    kurtosis. The Statistician, 47(1), 183-189. (SPSS's DESCRIPTIVES / EXAMINE use G1.)
    """
    n = x.size
    if n < 3 or np.ptp(x) == 0:
        return float("nan"), float("nan")
    g = float(stats.skew(x, bias=False))
    se = float(np.sqrt(6.0 * n * (n - 1) / ((n - 2) * (n + 1) * (n + 3))))
    return g, se


def kurtosis(x: np.ndarray) -> tuple[float, float]:
    """Bias-corrected excess kurtosis G2 and its standard error (SPSS).

    .. math:: SE_{G_2} = 2\\,SE_{G_1}\\sqrt{\\frac{n^2-1}{(n-3)(n+5)}}

    References
    ----------
    Joanes & Gill (1998), The Statistician, 47(1), 183-189.
    """
    n = x.size
    if n < 4 or np.ptp(x) == 0:
        return float("nan"), float("nan")
    g = float(stats.kurtosis(x, fisher=True, bias=False))
    ses = np.sqrt(6.0 * n * (n - 1) / ((n - 2) * (n + 1) * (n + 3)))
    se = float(2.0 * ses * np.sqrt((n * n - 1.0) / ((n - 3) * (n + 5))))
    return g, se
