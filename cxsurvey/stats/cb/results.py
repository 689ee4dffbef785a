"""Result of a covariance-based confirmatory factor analysis."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from cxsurvey.stats.records import BootstrapInfo, FitMeasures

RESIDUAL_COV_COLUMNS = ["lhs", "rhs", "est", "se", "z", "pvalue", "ci_lower", "ci_upper",
                        "std_all"]
"""Columns of :attr:`CfaResult.residual_covariances`."""


@dataclass(frozen=True)
class CfaResult:
    """Confirmatory factor analysis (covariance-based, ML as lavaan).

    Attributes
    ----------
    fit : FitMeasures
        ``n, npar, chisq, df, pvalue, cfi, tli, rmsea, rmsea_ci_lower, rmsea_ci_upper,
        rmsea_pvalue, srmr, logl, aic, bic`` (lavaan's ``fitMeasures`` names in snake_case).
    loadings : DataFrame
        ``construct, item, est, se, z, pvalue, std_all`` (first loading fixed to 1: se,
        z, pvalue null, as lavaan prints them).
    factor_correlations : DataFrame
        ``a, b, est, se, z, pvalue, std_all`` for the factor covariances.
    residual_variances : DataFrame
        ``item, est, se, z, pvalue, std_all``.
    residual_covariances : DataFrame
        ``lhs, rhs, est, se, z, pvalue, ci_lower, ci_upper, std_all`` for every
        covariance between two different observed variables (the model's correlated
        residuals); ``std_all`` is the residual correlation. Empty when there are none.
    reliability : DataFrame
        ``construct, n_items, omega, rho_c, ave, ave_semtools``: ``omega`` =
        semTools::compRelSEM; ``rho_c``/``ave`` from the std_all loadings (Fornell & Larcker).
    htmt, fornell_larcker : DataFrame
        Discriminant validity, long format ``a, b, value``.
    weak_items : tuple of str
        Items whose std_all loading is below ``loading_threshold``.
    dropped : tuple of str
        Items removed before this fit (``--drop-weak``).
    estimator : str
        ``"ML"``, ``"MLM"``, ``"MLR"`` or ``"WLSMV"`` (lavaan's spelling): with MLM/MLR
        the SEs, z, p and CIs are robust and ``fit`` adds the scaled and robust
        measures; WLSMV (ordinal items) also has ``thresholds``.
    modification_indices : DataFrame, optional
        ``lhs, op, rhs, mi, epc, sepc_all`` of the ML fit, largest ``mi`` first
        (lavaan's ``modindices``; :func:`cxsurvey.stats.cb.modindices.modification_indices`);
        None when they could not be computed (the reason is in ``warnings``).
    missing : str
        ``"listwise"`` (complete cases) or ``"fiml"`` (full-information ML on every row
        with an answer: ``fit`` has ``n`` = those rows and a mean structure's ``npar``).
    intercepts : DataFrame, optional
        FIML only: ``item, est, se, z, pvalue, ci_lower, ci_upper`` of the items'
        intercepts (lavaan's ``~1`` rows).
    thresholds : DataFrame, optional
        WLSMV only: ``item, threshold, est, se`` (lavaan's ``|`` rows; ``threshold`` is
        ``"t1"``, ``"t2"``, ...).
    """

    fit: FitMeasures
    loadings: pd.DataFrame
    factor_correlations: pd.DataFrame
    residual_variances: pd.DataFrame
    reliability: pd.DataFrame
    htmt: pd.DataFrame
    fornell_larcker: pd.DataFrame
    loading_threshold: float = 0.4
    weak_items: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    syntax: str = ""
    warnings: tuple[str, ...] = ()
    bootstrap: BootstrapInfo | None = None
    estimator: str = "ML"
    residual_covariances: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=RESIDUAL_COV_COLUMNS))
    modification_indices: pd.DataFrame | None = None
    missing: str = "listwise"
    intercepts: pd.DataFrame | None = None
    thresholds: pd.DataFrame | None = None
