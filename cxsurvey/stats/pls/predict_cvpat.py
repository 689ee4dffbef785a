"""CVPAT: the cross-validated predictive ability test of a PLS model against the
linear-model (LM) and indicator-average (IA) benchmarks (Liengaard et al. 2021; Sharma
et al. 2023), on the out-of-sample errors of :func:`~cxsurvey.stats.pls.predict.pls_predict`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from cxsurvey.stats.pls.resample import resample_counts

__all__ = ["ALTERNATIVES", "cvpat_table", "observation_losses"]

ALTERNATIVES = ("greater", "two-sided")
_CHUNK = 250  # bootstrap resamples per matrix product


def observation_losses(errors: np.ndarray, member: Sequence[str],
                       constructs: Sequence[str]) -> np.ndarray:
    """Per-observation losses: the mean squared error over each construct's indicators
    (columns in ``constructs`` order) and, last, their mean over the constructs.

    Parameters
    ----------
    errors : ndarray, shape (n, q)
        Out-of-sample prediction errors of the endogenous indicators.
    member : sequence of str
        The construct of each indicator (column).
    constructs : sequence of str
        The endogenous constructs.

    Returns
    -------
    ndarray, shape (n, len(constructs) + 1)

    References
    ----------
    Liengaard, B. D., Sharma, P. N., Hult, G. T. M., Jensen, M. B., Sarstedt, M., Hair,
    J. F., & Ringle, C. M. (2021). Prediction: coveted, yet forsaken? Introducing a
    cross-validated predictive ability test in partial least squares path modeling.
    Decision Sciences, 52(2), 362-392 (the average loss over the endogenous constructs).
    """
    owner = np.asarray(member)
    per_construct = np.column_stack([np.mean(errors[:, owner == c] ** 2, axis=1)
                                     for c in constructs])
    return np.column_stack([per_construct, per_construct.mean(axis=1)])


def _bootstrap_se(d: np.ndarray, n_boot: int, seed: int | None, stream: int) -> np.ndarray:
    """SD (n - 1) over ``n_boot`` resamples of the mean of each column of ``d``; rows
    drawn by numpy PCG64 seeded with ``[seed, 1, stream]``."""
    n = d.shape[0]
    rng = np.random.Generator(np.random.PCG64(None if seed is None
                                              else [int(seed), 1, stream]))
    means = np.empty((n_boot, d.shape[1]))
    for start in range(0, n_boot, _CHUNK):
        size = min(_CHUNK, n_boot - start)
        idx = rng.integers(0, n, size=(size, n))
        means[start:start + size] = resample_counts(idx, n) @ d / n
    return np.asarray(means.std(axis=0, ddof=1))


def cvpat_table(pls_errors: np.ndarray, benchmarks: dict[str, np.ndarray],
                member: Sequence[str], constructs: Sequence[str],
                alternative: str = "greater", n_boot: int = 2000,
                seed: int | None = None) -> pd.DataFrame:
    """CVPAT of PLS against each benchmark, per endogenous construct and overall.

    Parameters
    ----------
    pls_errors : ndarray, shape (n, q)
        Out-of-sample PLS errors of the endogenous indicators.
    benchmarks : dict of str to ndarray, shape (n, q)
        Out-of-sample errors of each benchmark (``"LM"``, ``"IA"``).
    member, constructs
        As for :func:`observation_losses`.
    alternative : {"greater", "two-sided"}
        ``"greater"``: H1 that PLS has the smaller expected loss (D > 0), as Liengaard
        et al. and Hair et al. (2022, Fig. 6.9) test; ``"two-sided"``: H1 D != 0.
    n_boot : int
        Resamples for the bootstrap standard error (0: none, NaN columns).
    seed : int or None
        Seed of the bootstrap: the resample rows of the i-th benchmark (0-based) are
        ``Generator(PCG64([seed, 1, i])).integers(0, n, size=(m, n))`` in chunks of
        ``m`` = 250 resamples.

    Returns
    -------
    DataFrame
        ``benchmark, construct`` (the constructs and ``"Overall"``), ``loss_pls,
        loss_benchmark`` (average losses), ``diff`` (= ``loss_benchmark - loss_pls``,
        D-bar: positive when PLS predicts better), ``t, pvalue`` (paired t-test of the
        per-observation loss differences, df n - 1; Liengaard et al. 2021) and ``t_boot,
        pvalue_boot`` (D-bar over its bootstrap standard error, Student t with n - 1 df;
        Sharma et al. 2023, seminrExtras's "Boot T value"/"Boot P Value").

    References
    ----------
    Liengaard, B. D., Sharma, P. N., Hult, G. T. M., Jensen, M. B., Sarstedt, M., Hair,
    J. F., & Ringle, C. M. (2021). Prediction: coveted, yet forsaken? Introducing a
    cross-validated predictive ability test in partial least squares path modeling.
    Decision Sciences, 52(2), 362-392. Sharma, P. N., Liengaard, B. D., Hair, J. F.,
    Sarstedt, M., & Ringle, C. M. (2023). Predictive model assessment and selection in
    composite-based modeling using PLS-SEM: extensions and guidelines for using CVPAT.
    European Journal of Marketing, 57(6), 1662-1677.
    """
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {', '.join(ALTERNATIVES)}; got "
                         f"{alternative!r}")
    loss_pls = observation_losses(pls_errors, member, constructs)
    names = [*constructs, "Overall"]
    frames = []
    n = loss_pls.shape[0]
    for b, (label, errors) in enumerate(benchmarks.items()):
        loss_bench = observation_losses(errors, member, constructs)
        d = loss_bench - loss_pls
        dbar = d.mean(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = dbar / (d.std(axis=0, ddof=1) / np.sqrt(n))
            se = (_bootstrap_se(d, int(n_boot), seed, b) if n_boot > 0
                  else np.full(d.shape[1], np.nan))
            t_boot = dbar / se
        frames.append(pd.DataFrame({
            "benchmark": label, "construct": names, "loss_pls": loss_pls.mean(axis=0),
            "loss_benchmark": loss_bench.mean(axis=0), "diff": dbar,
            "t": t, "pvalue": _pvalue(t, n - 1, alternative),
            "t_boot": t_boot, "pvalue_boot": _pvalue(t_boot, n - 1, alternative)}))
    return pd.concat(frames, ignore_index=True)


def _pvalue(t: np.ndarray, df: int, alternative: str) -> np.ndarray:
    if alternative == "greater":
        return np.asarray(stats.t.sf(t, df))
    return np.asarray(2.0 * stats.t.sf(np.abs(t), df))
