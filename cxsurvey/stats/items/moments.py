"""Skewness and kurtosis as SPSS, Excel and SAS print them, with SPSS's standard errors.

Computed from the central moments with numpy (the same definitions as
``scipy.stats.skew``/``kurtosis`` with ``bias=False``, which the tests check), so that
the modules that need them do not import ``scipy.stats`` (about half a second).
"""

from __future__ import annotations

import numpy as np

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
    d = x - x.mean()
    m2, m3 = np.mean(d * d), np.mean(d * d * d)
    g = float(np.sqrt(n * (n - 1.0)) / (n - 2.0) * m3 / m2 ** 1.5)
    se = float(np.sqrt(6.0 * n * (n - 1) / ((n - 2) * (n + 1) * (n + 3))))
    return g, se


def kurtosis(x: np.ndarray) -> tuple[float, float]:
    """Bias-corrected excess kurtosis G2 and its standard error (SPSS).

    .. math:: G_2 = \\frac{n-1}{(n-2)(n-3)}\\left((n+1) g_2 + 6\\right),\\quad
              SE_{G_2} = 2\\,SE_{G_1}\\sqrt{\\frac{n^2-1}{(n-3)(n+5)}}

    with :math:`g_2 = m_4 / m_2^2 - 3`.

    References
    ----------
    Joanes & Gill (1998), The Statistician, 47(1), 183-189.
    """
    n = x.size
    if n < 4 or np.ptp(x) == 0:
        return float("nan"), float("nan")
    d = x - x.mean()
    m2, m4 = np.mean(d * d), np.mean(d ** 4)
    g = float((n - 1.0) / ((n - 2.0) * (n - 3.0)) * ((n + 1.0) * m4 / m2 ** 2 - 3.0 * (n - 1.0)))
    ses = np.sqrt(6.0 * n * (n - 1) / ((n - 2) * (n + 1) * (n + 3)))
    se = float(2.0 * ses * np.sqrt((n * n - 1.0) / ((n - 3) * (n + 5))))
    return g, se
