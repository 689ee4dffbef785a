"""CVPAT: the cross-validated predictive ability test of a PLS model against the
linear-model (LM) and indicator-average (IA) benchmarks (Liengaard et al. 2021; Sharma
et al. 2023), on the out-of-sample errors of :func:`~cxsurvey.stats.pls.predict.pls_predict`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special

from cxsurvey.stats.pls.resample import resample_counts

__all__ = ["ALTERNATIVES", "cvpat_table", "cvpat_tables", "observation_losses"]

ALTERNATIVES = ("greater", "two-sided")
_CHUNK = 250  # bootstrap resamples per matrix product
_CHUNK_BYTES = 1 << 25  # ... fewer for large samples: counts of one chunk at most


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
    drawn by numpy PCG64 seeded with ``[seed, 1, stream]``, ``_CHUNK`` resamples at a
    time (int32 draws: the same numbers as the default int64 for ``n < 2**31``)."""
    n = d.shape[0]
    rng = np.random.Generator(np.random.PCG64(None if seed is None
                                              else [int(seed), 1, stream]))
    means = np.empty((n_boot, d.shape[1]))
    step = max(1, min(_CHUNK, _CHUNK_BYTES // (8 * n)))  # the stream does not depend on it
    buffer = np.empty(step * n)
    for start in range(0, n_boot, step):
        size = min(step, n_boot - start)
        idx = rng.integers(0, n, size=(size, n), dtype=np.int32 if n < 2 ** 31 else np.int64)
        means[start:start + size] = resample_counts(idx, n, buffer) @ d / n
    return np.asarray(means.std(axis=0, ddof=1))


def cvpat_tables(runs: Sequence[tuple[np.ndarray, dict[str, np.ndarray]]],
                 constructs: Sequence[str], alternative: str = "greater",
                 n_boot: int = 2000, seed: int | None = None) -> list[pd.DataFrame]:
    """:func:`cvpat_table` of several prediction runs of the same rows (PLSpredict's
    techniques), from their per-observation losses, each benchmark's bootstrap
    resamples drawn once for all of them.

    Parameters
    ----------
    runs : sequence of (ndarray, dict of str to ndarray)
        Per run, the :func:`observation_losses` of PLS and of each benchmark (the same
        benchmark names in every run), shape (n, len(constructs) + 1).
    constructs, alternative, n_boot, seed
        As :func:`cvpat_table`; every run's table equals its own :func:`cvpat_table`.

    Returns
    -------
    list of DataFrame
        One table per run.
    """
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {', '.join(ALTERNATIVES)}; got "
                         f"{alternative!r}")
    names = [*constructs, "Overall"]
    losses = [loss for loss, _ in runs]
    frames: list[list[pd.DataFrame]] = [[] for _ in runs]
    labels = list(runs[0][1]) if runs else []
    for b, label in enumerate(labels):
        bench = [benchmarks[label] for _, benchmarks in runs]
        ds = [lb - lp for lb, lp in zip(bench, losses, strict=True)]
        width = len(names)
        ses = (_bootstrap_se(np.hstack(ds), int(n_boot), seed, b) if n_boot > 0
               else np.full(width * len(ds), np.nan))
        for i, d in enumerate(ds):
            n = d.shape[0]
            dbar = d.mean(axis=0)
            with np.errstate(divide="ignore", invalid="ignore"):
                t = dbar / (d.std(axis=0, ddof=1) / np.sqrt(n))
                t_boot = dbar / ses[i * width:(i + 1) * width]
            frames[i].append(pd.DataFrame({
                "benchmark": label, "construct": names, "loss_pls": losses[i].mean(axis=0),
                "loss_benchmark": bench[i].mean(axis=0), "diff": dbar,
                "t": t, "pvalue": _pvalue(t, n - 1, alternative),
                "t_boot": t_boot, "pvalue_boot": _pvalue(t_boot, n - 1, alternative)}))
    return [pd.concat(f, ignore_index=True) for f in frames]


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
        the rows of ``Generator(PCG64([seed, 1, i])).integers(0, n, size=(n_boot, n))``,
        drawn in chunks of up to 250 resamples (fewer for large samples; the numbers do
        not depend on the chunks).

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
    losses = {label: observation_losses(errors, member, constructs)
              for label, errors in benchmarks.items()}
    return cvpat_tables([(observation_losses(pls_errors, member, constructs), losses)],
                        constructs, alternative, n_boot, seed)[0]


def _pvalue(t: np.ndarray, df: int, alternative: str) -> np.ndarray:
    # Student t upper tail, sf(t) = stdtr(df, -t) (what scipy.stats.t.sf evaluates),
    # without importing scipy.stats
    if alternative == "greater":
        return np.asarray(special.stdtr(df, -t))
    return np.asarray(2.0 * special.stdtr(df, -np.abs(t)))
