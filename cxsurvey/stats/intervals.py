"""Bootstrap statistics and confidence intervals, column by column: standard error, t, p
(Student's t with B - 1 df as SmartPLS, or normal as lavaan), percentile and
bias-corrected and accelerated (BCa) intervals. The CB and the PLS bootstraps both
summarise their draws here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import special

__all__ = ["JackknifeSums", "add_jackknife_sums", "bca_interval", "htmt_versus_one",
           "summarise_draws"]


def _quantile_type7(sorted_draws: np.ndarray, prob: np.ndarray) -> np.ndarray:
    """Column-wise quantiles with a probability per column (R type 7, numpy linear).

    References
    ----------
    Hyndman, R. J., & Fan, Y. (1996). Sample quantiles in statistical packages. The
    American Statistician, 50(4), 361-365.
    """
    b = sorted_draws.shape[0]
    h = (b - 1) * np.clip(prob, 0.0, 1.0)
    ok = np.isfinite(h)
    h = np.where(ok, h, 0.0)
    lo = np.floor(h).astype(np.int64)
    hi = np.minimum(lo + 1, b - 1)
    cols = np.arange(sorted_draws.shape[1])
    x_lo = sorted_draws[lo, cols]
    x_hi = sorted_draws[hi, cols]
    out = x_lo + (h - lo) * (x_hi - x_lo)
    return np.where(ok, out, np.nan)


@dataclass(frozen=True)
class JackknifeSums:
    """What the BCa acceleration needs of the leave-one-out estimates, column by column:
    the count of finite values and the sums of their first three powers about a shift.

    Sums of chunks of jackknife samples add up (:meth:`__add__`, the same shift), so a
    bootstrap never holds all n leave-one-out estimates. Shifting by a value near the
    jackknife mean (the full-sample estimate, or the mean itself) keeps the sums free of
    cancellation.

    Attributes
    ----------
    shift, count, s1, s2, s3 : ndarray, shape (P,)
    rows : int
        Leave-one-out samples added (finite or not).
    """

    shift: np.ndarray
    count: np.ndarray
    s1: np.ndarray
    s2: np.ndarray
    s3: np.ndarray
    rows: int

    @classmethod
    def of(cls, values: np.ndarray, shift: np.ndarray | None = None) -> JackknifeSums:
        """Sums of ``values`` (J, P) about ``shift`` (default: the column means; NaN
        entries are left out, a column without a finite value shifts by 0)."""
        values = np.asarray(values, dtype=float)
        if values.ndim == 1:
            values = values[:, None]
        if shift is None:
            finite = np.isfinite(values)
            with np.errstate(invalid="ignore", divide="ignore"):
                shift = np.where(finite.any(axis=0),
                                 np.where(finite, values, 0.0).sum(axis=0)
                                 / finite.sum(axis=0), 0.0)
        shift = np.asarray(shift, dtype=float)
        v = values - np.where(np.isfinite(shift), shift, 0.0)
        ok = np.isfinite(v)
        v = np.where(ok, v, 0.0)
        v2 = v * v
        return cls(shift=shift, count=ok.sum(axis=0).astype(float), s1=v.sum(axis=0),
                   s2=v2.sum(axis=0), s3=(v2 * v).sum(axis=0), rows=values.shape[0])

    def __add__(self, other: JackknifeSums) -> JackknifeSums:
        if not np.array_equal(self.shift, other.shift, equal_nan=True):
            raise ValueError("jackknife sums about different shifts cannot be added")
        return JackknifeSums(shift=self.shift, count=self.count + other.count,
                             s1=self.s1 + other.s1, s2=self.s2 + other.s2,
                             s3=self.s3 + other.s3, rows=self.rows + other.rows)

    def __len__(self) -> int:
        return self.rows

    def acceleration(self) -> np.ndarray:
        """``a = sum(d^3) / (6 (sum d^2)^1.5)``, ``d`` the jackknife mean minus each
        jackknife estimate: with ``m`` values, ``sum d^2 = s2 - s1^2 / m`` and
        ``sum d^3 = -s3 + 3 s1 s2 / m - 2 s1^3 / m^2``; 0 where ``sum d^2`` is 0.

        References
        ----------
        Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap (eq.
        14.15). Chapman & Hall.
        """
        m = self.count
        with np.errstate(divide="ignore", invalid="ignore"):
            sum2 = np.where(m > 0, self.s2 - self.s1 ** 2 / m, 0.0)
            sum3 = np.where(m > 0, -self.s3 + 3.0 * self.s1 * self.s2 / m
                            - 2.0 * self.s1 ** 3 / m ** 2, 0.0)
            den = 6.0 * np.maximum(sum2, 0.0) ** 1.5
            return np.where(den > 0, sum3 / den, 0.0)


def add_jackknife_sums(parts: Sequence[Mapping[str, JackknifeSums]]
                       ) -> dict[str, JackknifeSums]:
    """The sums of chunks of jackknife samples (each a table name -> sums), added table
    by table in the order given, so the result does not depend on which thread
    estimated which chunk."""
    total = dict(parts[0])
    for part in parts[1:]:
        for key, sums in part.items():
            total[key] = total[key] + sums
    return total


def bca_interval(est: np.ndarray, draws: np.ndarray, jackknife: np.ndarray | JackknifeSums,
                 ci: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Bias-corrected and accelerated bootstrap interval, column by column.

    Parameters
    ----------
    est : ndarray, shape (P,)
        Full-sample estimates.
    draws : ndarray, shape (B, P)
        Bootstrap estimates.
    jackknife : ndarray, shape (J, P), or JackknifeSums
        Leave-one-out estimates (acceleration), or their sums.
    ci : float
        Confidence level.

    Returns
    -------
    lower, upper : ndarray, shape (P,)
        NaN where the bias correction is infinite (the estimate lies outside all the
        bootstrap estimates). A constant statistic gives ``(est, est)``.

    Notes
    -----
    ``z0 = Phi^-1(p)`` with ``p`` the share of bootstrap estimates below the estimate
    (ties counted half, as scipy.stats.bootstrap);
    ``a = sum(d^3) / (6 (sum d^2)^1.5)`` with ``d`` the jackknife mean minus each jackknife
    estimate; the interval takes the percentiles
    ``Phi(z0 + (z0 + z_q) / (1 - a (z0 + z_q)))`` for ``q = (1 - ci)/2, (1 + ci)/2``.

    References
    ----------
    Efron, B. (1987). Better bootstrap confidence intervals. Journal of the American
    Statistical Association, 82(397), 171-185. Efron, B., & Tibshirani, R. J. (1993). An
    introduction to the bootstrap (ch. 14). Chapman & Hall.
    """
    est = np.asarray(est, dtype=float)
    draws = np.asarray(draws, dtype=float)
    b = draws.shape[0]
    below = (draws < est).sum(axis=0) + (draws <= est).sum(axis=0)
    z0 = special.ndtri(below / (2.0 * b))
    sums = jackknife if isinstance(jackknife, JackknifeSums) else \
        JackknifeSums.of(jackknife)
    a = sums.acceleration()
    tail = (1.0 - ci) / 2.0
    sorted_draws = np.sort(draws, axis=0)
    out = []
    for q in (tail, 1.0 - tail):
        zq = special.ndtri(q)
        with np.errstate(divide="ignore", invalid="ignore"):
            prob = special.ndtr(z0 + (z0 + zq) / (1.0 - a * (z0 + zq)))
        prob = np.where(np.isfinite(z0), prob, np.nan)
        out.append(_quantile_type7(sorted_draws, prob))
    return out[0], out[1]


