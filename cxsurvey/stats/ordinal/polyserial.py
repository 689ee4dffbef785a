"""Two-step polyserial and normal-theory correlations, and their casewise scores.

The second step of lavaan's two-step estimation of a mixed (ordinal and continuous)
correlation matrix, for the pairs that involve a continuous ("numeric") variable; the
polychoric pairs are in :mod:`.polychoric`. Step 1 fixes each continuous variable's mean
and variance at their maximum-likelihood estimates (divisor N, from every available
answer) and each ordinal item's thresholds at its marginal estimates. Step 2 then
maximises, over rho alone:

* **polyserial** (continuous ``x``, ordinal ``y``): ``sum log P(y | x)`` with
  ``P(y = c | x) = Phi((tau_c - rho z) / R) - Phi((tau_{c-1} - rho z) / R)``,
  ``z = (x - mean) / sd`` and ``R = sqrt(1 - rho^2)`` (Olsson, Drasgow & Dorans 1982,
  the two-step estimator; lavaan's ``lav_bvmix``);
* **continuous pairs**: the bivariate normal log-likelihood with the means and variances
  fixed; with no missing answer this is the Pearson correlation, otherwise it differs
  from it (lavaan's ``lav_bvreg``).

Both are maximised on [-0.999, 0.999], as lavaan's ``nlminb`` bounds. The casewise scores
(derivatives of each case's bivariate log-likelihood with respect to rho and to the
step-1 parameters of both variables) feed the asymptotic covariance matrix
(:mod:`.mixed`); a case that misses either variable scores zero. As in lavaan, a case
whose polyserial likelihood ``f(x) P(y | x)`` or bivariate normal density is below
sqrt(eps) is left out of the likelihood, and ``P(y | x)`` is floored at eps.

References
----------
Olsson, U., Drasgow, F., & Dorans, N. J. (1982). The polyserial correlation coefficient.
*Psychometrika*, 47(3), 337-347.
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
Statistical Software*, 48(2) (``lav_bvmix``, ``lav_bvreg``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize_scalar
from scipy.special import ndtr

__all__ = ["PairScores", "normal_correlation", "normal_scores", "polyserial_correlation",
           "polyserial_scores"]

_BOUND = 0.999
_EPS = float(np.finfo(float).eps)
_LIK_MIN = math.sqrt(_EPS)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


@dataclass(frozen=True)
class PairScores:
    """Casewise derivatives of one pair's bivariate log-likelihood.

    Attributes
    ----------
    rho : ndarray, shape (N,)
        d l / d rho.
    first, second : dict of str to ndarray
        Derivatives with respect to each variable's step-1 parameters: ``"mean"`` and
        ``"var"`` (shape (N,)) for a continuous variable, ``"th"`` (shape (N, C - 1))
        for an ordinal one. Zero where a case misses either variable.
    """

    rho: NDArray[np.float64]
    first: dict[str, NDArray[np.float64]]
    second: dict[str, NDArray[np.float64]]


def _phi(x: NDArray[Any]) -> NDArray[Any]:
    xz = np.where(np.isfinite(x), x, 0.0)
    out: NDArray[Any] = np.where(np.isfinite(x), np.exp(-0.5 * xz * xz) * _INV_SQRT_2PI, 0.0)
    return out


def _limits(codes: NDArray[np.int64], thresholds: NDArray[np.float64]
            ) -> tuple[NDArray[Any], NDArray[Any]]:
    """Each case's upper and lower category limits (+-inf at the ends)."""
    lim = np.concatenate([[-np.inf], thresholds, [np.inf]])
    safe = np.where(codes >= 0, codes, 0)
    return lim[safe + 1], lim[safe]


def _conditional(rho: float, z: NDArray[Any], upper: NDArray[Any], lower: NDArray[Any]
                 ) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any], float]:
    r = math.sqrt(1.0 - rho * rho)
    a = (upper - rho * z) / r
    b = (lower - rho * z) / r
    p = np.maximum(ndtr(a) - ndtr(b), _EPS)
    return a, b, p, r


def polyserial_correlation(x: NDArray[Any], codes: NDArray[np.int64],
                           thresholds: NDArray[np.float64], mean: float, var: float
                           ) -> tuple[float, bool]:
    """Two-step polyserial correlation of a continuous variable and an ordinal item.

    Parameters
    ----------
    x : ndarray, shape (N,)
        The continuous variable (NaN = missing).
    codes : ndarray of int, shape (N,)
        The ordinal item's categories 0 .. C - 1 (-1 = missing).
    thresholds : ndarray, shape (C - 1,)
        The item's thresholds (step 1).
    mean, var : float
        The continuous variable's step-1 mean and variance (divisor N).

    Returns
    -------
    rho : float
        The estimate (NaN when fewer than two cases answer both).
    converged : bool

    References
    ----------
    Olsson, U., Drasgow, F., & Dorans, N. J. (1982). *Psychometrika*, 47(3), 337-347.
    """
    both = np.isfinite(x) & (codes >= 0)
    if int(both.sum()) < 2:
        return float("nan"), False
    sd = math.sqrt(var)
    z = (x[both] - mean) / sd
    upper, lower = _limits(codes[both], thresholds)
    dens = np.exp(-0.5 * z * z) * _INV_SQRT_2PI / sd

    def objective(rho: float) -> float:
        _, _, p, _ = _conditional(rho, z, upper, lower)
        keep = dens * p >= _LIK_MIN
        return -float(np.sum(np.log(p[keep])))

    res = minimize_scalar(objective, bounds=(-_BOUND, _BOUND), method="bounded",
                          options={"xatol": 1e-12, "maxiter": 500})
    return float(res.x), bool(res.success)


