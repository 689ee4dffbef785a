"""Vectorised nonparametric bootstrap of PLS-SEM (SmartPLS/seminr conventions).

A resample enters the PLS algorithm only through its item correlation matrix
(:mod:`~cxsurvey.stats.pls.resample`), and
:func:`~cxsurvey.stats.pls.estimate.estimate_batch` iterates a whole chunk of resamples at
once, each with its own stop criterion. The jackknife (leave-one-out) samples for the BCa
acceleration run through the same engine. :mod:`~cxsurvey.stats.pls.tables` says which
statistics are resampled and :mod:`~cxsurvey.stats.intervals` summarises them (SE, t,
p, percentile and BCa intervals).

Reproducibility: the resample indices are the rows of the ``(n_boot, n)`` matrix that
numpy's PCG64 generator seeded with ``seed`` draws (or of ``indices`` when given), so a
run does not depend on chunking or on the number of worker threads. The matrix is never
formed: its rows are drawn chunk by chunk, in order, from the one generator
(:func:`~cxsurvey.stats.pls.resample.index_chunks`, which yields exactly the rows of the
one-shot draw), and at most ``jobs + 1`` chunks are in memory at a time.

Unusable resamples: a resample in which an item has no variance (common with Likert items
and small samples), or whose Mode B block or predictors are perfectly collinear, cannot be
estimated; it is excluded and counted (``n_invalid``), as R seminr drops failed
resamples. Resamples that do not converge within ``max_iter`` are excluded and counted
(``n_not_converged``). The statistics use the remaining ``n_used`` resamples; p-values
are two-tailed from Student's t with ``n_used - 1`` degrees of freedom (with thousands of
resamples identical to the normal distribution to 3 decimals). No sign-change correction
is applied (SmartPLS's and seminr's default).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import cast

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from cxsurvey.stats.intervals import (
    JackknifeSums,
    add_jackknife_sums,
    bca_interval,
    htmt_versus_one,
    summarise_draws,
)
from cxsurvey.stats.pls.chunks import CountBuffer, chunk_rows, run_chunks
from cxsurvey.stats.pls.data import prepare_data
from cxsurvey.stats.pls.fit import PlsFit, fit_pls
from cxsurvey.stats.pls.resample import (
    ResampleMoments,
    index_chunks,
    jackknife_correlations,
    resample_correlations,
    resample_counts,
    resample_moments,
    shared_cross_products,
)
from cxsurvey.stats.pls.specify import compile_model
from cxsurvey.stats.pls.tables import TableLayout
from cxsurvey.stats.records import BootstrapInfo

__all__ = ["PlsBootstrap", "bootstrap_pls", "summarise_draws", "bca_interval",
           "resample_correlations", "jackknife_correlations"]

_Part = tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]  # estimates, valid, converged
_JackPart = dict[str, JackknifeSums]  # per table, of a chunk's usable jackknife samples
#: Item correlation matrices (B, p, p) of the samples given as row positions (B, m)
SampleCorrelations = Callable[[np.ndarray], np.ndarray]


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
    moments : ResampleMoments, optional
        The sums behind every resample's item correlations (``keep_moments``), for later
        analyses of the same resamples.
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
    moments: ResampleMoments | None = field(default=None, repr=False)

    @property
    def n_failed(self) -> int:
        """Resamples excluded for any reason."""
        return self.n_invalid + self.n_not_converged

    def info(self) -> BootstrapInfo:
        """Run description for reports (JSON-ready)."""
        return {"requested": self.n_boot, "used": self.n_used, "failed": self.n_failed,
                "invalid": self.n_invalid, "not_converged": self.n_not_converged,
                "seed": self.seed, "ci": self.ci, "ci_type": "percentile",
                "bca": self.n_jackknife > 0, "pvalue": self.pvalue_method,
                "handling": self.handling}


# ---------------------------------------------------------------------------------------
# Chunked estimation
# ---------------------------------------------------------------------------------------

MOMENT_BYTES = 1 << 27  # resample moments kept for later analyses (keep_moments) at most
JACK_BYTES = 1 << 24  # one (rows, p, p) stack of a jackknife chunk at most


def _resample_chunk(layout: TableLayout, z: np.ndarray, cross: np.ndarray | None,
                    indices: np.ndarray, settings: tuple[str, int, float],
                    sample_correlations: SampleCorrelations | None = None,
                    workspace: CountBuffer | None = None,
                    kept: dict[int, ResampleMoments] | None = None, number: int = 0
                    ) -> _Part:
    if sample_correlations is not None:
        return layout.extract(sample_correlations(indices), *settings)
    n = z.shape[0]
    buffer = None if workspace is None else workspace.counts_for(indices.shape[0], n)
    moments = resample_moments(z, resample_counts(indices, n, buffer), cross)
    if kept is not None:
        kept[number] = moments
    return layout.extract(moments.correlations(), *settings)


def _jackknife_chunk(layout: TableLayout, z: np.ndarray, rows: np.ndarray,
                     settings: tuple[str, int, float], shifts: dict[str, np.ndarray],
                     sample_correlations: SampleCorrelations | None = None) -> _JackPart:
    """The BCa acceleration's sums of the usable leave-one-out estimates of ``rows``
    (about the full-sample estimates ``shifts``), per table: n leave-one-out samples
    never need n rows of estimates in memory."""
    if sample_correlations is not None:
        n = z.shape[0]
        keep = np.array([np.delete(np.arange(n), r) for r in rows], dtype=np.int64)
        part = layout.extract(sample_correlations(keep), *settings)
    else:
        part = layout.extract(jackknife_correlations(z, rows), *settings)
    tables = _usable([part])[0]
    return {key: JackknifeSums.of(value, shifts[key]) for key, value in tables.items()}


def _estimate_chunks(layout: TableLayout, z: np.ndarray, chunks: Iterator[np.ndarray],
                     b_total: int, settings: tuple[str, int, float],
                     shifts: dict[str, np.ndarray] | None, step: int, jobs: int,
                     progress: Callable[[int, int], None] | None,
                     sample_correlations: SampleCorrelations | None = None,
                     kept: dict[int, ResampleMoments] | None = None
                     ) -> tuple[list[_Part], dict[str, JackknifeSums] | None]:
    """Estimates of the resamples (``chunks`` of their indices, ``b_total`` in all) and,
    with ``shifts`` (the full-sample estimates: BCa), the jackknife sums (``step``
    samples at a time), chunk by chunk on ``jobs`` threads; ``kept`` receives each
    chunk's resample moments under its number."""
    n = z.shape[0]
    cross = shared_cross_products(z) if sample_correlations is None else None
    workspace = CountBuffer()
    # plain jackknife chunks depend on p only, so the acceleration's sums are added in
    # the same order whatever chunk_size and jobs
    jack_step = (max(1, min(1000, JACK_BYTES // (8 * z.shape[1] ** 2)))
                 if sample_correlations is None else chunk_rows(n, step))
    bca = shifts is not None
    jack_starts = range(0, n, jack_step) if bca else range(0)
    n_boot_tasks = 0

    def tasks() -> Iterator[tuple[Callable[[], _Part | _JackPart], int]]:
        nonlocal n_boot_tasks
        for indices in chunks:  # drawn here, in order, from the one random stream
            yield (partial(_resample_chunk, layout, z, cross, indices, settings,
                           sample_correlations, workspace, kept, n_boot_tasks),
                   indices.shape[0])
            n_boot_tasks += 1
        for s in jack_starts:
            rows = np.arange(s, min(s + jack_step, n))
            yield (partial(_jackknife_chunk, layout, z, rows, settings, shifts or {},
                           sample_correlations), len(rows))

    with threadpool_limits(limits=1, user_api="blas"):
        # the matrices are small: one BLAS thread per worker thread is fastest
        results = run_chunks(tasks(), jobs, progress, b_total + n * bca)
    boot = cast(list[_Part], results[:n_boot_tasks])
    jack = cast(list[_JackPart], results[n_boot_tasks:])
    if not bca or not jack:
        return boot, None
    return boot, add_jackknife_sums(jack)


def _combine(parts: list[_Part]) -> _Part:
    tables = {key: np.concatenate([p[0][key] for p in parts]) for key in parts[0][0]}
    return (tables, np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]))