def summarise_draws(est: np.ndarray, draws: np.ndarray,
                    jackknife: np.ndarray | JackknifeSums | None = None,
                    ci: float = 0.95, pvalue: Literal["t", "normal"] = "t") -> pd.DataFrame:
    """Bootstrap mean, SE, t, p, percentile and BCa intervals per column.

    Parameters
    ----------
    est : ndarray, shape (P,)
        Full-sample estimates.
    draws : ndarray, shape (B, P)
        Estimates of the usable resamples.
    jackknife : ndarray, shape (J, P), or JackknifeSums, optional
        Leave-one-out estimates or their sums; without them the BCa columns are NaN.
    ci : float
        Confidence level.
    pvalue : {"t", "normal"}
        Two-tailed p of ``t = est / se`` from Student's t with B - 1 df (SmartPLS,
        seminr) or from the standard normal (lavaan's ``se = "bootstrap"``).

    Returns
    -------
    DataFrame
        ``est, boot_mean, se, t, pvalue, ci_lower, ci_upper, bca_lower, bca_upper``
        (``se`` with the n - 1 denominator; ``t = est / se``, NaN when ``se`` is 0;
        percentile interval by numpy's "linear" rule = R's quantile type 7).

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap (ch. 6, 13,
    14). Chapman & Hall. Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022).
    A primer on partial least squares structural equation modeling (3rd ed., ch. 5). Sage.
    """
    est = np.asarray(est, dtype=float)
    draws = np.asarray(draws, dtype=float)
    if draws.ndim == 1:
        draws = draws[:, None]
    b = draws.shape[0]
    nan = np.full(est.shape, np.nan)
    if b < 2:
        return pd.DataFrame({"est": est, "boot_mean": nan if b == 0 else draws[0],
                             "se": nan, "t": nan, "pvalue": nan, "ci_lower": nan,
                             "ci_upper": nan, "bca_lower": nan, "bca_upper": nan})
    se = draws.std(axis=0, ddof=1)
    scale = np.maximum(np.abs(est), 1.0)
    constant = se <= 1e-13 * scale
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(constant, np.nan, est / se)
    p = (2.0 * special.stdtr(b - 1, -np.abs(t)) if pvalue == "t"
         else 2.0 * special.ndtr(-np.abs(t)))
    tail = (1.0 - ci) / 2.0
    lower, upper = np.quantile(draws, [tail, 1.0 - tail], axis=0, method="linear")
    if jackknife is not None and len(jackknife):
        bca_lower, bca_upper = bca_interval(est, draws, jackknife, ci)
        bca_lower = np.where(constant, est, bca_lower)
        bca_upper = np.where(constant, est, bca_upper)
    else:
        bca_lower = bca_upper = nan
    return pd.DataFrame({"est": est, "boot_mean": draws.mean(axis=0), "se": se, "t": t,
                         "pvalue": p, "ci_lower": lower, "ci_upper": upper,
                         "bca_lower": bca_lower, "bca_upper": bca_upper})


def htmt_versus_one(table: pd.DataFrame, n_used: int) -> pd.DataFrame:
    """Add seminr's HTMT test against 1: ``t_vs_1 = (1 - est) / se`` and the one-sided
    p-value of H1: HTMT < 1 (Student t, ``n_used - 1`` df).

    References
    ----------
    Franke, G., & Sarstedt, M. (2019). Heuristics versus statistics in discriminant
    validity testing: A comparison of four procedures. Internet Research, 29(3), 430-447.
    Ray, S., Danks, N. P., & Calero Valdez, A. (2022). seminr (R package;
    ``summary(boot)$bootstrapped_HTMT``).
    """
    se = table["se"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(se > 0, (1.0 - table["est"].to_numpy(float)) / se, np.nan)
    p1 = special.stdtr(n_used - 1, -t1) if n_used >= 2 else np.full(len(table), np.nan)
    return table.assign(t_vs_1=t1, pvalue_vs_1=p1)