def normal_correlation(x1: NDArray[Any], x2: NDArray[Any], mean1: float, var1: float,
                       mean2: float, var2: float) -> tuple[float, bool]:
    """Two-step correlation of two continuous variables (bivariate normal ML in rho).

    With no missing answer in either variable this is Pearson's r (the means and
    variances then being the pair's own ML estimates); otherwise the cases answering both
    maximise the bivariate normal likelihood with the step-1 means and variances fixed.

    Parameters
    ----------
    x1, x2 : ndarray, shape (N,)
        The variables (NaN = missing).
    mean1, var1, mean2, var2 : float
        Their step-1 means and variances (divisor N).

    Returns
    -------
    rho : float
    converged : bool

    References
    ----------
    Rosseel, Y. (2012). *Journal of Statistical Software*, 48(2) (``lav_bvreg``).
    """
    ok1, ok2 = np.isfinite(x1), np.isfinite(x2)
    both = ok1 & ok2
    if int(both.sum()) < 2:
        return float("nan"), False
    if ok1.all() and ok2.all():
        return float(np.corrcoef(x1, x2)[0, 1]), True
    z1 = (x1[both] - mean1) / math.sqrt(var1)
    z2 = (x2[both] - mean2) / math.sqrt(var2)
    scale = math.sqrt(var1 * var2)

    def objective(rho: float) -> float:
        big_r = 1.0 - rho * rho
        q = (z1 * z1 - 2.0 * rho * z1 * z2 + z2 * z2) / big_r
        dens = np.exp(-0.5 * q) / (2.0 * math.pi * math.sqrt(big_r) * scale)
        keep = dens >= _LIK_MIN
        return float(np.sum(0.5 * math.log(big_r) + 0.5 * q[keep]))

    res = minimize_scalar(objective, bounds=(-_BOUND, _BOUND), method="bounded",
                          options={"xatol": 1e-12, "maxiter": 500})
    return float(res.x), bool(res.success)


def polyserial_scores(rho: float, x: NDArray[Any], codes: NDArray[np.int64],
                      thresholds: NDArray[np.float64], mean: float, var: float
                      ) -> PairScores:
    """Casewise scores of a polyserial pair's log-likelihood ``log f(x) + log P(y | x)``.

    ``first`` holds the continuous variable's ``mean`` and ``var`` scores (the marginal
    density's part included), ``second`` the ordinal item's ``th`` scores.

    References
    ----------
    Olsson, U., Drasgow, F., & Dorans, N. J. (1982). *Psychometrika*, 47(3), 337-347.
    Muthén, B. (1984). *Psychometrika*, 49(1), 115-132.
    """
    n = x.size
    both = np.isfinite(x) & (codes >= 0)
    sd = math.sqrt(var)
    z = np.where(both, (np.where(both, x, mean) - mean) / sd, 0.0)
    upper, lower = _limits(np.where(both, codes, 0), thresholds)
    a, b, p, r = _conditional(rho, z, upper, lower)
    pa, pb = _phi(a), _phi(b)
    inv = 1.0 / p
    diff = pa - pb
    # phi(b) is 0 at an infinite limit; the product with an infinite limit is then 0
    fu, fl = np.isfinite(upper), np.isfinite(lower)
    s_rho = inv * (np.where(fu, pa * (np.where(fu, upper, 0.0) * rho - z), 0.0)
                   - np.where(fl, pb * (np.where(fl, lower, 0.0) * rho - z), 0.0)) / r ** 3
    s_mean = (z + inv * (rho / r) * diff) / sd
    s_var = ((z * z - 1.0) + inv * (rho * z / r) * diff) / (2.0 * var)
    k = thresholds.size
    safe = np.where(both, codes, 0)
    s_th = np.zeros((n, k))
    rows = np.arange(n)
    up = safe < k           # the category's upper limit is threshold `code`
    s_th[rows[up], safe[up]] = (pa * inv / r)[up]
    low = safe > 0          # its lower limit is threshold `code - 1`
    s_th[rows[low], safe[low] - 1] = -(pb * inv / r)[low]
    mask = both.astype(float)
    return PairScores(rho=s_rho * mask,
                      first={"mean": s_mean * mask, "var": s_var * mask},
                      second={"th": s_th * mask[:, None]})


def normal_scores(rho: float, x1: NDArray[Any], x2: NDArray[Any], mean1: float, var1: float,
                  mean2: float, var2: float) -> PairScores:
    """Casewise scores of a continuous pair's bivariate normal log-likelihood.

    References
    ----------
    Anderson, T. W. (2003). *An Introduction to Multivariate Statistical Analysis* (3rd
    ed.). Wiley.
    """
    both = np.isfinite(x1) & np.isfinite(x2)
    s1, s2 = math.sqrt(var1), math.sqrt(var2)
    z1 = np.where(both, (np.where(both, x1, mean1) - mean1) / s1, 0.0)
    z2 = np.where(both, (np.where(both, x2, mean2) - mean2) / s2, 0.0)
    big_r = 1.0 - rho * rho
    t1 = z1 * z2
    t2 = z1 * z1 - 2.0 * rho * t1 + z2 * z2
    s_rho = (rho + t1 - t2 * rho / big_r) / big_r
    s_mean1 = (z1 - rho * z2) / (big_r * s1)
    s_mean2 = (z2 - rho * z1) / (big_r * s2)
    s_var1 = -0.5 / var1 + (z1 * z1 - rho * t1) / (2.0 * big_r * var1)
    s_var2 = -0.5 / var2 + (z2 * z2 - rho * t1) / (2.0 * big_r * var2)
    mask = both.astype(float)
    return PairScores(rho=s_rho * mask,
                      first={"mean": s_mean1 * mask, "var": s_var1 * mask},
                      second={"mean": s_mean2 * mask, "var": s_var2 * mask})
