"""Nonparametric bootstrap of covariance-based CFA/SEM estimates.

Rows (complete cases) are resampled with replacement; each resample is refitted by ML
and its estimates collected. The resample index matrix is drawn once from the seed, so a
run is reproducible whatever the number of worker processes. Resamples whose fit fails
or does not converge are counted and reported, never silently dropped.

The model is compiled once from the full-sample fit (:mod:`cxsurvey.stats.cb.refit`):
a resample needs only its covariance matrix and a Newton refit from the full-sample
estimate, and only the collected estimates and their std.all values are computed.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cxsurvey.model.spec import ModelSpec
from cxsurvey.stats.cb.results import CfaResult
from cxsurvey.stats.cb.syntax import structural_syntax
from cxsurvey.stats.effects import chains
from cxsurvey.stats.intervals import summarise_draws
from cxsurvey.stats.paths import PathsResult
from cxsurvey.stats.records import BootstrapInfo
from cxsurvey.stats.threads import one_blas_thread, single_threaded_blas

if TYPE_CHECKING:
    from cxsurvey.stats.cb.ml_fit import CbFit
    from cxsurvey.stats.cb.refit import RefitModel

__all__ = ["BootstrapDraws", "bootstrap_cfa", "bootstrap_fit", "bootstrap_paths"]


@dataclass(frozen=True)
class BootstrapDraws:
    """Estimates of every parameter across the usable resamples.

    Attributes
    ----------
    keys : tuple of (lhs, op, rhs)
        Parameter identities, in the order of the columns of ``est`` and ``std_all``.
    est, std_all : ndarray, shape (used, n_params)
        Unstandardised and fully standardised estimates per usable resample.
    requested, failed : int
        Resamples drawn and resamples that failed (not converged or not computable).
    seed : int or None
    """

    keys: tuple[tuple[str, str, str], ...]
    est: np.ndarray
    std_all: np.ndarray
    requested: int
    failed: int
    seed: int | None

    @property
    def used(self) -> int:
        """Resamples whose estimates were collected."""
        return int(self.est.shape[0])

    def info(self, ci: float = 0.95) -> BootstrapInfo:
        """The report's ``bootstrap`` record: counts, seed, CI level and type."""
        return {"requested": self.requested, "used": self.used, "failed": self.failed,
                "seed": self.seed, "ci": ci, "ci_type": "percentile"}


def _fit_chunk(args: tuple) -> list[tuple[np.ndarray, np.ndarray] | None]:
    """Worker: refit the model on each resample of one chunk."""
    import warnings

    from cxsurvey.errors import CxSurveyError
    from cxsurvey.stats.cb.ml_fit import fit_cb

    values, columns, syntax, keys, chunk, start, ftol = args
    frame = pd.DataFrame(values, columns=columns)
    out: list[tuple[np.ndarray, np.ndarray] | None] = []
    for idx in chunk:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = fit_cb(frame.iloc[idx].reset_index(drop=True), syntax, strict=False,
                             start=start, ftol=ftol)
        except (CxSurveyError, np.linalg.LinAlgError, ValueError, FloatingPointError):
            out.append(None)
            continue
        if not fit.converged:
            out.append(None)
            continue
        p = fit.params.set_index(["lhs", "op", "rhs"])
        p = p[~p.index.duplicated()]
        try:
            est = p.loc[list(keys), "est"].to_numpy(dtype=float)
            std = p.loc[list(keys), "std_all"].to_numpy(dtype=float)
        except KeyError:
            out.append(None)
            continue
        out.append(None if not np.all(np.isfinite(est)) else (est, std))
    return out


_CHUNK = 100  # resamples refitted together (fixed: the results do not depend on `jobs`)
_GRAD_TOL = 1e-10  # largest |gradient| of F_ML at a refit's solution
_POOL_S = 2.0  # in-process refit seconds above which worker processes pay
_STACK_BYTES = 256 * 2**20


