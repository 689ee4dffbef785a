"""PLS model fit: SRMR, d_ULS and d_G of the saturated and the estimated model, with
Bollen-Stine bootstrap quantiles (HI95, HI99), as ADANCO and SmartPLS report them.

The model-implied indicator correlation matrix combines the outer model with a construct
correlation matrix:

- common-factor model (PLSc): a multi-item Mode A construct is a factor, its indicators
  correlate ``lambda_a lambda_b`` within the block (consistent loadings); a composite
  (Mode B) block keeps its observed correlations;
- composite model (PLS): every block keeps its observed correlations.

Between blocks the implied correlation is ``lambda_a C_ij lambda_b`` (PLSc loadings of
factors, PLS loadings of composites). The *saturated* model takes ``C`` as the estimated
construct correlations (disattenuated for factors); the *estimated* model takes ``C``
implied by the recursive structural model: ``(I - B)^-1 Psi (I - B)^-T`` with the
exogenous constructs' correlations and the endogenous disturbance variances ``1 - R^2``
in ``Psi``, the diagonal then set to 1 (Dijkstra & Henseler, 2015; cSEM ``fit()``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from cxsurvey.stats.pls.chunks import MomentSource, moment_chunks, run_chunks
from cxsurvey.stats.pls.consistent import batch_consistent, batch_rho_a
from cxsurvey.stats.pls.data import correlation, prepare_data
from cxsurvey.stats.pls.estimate import batch_structural, estimate_batch
from cxsurvey.stats.pls.fit import PlsFit, fit_pls
from cxsurvey.stats.pls.linalg import cholesky_where_pd
from cxsurvey.stats.pls.resample import ResampleMoments
from cxsurvey.stats.pls.specify import PlsModel, compile_model

__all__ = ["KINDS", "MEASURES", "PlsModelFit", "batch_discrepancies", "batch_implied",
           "estimated_construct_correlations", "model_fit"]

KINDS = ("common_factor", "composite")
SINGULAR = 1e-12  # Cholesky pivot of an item correlation matrix taken as zero
MEASURES = ("SRMR", "d_ULS", "d_G")
VARIANTS = ("saturated", "estimated")


# ---------------------------------------------------------------------------------------
# Implied matrices and discrepancies
# ---------------------------------------------------------------------------------------

def estimated_construct_correlations(construct_corr: np.ndarray, beta: np.ndarray,
                                     r2: np.ndarray, model: PlsModel) -> np.ndarray:
    """Construct correlations implied by the recursive structural model.

    Parameters
    ----------
    construct_corr : ndarray, shape (B, k, k)
        Estimated construct correlations (their exogenous block is kept).
    beta : ndarray, shape (B, k, k)
        ``beta[:, i, j]``: path i -> j.
    r2 : ndarray, shape (B, k)
        R^2 of the endogenous constructs (disturbance variance ``1 - R^2``).
    model : PlsModel

    Returns
    -------
    ndarray, shape (B, k, k)
        ``(I - B)^-1 Psi (I - B)^-T`` with unit diagonal; disturbances uncorrelated.

    References
    ----------
    Bollen, K. A. (1989). Structural equations with latent variables (ch. 4). Wiley.
    Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path modeling.
    MIS Quarterly, 39(2), 297-316. Schuberth, F., Hubona, G., Roemer, E., et al. cSEM:
    composite-based structural equation modeling (R package; ``fit()``).
    """
    n_batch, k, _ = construct_corr.shape
    endo = list(model.endogenous)
    exo = [j for j in range(k) if j not in endo]
    psi = np.zeros((n_batch, k, k))
    ix = np.ix_(exo, exo)
    psi[:, ix[0], ix[1]] = construct_corr[:, ix[0], ix[1]]
    psi[:, endo, endo] = 1.0 - r2[:, endo]
    inv = np.linalg.inv(np.eye(k) - np.swapaxes(beta, 1, 2))
    c = inv @ psi @ np.swapaxes(inv, 1, 2)
    idx = np.arange(k)
    c[:, idx, idx] = 1.0
    return c


def _composite_mask(model: PlsModel, kind: str) -> np.ndarray:
    """(p, p): item pairs of one composite block, whose implied value is observed."""
    same = model.onehot @ model.onehot.T > 0
    if kind == "composite":
        return same
    composite = np.array(model.mode_b)[model.member] | model.single
    return same & composite[:, None] & composite[None, :]


def batch_implied(corr: np.ndarray, loadings: np.ndarray, construct_corr: np.ndarray,
                  model: PlsModel, kind: str) -> np.ndarray:
    """Model-implied indicator correlation matrices.

    Parameters
    ----------
    corr : ndarray, shape (B, p, p)
        Observed item correlations (kept within composite blocks).
    loadings : ndarray, shape (B, p)
        Consistent loadings (common-factor model) or PLS loadings (composite model).
    construct_corr : ndarray, shape (B, k, k)
        Construct correlations: estimated (saturated model) or implied by the
        structural model (:func:`estimated_construct_correlations`).
    model : PlsModel
    kind : {"common_factor", "composite"}

    Returns
    -------
    ndarray, shape (B, p, p)
        Unit diagonal (factor error variances ``1 - lambda^2``).

    References
    ----------
    Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path modeling.
    MIS Quarterly, 39(2), 297-316. Henseler, J., Dijkstra, T. K., Sarstedt, M., et al.
    (2014). Common beliefs and reality about PLS. Organizational Research Methods, 17(2),
    182-209.
    """
    lam = loadings[:, :, None] * model.onehot
    sigma = lam @ construct_corr @ np.swapaxes(lam, 1, 2)
    mask = _composite_mask(model, kind)
    sigma = np.where(mask[None], corr, sigma)
    idx = np.arange(model.p)
    sigma[:, idx, idx] = 1.0
    return sigma


def batch_discrepancies(s: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """SRMR, d_ULS and d_G between observed and implied correlation matrices.

    Parameters
    ----------
    s, sigma : ndarray, shape (B, p, p)

    Returns
    -------
    ndarray, shape (B, 3)
        ``SRMR = sqrt(mean of squared residuals over the lower triangle including the
        diagonal)``; ``d_ULS = 0.5 * sum of all squared residuals``; ``d_G = 0.5 * sum
        (log10 phi)^2`` over the eigenvalues phi of ``S^-1 Sigma`` (base-10 logarithm as
        ADANCO 2.2.1 and cSEM; the natural-log version is (ln 10)^2 = 5.3019 times
        larger). d_G is NaN where Sigma is not positive definite, or S is not (its
        Cholesky factorisation fails or has a pivot at most :data:`SINGULAR`).

    References
    ----------
    Hu, L., & Bentler, P. M. (1999). Structural Equation Modeling, 6(1), 1-55 (SRMR).
    Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path
    modeling. MIS Quarterly, 39(2), 297-316 (d_ULS, d_G). Benitez, J., Henseler, J.,
    Castillo, A., & Schuberth, F. (2020). How to perform and report an impactful analysis
    using partial least squares. Information & Management, 57(2), 103168.
    """
    res = s - sigma
    p = s.shape[-1]
    low = np.tril_indices(p)
    srmr = np.sqrt(np.mean(res[:, low[0], low[1]] ** 2, axis=1))
    duls = 0.5 * np.sum(res ** 2, axis=(1, 2))
    dg = np.full(len(s), np.nan)
    ok = np.all(np.isfinite(s.reshape(len(s), -1)), axis=1) & \
        np.all(np.isfinite(sigma.reshape(len(s), -1)), axis=1)
    if ok.any():  # S must be positive definite (fewer rows than items: d_G undefined)
        chol, pd = cholesky_where_pd(s[ok], SINGULAR)
        ok[ok] = pd
        chol = chol[pd]
    if ok.any():
        half = np.linalg.solve(chol, sigma[ok])
        m = np.linalg.solve(chol, np.swapaxes(half, 1, 2))
        phi = np.linalg.eigvalsh(0.5 * (m + np.swapaxes(m, 1, 2)))
        with np.errstate(divide="ignore", invalid="ignore"):
            val = 0.5 * np.sum(np.log10(phi) ** 2, axis=1)
        dg[ok] = np.where(phi[:, 0] > 0, val, np.nan)
    return np.stack([srmr, duls, dg], axis=1)


# ---------------------------------------------------------------------------------------
# Estimation to discrepancies (one code path for the sample and the resamples)
# ---------------------------------------------------------------------------------------

def _implied_pair(corr: np.ndarray, model: PlsModel, kind: str, scheme: str,
                  max_iter: int, tol: float
                  ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Implied matrices of the saturated and the estimated model for a batch, the usable
    elements (estimable, converged, finite) and the admissible ones (cSEM ``verify()``:
    loadings and reliabilities at most 1, positive definite construct correlations and
    estimated-model implied matrix)."""
    est = estimate_batch(corr, model, scheme, max_iter, tol)
    lam = est.loadings(model)
    if kind == "common_factor":
        cons = batch_consistent(est.weights, lam, est.score_corr,
                                batch_rho_a(corr, est.weights, model), model)
        lam, cc, beta, r2 = cons.loadings, cons.construct_corr, cons.beta, cons.r2
        admissible = cons.admissible
    else:
        cc = est.score_corr
        beta, r2 = batch_structural(cc, model)
        admissible = np.ones(len(corr), dtype=bool)
    ok = est.valid & est.converged & np.all(np.isfinite(lam), axis=1) \
        & np.all(np.isfinite(cc.reshape(len(corr), -1)), axis=1)
    safe_cc = np.where(ok[:, None, None], cc, np.eye(model.k))
    safe_lam = np.where(ok[:, None], lam, 0.0)
    safe_beta = np.where(ok[:, None, None], beta, 0.0)
    safe_r2 = np.where(ok[:, None], np.nan_to_num(r2), 0.0)
    estimated = batch_implied(
        corr, safe_lam, estimated_construct_correlations(safe_cc, safe_beta, safe_r2, model),
        model, kind)
    out = {"saturated": batch_implied(corr, safe_lam, safe_cc, model, kind),
           "estimated": estimated}
    with np.errstate(invalid="ignore"):
        admissible = admissible & ok & np.all(np.abs(safe_lam) <= 1.0, axis=1)
        finite = np.all(np.isfinite(estimated.reshape(len(corr), -1)), axis=1)
        pd_est = cholesky_where_pd(np.where(finite[:, None, None], estimated,
                                            np.eye(model.p)))[1]
        pd_cc = np.linalg.eigvalsh(safe_cc)[:, 0] > 0
    return out, ok, admissible & finite & pd_est & pd_cc


