"""Result of a PLS-SEM measurement model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict

import pandas as pd


class PlsInfo(TypedDict, total=False):
    """How the PLS model was estimated: inner weighting ``scheme``, ``iterations`` until
    the weights converged, ``converged``, ``n`` respondents used, ``missing`` handling
    (``listwise`` or ``mean``), the ``replaced_cells`` of mean replacement and whether
    the estimates are ``consistent`` PLS (PLSc)."""

    scheme: str
    iterations: int
    converged: bool
    n: int
    missing: str
    replaced_cells: int
    consistent: bool


@dataclass(frozen=True)
class PlsResult:
    """PLS-SEM measurement model (SmartPLS/seminr conventions).

    Attributes
    ----------
    outer : DataFrame
        ``construct, item, mode, loading, weight`` plus bootstrap columns when run
        (``loading_se, loading_t, loading_pvalue, loading_ci_lower, loading_ci_upper``).
    reliability : DataFrame
        ``construct, n_items, alpha, rho_a, rho_c, ave``.
    htmt, fornell_larcker : DataFrame
        Long format ``a, b, value``.
    f2 : DataFrame
        ``from, to, f2`` (Cohen's effect size of each path).
    vif : DataFrame
        ``kind (outer|inner), construct, variable, vif``.
    info : PlsInfo
        How the model was estimated.
    htmt_inference : DataFrame
        Bootstrap inference of each HTMT (Franke & Sarstedt 2019): ``a, b, htmt,
        boot_mean, se, ci_lower, ci_upper, upper_one_sided, below_085, below_090,
        mode_b`` (empty without a bootstrap).
    guidelines : PlsGuidelines, optional
        PLSpredict, model fit, IPMA and consistent PLS of the model
        (:func:`cxsurvey.stats.pls.guidelines.pls_guidelines`).
    moderation : ModerationBootstrap, optional
        Interaction terms and simple slopes (:mod:`cxsurvey.stats.pls.moderation`).
    higher_order : HigherOrderBootstrap, optional
        Higher-order constructs' measurement and reliability
        (:mod:`cxsurvey.stats.pls.higher_order`).
    """

    outer: pd.DataFrame
    reliability: pd.DataFrame
    htmt: pd.DataFrame
    fornell_larcker: pd.DataFrame
    f2: pd.DataFrame
    vif: pd.DataFrame
    info: PlsInfo = field(default_factory=lambda: PlsInfo())
    warnings: tuple[str, ...] = ()
    cross_loadings: pd.DataFrame = field(default_factory=pd.DataFrame)
    htmt_inference: pd.DataFrame = field(default_factory=pd.DataFrame)
    guidelines: Any = None  # PlsGuidelines (its module builds on this one)
    moderation: Any = None  # ModerationBootstrap
    higher_order: Any = None  # HigherOrderBootstrap