def _compile(complete: pd.DataFrame, syntax: str, keys: list[tuple[str, str, str]],
             start: object | None) -> RefitModel | None:
    """The full-sample fit compiled for fast refits (None when it cannot be: the
    resamples then go through :func:`cxsurvey.stats.cb.ml_fit.fit_cb`)."""
    from cxsurvey.errors import CxSurveyError
    from cxsurvey.stats.cb.ml_fit import CbFit, fit_cb
    from cxsurvey.stats.cb.refit import compile_refit

    fit = start if isinstance(start, CbFit) else None
    if fit is None or fit.n != len(complete) or set(fit.observed) != set(complete.columns):
        try:
            fit = fit_cb(complete, syntax)
        except (CxSurveyError, np.linalg.LinAlgError, ValueError, FloatingPointError):
            return None
    obs = list(fit.observed)
    try:
        return compile_refit(fit.params, fit.observed, fit.n,
                             fit.sample_cov.loc[obs, obs].to_numpy(dtype=float), keys)
    except (KeyError, ValueError):
        return None


def _unidentified(information: np.ndarray, n: int) -> np.ndarray:
    """Rows whose expected information is singular in the sense of
    :func:`cxsurvey.stats.cb.diagnostics.undetermined_parameters` (``fit_cb`` refuses
    such a solution)."""
    from cxsurvey.stats.cb.diagnostics import undetermined_parameters

    out = np.zeros(information.shape[0], dtype=bool)
    if information.shape[0] == 0 or information.shape[1] == 0:
        return out
    info = information * (n / 2.0)
    finite = np.all(np.isfinite(info), axis=(1, 2))
    out[~finite] = True
    d = np.sqrt(np.clip(np.diagonal(info, axis1=1, axis2=2), 0.0, None))
    zero = np.any(d <= 1e-12 * np.maximum(d.max(axis=1, initial=0.0), 1.0)[:, None], axis=1)
    check = finite & ~zero
    out[finite & zero] = True
    if np.any(check):
        dc = d[check]
        w = np.linalg.eigvalsh(info[check] / (dc[:, :, None] * dc[:, None, :]))
        out[np.nonzero(check)[0]] = ~(w[:, 0] > 1e-10 * np.maximum(w[:, -1], 1.0))
    names = [str(k) for k in range(info.shape[1])]
    for r in np.nonzero(out & finite)[0]:  # the exact rule decides near the threshold
        out[r] = undetermined_parameters(info[r], names) is not None
    return out


