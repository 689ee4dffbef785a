"""Consistent PLS (PLSc): common-factor loadings, disattenuated construct correlations,
paths and R^2 of Dijkstra and Henseler (2015), for one fit and for a batch of resamples.

PLSc keeps the PLS outer weights. For a multi-item Mode A (reflective) construct with
weights ``w`` (scaled so that the score has unit variance) the correction factor is
``c^2 = w'(S - diag S)w / w'(ww' - diag ww')w``; the consistent loadings are ``c w`` and
the construct's reliability is ``rho_A = c^2 (w'w)^2``. The score correlations are
divided by ``sqrt(rho_A_i rho_A_j)`` (a composite, Mode B or a single item, keeps
``rho_A = 1`` and its PLS loadings), and the paths and R^2 are the ordinary least squares
solutions on the corrected correlation matrix. Everything runs on stacked arrays, so the
bootstrap estimates thousands of resamples at once with the resample indices of
:func:`~cxsurvey.stats.pls.bootstrap.bootstrap_pls`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from cxsurvey.stats.effects import effects as trace_effects
from cxsurvey.stats.intervals import JackknifeSums, add_jackknife_sums, summarise_draws
from cxsurvey.stats.paths import adjusted_r2
from cxsurvey.stats.pls.chunks import MomentSource, moment_chunks, run_chunks
from cxsurvey.stats.pls.data import prepare_data
from cxsurvey.stats.pls.estimate import batch_structural, batch_total_effects, estimate_batch
from cxsurvey.stats.pls.fit import PlsFit, fit_pls
from cxsurvey.stats.pls.resample import ResampleMoments, jackknife_correlations
from cxsurvey.stats.pls.specify import PlsModel, compile_model
from cxsurvey.stats.records import BootstrapInfo

__all__ = ["ConsistentEstimates", "PlscBootstrap", "PlscFit", "batch_consistent",
           "batch_rho_a", "bootstrap_plsc", "consistent_pls", "fit_plsc"]


# ---------------------------------------------------------------------------------------
# Batched PLSc
# ---------------------------------------------------------------------------------------

def _factor_blocks(model: PlsModel) -> np.ndarray:
    """Boolean (k,): multi-item Mode A constructs, the ones PLSc treats as factors."""
    sizes = model.onehot.sum(axis=0)
    return np.array([not b for b in model.mode_b]) & (sizes > 1)


def batch_rho_a(corr: np.ndarray, weights: np.ndarray, model: PlsModel) -> np.ndarray:
    """Dijkstra-Henseler's rho_A of every construct for a batch of fits.

    Parameters
    ----------
    corr : ndarray, shape (B, p, p)
        Item correlation matrices.
    weights : ndarray, shape (B, p)
        Outer weights scaled to unit score variance (``w' S w = 1`` per block).
    model : PlsModel

    Returns
    -------
    ndarray, shape (B, k)
        ``rho_A = (w'w)^2 w'(S - diag S)w / w'(ww' - diag ww')w`` for multi-item Mode A
        constructs; 1 for Mode B and single-item constructs. NaN where undefined.

    References
    ----------
    Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path modeling.
    MIS Quarterly, 39(2), 297-316.
    """
    wm = weights[:, :, None] * model.onehot                      # (B, p, k)
    quad = np.einsum("bpk,bpk->bk", wm, np.matmul(corr, wm))     # w'Sw per block
    diag = np.einsum("bpp->bp", corr)
    w2 = weights ** 2
    num = quad - (w2 * diag) @ model.onehot                      # w'(S - diag S)w
    ww = w2 @ model.onehot                                       # w'w
    den = ww ** 2 - (w2 ** 2) @ model.onehot                     # w'(ww' - diag ww')w
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = ww ** 2 * num / den
    return np.where(_factor_blocks(model)[None, :], rho, 1.0)


@dataclass(frozen=True)
class ConsistentEstimates:
    """PLSc estimates for a batch of fits.

    Attributes
    ----------
    loadings : ndarray, shape (B, p)
        Consistent loadings (factors) and PLS loadings (composites, single items).
    rho_a : ndarray, shape (B, k)
    construct_corr : ndarray, shape (B, k, k)
        Construct correlations corrected for attenuation.
    beta : ndarray, shape (B, k, k)
        ``beta[:, i, j]``: path i -> j.
    r2 : ndarray, shape (B, k)
        NaN for exogenous constructs.
    admissible : ndarray of bool, shape (B,)
        Finite, every rho_A in (0, 1], every loading and every corrected correlation at
        most 1 in absolute value, and a positive definite corrected correlation matrix.
    """

    loadings: np.ndarray
    rho_a: np.ndarray
    construct_corr: np.ndarray
    beta: np.ndarray
    r2: np.ndarray
    admissible: np.ndarray


def _admissible(loadings: np.ndarray, rho_a: np.ndarray, cc: np.ndarray) -> np.ndarray:
    n_batch, k = rho_a.shape
    finite = (np.all(np.isfinite(loadings), axis=1) & np.all(np.isfinite(rho_a), axis=1)
              & np.all(np.isfinite(cc.reshape(n_batch, -1)), axis=1))
    ok = finite & np.all((rho_a > 0) & (rho_a <= 1.0), axis=1)
    ok &= np.all(np.abs(np.nan_to_num(loadings)) <= 1.0, axis=1)
    safe = np.where(finite[:, None, None], cc, np.eye(k))
    off = np.abs(safe - np.eye(k)).reshape(n_batch, -1).max(axis=1) if k > 1 \
        else np.zeros(n_batch)
    return ok & (off < 1.0) & (np.linalg.eigvalsh(safe)[:, 0] > 0)


def batch_consistent(weights: np.ndarray, loadings: np.ndarray, score_corr: np.ndarray,
                     rho_a: np.ndarray, model: PlsModel) -> ConsistentEstimates:
    """PLSc loadings, corrected construct correlations, paths and R^2 of a batch.

    Parameters
    ----------
    weights : ndarray, shape (B, p)
        PLS outer weights (unit score variance).
    loadings : ndarray, shape (B, p)
        PLS loadings (kept for composites and single items).
    score_corr : ndarray, shape (B, k, k)
        Construct-score correlations.
    rho_a : ndarray, shape (B, k)
        :func:`batch_rho_a`.
    model : PlsModel

    Returns
    -------
    ConsistentEstimates

    Notes
    -----
    Factor loadings ``lambda_j = sqrt(rho_A_j) w_j / (w_j'w_j)`` (= ``c_j w_j``),
    construct correlations ``r_ij / sqrt(rho_A_i rho_A_j)`` with unit diagonal, then OLS
    per endogenous construct (:func:`~cxsurvey.stats.pls.estimate.batch_structural`).

    References
    ----------
    Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path modeling.
    MIS Quarterly, 39(2), 297-316. Dijkstra, T. K., & Henseler, J. (2015). Consistent and
    asymptotically normal PLS estimators for linear structural equations. Computational
    Statistics & Data Analysis, 81, 10-23.
    """
    factor = _factor_blocks(model)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.sqrt(rho_a)
        ww = (weights ** 2) @ model.onehot
        scale = np.where(factor[None, :], q / ww, np.nan)
        lam = np.where(factor[model.member][None, :], weights * scale[:, model.member],
                       loadings)
        cc = score_corr / (q[:, :, None] * q[:, None, :])
    idx = np.arange(model.k)
    cc[:, idx, idx] = 1.0
    beta, r2 = batch_structural(cc, model)
    return ConsistentEstimates(loadings=lam, rho_a=rho_a, construct_corr=cc, beta=beta,
                               r2=r2, admissible=_admissible(lam, rho_a, cc))


# ---------------------------------------------------------------------------------------
# One fit
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlscFit:
    """A consistent PLS (PLSc) estimation.

    Attributes
    ----------
    fit : PlsFit
        The PLS estimation PLSc corrects (its weights are PLSc's weights).
    loadings : DataFrame
        ``construct, item, est``: consistent loadings of the Mode A constructs, PLS
        loadings of the composites (Mode B) and single items.
    paths : DataFrame
        ``from, to, est``.
    r2 : DataFrame
        ``construct, r2, r2_adj``.
    total_effects : DataFrame
        ``from, to, direct, total_indirect, total`` for every pair joined by a chain.
    construct_correlations : DataFrame
        Construct correlations corrected for attenuation.
    reliability : DataFrame
        ``construct, mode, n_items, rho_a, rho_c, ave``: rho_A of the PLS weights;
        rho_C and AVE from the consistent loadings (ADANCO's PLSc table).
    admissible : bool
        See :class:`ConsistentEstimates`.
    warnings : tuple of str
    """

    fit: PlsFit
    loadings: pd.DataFrame
    paths: pd.DataFrame
    r2: pd.DataFrame
    total_effects: pd.DataFrame
    construct_correlations: pd.DataFrame
    reliability: pd.DataFrame
    admissible: bool
    warnings: tuple[str, ...] = ()

    @property
    def effects(self) -> pd.DataFrame:
        """Specific indirect and total effects of the PLSc paths (``kind, from, to, path,
        est``, :func:`cxsurvey.stats.effects.effects`)."""
        return trace_effects(self.paths)


def _fit_arrays(fit: PlsFit) -> tuple[PlsModel, np.ndarray, np.ndarray, np.ndarray,
                                      np.ndarray]:
    model = compile_model(fit.constructs, fit.structure, fit.modes)
    names = list(model.constructs)
    weights = fit.weights.set_index(["construct", "item"])["est"]
    loadings = fit.loadings.set_index(["construct", "item"])["est"]
    keys = [(names[j], item) for j, item in zip(model.member, model.items, strict=True)]
    rho = fit.reliability.set_index("construct")["rho_a"]
    return (model, weights.loc[keys].to_numpy(float)[None],
            loadings.loc[keys].to_numpy(float)[None],
            fit.construct_correlations.loc[names, names].to_numpy(float)[None],
            rho.loc[names].to_numpy(float)[None])


def _reliability(model: PlsModel, lam: np.ndarray, rho_a: np.ndarray) -> pd.DataFrame:
    rows = []
    for j, name in enumerate(model.constructs):
        block = lam[model.block_index(j)]
        if len(block) == 1:
            rho_c, ave = 1.0, 1.0
        else:
            s = block.sum()
            rho_c = float(s ** 2 / (s ** 2 + np.sum(1.0 - block ** 2)))
            ave = float(np.mean(block ** 2))
        rows.append((name, model.mode(j), len(block), float(rho_a[j]), rho_c, ave))
    return pd.DataFrame(rows, columns=["construct", "mode", "n_items", "rho_a", "rho_c",
                                       "ave"])


def _total_effects(model: PlsModel, beta: np.ndarray) -> pd.DataFrame:
    names = model.constructs
    total = batch_total_effects(beta[None])[0]
    reach = model.reachable()
    return pd.DataFrame([(names[i], names[j], beta[i, j], total[i, j] - beta[i, j],
                          total[i, j]) for i in range(model.k) for j in range(model.k)
                         if reach[i, j]],
                        columns=["from", "to", "direct", "total_indirect", "total"])


def _plsc_warnings(model: PlsModel, est: ConsistentEstimates) -> list[str]:
    names = model.constructs
    out: list[str] = []
    rho = est.rho_a[0]
    for j in np.flatnonzero(~(rho > 0) | (rho > 1)):
        out.append(f"rho_A of '{names[j]}' is {rho[j]:.3f} (outside (0, 1]): PLSc cannot "
                   "correct this construct consistently")
    heywood = [model.items[i] for i in np.flatnonzero(np.abs(est.loadings[0]) > 1)]
    if heywood:
        out.append("consistent loadings above 1 (Heywood case): " + ", ".join(heywood))
    cc = est.construct_corr[0]
    big = [(names[i], names[j]) for i in range(model.k) for j in range(i + 1, model.k)
           if abs(cc[i, j]) >= 1]
    if big:
        out.append("corrected construct correlations of 1 or more: "
                   + ", ".join(f"{a}-{b}" for a, b in big))
    if not est.admissible[0] and not out:
        out.append("the corrected construct correlation matrix is not positive definite")
    return out


def consistent_pls(fit: PlsFit) -> PlscFit:
    """Correct a PLS fit for attenuation: consistent PLS (PLSc).

    Parameters
    ----------
    fit : PlsFit
        A :func:`~cxsurvey.stats.pls.fit.fit_pls` estimation. Its Mode A (reflective)
        constructs are treated as common factors, Mode B constructs as composites.

    Returns
    -------
    PlscFit
        An inadmissible solution (rho_A outside (0, 1], a loading or corrected
        correlation above 1) is returned with ``admissible=False`` and a warning.

    Notes
    -----
    Uses the fit's weights, loadings, construct-score correlations and rho_A
    (:func:`batch_consistent`); the weights are not re-estimated. R seminr and ADANCO
    apply PLSc after the PLS algorithm with the chosen inner scheme in the same way.

    References
    ----------
    Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path modeling.
    MIS Quarterly, 39(2), 297-316.
    """
    model, w, lam_pls, score_corr, rho_a = _fit_arrays(fit)
    est = batch_consistent(w, lam_pls, score_corr, rho_a, model)
    names = list(model.constructs)
    lam = est.loadings[0]
    beta, r2 = est.beta[0], est.r2[0]
    endo = list(model.endogenous)
    n_pred = np.array([len(model.predecessors[j]) for j in endo])
    return PlscFit(
        fit=fit,
        loadings=pd.DataFrame({"construct": [names[j] for j in model.member],
                               "item": list(model.items), "est": lam}),
        paths=pd.DataFrame({"from": [a for a, _ in model.path_names],
                            "to": [b for _, b in model.path_names],
                            "est": [beta[a, b] for a, b in model.paths]}),
        r2=pd.DataFrame({"construct": [names[j] for j in endo], "r2": r2[endo],
                         "r2_adj": adjusted_r2(r2[endo], fit.n, n_pred)}),
        total_effects=_total_effects(model, beta),
        construct_correlations=pd.DataFrame(est.construct_corr[0], index=names,
                                            columns=names),
        reliability=_reliability(model, lam, est.rho_a[0]),
        admissible=bool(est.admissible[0]),
        warnings=tuple(_plsc_warnings(model, est)))


def fit_plsc(data: pd.DataFrame, constructs: Mapping[str, Sequence[str]],
             paths: Sequence[tuple[str, str]], modes: Mapping[str, str] | None = None,
             scheme: str = "path", max_iter: int = 300, tol: float = 1e-7,
             missing: str = "listwise") -> PlscFit:
    """:func:`~cxsurvey.stats.pls.fit.fit_pls` followed by :func:`consistent_pls`.

    Parameters are those of :func:`~cxsurvey.stats.pls.fit.fit_pls`.

    References
    ----------
    Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path modeling.
    MIS Quarterly, 39(2), 297-316.
    """
    return consistent_pls(fit_pls(data, constructs, paths, modes=modes, scheme=scheme,
                                  max_iter=max_iter, tol=tol, missing=missing))


# ---------------------------------------------------------------------------------------
# Bootstrap
# ---------------------------------------------------------------------------------------

_Part = tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]


def _plsc_draws(corr: np.ndarray, model: PlsModel, scheme: str, max_iter: int,
                tol: float) -> _Part:
    """Per-table PLSc estimates of a batch, and its valid, converged and admissible
    masks."""
    est = estimate_batch(corr, model, scheme, max_iter, tol)
    lam_pls = est.loadings(model)
    cons = batch_consistent(est.weights, lam_pls, est.score_corr,
                            batch_rho_a(corr, est.weights, model), model)
    total = batch_total_effects(cons.beta)
    reach = model.reachable()
    pairs = [(i, j) for i in range(model.k) for j in range(model.k) if reach[i, j]]
    src = np.array([a for a, _ in pairs], dtype=np.int64)
    dst = np.array([b for _, b in pairs], dtype=np.int64)
    psrc = np.array([a for a, _ in model.paths], dtype=np.int64)
    pdst = np.array([b for _, b in model.paths], dtype=np.int64)
    out = {"paths": cons.beta[:, psrc, pdst], "loadings": cons.loadings,
           "weights": est.weights, "r2": cons.r2[:, list(model.endogenous)],
           "total_effects": total[:, src, dst], "rho_a": cons.rho_a}
    valid = est.valid & np.all(np.isfinite(out["paths"]), axis=1) \
        & np.all(np.isfinite(out["loadings"]), axis=1)
    return out, valid, est.converged, cons.admissible


@dataclass(frozen=True)
class PlscBootstrap:
    """Bootstrap inference for PLSc.

    Every table has its key columns followed by the statistics of
    :func:`cxsurvey.stats.intervals.summarise_draws` (``est, boot_mean, se, t, pvalue,
    ci_lower, ci_upper, bca_lower, bca_upper``).

    Attributes
    ----------
    plsc : PlscFit
        The full-sample estimation.
    paths, total_effects : DataFrame
        ``from, to`` + statistics.
    loadings : DataFrame
        ``construct, item`` + statistics.
    r2, rho_a : DataFrame
        ``construct`` + statistics.
    n_boot, n_used, n_invalid, n_not_converged, n_inadmissible : int
        Resamples requested, used, not estimable, not converged (both excluded), and
        inadmissible PLSc solutions among the used ones (kept, as SmartPLS and seminr;
        ``drop_inadmissible=True`` excludes them).
    seed : int or None
    ci : float
    bca, drop_inadmissible : bool
        The options of the run.
    draws : dict of str to ndarray
        Usable resamples' estimates per table, plus ``weights`` (identical to
        :func:`~cxsurvey.stats.pls.bootstrap.bootstrap_pls`'s weight draws for the
        same seed or indices).
    warnings : tuple of str
    """

    plsc: PlscFit
    paths: pd.DataFrame
    total_effects: pd.DataFrame
    loadings: pd.DataFrame
    r2: pd.DataFrame
    rho_a: pd.DataFrame
    n_boot: int
    n_used: int
    n_invalid: int
    n_not_converged: int
    n_inadmissible: int
    seed: int | None
    ci: float
    draws: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    warnings: tuple[str, ...] = ()
    bca: bool = False
    drop_inadmissible: bool = False

    def info(self) -> BootstrapInfo:
        """Run description for reports (JSON-ready)."""
        handling = ("resamples that cannot be estimated or do not converge are excluded; "
                    + ("inadmissible PLSc solutions are excluded" if self.drop_inadmissible
                       else f"{self.n_inadmissible} inadmissible PLSc solutions are kept"))
        return {"requested": self.n_boot, "used": self.n_used,
                "failed": self.n_boot - self.n_used, "seed": self.seed, "ci": self.ci,
                "ci_type": "percentile", "invalid": self.n_invalid,
                "not_converged": self.n_not_converged, "bca": self.bca,
                "pvalue": f"two-tailed, Student t with {max(self.n_used - 1, 0)} df "
                          "(n_used - 1)", "handling": handling}


def _chunked(tasks: Iterator[tuple[Callable[[], _Part], int]], jobs: int) -> list[_Part]:
    with threadpool_limits(limits=1, user_api="blas"):
        return run_chunks(tasks, jobs)


def _moment_chunk(source: MomentSource, model: PlsModel,
                  settings: tuple[str, int, float]) -> _Part:
    return _plsc_draws(source().correlations(), model, *settings)


def _combine(parts: list[_Part]) -> _Part:
    return ({key: np.concatenate([p[0][key] for p in parts]) for key in parts[0][0]},
            np.concatenate([p[1] for p in parts]), np.concatenate([p[2] for p in parts]),
            np.concatenate([p[3] for p in parts]))


def _originals(plsc: PlscFit, model: PlsModel) -> tuple[dict[str, np.ndarray],
                                                         dict[str, pd.DataFrame]]:
    names = model.constructs
    endo = [names[j] for j in model.endogenous]
    rel = plsc.reliability.set_index("construct")
    est = {"paths": plsc.paths["est"].to_numpy(float),
           "total_effects": plsc.total_effects["total"].to_numpy(float),
           "loadings": plsc.loadings["est"].to_numpy(float),
           "r2": plsc.r2["r2"].to_numpy(float),
           "rho_a": rel.loc[list(names), "rho_a"].to_numpy(float)}
    keys = {"paths": plsc.paths[["from", "to"]],
            "total_effects": plsc.total_effects[["from", "to"]],
            "loadings": plsc.loadings[["construct", "item"]],
            "r2": pd.DataFrame({"construct": endo}),
            "rho_a": pd.DataFrame({"construct": list(names)})}
    return est, keys


def bootstrap_plsc(data: pd.DataFrame, constructs: Mapping[str, Sequence[str]],
                   paths: Sequence[tuple[str, str]], modes: Mapping[str, str] | None = None,
                   scheme: str = "path", max_iter: int = 300, tol: float = 1e-7,
                   missing: str = "listwise", n_boot: int = 5000, seed: int | None = None,
                   indices: np.ndarray | None = None, ci: float = 0.95, bca: bool = False,
                   drop_inadmissible: bool = False, jobs: int | None = None,
                   chunk_size: int = 1000,
                   moments: ResampleMoments | None = None) -> PlscBootstrap:
    """Bootstrap consistent PLS: SE, t, p and percentile (optionally BCa) intervals.

    Parameters
    ----------
    data, constructs, paths, modes, scheme, max_iter, tol, missing
        As :func:`~cxsurvey.stats.pls.fit.fit_pls`.
    n_boot, seed, indices
        As :func:`~cxsurvey.stats.pls.bootstrap.bootstrap_pls`: the same seed (or
        ``indices``) draws the same resamples
        (:func:`~cxsurvey.stats.pls.resample.draw_indices`, chunk by chunk), so a PLS and
        a PLSc bootstrap of one model are paired.
    ci : float
        Confidence level (0.95).
    bca : bool
        Also BCa intervals (n jackknife PLSc fits; default False).
    drop_inadmissible : bool
        Exclude resamples with an inadmissible PLSc solution (cSEM's ``"drop"``); by
        default they are kept and counted.
    jobs : int, optional
        Worker threads (None: every core); results do not depend on it.
    chunk_size : int
        Resamples per batch (fewer for large samples, as the PLS bootstrap). The batch
        shape can change the last digits (about 1e-13 for PLSc paths, whose
        disattenuation amplifies rounding).
    moments : ResampleMoments, optional
        The resamples of a PLS bootstrap of the same model and rows
        (``bootstrap_pls(..., keep_moments=True).moments``): PLSc is estimated on them
        without forming them again (``n_boot``, ``seed`` and ``indices`` are then
        ignored; ``seed`` is taken from them).

    Returns
    -------
    PlscBootstrap

    References
    ----------
    Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path modeling.
    MIS Quarterly, 39(2), 297-316. Efron, B., & Tibshirani, R. J. (1993). An introduction
    to the bootstrap. Chapman & Hall.
    """
    if not 0.0 < ci < 1.0:
        raise ValueError(f"ci must be between 0 and 1; got {ci!r}")
    if int(chunk_size) < 1:
        raise ValueError(f"chunk_size must be positive; got {chunk_size!r}")
    plsc = fit_plsc(data, constructs, paths, modes=modes, scheme=scheme, max_iter=max_iter,
                    tol=tol, missing=missing)
    model = compile_model(constructs, paths, modes)
    z = prepare_data(data, model, missing).z
    n = z.shape[0]
    step, settings = int(chunk_size), (scheme, int(max_iter), float(tol))
    jobs = (os.cpu_count() or 1) if jobs is None else max(1, int(jobs))
    if moments is not None:
        moments.check_matches(n, model.items)
        seed = moments.seed
    sources, _ = moment_chunks(z, step, moments=moments, n_boot=n_boot, seed=seed,
                               indices=indices)
    boot_tasks = ((partial(_moment_chunk, source, model, settings), size)
                  for source, size in sources)

    est, keys = _originals(plsc, model)

    def jack_task(s: int) -> dict[str, JackknifeSums]:
        # the acceleration's sums of a chunk's usable leave-one-out estimates
        tables, ok, conv, _ = _plsc_draws(
            jackknife_correlations(z, np.arange(s, min(s + step, n))), model, *settings)
        return {key: JackknifeSums.of(tables[key][ok & conv], est[key]) for key in est}

    tables, valid, converged, admissible = _combine(_chunked(boot_tasks, jobs))
    use = valid & converged & (admissible if drop_inadmissible else True)
    draws = {key: value[use] for key, value in tables.items()}
    jack: dict[str, JackknifeSums] | None = None
    if bca:
        with threadpool_limits(limits=1, user_api="blas"):
            parts = run_chunks(((partial(jack_task, s), 1) for s in range(0, n, step)),
                               jobs)
        jack = add_jackknife_sums(parts)
    out = {key: pd.concat([keys[key].reset_index(drop=True),
                           summarise_draws(est[key], draws[key],
                                           None if jack is None else jack[key], ci)], axis=1)
           for key in est}
    n_inad = int(np.sum(valid & converged & ~admissible))
    warnings = list(plsc.warnings)
    if n_inad:
        warnings.append(f"{n_inad} of {len(valid)} resamples gave an inadmissible PLSc "
                        f"solution ({'excluded' if drop_inadmissible else 'kept'})")
    n_invalid = int(np.sum(~valid))
    n_nc = int(np.sum(valid & ~converged))
    if n_invalid or n_nc:
        warnings.append(f"{n_invalid + n_nc} of {len(valid)} resamples could not be "
                        "estimated or did not converge and were excluded")
    return PlscBootstrap(plsc=plsc, paths=out["paths"], total_effects=out["total_effects"],
                         loadings=out["loadings"], r2=out["r2"], rho_a=out["rho_a"],
                         n_boot=len(valid), n_used=int(use.sum()), n_invalid=n_invalid,
                         n_not_converged=n_nc, n_inadmissible=n_inad, seed=seed, ci=ci,
                         draws=draws, warnings=tuple(warnings), bca=bca,
                         drop_inadmissible=drop_inadmissible)
