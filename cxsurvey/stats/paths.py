"""Structural paths of one estimation method (covariance-based or PLS), and the
explained-variance statistic both estimators report."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxsurvey.stats.records import BootstrapInfo, FitMeasures


@dataclass(frozen=True)
class PathsResult:
    """Structural paths, explained variance and effects of one estimation method.

    Attributes
    ----------
    paths : DataFrame
        ``from, to, est, std_all, se, t, pvalue, ci_lower, ci_upper, method`` (the
        contract's ``paths`` records; ``t`` = est / se).
    r2 : DataFrame
        ``construct, r2, r2_adj`` for the endogenous constructs.
    effects : DataFrame
        ``kind (indirect|total), from, to, path, est, std_all, se, ci_lower, ci_upper,
        pvalue``; CB adds ``label``, ``z`` and ``se_method`` (``delta`` or
        ``bootstrap``) and ``defined`` rows for the model's ``:=`` lines
        (:data:`cxsurvey.stats.cb.paths.EFFECT_COLUMNS`).
    fit : FitMeasures
        Global fit of the structural model (CB only; empty for PLS).
    se_method : str
        ``"standard"`` (information matrix) or ``"bootstrap"``.
    bootstrap : BootstrapInfo, optional
        How the bootstrap ran, when it did.
    estimator : str
        CB estimator, lavaan's spelling (``"ML"``, ``"MLM"``, ``"MLR"``); ``"ML"`` for PLS.
    modification_indices : DataFrame, optional
        CB only, when no CFA ran: ``lhs, op, rhs, mi, epc, sepc_all`` of the structural
        model's ML fit, largest ``mi`` first (lavaan's ``modindices``).
    residual_covariances : DataFrame, optional
        CB only: ``lhs, rhs, est, se, z, pvalue, ci_lower, ci_upper, std_all`` for every
        covariance between two different observed variables of the structural model
        (:func:`cxsurvey.stats.cb.cfa.residual_covariances`).
    missing : str
        CB only: ``"listwise"`` or ``"fiml"`` (full-information ML).
    """

    paths: pd.DataFrame
    r2: pd.DataFrame
    effects: pd.DataFrame
    method: str = "cb"
    fit: FitMeasures = field(default_factory=lambda: FitMeasures())
    se_method: str = "standard"
    bootstrap: BootstrapInfo | None = None
    warnings: tuple[str, ...] = ()
    estimator: str = "ML"
    modification_indices: pd.DataFrame | None = None
    residual_covariances: pd.DataFrame | None = None
    missing: str = "listwise"


def adjusted_r2(r2: np.ndarray, n: int, n_predictors: np.ndarray) -> np.ndarray:
    """Adjusted R^2 ``1 - (1 - R^2)(n - 1)/(n - m - 1)`` with m predictors (NaN when
    ``n - m - 1 <= 0``).

    References
    ----------
    Wherry, R. J. (1931). A new formula for predicting the shrinkage of the coefficient of
    multiple correlation. Annals of Mathematical Statistics, 2(4), 440-457.
    """
    df = n - n_predictors - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(df > 0, 1.0 - (1.0 - r2) * (n - 1) / df, np.nan)