def _sqrt_spd(a: np.ndarray, inverse: bool = False) -> np.ndarray | None:
    """Symmetric (inverse) square root; None when ``a`` is not positive definite."""
    val, vec = np.linalg.eigh(a)
    if val[0] <= 1e-12:
        return None
    root = val ** (-0.5 if inverse else 0.5)
    return np.asarray((vec * root) @ vec.T)


# ---------------------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlsModelFit:
    """Fit of a PLS path model: discrepancies and their bootstrap quantiles.

    Attributes
    ----------
    kind : str
        ``common_factor`` (PLSc; Mode A constructs are factors) or ``composite``.
    table : DataFrame
        ``model, measure, value, boot_mean, hi95, hi99`` (one quantile column per
        requested quantile, ``hi`` + percent): ``model`` is ``saturated`` or
        ``estimated``, ``measure`` ``SRMR``, ``d_ULS`` or ``d_G``. The quantile columns
        are NaN without a bootstrap. A value above its HI95 (HI99) rejects exact model
        fit at the 5% (1%) level.
    implied : dict of str to DataFrame
        The implied indicator correlation matrix of each model.
    observed : DataFrame
        The observed indicator correlation matrix.
    n_boot : int
        Resamples drawn (0 without a bootstrap).
    n_used : dict of str to int
        Usable resamples of each model's bootstrap.
    seed : int or None
    draws : dict of str to ndarray
        Per model: the (n_used, 3) discrepancies of the usable resamples.
    warnings : tuple of str
    """

    kind: str
    table: pd.DataFrame
    implied: dict[str, pd.DataFrame]
    observed: pd.DataFrame
    n_boot: int
    n_used: dict[str, int]
    seed: int | None
    draws: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    warnings: tuple[str, ...] = ()

    def value(self, model: str, measure: str) -> float:
        """One discrepancy, e.g. ``value("estimated", "SRMR")``."""
        row = self.table[(self.table["model"] == model) & (self.table["measure"] == measure)]
        return float(row["value"].iloc[0])