def _refit_chunk(args: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Worker: ML refits of the resamples of one chunk from the compiled model.

    Returns the estimates and std.all values (rows of failed resamples are NaN) and
    which resamples are usable. A resample whose covariance matrix is not positive
    definite, or whose refit does not converge, goes through ``fit_cb`` as before (it
    decides usable or failed); a variable without variance in a resample or a singular
    information matrix at the solution fails it, as ``fit_cb`` does.
    """
    from cxsurvey.stats.cb.refit import (
        ml_refit_stack,
        positive_definite,
        report_stack,
        resample_covariances,
    )

    model, values, syntax, keys, chunk, start, ftol = args
    b, k = len(chunk), len(keys)
    est = np.full((b, k), np.nan)
    std = np.full((b, k), np.nan)
    usable = np.zeros(b, dtype=bool)
    covs = resample_covariances(values, chunk)
    diag = np.diagonal(covs, axis1=1, axis2=2)
    flat = np.zeros(b, dtype=bool)
    scale = 1e-12 * (1.0 + values.var(axis=0))
    for r, j in zip(*np.nonzero(diag <= scale), strict=True):
        picked = values[chunk[r], j]
        flat[r] |= bool(picked.min() == picked.max())
    ok = ~flat
    if np.any(ok):
        ok[ok] = positive_definite(covs[ok])
    reference = ~flat & ~ok
    # stacks small enough that the (rows, cells, cells) work arrays stay within ~256 MB
    cells = model.expand.shape[1]
    size = max(1, int(_STACK_BYTES // (160 * max(cells, 1) ** 2)))
    fast_rows = np.nonzero(ok)[0]
    for rows in (fast_rows[i:i + size] for i in range(0, fast_rows.size, size)):
        res = ml_refit_stack(model, covs[rows], tol=_GRAD_TOL)
        e, s = report_stack(model, covs[rows], res.theta)
        good = res.converged & ~_unidentified(res.information, model.n) \
            & np.all(np.isfinite(e), axis=1)
        est[rows[good]], std[rows[good]] = e[good], s[good]
        usable[rows[good]] = True
        reference[rows[~res.converged]] = True
    ref_rows = np.nonzero(reference)[0]
    if ref_rows.size:
        refits = _fit_chunk((values, list(model.observed), syntax, keys, chunk[ref_rows],
                             start, ftol))
        for r, out in zip(ref_rows, refits, strict=True):
            if out is not None:
                est[r], std[r] = out
                usable[r] = True
    return est, std, usable


def bootstrap_fit(data: pd.DataFrame, syntax: str, keys: list[tuple[str, str, str]],
                  n_boot: int = 1000, seed: int | None = None,
                  jobs: int | None = None, indices: np.ndarray | None = None,
                  start: object | None = None, ftol: float = 1e-9,
                  fast: bool = True) -> BootstrapDraws:
    """Refit ``syntax`` on ``n_boot`` resamples of the complete rows of ``data``.

    The full-sample fit is compiled once (:mod:`cxsurvey.stats.cb.refit`); each
    resample's covariance matrix (divisor N, from its case counts) is refitted by ML
    from the full-sample estimate (Newton / Fisher scoring on lavaan's F_ML with
    analytic derivatives, to a largest absolute gradient below 1e-10), and only the
    collected estimates and their std.all values are computed. Resamples the fast
    refit cannot handle (a covariance matrix that is not positive definite, no
    convergence) are refitted by :func:`cxsurvey.stats.cb.ml_fit.fit_cb` as before.

    Parameters
    ----------
    data : DataFrame
        The model's observed variables; incomplete rows are dropped first (listwise, as
        the original fit).
    keys : list of (lhs, op, rhs)
        The parameters to collect.
    n_boot : int
        Number of resamples.
    seed : int, optional
        Seed of numpy's PCG64 generator that draws the resample indices.
    jobs : int, optional
        Worker processes (default: the environment variable ``CXSURVEY_JOBS``, else the
        machine's CPU count, at most 4; 1 runs in-process).
    indices : ndarray, optional
        An explicit ``(n_boot, n)`` matrix of row indices (overrides ``n_boot``/``seed``).
    start : CbFit, optional
        The full-sample fit of ``syntax`` to ``data``: compiled for the refits, and its
        estimates start every refit (without it the model is fitted once here).
    ftol : float
        Solver tolerance of the ``fit_cb`` refits (the fallback, and ``fast=False``).
        1e-9 moves estimates by < 1e-4 from the 1e-12 optimum (measured on the sample
        survey), far below the bootstrap's own Monte Carlo error.
    fast : bool
        False refits every resample with ``fit_cb`` (two semopy model builds, the
        information matrix, standardised solution and fit indices per resample): the
        reference the fast refits are tested against.

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap. Chapman &
    Hall. Bollen, K. A., & Stine, R. A. (1990). Direct and indirect effects: classical and
    bootstrap estimates of variability. Sociological Methodology, 20, 115-140.
    """
    complete = data.dropna().reset_index(drop=True)
    n = complete.shape[0]
    if indices is None:
        rng = np.random.default_rng(seed)
        indices = rng.integers(0, n, size=(n_boot, n))
    indices = np.asarray(indices, dtype=np.int64)
    # CXSURVEY_JOBS=1 keeps the refits in-process (set by `batch` in its own workers)
    jobs = jobs or int(os.environ.get("CXSURVEY_JOBS") or 0) or min(os.cpu_count() or 1, 4)
    k = len(keys)
    model = _compile(complete, syntax, keys, start) if fast else None
    if model is None:
        values = complete.to_numpy(dtype=float)
        columns = list(complete.columns)
        n_chunks = max(1, min(len(indices), jobs * 4))
        chunks = [c for c in np.array_split(indices, n_chunks) if len(c)]
        args = [(values, columns, syntax, tuple(keys), c, start, ftol) for c in chunks]
        if jobs <= 1 or len(chunks) == 1:
            parts = [_fit_chunk(a) for a in args]
        else:
            with ProcessPoolExecutor(max_workers=jobs,
                                     initializer=single_threaded_blas) as pool:
                parts = list(pool.map(_fit_chunk, args))
        results = [r for part in parts for r in part]
        ok = [r for r in results if r is not None]
        est = np.array([r[0] for r in ok]).reshape(len(ok), k)
        std = np.array([r[1] for r in ok]).reshape(len(ok), k)
        return BootstrapDraws(keys=tuple(keys), est=est, std_all=std,
                              requested=len(indices), failed=len(results) - len(ok),
                              seed=seed)
    values = complete[list(model.observed)].to_numpy(dtype=float)
    chunks = [indices[i:i + _CHUNK] for i in range(0, len(indices), _CHUNK)]
    fargs = [(model, values, syntax, tuple(keys), c, start, ftol) for c in chunks]
    # worker processes only when the refits left take clearly longer than starting them
    # (the first chunk, timed, tells); the chunks are the same either way
    # (one BLAS thread in-process as in the workers: faster for these small matrices,
    # and the same bits)
    clock = time.perf_counter()
    with one_blas_thread():
        fparts = [_refit_chunk(fargs[0])]
    left = fargs[1:]
    if jobs > 1 and len(left) >= 2 and (time.perf_counter() - clock) * len(left) > _POOL_S:
        with ProcessPoolExecutor(max_workers=jobs, initializer=single_threaded_blas) as pool:
            fparts += list(pool.map(_refit_chunk, left))
    else:
        with one_blas_thread():
            fparts += [_refit_chunk(a) for a in left]
    est = np.concatenate([p[0] for p in fparts]).reshape(-1, k)
    std = np.concatenate([p[1] for p in fparts]).reshape(-1, k)
    usable = np.concatenate([p[2] for p in fparts])
    return BootstrapDraws(keys=tuple(keys), est=est[usable], std_all=std[usable],
                          requested=len(indices), failed=int(np.sum(~usable)), seed=seed)


def _traced_draws(keys: list[tuple[str, str, str]], est: np.ndarray) -> np.ndarray:
    """:func:`cxsurvey.stats.effects.effects` of every resample at once: the specific
    indirect effects (products along each chain) then the totals (their sum plus the
    direct path), in that function's row order.

    Parameters
    ----------
    keys : list of (outcome, "~", predictor)
        The structural paths, the columns of ``est``.
    est : ndarray, shape (B, n_paths)

    Returns
    -------
    ndarray, shape (B, n_effects)

    References
    ----------
    Wright, S. (1934). The method of path coefficients. Annals of Mathematical
    Statistics, 5(3), 161-215. Bollen, K. A. (1987). Sociological Methodology, 17,
    37-69.
    """
    col = {(k[2], k[0]): i for i, k in enumerate(keys)}
    out: list[np.ndarray] = []
    groups: dict[tuple[str, str], list[int]] = {}
    for chain in chains(col, min_length=2):
        cols = [col[(a, b)] for a, b in zip(chain, chain[1:], strict=False)]
        value = est[:, cols[0]].copy()
        for c in cols[1:]:
            value = value * est[:, c]
        groups.setdefault((chain[0], chain[-1]), []).append(len(out))
        out.append(value)
    for pair, members in groups.items():
        total = out[members[0]].copy()
        for m in members[1:]:
            total = total + out[m]
        out.append(total + est[:, col[pair]] if pair in col else total + 0.0)
    if not out:
        return np.zeros((est.shape[0], 0))
    return np.stack(out, axis=1)


def bootstrap_paths(items: pd.DataFrame, constructs: dict[str, tuple[str, ...]],
                    spec: ModelSpec, result: PathsResult, n_boot: int = 1000,
                    seed: int | None = None, jobs: int | None = None,
                    start: object | None = None) -> PathsResult:
    """Bootstrap SEs and percentile CIs for the paths and the indirect/total effects.

    Parameters
    ----------
    items : DataFrame
        Item scores; the constructs' items are resampled (complete rows).
    constructs : dict
        Construct -> items.
    spec : ModelSpec
        The user's model (:func:`cxsurvey.stats.cb.syntax.structural_syntax`).
    result : PathsResult
        The full-sample report (:func:`cxsurvey.stats.cb.paths.run_cb_paths`).
    n_boot, seed, jobs, start
        See :func:`bootstrap_fit`.

    Returns
    -------
    PathsResult
        ``result`` with bootstrap ``se, t, pvalue, ci_lower, ci_upper`` for the paths
        and ``se, z, pvalue, ci_lower, ci_upper`` for the effects (each resample's
        effects traced from its own path estimates, and its ``:=`` definitions evaluated
        on its own estimates), ``se_method = "bootstrap"``, and bootstrap ``se, z,
        pvalue, ci_lower, ci_upper`` for the residual covariances; estimates unchanged.

    References
    ----------
    Bollen, K. A., & Stine, R. A. (1990). Direct and indirect effects: classical and
    bootstrap estimates of variability. Sociological Methodology, 20, 115-140.
    """
    syntax = structural_syntax(constructs, spec)
    observed = [i for its in constructs.values() for i in its]
    keys = [(r["to"], "~", r["from"]) for _, r in result.paths.iterrows()]
    eff = result.effects.copy()
    defined = (eff["kind"] == "defined").to_numpy() if len(eff) else np.zeros(0, bool)
    full = None
    if defined.any():
        from cxsurvey.stats.cb.ml_fit import CbFit as _CbFit
        from cxsurvey.stats.cb.ml_fit import fit_cb

        full = start if isinstance(start, _CbFit) else fit_cb(items[observed], syntax)
        keys += [k for k in full.params[["lhs", "op", "rhs"]].itertuples(index=False,
                                                                          name=None)
                 if k not in keys]
    resid = result.residual_covariances
    resid = None if resid is None else resid.copy()
    if resid is not None:
        keys += [k for k in zip(resid["lhs"], ["~~"] * len(resid), resid["rhs"], strict=True)
                 if k not in keys]
    draws = bootstrap_fit(items[observed], syntax, keys, n_boot, seed, jobs, start=start)
    n_paths = len(result.paths)
    paths = result.paths.copy()
    summ = summarise_draws(paths["est"].to_numpy(float), draws.est[:, :n_paths],
                           pvalue="normal")
    for col in ("se", "t", "pvalue", "ci_lower", "ci_upper"):
        paths[col] = summ[col].to_numpy()
    if len(eff):
        frames = []
        traced_all = _traced_draws(keys[:n_paths], draws.est[:, :n_paths])
        for row, traced in zip(draws.est, traced_all, strict=True):
            frames.append(np.concatenate([traced, _defined_draw(full, keys, row, spec)])
                          if full is not None else traced)
        boot_eff = np.array(frames).reshape(len(frames), len(eff))
        s = summarise_draws(eff["est"].to_numpy(float), boot_eff, pvalue="normal")
        for src, dst in (("se", "se"), ("t", "z"), ("pvalue", "pvalue"),
                         ("ci_lower", "ci_lower"), ("ci_upper", "ci_upper")):
            eff[dst] = s[src].to_numpy()
        eff["se_method"] = "bootstrap"
    if resid is not None and len(resid):
        at = {k: i for i, k in enumerate(keys)}
        cols = [at[(a, "~~", b)] for a, b in zip(resid["lhs"], resid["rhs"], strict=True)]
        s = summarise_draws(resid["est"].to_numpy(float), draws.est[:, cols],
                            pvalue="normal")
        for src, dst in (("se", "se"), ("t", "z"), ("pvalue", "pvalue"),
                         ("ci_lower", "ci_lower"), ("ci_upper", "ci_upper")):
            resid[dst] = s[src].to_numpy()
    warnings = list(result.warnings)
    if draws.failed:
        warnings.append(f"{draws.failed} of {draws.requested} bootstrap resamples did not "
                        "converge and were left out of the SEs and CIs")
    return replace(result, paths=paths, effects=eff, se_method="bootstrap",
                   bootstrap=draws.info(), warnings=tuple(warnings),
                   residual_covariances=resid)


def _defined_draw(full: CbFit, keys: list[tuple[str, str, str]], row: np.ndarray,
                  spec: ModelSpec) -> np.ndarray:
    """The model's ``:=`` definitions evaluated on one resample's estimates."""
    from cxsurvey.stats.cb import moments
    from cxsurvey.stats.cb.delta import defined_effects, definitions_from_syntax

    value = dict(zip(keys, row, strict=True))
    params = full.params
    est = [value.get(k, e) for k, e in zip(
        params[["lhs", "op", "rhs"]].itertuples(index=False, name=None), params["est"],
        strict=True)]
    draw = replace(full, params=params.assign(est=est))
    try:
        q = moments.ram_model(draw.params, draw.observed).npar
        out = defined_effects(draw, np.zeros((q, q)), spec)
    except ValueError:
        return np.full(len(definitions_from_syntax(spec)), np.nan)
    return out["est"].to_numpy(float)


def bootstrap_cfa(items: pd.DataFrame, cfa: CfaResult, n_boot: int = 1000,
                  seed: int | None = None, jobs: int | None = None,
                  start: object | None = None) -> CfaResult:
    """Bootstrap SEs, z, p and percentile CIs for the CFA loadings and (factor and
    residual) covariances.

    ``est`` stays the full-sample estimate; ``se`` becomes the bootstrap SD, ``z`` =
    est / se and the p-value two-tailed normal, as lavaan's ``se = "bootstrap"``.

    Parameters
    ----------
    items : DataFrame
        Item scores; the CFA's items are resampled (complete rows).
    cfa : CfaResult
        The full-sample CFA (:func:`cxsurvey.stats.cb.cfa.run_cfa`); its ``syntax`` is
        refitted.
    n_boot, seed, jobs, start
        See :func:`bootstrap_fit`.

    Returns
    -------
    CfaResult
        With bootstrap SEs and CIs for the free loadings, the factor covariances and
        the residual covariances (fixed loadings stay without), and the ``bootstrap``
        record.

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap. Chapman &
    Hall. Rosseel, Y. (2012). Journal of Statistical Software, 48(2) (lavaan's
    ``se = "bootstrap"``).
    """
    observed = list(dict.fromkeys(cfa.loadings["item"]))
    ld, fc, rc = cfa.loadings, cfa.factor_correlations, cfa.residual_covariances
    load_keys = [(str(c), "=~", str(i)) for c, i in zip(ld["construct"], ld["item"], strict=True)]
    cov_keys = [(str(a), "~~", str(b)) for a, b in zip(fc["a"], fc["b"], strict=True)]
    res_keys = [(str(a), "~~", str(b)) for a, b in zip(rc["lhs"], rc["rhs"], strict=True)]
    draws = bootstrap_fit(items[observed], cfa.syntax, load_keys + cov_keys + res_keys,
                          n_boot, seed, jobs, start=start)
    k, kc = len(load_keys), len(load_keys) + len(cov_keys)
    loadings = cfa.loadings.copy()
    corr = cfa.factor_correlations.copy()
    resid = cfa.residual_covariances.copy()
    for frame, cols in ((loadings, slice(0, k)), (corr, slice(k, kc)),
                        (resid, slice(kc, None))):
        if not len(frame):
            continue
        summ = summarise_draws(frame["est"].to_numpy(float), draws.est[:, cols],
                               pvalue="normal")
        free = frame["se"].notna().to_numpy()  # fixed loadings stay fixed
        for src, dst in (("se", "se"), ("t", "z"), ("pvalue", "pvalue"),
                         ("ci_lower", "ci_lower"), ("ci_upper", "ci_upper")):
            values = summ[src].to_numpy()
            frame[dst] = np.where(free, values, np.nan)
    warnings = list(cfa.warnings)
    if draws.failed:
        warnings.append(f"{draws.failed} of {draws.requested} bootstrap resamples did not "
                        "converge and were left out of the SEs and CIs")
    return replace(cfa, loadings=loadings, factor_correlations=corr,
                   residual_covariances=resid, bootstrap=draws.info(),
                   warnings=tuple(warnings))

