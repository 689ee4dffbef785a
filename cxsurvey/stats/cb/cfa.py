"""Measurement model (CFA) of a survey model, as a paper reports it.

Builds the lavaan syntax from the constructs (:mod:`cxsurvey.stats.cb.syntax`,
honouring dropped items), fits it with :func:`cxsurvey.stats.cb.ml_fit.fit_cb`, and
assembles the tables: loadings, factor correlations, residual variances and
covariances, CR/AVE and omega, HTMT and Fornell-Larcker. The structural model is in
:mod:`cxsurvey.stats.cb.paths`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial

import numpy as np
import pandas as pd

from cxsurvey.model.spec import ModelSpec
from cxsurvey.stats.cb.estimator import fit_model
from cxsurvey.stats.cb.fiml import fiml_modification_indices
from cxsurvey.stats.cb.ml_fit import CbFit
from cxsurvey.stats.cb.modindices import try_modification_indices
from cxsurvey.stats.cb.results import RESIDUAL_COV_COLUMNS, CfaResult
from cxsurvey.stats.cb.syntax import measurement_syntax
from cxsurvey.stats.validity import (
    ave_semtools,
    categorical_omega,
    comp_rel_sem,
    fornell_larcker,
    htmt,
)
from cxsurvey.stats.validity.composite import cr_ave

__all__ = ["residual_covariances", "run_cfa"]


def _loadings(fit: CbFit) -> pd.DataFrame:
    ld = fit.loadings.rename(columns={"lhs": "construct", "rhs": "item"})
    cols = ["construct", "item", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"]
    return ld[cols].reset_index(drop=True)


def _cfa_reliability(fit: CbFit, constructs: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    ld = _loadings(fit)
    lam = ld.pivot(index="item", columns="construct", values="est").fillna(0.0)
    lam = lam.reindex(index=list(fit.observed), columns=list(constructs), fill_value=0.0)
    phi = fit.latent_cov.loc[list(constructs), list(constructs)]
    cov = fit.sample_cov.loc[list(fit.observed), list(fit.observed)]
    if fit.thresholds is not None and len(fit.thresholds):
        # ordered items (WLSMV): omega of the summed category scores (semTools'
        # compRelSEM with ord.scale = TRUE), over the polychoric matrix fitted; a
        # construct of continuous indicators gets the usual omega, and one that mixes
        # both none (semTools 0.5-6 refuses it too)
        tau = {str(item): grp["est"].to_numpy(dtype=float)
               for item, grp in fit.thresholds.groupby("item", sort=False)}
        kinds = {c: {i in tau for i in its} for c, its in constructs.items()}
        ordinal = [c for c, k in kinds.items() if k == {True}]
        continuous = [c for c, k in kinds.items() if k == {False}]
        omega = pd.Series(np.nan, index=list(constructs), dtype=float)
        if ordinal:
            ord_items = [i for i in fit.observed if i in tau]
            sub = categorical_omega(lam.loc[ord_items, ordinal], phi.loc[ordinal, ordinal],
                                    tau, latent_cor=cov.loc[ord_items, ord_items])
            omega.loc[ordinal] = [float(sub.get(c, np.nan)) for c in ordinal]
        if continuous:
            num_items = [i for i in fit.observed if i not in tau]
            sub = comp_rel_sem(lam.loc[num_items, continuous], phi.loc[continuous, continuous],
                               observed_cov=cov.loc[num_items, num_items])
            omega.loc[continuous] = [float(sub.get(c, np.nan)) for c in continuous]
    else:
        omega = comp_rel_sem(lam, phi, observed_cov=cov)
    ave_st = ave_semtools(lam, fit.latent_cov.loc[list(constructs), list(constructs)],
                          observed_cov=fit.sample_cov.loc[list(fit.observed),
                                                          list(fit.observed)])
    rows = []
    for c, its in constructs.items():
        std = ld.loc[ld["construct"] == c, "std_all"].to_numpy(dtype=float)
        ok = std.size and np.all(np.isfinite(std)) and np.all(np.abs(std) <= 1)
        rho_c, ave = cr_ave(std) if ok else (np.nan, np.nan)
        rows.append({"construct": c, "n_items": len(its), "rho_c": rho_c, "ave": ave,
                     "omega": float(omega.get(c, np.nan)),
                     "ave_semtools": float(ave_st.get(c, np.nan))})
    return pd.DataFrame(rows)


def _factor_correlations(fit: CbFit, constructs: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    p = fit.params
    names = set(constructs)
    rows = p[(p["op"] == "~~") & (p["lhs"] != p["rhs"]) & p["lhs"].isin(names)
             & p["rhs"].isin(names)]
    out = rows.rename(columns={"lhs": "a", "rhs": "b"})
    cols = ["a", "b", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"]
    return out[cols].reset_index(drop=True)


def _residual_variances(fit: CbFit) -> pd.DataFrame:
    p = fit.params
    rows = p[(p["op"] == "~~") & (p["lhs"] == p["rhs"]) & p["lhs"].isin(set(fit.observed))]
    out = rows.rename(columns={"lhs": "item"})
    return out[["item", "est", "se", "z", "pvalue", "std_all"]].reset_index(drop=True)


def residual_covariances(fit: CbFit) -> pd.DataFrame:
    """Covariances between two different observed variables (correlated residuals).

    Parameters
    ----------
    fit : CbFit

    Returns
    -------
    DataFrame
        :data:`~cxsurvey.stats.cb.results.RESIDUAL_COV_COLUMNS` in the fit's row order:
        lavaan's ``~~`` rows with ``lhs != rhs`` among observed variables; ``std_all``
        is the covariance over the square roots of the two residual variances (the
        residual correlation).

    References
    ----------
    Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley, ch. 7
    (correlated errors of measurement). Rosseel, Y. (2012). Journal of Statistical
    Software, 48(2), 1-36 (``std.all``).
    """
    p = fit.params
    observed = set(fit.observed)
    rows = p[(p["op"] == "~~") & (p["lhs"] != p["rhs"]) & p["lhs"].isin(observed)
             & p["rhs"].isin(observed)]
    return rows[RESIDUAL_COV_COLUMNS].reset_index(drop=True)


def _weak(fit: CbFit, threshold: float) -> list[str]:
    ld = fit.loadings
    return [str(item) for item, std in zip(ld["rhs"].tolist(),
                                           ld["std_all"].to_numpy(dtype=float), strict=True)
            if np.isfinite(std) and abs(std) < threshold]


def _drop_weak(items: pd.DataFrame, constructs: dict[str, tuple[str, ...]],
               spec: ModelSpec | None, fit: CbFit, weak: list[str], warnings: list[str],
               threshold: float, max_iter: int, estimator: str = "ML",
               missing: str = "listwise",
               scales: Mapping[str, Sequence[float]] | None = None,
               ordered: Sequence[str] | None = None
               ) -> tuple[CbFit, dict[str, tuple[str, ...]], tuple[str, ...], list[str],
                          list[str]]:
    """Refit once without the weak items, keeping at least 2 items per construct.

    Returns the fit, the constructs, the items dropped, the weak items of the fit and
    the warnings (all as given when nothing can be dropped).
    """
    kept = {c: tuple(i for i in its if i not in weak) for c, its in constructs.items()}
    too_few = [c for c, its in kept.items() if len(its) < 2]
    if too_few:
        warnings.append("not dropped (a construct would keep fewer than 2 items): "
                        + ", ".join(i for i in weak
                                    if any(i in constructs[c] for c in too_few)))
        kept = {c: (its if c not in too_few else constructs[c]) for c, its in kept.items()}
    dropped = tuple(i for i in weak if all(i not in its for its in kept.values()))
    if not dropped:
        return fit, constructs, dropped, weak, warnings
    fit = fit_model(items, measurement_syntax(kept, spec), estimator, missing, max_iter,
                    scales, ordered)
    warnings = list(fit.warnings) + warnings[len(fit.warnings):]
    return fit, kept, dropped, _weak(fit, threshold), warnings


def run_cfa(items: pd.DataFrame, constructs: dict[str, tuple[str, ...]],
            spec: ModelSpec | None = None, loading_threshold: float = 0.4,
            drop_weak: bool = False, n_boot: int = 0, seed: int | None = None,
            max_iter: int = 10_000, estimator: str = "ML", missing: str = "listwise",
            scales: Mapping[str, Sequence[float]] | None = None,
            ordered: Sequence[str] | None = None) -> CfaResult:
    """Confirmatory factor analysis of the measurement model.

    Parameters
    ----------
    items : DataFrame
        Item scores (reverse keys applied); rows complete on the items are used.
    constructs : dict
        Construct -> items.
    spec : ModelSpec, optional
        The user's model, for correlated residuals among items.
    loading_threshold : float
        Items whose |standardised loading| is below it are listed as weak (Hulland 1999:
        0.4, the reference study's rule).
    drop_weak : bool
        Refit without the weak items (one pass) and report which were dropped.
    n_boot, seed : int
        With ``n_boot > 0``, bootstrap SEs and percentile CIs for loadings and factor
        covariances (:func:`cxsurvey.stats.cb.bootstrap.bootstrap_cfa`).
    max_iter : int
        Optimiser iteration limit (lavaan's ``iter.max``).
    estimator : {"ML", "MLM", "MLR", "WLSMV"}
        lavaan's ``estimator``: MLM/MLR keep the ML estimates and give robust SEs, z, p
        and CIs and the scaled and robust fit measures
        (:func:`cxsurvey.stats.cb.estimator.with_estimator`). The bootstrap refits by ML.
        WLSMV treats the items as ordinal (:func:`cxsurvey.stats.cb.wlsmv.fit_wlsmv`):
        the result carries the thresholds and no modification indices.
    missing : {"listwise", "pairwise", "fiml"}
        ``fiml``: full-information ML on every row with an answer (lavaan ``missing =
        "ml"``; :func:`cxsurvey.stats.cb.fiml.fit_fiml`), ML or MLR; modification
        indices are then of the FIML likelihood. ``pairwise``: WLSMV only.
    scales : dict, optional
        WLSMV: item -> declared scale points, so that points nobody chose are named.
    ordered : sequence of str, optional
        WLSMV: the ordinal items, the others being continuous (default: all ordinal).

    Returns
    -------
    CfaResult
        With the modification indices of the final ML fit (lavaan's ``modindices``; None
        and a warning when they cannot be computed).

    References
    ----------
    Joreskog, K. G. (1969). Psychometrika, 34(2), 183-202 (ML CFA). Hulland, J. (1999).
    Strategic Management Journal, 20(2), 195-204 (loading threshold). Sörbom, D. (1989).
    Psychometrika, 54(3), 371-384 (modification indices).
    """
    fit = fit_model(items, measurement_syntax(constructs, spec), estimator, missing,
                    max_iter, scales, ordered)
    dropped: tuple[str, ...] = ()
    weak = _weak(fit, loading_threshold)
    warnings = list(fit.warnings)
    if drop_weak and weak:
        fit, constructs, dropped, weak, warnings = _drop_weak(
            items, constructs, spec, fit, weak, warnings, loading_threshold, max_iter,
            estimator, missing, scales, ordered)
    mi: pd.DataFrame | None = None
    if estimator.upper() != "WLSMV":  # the indices here are those of the ML likelihood
        mi, mi_failed = try_modification_indices(
            fit, partial(fiml_modification_indices, data=items) if missing == "fiml"
            else None)
        warnings += [mi_failed] if mi_failed else []
    lat_cor = fit.latent_cor.loc[list(constructs), list(constructs)]
    rel = _cfa_reliability(fit, constructs)
    if fit.thresholds is not None and len(fit.thresholds):
        ordinal = set(fit.thresholds["item"])
        mixed = [c for c, its in constructs.items()
                 if any(i in ordinal for i in its) and not all(i in ordinal for i in its)]
        if mixed:
            warnings.append("omega is not computed for " + ", ".join(mixed) + ": each mixes "
                            "ordinal and continuous indicators (as semTools' compRelSEM)")
    ave = dict(zip(rel["construct"], rel["ave"], strict=True))
    result = CfaResult(
        fit=fit.fit.copy(), loadings=_loadings(fit),
        factor_correlations=_factor_correlations(fit, constructs),
        residual_variances=_residual_variances(fit),
        residual_covariances=residual_covariances(fit), reliability=rel,
        htmt=htmt(items, constructs), fornell_larcker=fornell_larcker(ave, lat_cor),
        loading_threshold=loading_threshold, weak_items=tuple(weak), dropped=dropped,
        syntax=measurement_syntax(constructs, spec), warnings=tuple(warnings),
        estimator=estimator.upper(), modification_indices=mi, missing=missing,
        intercepts=fit.intercepts, thresholds=fit.thresholds)
    if n_boot > 0:
        from cxsurvey.stats.cb.bootstrap import bootstrap_cfa

        result = bootstrap_cfa(items, result, n_boot, seed, start=fit)
    return result