def _quantile_name(q: float) -> str:
    return f"hi{100 * q:g}".replace(".", "_")


def _transforms(s: np.ndarray, implied: dict[str, np.ndarray]) -> dict[str, np.ndarray | None]:
    """Per model, the Bollen-Stine transform ``S^-1/2 Sigma^1/2`` of the standardised
    data; None when S or Sigma is not positive definite."""
    s_inv_half = _sqrt_spd(s, inverse=True)
    out: dict[str, np.ndarray | None] = {}
    for variant in VARIANTS:
        sig_half = _sqrt_spd(implied[variant][0])
        out[variant] = None if s_inv_half is None or sig_half is None \
            else s_inv_half @ sig_half
    return out


def _bollen_stine_chunk(source: MomentSource, transforms: dict[str, np.ndarray | None],
                        model: PlsModel, kind: str, settings: tuple[str, int, float],
                        drop_inadmissible: bool) -> dict[str, np.ndarray]:
    """Per model, the (B, 3) discrepancies of a chunk of resamples of the transformed
    data (``Z S^-1/2 Sigma^1/2``, whose resample correlations follow from the moments of
    the same resamples of ``Z``); NaN rows for unusable resamples."""
    moments = source()
    out = {}
    for variant, t in transforms.items():
        if t is None:
            continue
        corr = moments.correlations(t)
        implied, ok, admissible = _implied_pair(corr, model, kind, *settings)
        if drop_inadmissible:
            ok &= admissible
        d = batch_discrepancies(np.where(ok[:, None, None], corr, np.eye(model.p)),
                                implied[variant])
        d[~ok] = np.nan
        out[variant] = d
    return out