def _usable(parts: list[_Part]) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Estimates of the usable samples (valid, finite and converged) per table, and the
    ``valid`` and ``converged`` masks of all samples."""
    tables, valid, converged = _combine(parts)
    for key in ("paths", "weights", "loadings"):
        valid &= np.all(np.isfinite(tables[key]), axis=1)
    usable = valid & converged
    return {key: value[usable] for key, value in tables.items()}, valid, converged


# ---------------------------------------------------------------------------------------
# Summaries
# ---------------------------------------------------------------------------------------

def _summaries(fit: PlsFit, layout: TableLayout, draws: dict[str, np.ndarray],
               jack: dict[str, JackknifeSums] | None, ci: float) -> dict[str, pd.DataFrame]:
    """Every table: its key columns and the bootstrap statistics of each row."""
    originals = layout.originals(fit)
    tables: dict[str, pd.DataFrame] = {}
    for key, key_frame in layout.keys(fit).items():
        summary = summarise_draws(originals[key], draws[key],
                                  None if jack is None else jack[key], ci)
        tables[key] = pd.concat([key_frame.reset_index(drop=True), summary], axis=1)
    tables["htmt"] = htmt_versus_one(tables["htmt"], len(draws["paths"]))
    return tables


def _warnings(fit: PlsFit, n_invalid: int, n_not_converged: int, b_total: int, n: int,
              n_jack_used: int | None, n_used: int, max_iter: int) -> tuple[str, ...]:
    warnings: list[str] = list(fit.warnings)
    if n_invalid:
        warnings.append(f"{n_invalid} of {b_total} bootstrap resamples could not be "
                        "estimated (an item without variance in the resample) and were "
                        "excluded")
    if n_not_converged:
        warnings.append(f"{n_not_converged} of {b_total} bootstrap resamples did not "
                        f"converge in {max_iter} iterations and were excluded")
    if n_jack_used is not None and n_jack_used < n:
        warnings.append(f"{n - n_jack_used} of {n} jackknife samples could not be estimated; "
                        "the BCa acceleration uses the others")
    if n_used < 2:
        warnings.append("fewer than 2 usable bootstrap resamples: no standard errors")
    return tuple(warnings)


def _handling(max_iter: int, n_used: int) -> str:
    return ("resamples that cannot be estimated (an item without variance in the "
            "resample, or perfectly collinear items/predictors) and resamples that did "
            f"not converge within {max_iter} iterations are excluded and counted; the "
            f"statistics use the {n_used} remaining resamples")


# ---------------------------------------------------------------------------------------
# Bootstrap
# ---------------------------------------------------------------------------------------

def bootstrap_pls(data: pd.DataFrame, constructs: Mapping[str, Sequence[str]],
                  paths: Sequence[tuple[str, str]], modes: Mapping[str, str] | None = None,
                  scheme: str = "path", max_iter: int = 300, tol: float = 1e-7,
                  missing: str = "listwise", n_boot: int = 5000, seed: int | None = None,
                  indices: np.ndarray | None = None, ci: float = 0.95, bca: bool = True,
                  jobs: int | None = None, chunk_size: int = 1000,
                  progress: Callable[[int, int], None] | None = None,
                  sample_correlations: SampleCorrelations | None = None,
                  keep_moments: bool = False) -> PlsBootstrap:
    """Bootstrap a PLS path model: SE, t, p, percentile and BCa intervals.

    Parameters
    ----------
    data, constructs, paths, modes, scheme, max_iter, tol, missing
        As :func:`cxsurvey.stats.pls.fit.fit_pls`. Missing answers are handled once, on
        the full sample (listwise deletion, or mean replacement with the full-sample
        means); the resamples are drawn from the rows so prepared.
    n_boot : int
        Number of resamples (SmartPLS default 5,000). Ignored when ``indices`` is given.
    seed : int, optional
        Seed of numpy's PCG64 generator that draws the ``(n_boot, n)`` index matrix
        (:func:`~cxsurvey.stats.pls.resample.draw_indices`; drawn chunk by chunk, see
        the module notes).
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
        bytes per array); fewer for large samples, so that a chunk's ``(rows, n)``
        index and count matrices stay within 16 MiB each.
    progress : callable, optional
        Called as ``progress(done, total)`` after each chunk, for a progress bar; ``total``
        counts the resamples plus (with ``bca``) the n jackknife samples.
    sample_correlations : callable, optional
        For models whose items are themselves estimated from the data (the interaction
        term of a two-stage moderation, the lower-order scores of a two-stage
        higher-order construct): called with a ``(B, m)`` matrix of row positions into
        the rows used (bootstrap resamples, or the ``n - 1`` rows of jackknife samples)
        and returning the ``(B, p, p)`` item correlation matrices of those samples in
        model order, with every estimation stage redone on each sample (NaN matrices
        for samples that cannot be estimated). By default the items are resampled.
    keep_moments : bool
        Keep the resamples' :class:`~cxsurvey.stats.pls.resample.ResampleMoments` in the
        result (``moments``; ``p (p + 3) / 2 + 1`` numbers per resample), so that the
        model fit's Bollen-Stine bootstrap and consistent PLS can reuse the resamples
        without their ``n``-row products. Not kept with ``sample_correlations``, or when
        they would exceed :data:`MOMENT_BYTES` (128 MiB; some 180 items at 5,000
        resamples).

    Returns
    -------
    PlsBootstrap
        Unusable resamples are excluded and counted (see the module notes).

    Raises
    ------
    InputError, AnalysisError
        As :func:`~cxsurvey.stats.pls.fit.fit_pls`.
    ValueError
        For a malformed ``indices`` matrix or bad ``n_boot``/``ci``.

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap. Chapman &
    Hall. Efron, B. (1987). Journal of the American Statistical Association, 82(397),
    171-185 (BCa). Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). A
    primer on partial least squares structural equation modeling (PLS-SEM) (3rd ed.).
    Sage. Streukens, S., & Leroi-Werelds, S. (2016). Bootstrapping and PLS-SEM: A
    step-by-step guide to get more out of your bootstrap results. European Management
    Journal, 34(6), 618-632.
    """
    if not 0.0 < ci < 1.0:
        raise ValueError(f"ci must be between 0 and 1; got {ci!r}")
    if int(chunk_size) < 1:
        raise ValueError(f"chunk_size must be positive; got {chunk_size!r}")
    fit = fit_pls(data, constructs, paths, modes=modes, scheme=scheme, max_iter=max_iter,
                  tol=tol, missing=missing)
    model = compile_model(constructs, paths, modes)
    z = prepare_data(data, model, missing).z
    n = z.shape[0]
    chunks = index_chunks(n, n_boot, seed, indices, chunk_rows(n, chunk_size))
    b_total = int(n_boot) if indices is None else np.shape(indices)[0]
    layout = TableLayout.of(model)
    jobs = (os.cpu_count() or 1) if jobs is None else max(1, int(jobs))
    p = model.p
    keep = (keep_moments and sample_correlations is None
            and b_total * (p * (p + 3) // 2 + 1) * 8 <= MOMENT_BYTES)
    kept: dict[int, ResampleMoments] | None = {} if keep else None
    boot_parts, jack = _estimate_chunks(
        layout, z, chunks, b_total, (scheme, int(max_iter), float(tol)),
        layout.originals(fit) if bca else None, int(chunk_size), jobs, progress,
        sample_correlations, kept)
    draws, valid, converged = _usable(boot_parts)
    result = _result(fit, layout, draws, valid, converged, jack, n, seed, ci,
                     int(max_iter))
    if kept:
        result = replace(result, moments=ResampleMoments.concat(
            [kept[k] for k in sorted(kept)], items=model.items, seed=seed))
    return result


def _result(fit: PlsFit, layout: TableLayout, draws: dict[str, np.ndarray],
            valid: np.ndarray, converged: np.ndarray, jack: dict[str, JackknifeSums] | None,
            n: int, seed: int | None, ci: float, max_iter: int) -> PlsBootstrap:
    """The bootstrap tables and the bookkeeping of unusable resamples."""
    tables = _summaries(fit, layout, draws, jack, ci)
    invalid, not_conv = np.flatnonzero(~valid), np.flatnonzero(valid & ~converged)
    n_used, n_boot = len(draws["paths"]), len(valid)
    n_jack = None if jack is None else len(jack["paths"])  # usable jackknife samples
    return PlsBootstrap(
        fit=fit, paths=tables["paths"], loadings=tables["loadings"],
        weights=tables["weights"], total_effects=tables["total_effects"],
        total_indirect_effects=tables["total_indirect_effects"],
        specific_indirect_effects=tables["specific_indirect_effects"],
        htmt=tables["htmt"], r2=tables["r2"], n_boot=n_boot, n_used=n_used,
        n_invalid=len(invalid), n_not_converged=len(not_conv),
        invalid_resamples=tuple(int(i) for i in invalid),
        not_converged_resamples=tuple(int(i) for i in not_conv),
        n_jackknife=0 if jack is None else n, n_jackknife_used=n_jack or 0, seed=seed,
        ci=ci, pvalue_method=f"two-tailed, Student t with {max(n_used - 1, 0)} df (n_used - 1)",
        handling=_handling(max_iter, n_used), draws=draws,
        warnings=_warnings(fit, len(invalid), len(not_conv), n_boot, n, n_jack, n_used,
                           max_iter))
