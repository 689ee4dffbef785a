"""Vectorised nonparametric bootstrap of PLS-SEM (SmartPLS/seminr conventions).

A resample enters the PLS algorithm only through its item correlation matrix. The
correlation matrices of a whole chunk of resamples come from one matrix product
(resample counts times the item cross-products), and :func:`~cxsurvey.stats.pls.engine.
estimate_batch` then iterates all of them at once, each with its own stop criterion. The
jackknife (leave-one-out) samples for the BCa acceleration run through the same engine.

Reproducibility: the resample index matrix is drawn once from numpy's PCG64 generator
with ``seed`` (or passed in as ``indices``), so a run does not depend on chunking or on
the number of worker threads.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special
from threadpoolctl import threadpool_limits

from cxsurvey.stats.effects import chains
from cxsurvey.stats.pls.engine import (
    PlsFit,
    PlsModel,
    batch_htmt,
    batch_structural,
    batch_total_effects,
    compile_model,
    estimate_batch,
    fit_pls,
    prepare_data,
)

__all__ = ["PlsBootstrap", "bootstrap_pls", "summarise_draws", "bca_interval",
           "resample_correlations", "jackknife_correlations"]

STAT_COLUMNS = ["est", "boot_mean", "se", "t", "pvalue", "ci_lower", "ci_upper",
                "bca_lower", "bca_upper"]
_ZERO_VARIANCE = 1e-12


@dataclass(frozen=True)
class PlsBootstrap:
    """Bootstrap inference for a PLS-SEM fit.

    Every table has its key columns followed by ``est`` (full-sample estimate),
    ``boot_mean``, ``se`` (bootstrap standard error = SD of the usable resamples' estimates,
    n - 1 denominator; seminr's "Bootstrap SD"), ``t`` (est / se, SmartPLS's T statistic),
    ``pvalue`` (two-tailed, Student t with ``n_used - 1`` df), ``ci_lower, ci_upper``
    (percentile interval, numpy "linear" = R quantile type 7) and ``bca_lower,
    bca_upper`` (bias-corrected and accelerated interval; NaN when ``bca=False`` or
    undefined).

    Attributes
    ----------
    fit : PlsFit
        The full-sample estimation.
    paths : DataFrame
        ``from, to`` + statistics.
    loadings, weights : DataFrame
        ``construct, item`` + statistics.
    total_effects, total_indirect_effects : DataFrame
        ``from, to`` + statistics (totals for every pair joined by a chain; total indirect
        effects for pairs joined by a chain of two arrows or more).
    specific_indirect_effects : DataFrame
        ``from, to, path`` + statistics.
    htmt : DataFrame
        ``a, b`` + statistics + ``t_vs_1, pvalue_vs_1``: seminr's test of HTMT against 1,
        ``(1 - est) / se`` (seminr's "T Stat." for HTMT), and its one-sided p-value for
        H1: HTMT < 1. (``t``/``pvalue`` test against 0 like every other table.)
    r2 : DataFrame
        ``construct`` + statistics.
    n_boot : int
        Resamples requested.
    n_used : int
        Resamples that entered the statistics.
    n_invalid : int
        Resamples that could not be estimated (an item without variance in the resample,
        or a perfectly collinear Mode B block or predictor set); excluded.
    n_not_converged : int
        Resamples that did not meet the stop criterion in ``max_iter`` iterations;
        excluded.
    invalid_resamples, not_converged_resamples : tuple of int
        0-based positions of those resamples in the index matrix.
    n_jackknife, n_jackknife_used : int
        Leave-one-out samples for the BCa acceleration, and the usable ones.
    seed : int or None
    ci : float
        Confidence level of the intervals.
    pvalue_method : str
    handling : str
        How unusable resamples were handled, in words.
    draws : dict of str to ndarray
        Estimates of the usable resamples per table (rows: resamples, columns: the
        table's rows).
    warnings : tuple of str
    """

    fit: PlsFit
    paths: pd.DataFrame
    loadings: pd.DataFrame
    weights: pd.DataFrame
    total_effects: pd.DataFrame
    total_indirect_effects: pd.DataFrame
    specific_indirect_effects: pd.DataFrame
    htmt: pd.DataFrame
    r2: pd.DataFrame
    n_boot: int
    n_used: int
    n_invalid: int
    n_not_converged: int
    invalid_resamples: tuple[int, ...]
    not_converged_resamples: tuple[int, ...]
    n_jackknife: int
    n_jackknife_used: int
    seed: int | None
    ci: float
    pvalue_method: str
    handling: str
    draws: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    warnings: tuple[str, ...] = ()

    @property
    def n_failed(self) -> int:
        """Resamples excluded for any reason."""
        return self.n_invalid + self.n_not_converged

    def info(self) -> dict:
        """Run description for reports (JSON-ready)."""
        return {"requested": self.n_boot, "used": self.n_used, "failed": self.n_failed,
                "invalid": self.n_invalid, "not_converged": self.n_not_converged,
                "seed": self.seed, "ci": self.ci, "ci_type": "percentile",
                "bca": self.n_jackknife > 0, "pvalue": self.pvalue_method,
                "handling": self.handling}


# ---------------------------------------------------------------------------------------
# Resample correlation matrices
# ---------------------------------------------------------------------------------------

def _cross_products(z: np.ndarray) -> np.ndarray:
    n, p = z.shape
    return (z[:, :, None] * z[:, None, :]).reshape(n, p * p)


def _moments_to_corr(s1: np.ndarray, s2: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Correlation matrices from sums, sums of cross-products and sizes; NaN matrices for
    samples in which an item has (numerically) zero variance."""
    mean = s1 / m[:, None]
    cov = (s2 - m[:, None, None] * mean[:, :, None] * mean[:, None, :]) / (m - 1)[:, None, None]
    var = np.einsum("bpp->bp", cov)
    bad = np.any(var <= _ZERO_VARIANCE, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.sqrt(np.where(var > 0, var, np.nan))
        corr = cov / (d[:, :, None] * d[:, None, :])
    idx = np.arange(corr.shape[1])
    corr[:, idx, idx] = 1.0
    corr[bad] = np.nan
    return corr


def resample_correlations(z: np.ndarray, counts: np.ndarray,
                          cross: np.ndarray | None = None) -> np.ndarray:
    """Item correlation matrices of weighted resamples.

    Parameters
    ----------
    z : ndarray, shape (n, p)
        Standardised items of the sample.
    counts : ndarray, shape (B, n)
        How often each row appears in each resample.
    cross : ndarray, shape (n, p * p), optional
        Precomputed row cross-products ``z_i z_i'``.

    Returns
    -------
    ndarray, shape (B, p, p)
        NaN for a resample in which an item is constant.

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap (ch. 6: the
    nonparametric bootstrap as resampling counts). Chapman & Hall.
    """
    n, p = z.shape
    if cross is None:
        cross = _cross_products(z)
    counts = np.asarray(counts, dtype=float)
    s1 = counts @ z
    s2 = (counts @ cross).reshape(-1, p, p)
    return _moments_to_corr(s1, s2, counts.sum(axis=1))


def jackknife_correlations(z: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """Item correlation matrices of the leave-one-out samples (``rows`` left out).

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap (ch. 11, the
    jackknife; ch. 14.3, its use for the BCa acceleration). Chapman & Hall.
    """
    n, p = z.shape
    rows = np.arange(n) if rows is None else np.asarray(rows)
    zi = z[rows]
    s1 = z.sum(axis=0)[None, :] - zi
    s2 = (z.T @ z)[None] - zi[:, :, None] * zi[:, None, :]
    return _moments_to_corr(s1, s2, np.full(len(rows), n - 1.0))


def _counts(indices: np.ndarray, n: int) -> np.ndarray:
    b = indices.shape[0]
    flat = (indices + (np.arange(b) * n)[:, None]).ravel()
    return np.bincount(flat, minlength=b * n).reshape(b, n).astype(float)


# ---------------------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------------------

def _quantile_type7(sorted_draws: np.ndarray, prob: np.ndarray) -> np.ndarray:
    """Column-wise quantiles with a probability per column (R type 7, numpy linear)."""
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


def bca_interval(est: np.ndarray, draws: np.ndarray, jackknife: np.ndarray,
                 ci: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Bias-corrected and accelerated bootstrap interval, column by column.

    Parameters
    ----------
    est : ndarray, shape (P,)
        Full-sample estimates.
    draws : ndarray, shape (B, P)
        Bootstrap estimates.
    jackknife : ndarray, shape (J, P)
        Leave-one-out estimates (acceleration).
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
    d = np.nanmean(jackknife, axis=0) - jackknife
    num = np.nansum(d ** 3, axis=0)
    den = 6.0 * np.nansum(d ** 2, axis=0) ** 1.5
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(den > 0, num / den, 0.0)
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


def summarise_draws(est: np.ndarray, draws: np.ndarray, jackknife: np.ndarray | None = None,
                    ci: float = 0.95) -> pd.DataFrame:
    """Bootstrap mean, SE, t, p, percentile and BCa intervals per column.

    Parameters
    ----------
    est : ndarray, shape (P,)
        Full-sample estimates.
    draws : ndarray, shape (B, P)
        Estimates of the usable resamples.
    jackknife : ndarray, shape (J, P), optional
        Leave-one-out estimates; without them the BCa columns are NaN.
    ci : float
        Confidence level.

    Returns
    -------
    DataFrame
        ``est, boot_mean, se, t, pvalue, ci_lower, ci_upper, bca_lower, bca_upper``
        (``se`` with the n - 1 denominator; ``t = est / se``, NaN when ``se`` is 0;
        two-tailed p from Student's t with B - 1 df; percentile interval by numpy's
        "linear" rule = R's quantile type 7).

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
    pvalue = 2.0 * special.stdtr(b - 1, -np.abs(t))  # Student t, two-tailed
    tail = (1.0 - ci) / 2.0
    lower, upper = np.quantile(draws, [tail, 1.0 - tail], axis=0, method="linear")
    if jackknife is not None and len(jackknife):
        bca_lower, bca_upper = bca_interval(est, draws, jackknife, ci)
        bca_lower = np.where(constant, est, bca_lower)
        bca_upper = np.where(constant, est, bca_upper)
    else:
        bca_lower = bca_upper = nan
    return pd.DataFrame({"est": est, "boot_mean": draws.mean(axis=0), "se": se, "t": t,
                         "pvalue": pvalue, "ci_lower": lower, "ci_upper": upper,
                         "bca_lower": bca_lower, "bca_upper": bca_upper})


# ---------------------------------------------------------------------------------------
# Bootstrap
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Layout:
    """Which entries of the batched estimates make up each table."""

    model: PlsModel
    htmt_pairs: tuple[tuple[int, int], ...]
    total_pairs: tuple[tuple[int, int], ...]
    indirect_pairs: tuple[tuple[int, int], ...]
    chains: tuple[tuple[int, ...], ...]
    endogenous: tuple[int, ...]

    @classmethod
    def of(cls, model: PlsModel) -> _Layout:
        k = model.k
        reach, reach_ind = model.reachable(), model.reachable_indirect()
        names = model.constructs
        return cls(
            model=model,
            htmt_pairs=tuple((i, j) for i in range(k) for j in range(i + 1, k)),
            total_pairs=tuple((i, j) for i in range(k) for j in range(k) if reach[i, j]),
            indirect_pairs=tuple((i, j) for i in range(k) for j in range(k)
                                 if reach_ind[i, j]),
            chains=tuple(tuple(names.index(c) for c in chain)
                         for chain in chains(model.path_names, min_length=2)),
            endogenous=model.endogenous)

    def extract(self, corr: np.ndarray, scheme: str, max_iter: int,
                tol: float) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """Estimate a batch; returns the per-table estimates, ``valid`` and ``converged``."""
        model = self.model
        est = estimate_batch(corr, model, scheme, max_iter, tol)
        beta, r2 = batch_structural(est.score_corr, model)
        total = batch_total_effects(beta)
        htmt = batch_htmt(corr, model)

        def pick(arr: np.ndarray, pairs: Sequence[tuple[int, int]]) -> np.ndarray:
            if not pairs:
                return np.zeros((arr.shape[0], 0))
            i, j = np.array(pairs).T
            return arr[:, i, j]

        specific = np.stack([np.prod([beta[:, a, b] for a, b in zip(c, c[1:], strict=False)],
                                     axis=0) for c in self.chains], axis=1) \
            if self.chains else np.zeros((corr.shape[0], 0))
        out = {
            "paths": pick(beta, model.paths),
            "loadings": est.loadings(model),
            "weights": est.weights,
            "total_effects": pick(total, self.total_pairs),
            "total_indirect_effects": pick(total - beta, self.indirect_pairs),
            "specific_indirect_effects": specific,
            "htmt": pick(htmt, self.htmt_pairs),
            "r2": r2[:, list(self.endogenous)],
        }
        return out, est.valid, est.converged


def _keys(fit: PlsFit, layout: _Layout) -> dict[str, pd.DataFrame]:
    model = layout.model
    names = model.constructs
    item_keys = pd.DataFrame({"construct": [names[j] for j in model.member],
                              "item": list(model.items)})
    return {
        "paths": fit.paths[["from", "to"]].reset_index(drop=True),
        "loadings": item_keys,
        "weights": item_keys.copy(),
        "total_effects": pd.DataFrame([(names[i], names[j]) for i, j in layout.total_pairs],
                                      columns=["from", "to"]),
        "total_indirect_effects": pd.DataFrame(
            [(names[i], names[j]) for i, j in layout.indirect_pairs], columns=["from", "to"]),
        "specific_indirect_effects": pd.DataFrame(
            [(names[c[0]], names[c[-1]], " -> ".join(names[x] for x in c))
             for c in layout.chains], columns=["from", "to", "path"]),
        "htmt": pd.DataFrame([(names[i], names[j]) for i, j in layout.htmt_pairs],
                             columns=["a", "b"]),
        "r2": pd.DataFrame({"construct": [names[j] for j in layout.endogenous]}),
    }


def _run_chunks(tasks: list[Callable[[], tuple]], jobs: int,
                progress: Callable[[int, int], None] | None,
                sizes: list[int]) -> list[tuple]:
    total = sum(sizes)
    done = 0
    results: list[tuple] = []
    if jobs <= 1 or len(tasks) <= 1:
        for task, size in zip(tasks, sizes, strict=True):
            results.append(task())
            done += size
            if progress is not None:
                progress(done, total)
        return results
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(task) for task in tasks]
        for future, size in zip(futures, sizes, strict=True):
            results.append(future.result())
            done += size
            if progress is not None:
                progress(done, total)
    return results


def bootstrap_pls(data: pd.DataFrame, constructs: Mapping[str, Sequence[str]],
                  paths: Sequence[tuple[str, str]], modes: Mapping[str, str] | None = None,
                  scheme: str = "path", max_iter: int = 300, tol: float = 1e-7,
                  missing: str = "listwise", n_boot: int = 5000, seed: int | None = None,
                  indices: np.ndarray | None = None, ci: float = 0.95, bca: bool = True,
                  jobs: int | None = None, chunk_size: int = 1000,
                  progress: Callable[[int, int], None] | None = None) -> PlsBootstrap:
    """Bootstrap a PLS path model: SE, t, p, percentile and BCa intervals.

    Parameters
    ----------
    data, constructs, paths, modes, scheme, max_iter, tol, missing
        As :func:`cxsurvey.stats.pls.engine.fit_pls`. Missing answers are handled once, on
        the full sample (listwise deletion, or mean replacement with the full-sample
        means); the resamples are drawn from the rows so prepared.
    n_boot : int
        Number of resamples (SmartPLS default 5,000). Ignored when ``indices`` is given.
    seed : int, optional
        Seed of numpy's PCG64 generator that draws the ``(n_boot, n)`` index matrix with
        ``Generator.integers(0, n, size=(n_boot, n))``.
    indices : ndarray of int, shape (n_boot, n), optional
        An explicit 0-based resample index matrix into the rows used by the fit (after
        missing-value handling). R's 1-based indices must have 1 subtracted.
    ci : float
        Confidence level of the intervals (0.95).
    bca : bool
        Compute BCa intervals (needs n jackknife fits, batched like the resamples).
    jobs : int, optional
        Threads that estimate chunks in parallel (numpy releases the GIL in its array
        kernels; BLAS is limited to one thread meanwhile). None (default) uses every
        core. The results do not depend on it.
    chunk_size : int
        Resamples estimated per batch (bounds memory: about ``chunk_size * p^2 * 8``
        bytes per array).
    progress : callable, optional
        Called as ``progress(done, total)`` after each chunk, for a progress bar; ``total``
        counts the resamples plus (with ``bca``) the n jackknife samples.

    Returns
    -------
    PlsBootstrap

    Raises
    ------
    InputError, AnalysisError
        As :func:`fit_pls`.
    ValueError
        For a malformed ``indices`` matrix or bad ``n_boot``/``ci``.

    Notes
    -----
    A resample in which an item has no variance (common with Likert items and small
    samples), or whose Mode B block or predictors are perfectly collinear, cannot be
    estimated; it is excluded and counted (``n_invalid``), as R seminr drops failed
    resamples. Resamples that do not converge within ``max_iter`` are excluded and counted
    (``n_not_converged``). The statistics use the remaining ``n_used`` resamples.
    p-values are two-tailed from Student's t with ``n_used - 1`` degrees of freedom
    (with thousands of resamples identical to the normal distribution to 3 decimals).
    No sign-change correction is applied (SmartPLS's and seminr's default).

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap. Chapman &
    Hall. Efron, B. (1987). Better bootstrap confidence intervals. Journal of the
    American Statistical Association, 82(397), 171-185 (BCa). Hair, J. F., Hult, G. T. M.,
    Ringle, C. M., & Sarstedt, M. (2022). A primer on partial least squares structural
    equation modeling (PLS-SEM) (3rd ed.). Sage. Streukens, S., & Leroi-Werelds, S.
    (2016). Bootstrapping and PLS-SEM: A step-by-step guide to get more out of your
    bootstrap results. European Management Journal, 34(6), 618-632.
    """
    if not 0.0 < ci < 1.0:
        raise ValueError(f"ci must be between 0 and 1; got {ci!r}")
    if int(chunk_size) < 1:
        raise ValueError(f"chunk_size must be positive; got {chunk_size!r}")
    fit = fit_pls(data, constructs, paths, modes=modes, scheme=scheme, max_iter=max_iter,
                  tol=tol, missing=missing)
    model = compile_model(constructs, paths, modes)
    prep = prepare_data(data, model, missing)
    z = prep.z
    n = z.shape[0]
    if indices is None:
        if int(n_boot) < 2:
            raise ValueError(f"n_boot must be at least 2; got {n_boot!r}")
        rng = np.random.Generator(np.random.PCG64(seed))
        indices = rng.integers(0, n, size=(int(n_boot), n))
    else:
        indices = np.asarray(indices)
        if indices.ndim != 2 or indices.shape[0] < 2:
            raise ValueError("indices must be a 2-D (n_boot, n) matrix with at least 2 rows")
        if not np.issubdtype(indices.dtype, np.integer):
            raise ValueError("indices must hold integer row positions")
        if indices.size and (indices.min() < 0 or indices.max() >= n):
            raise ValueError(f"indices must be 0-based row positions in [0, {n - 1}] of the "
                             f"{n} rows used; got values in [{indices.min()}, "
                             f"{indices.max()}] (R's 1-based indices need 1 subtracted)")
    indices = indices.astype(np.int64)
    b_total = indices.shape[0]
    layout = _Layout.of(model)
    cross = _cross_products(z)
    max_iter, tol = int(max_iter), float(tol)
    jobs = (os.cpu_count() or 1) if jobs is None else max(1, int(jobs))

    def boot_task(rows: np.ndarray) -> Callable[[], tuple]:
        def run() -> tuple:
            corr = resample_correlations(z, _counts(indices[rows], n), cross)
            return layout.extract(corr, scheme, max_iter, tol)
        return run

    step = int(chunk_size)
    spans = [np.arange(s, min(s + step, b_total)) for s in range(0, b_total, step)]
    tasks = [boot_task(rows) for rows in spans]
    sizes = [len(rows) for rows in spans]
    if bca:
        def jack_task(rows: np.ndarray) -> Callable[[], tuple]:
            def run() -> tuple:
                return layout.extract(jackknife_correlations(z, rows), scheme, max_iter, tol)
            return run
        jspans = [np.arange(s, min(s + step, n)) for s in range(0, n, step)]
        tasks += [jack_task(rows) for rows in jspans]
        sizes += [len(rows) for rows in jspans]
    with threadpool_limits(limits=1, user_api="blas"):
        # the matrices are small: one BLAS thread per worker thread is fastest
        results = _run_chunks(tasks, jobs, progress, sizes)
    boot_parts, jack_parts = results[:len(spans)], results[len(spans):]

    def combine(parts: list[tuple]) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        tables = {key: np.concatenate([p[0][key] for p in parts]) for key in parts[0][0]}
        return (tables, np.concatenate([p[1] for p in parts]),
                np.concatenate([p[2] for p in parts]))

    boot, valid, converged = combine(boot_parts)
    for key in ("paths", "weights", "loadings"):
        valid &= np.all(np.isfinite(boot[key]), axis=1)
    usable = valid & converged
    draws = {key: value[usable] for key, value in boot.items()}
    jack: dict[str, np.ndarray] | None = None
    n_jack_used = 0
    if bca:
        jtables, jvalid, jconv = combine(jack_parts)
        jusable = jvalid & jconv & np.all(np.isfinite(jtables["paths"]), axis=1)
        jack = {key: value[jusable] for key, value in jtables.items()}
        n_jack_used = int(jusable.sum())

    originals = _originals(fit, layout)
    keys = _keys(fit, layout)
    tables: dict[str, pd.DataFrame] = {}
    for key, key_frame in keys.items():
        summary = summarise_draws(originals[key], draws[key],
                                  None if jack is None else jack[key], ci)
        tables[key] = pd.concat([key_frame.reset_index(drop=True), summary], axis=1)
    tables["htmt"] = _htmt_versus_one(tables["htmt"], int(usable.sum()))

    invalid = np.flatnonzero(~valid)
    not_conv = np.flatnonzero(valid & ~converged)
    n_used = int(usable.sum())
    handling = ("resamples that cannot be estimated (an item without variance in the "
                "resample, or perfectly collinear items/predictors) and resamples that did "
                f"not converge within {max_iter} iterations are excluded and counted; the "
                f"statistics use the {n_used} remaining resamples")
    warnings: list[str] = list(fit.warnings)
    if len(invalid):
        warnings.append(f"{len(invalid)} of {b_total} bootstrap resamples could not be "
                        "estimated (an item without variance in the resample) and were "
                        "excluded")
    if len(not_conv):
        warnings.append(f"{len(not_conv)} of {b_total} bootstrap resamples did not converge "
                        f"in {max_iter} iterations and were excluded")
    if bca and n_jack_used < n:
        warnings.append(f"{n - n_jack_used} of {n} jackknife samples could not be estimated; "
                        "the BCa acceleration uses the others")
    if n_used < 2:
        warnings.append("fewer than 2 usable bootstrap resamples: no standard errors")
    return PlsBootstrap(
        fit=fit, paths=tables["paths"], loadings=tables["loadings"],
        weights=tables["weights"], total_effects=tables["total_effects"],
        total_indirect_effects=tables["total_indirect_effects"],
        specific_indirect_effects=tables["specific_indirect_effects"],
        htmt=tables["htmt"], r2=tables["r2"], n_boot=b_total, n_used=n_used,
        n_invalid=len(invalid), n_not_converged=len(not_conv),
        invalid_resamples=tuple(int(i) for i in invalid),
        not_converged_resamples=tuple(int(i) for i in not_conv),
        n_jackknife=n if bca else 0, n_jackknife_used=n_jack_used, seed=seed, ci=ci,
        pvalue_method=f"two-tailed, Student t with {max(n_used - 1, 0)} df (n_used - 1)",
        handling=handling, draws=draws, warnings=tuple(warnings))


def _htmt_versus_one(table: pd.DataFrame, n_used: int) -> pd.DataFrame:
    """Add seminr's HTMT test against 1: ``t_vs_1 = (1 - est) / se`` and the one-sided
    p-value of H1: HTMT < 1 (Student t, ``n_used - 1`` df)."""
    se = table["se"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(se > 0, (1.0 - table["est"].to_numpy(float)) / se, np.nan)
    p1 = special.stdtr(n_used - 1, -t1) if n_used >= 2 else np.full(len(table), np.nan)
    return table.assign(t_vs_1=t1, pvalue_vs_1=p1)


def _originals(fit: PlsFit, layout: _Layout) -> dict[str, np.ndarray]:
    """Full-sample estimates in the order of the bootstrap tables."""
    model = layout.model
    names = model.constructs
    total = fit.total_effects.set_index(["from", "to"])
    htmt = {(a, b): v for a, b, v in fit.htmt.itertuples(index=False)}
    r2 = fit.r2.set_index("construct")["r2"]
    return {
        "paths": fit.paths["est"].to_numpy(float),
        "loadings": fit.loadings["est"].to_numpy(float),
        "weights": fit.weights["est"].to_numpy(float),
        "total_effects": np.array([total.loc[(names[i], names[j]), "total"]
                                   for i, j in layout.total_pairs], dtype=float),
        "total_indirect_effects": np.array([total.loc[(names[i], names[j]), "total_indirect"]
                                            for i, j in layout.indirect_pairs], dtype=float),
        "specific_indirect_effects": fit.specific_indirect_effects["est"].to_numpy(float),
        "htmt": np.array([htmt[(names[i], names[j])] for i, j in layout.htmt_pairs],
                         dtype=float),
        "r2": np.array([r2[names[j]] for j in layout.endogenous], dtype=float),
    }