def _bollen_stine(sources: Iterator[tuple[MomentSource, int]], total: int,
                  transforms: dict[str, np.ndarray | None], model: PlsModel, kind: str,
                  settings: tuple[str, int, float], jobs: int, drop_inadmissible: bool,
                  progress: Callable[[int, int], None] | None) -> dict[str, np.ndarray]:
    """The discrepancies of every resample (``sources``: :func:`moment_chunks`), per
    model with a transform; each chunk's moments are formed once for both models."""
    tasks = ((partial(_bollen_stine_chunk, source, transforms, model, kind, settings,
                      drop_inadmissible), size) for source, size in sources)
    with threadpool_limits(limits=1, user_api="blas"):
        parts = run_chunks(tasks, jobs, progress, total)
    return {v: np.concatenate([part[v] for part in parts]).reshape(-1, 3)
            for v, t in transforms.items() if t is not None}


def _check(kind: str, quantiles: Sequence[float]) -> tuple[float, ...]:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    qs = tuple(float(q) for q in quantiles)
    if not all(0.0 < q < 1.0 for q in qs):
        raise ValueError(f"quantiles must lie between 0 and 1; got {quantiles!r}")
    return qs


def model_fit(data: pd.DataFrame, constructs: Mapping[str, Sequence[str]],
              paths: Sequence[tuple[str, str]], modes: Mapping[str, str] | None = None,
              scheme: str = "path", max_iter: int = 300, tol: float = 1e-7,
              missing: str = "listwise", kind: str = "common_factor",
              n_boot: int | None = None, seed: int | None = None,
              indices: np.ndarray | None = None, quantiles: Sequence[float] = (0.95, 0.99),
              drop_inadmissible: bool = True, jobs: int | None = None,
              chunk_size: int = 250, moments: ResampleMoments | None = None,
              progress: Callable[[int, int], None] | None = None) -> PlsModelFit:
    """SRMR, d_ULS and d_G of a PLS path model, with Bollen-Stine bootstrap quantiles.

    Parameters
    ----------
    data, constructs, paths, modes, scheme, max_iter, tol, missing
        As :func:`~cxsurvey.stats.pls.fit.fit_pls`.
    kind : {"common_factor", "composite"}
        ``common_factor``: Mode A constructs are common factors estimated by PLSc
        (ADANCO's "common factor model"); ``composite``: every construct is a composite
        of its indicators (plain PLS).
    n_boot : int, optional
        Bootstrap resamples for the quantiles (None: no bootstrap, unless ``indices``).
    seed, indices
        As :func:`~cxsurvey.stats.pls.bootstrap.bootstrap_pls` (the same seed draws the
        same resample rows; drawn chunk by chunk, never the whole index matrix).
    quantiles : sequence of float
        Upper quantiles of the bootstrap distributions (HI95, HI99), R type 7.
    drop_inadmissible : bool
        Exclude bootstrap resamples with an inadmissible solution: a loading or
        reliability (rho_A) above 1, or construct correlations or an estimated-model
        implied matrix that are not positive definite (cSEM ``testOMF``'s default
        ``"drop"``; checked on the PLSc solution for the common-factor model).
    jobs, chunk_size
        Worker threads (None: every core; the results do not depend on it) and
        resamples per batch (fewer for large samples, as the PLS bootstrap).
    moments : ResampleMoments, optional
        The resamples of a PLS bootstrap of the same model and rows
        (:attr:`PlsBootstrap.moments <cxsurvey.stats.pls.bootstrap.PlsBootstrap>`, kept
        with ``keep_moments``): the model fit bootstraps the same resamples without
        drawing or forming them again (``n_boot``, ``seed`` and ``indices`` are then
        ignored; ``seed`` is taken from them).
    progress : callable, optional
        ``progress(done, total)`` after each chunk of resamples (both models).

    Returns
    -------
    PlsModelFit

    Notes
    -----
    The bootstrap of each model (saturated, estimated) resamples the rows of the
    standardised data transformed to reproduce that model's implied correlation matrix,
    ``Z S^-1/2 Sigma^1/2`` (Bollen & Stine, 1992; Beran & Srivastava, 1985), re-estimates
    the model (PLS, and PLSc for the common-factor model) and computes the discrepancy
    between the resample's correlation matrix and its implied matrix. Resamples that
    cannot be estimated, do not converge, give a non-finite discrepancy or (with
    ``drop_inadmissible``) an inadmissible solution are excluded and counted; the
    quantiles are those of the remaining draws.

    References
    ----------
    Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path
    modeling. MIS Quarterly, 39(2), 297-316. Henseler, J., Dijkstra, T. K., Sarstedt, M.,
    et al. (2014). Common beliefs and reality about PLS. Organizational Research Methods,
    17(2), 182-209. Bollen, K. A., & Stine, R. A. (1992). Bootstrapping goodness-of-fit
    measures in structural equation models. Sociological Methods & Research, 21(2),
    205-229. Benitez, J., Henseler, J., Castillo, A., & Schuberth, F. (2020). How to
    perform and report an impactful analysis using partial least squares. Information &
    Management, 57(2), 103168.
    """
    qs = _check(kind, quantiles)
    fit = fit_pls(data, constructs, paths, modes=modes, scheme=scheme, max_iter=max_iter,
                  tol=tol, missing=missing)
    model = compile_model(constructs, paths, modes)
    z = prepare_data(data, model, missing).z
    s = correlation(z)
    settings = (scheme, int(max_iter), float(tol))
    implied, _, admissible = _implied_pair(s[None], model, kind, *settings)
    values = {v: batch_discrepancies(s[None], implied[v])[0] for v in VARIANTS}
    warnings = list(fit.warnings)
    if not admissible[0]:
        warnings.append("the full-sample solution is inadmissible (a loading or rho_A above "
                        "1, or a construct or implied correlation matrix that is not "
                        "positive definite)")
    draws: dict[str, np.ndarray] = {}
    n_b = 0
    if moments is not None:
        moments.check_matches(z.shape[0], model.items)
        seed = moments.seed
    if moments is not None or n_boot is not None or indices is not None:
        transforms = _transforms(s, implied)
        jobs_ = (os.cpu_count() or 1) if jobs is None else max(1, int(jobs))
        sources, n_b = moment_chunks(z, int(chunk_size), moments=moments, n_boot=n_boot,
                                     seed=seed, indices=indices)
        got = _bollen_stine(sources, n_b, transforms, model, kind, settings, jobs_,
                            drop_inadmissible, progress)
        for variant in VARIANTS:
            if transforms[variant] is None:
                warnings.append(
                    "the observed item correlation matrix is singular (fewer rows than "
                    "items, or collinear items): no d_G and no bootstrap quantiles"
                    if not cholesky_where_pd(s[None], SINGULAR)[1][0] else
                    f"the implied correlation matrix of the {variant} model is not "
                    "positive definite: no bootstrap quantiles")
            draws[variant] = got.get(variant, np.full((0, 3), np.nan))
    return _result(fit, model, kind, s, implied, values, draws, qs, n_b, seed, warnings)


