"""HTMT inference: bootstrap confidence bounds of the heterotrait-monotrait ratio.

Discriminant validity is established when the HTMT is significantly below a threshold
(0.85 for conceptually distinct constructs, 0.90 for similar ones): the upper bound of
the one-sided 95% bootstrap percentile interval, i.e. the 95th percentile of the
bootstrap HTMTs, lies below the threshold (Franke & Sarstedt, 2019; the HTMT_inference
test of Henseler, Ringle & Sarstedt, 2015, tests against 1 the same way). The HTMTs of
the resamples are those of :func:`~cxsurvey.stats.pls.bootstrap.bootstrap_pls`
(``PlsBootstrap.draws["htmt"]``): the same resamples, so the numbers agree with the PLS
bootstrap of the run. Judging the result is left to the caller: the table exposes the
upper bound and whether it lies below each threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxsurvey.stats.pls.bootstrap import PlsBootstrap

__all__ = ["THRESHOLDS", "HtmtInference", "htmt_inference", "htmt_inference_from_draws",
           "threshold_column"]

THRESHOLDS = (0.85, 0.90)


def threshold_column(threshold: float) -> str:
    """Name of the test column of a threshold: ``below_085`` for 0.85, ``below_090``
    for 0.90 (the digits of the threshold without the point)."""
    return "below_" + f"{threshold:.2f}".replace(".", "")


@dataclass(frozen=True)
class HtmtInference:
    """Bootstrap inference for the HTMT of every construct pair.

    Attributes
    ----------
    table : DataFrame
        One row per construct pair (upper triangle, model order): ``a, b, htmt``
        (full-sample HTMT), ``boot_mean, se`` (bootstrap mean and SD, n - 1),
        ``ci_lower, ci_upper`` (two-sided percentile interval at ``ci``),
        ``upper_one_sided`` (the ``level`` quantile of the bootstrap HTMTs: the upper
        bound of the one-sided percentile interval), one boolean column per threshold
        (:func:`threshold_column`: ``upper_one_sided < threshold``; False when the bound
        is undefined) and ``mode_b`` (True when a construct of the pair is Mode B, for
        which the HTMT is not a validity criterion).
    thresholds : tuple of float
    level : float
        One-sided confidence level of ``upper_one_sided`` (0.95).
    ci : float
        Two-sided confidence level of ``ci_lower, ci_upper`` (0.95).
    n_used : int
        Bootstrap resamples behind the statistics.
    warnings : tuple of str
    """

    table: pd.DataFrame
    thresholds: tuple[float, ...]
    level: float
    ci: float
    n_used: int
    warnings: tuple[str, ...] = ()


def _check(thresholds: Sequence[float], level: float, ci: float) -> tuple[float, ...]:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1; got {level!r}")
    if not 0.0 < ci < 1.0:
        raise ValueError(f"ci must be between 0 and 1; got {ci!r}")
    out = tuple(float(t) for t in thresholds)
    if not out or not all(np.isfinite(t) and t > 0 for t in out):
        raise ValueError(f"thresholds must be positive numbers; got {thresholds!r}")
    return out


def htmt_inference_from_draws(pairs: pd.DataFrame, est: np.ndarray, draws: np.ndarray,
                              thresholds: Sequence[float] = THRESHOLDS,
                              level: float = 0.95, ci: float = 0.95,
                              mode_b: Sequence[bool] | None = None) -> HtmtInference:
    """HTMT inference from the full-sample HTMTs and their bootstrap draws.

    Parameters
    ----------
    pairs : DataFrame
        ``a, b``: the construct pair of each column of ``draws``.
    est : ndarray, shape (P,)
        Full-sample HTMTs.
    draws : ndarray, shape (B, P)
        HTMTs of the usable resamples.
    thresholds : sequence of float
        Thresholds to test against (0.85, 0.90).
    level : float
        One-sided confidence level of the upper bound (0.95: the 95th percentile).
    ci : float
        Two-sided confidence level of the percentile interval (0.95).
    mode_b : sequence of bool, optional
        Per pair, whether a construct is Mode B (default: all False).

    Returns
    -------
    HtmtInference

    Notes
    -----
    Quantiles by numpy's "linear" rule (R quantile type 7, as seminr and SmartPLS).
    With fewer than 2 draws every bootstrap statistic is NaN and no test is passed.

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. Journal of the
    Academy of Marketing Science, 43(1), 115-135. Franke, G., & Sarstedt, M. (2019).
    Heuristics versus statistics in discriminant validity testing: A comparison of four
    procedures. Internet Research, 29(3), 430-447. Hyndman, R. J., & Fan, Y. (1996).
    Sample quantiles in statistical packages. The American Statistician, 50(4), 361-365.
    """
    thresholds = _check(thresholds, level, ci)
    est = np.asarray(est, dtype=float)
    draws = np.asarray(draws, dtype=float).reshape(-1, len(est))
    b = draws.shape[0]
    warnings: list[str] = []
    nan = np.full(len(est), np.nan)
    if b >= 2:
        tail = (1.0 - ci) / 2.0
        lower, upper, one_sided = np.quantile(draws, [tail, 1.0 - tail, level], axis=0,
                                              method="linear")
        mean, se = draws.mean(axis=0), draws.std(axis=0, ddof=1)
    else:
        lower = upper = one_sided = mean = se = nan
        warnings.append("fewer than 2 usable bootstrap resamples: no HTMT inference")
    table = pd.DataFrame({"a": pairs["a"].to_numpy(), "b": pairs["b"].to_numpy(), "htmt": est,
                          "boot_mean": mean, "se": se, "ci_lower": lower, "ci_upper": upper,
                          "upper_one_sided": one_sided})
    for t in thresholds:
        with np.errstate(invalid="ignore"):
            table[threshold_column(t)] = np.asarray(one_sided < t, dtype=bool)
    table["mode_b"] = (np.zeros(len(est), dtype=bool) if mode_b is None
                       else np.asarray(mode_b, dtype=bool))
    return HtmtInference(table=table, thresholds=thresholds, level=float(level),
                         ci=float(ci), n_used=b, warnings=tuple(warnings))


def htmt_inference(boot: PlsBootstrap, thresholds: Sequence[float] = THRESHOLDS,
                   level: float = 0.95, ci: float | None = None) -> HtmtInference:
    """HTMT inference from a PLS bootstrap (its resamples' HTMTs).

    Parameters
    ----------
    boot : PlsBootstrap
        A run of :func:`~cxsurvey.stats.pls.bootstrap.bootstrap_pls`; its usable
        resamples (``boot.draws["htmt"]``) give the statistics.
    thresholds : sequence of float
        Thresholds to test against (0.85 and 0.90).
    level : float
        One-sided confidence level of the upper bound (0.95).
    ci : float, optional
        Two-sided level of the percentile interval; the bootstrap's ``ci`` by default,
        so ``ci_lower, ci_upper`` equal those of ``boot.htmt``.

    Returns
    -------
    HtmtInference
        Same pairs and order as ``boot.htmt``.

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). Journal of the Academy of Marketing
    Science, 43(1), 115-135. Franke, G., & Sarstedt, M. (2019). Internet Research, 29(3),
    430-447. Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). A primer on
    partial least squares structural equation modeling (PLS-SEM) (3rd ed., ch. 4). Sage.
    """
    modes = boot.fit.modes
    pairs = boot.htmt[["a", "b"]]
    mode_b = [modes.get(a) == "B" or modes.get(b) == "B"
              for a, b in zip(pairs["a"], pairs["b"], strict=True)]
    return htmt_inference_from_draws(pairs, boot.htmt["est"].to_numpy(float),
                                     boot.draws["htmt"], thresholds, level,
                                     boot.ci if ci is None else ci, mode_b)
