"""Result of a covariance-based confirmatory factor analysis."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cxsurvey.stats.records import BootstrapInfo, FitMeasures


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
        ``"ML"``, ``"MLM"`` or ``"MLR"`` (lavaan's spelling): with MLM/MLR the SEs, z, p
        and CIs are robust and ``fit`` adds the scaled and robust measures.
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