def _result(fit: PlsFit, model: PlsModel, kind: str, s: np.ndarray,
            implied: dict[str, np.ndarray], values: dict[str, np.ndarray],
            draws: dict[str, np.ndarray], qs: tuple[float, ...], n_boot: int,
            seed: int | None, warnings: list[str]) -> PlsModelFit:
    rows = []
    n_used: dict[str, int] = {}
    for variant in VARIANTS:
        d = draws.get(variant)
        if d is not None:
            n_used[variant] = int(np.sum(np.all(np.isfinite(d), axis=1)))
            bad = len(d) - n_used[variant]
            if bad and n_boot:
                warnings.append(f"{bad} of {n_boot} bootstrap resamples of the {variant} "
                                "model were excluded (not estimable, not converged, "
                                "inadmissible or an undefined discrepancy)")
        for m, measure in enumerate(MEASURES):
            row: dict[str, object] = {"model": variant, "measure": measure,
                                      "value": float(values[variant][m])}
            col = None if d is None else d[:, m][np.isfinite(d[:, m])]
            usable = col is not None and len(col) > 1
            row["boot_mean"] = float(np.mean(col)) if usable and col is not None else np.nan
            for q in qs:
                row[_quantile_name(q)] = float(np.quantile(col, q, method="linear")) \
                    if usable and col is not None else np.nan
            rows.append(row)
    items = list(model.items)
    return PlsModelFit(
        kind=kind, table=pd.DataFrame(rows),
        implied={v: pd.DataFrame(implied[v][0], index=items, columns=items)
                 for v in VARIANTS},
        observed=pd.DataFrame(s, index=items, columns=items), n_boot=n_boot,
        n_used=n_used, seed=seed,
        draws={v: d[np.all(np.isfinite(d), axis=1)] for v, d in draws.items()},
        warnings=tuple(dict.fromkeys(warnings)))
