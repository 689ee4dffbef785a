"""Typed records that results carry as JSON-ready dictionaries: fit measures and the
description of a bootstrap run."""

from __future__ import annotations

from typing import TypedDict

__all__ = ["BootstrapInfo", "FitMeasures"]


class FitMeasures(TypedDict, total=False):
    """Global fit of a covariance-based model, lavaan's ``fitMeasures`` names in snake_case.

    Empty for models without a global ML fit (PLS paths). The ``*_scaled`` and
    ``*_robust`` keys are present only when a robust estimator (MLM, MLR) ran.

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of
    Statistical Software, 48(2), 1-36 (``fitMeasures``).
    """

    n: int
    npar: int
    chisq: float
    df: int
    pvalue: float
    baseline_chisq: float
    baseline_df: int
    baseline_pvalue: float
    cfi: float
    tli: float
    nfi: float
    rmsea: float
    rmsea_ci_lower: float
    rmsea_ci_upper: float
    rmsea_pvalue: float
    srmr: float
    logl: float
    unrestricted_logl: float
    aic: float
    bic: float
    bic2: float
    gfi: float
    agfi: float
    # robust estimators (MLM, MLR) only: scaled test and scaled/robust indices
    chisq_scaled: float
    df_scaled: int
    pvalue_scaled: float
    chisq_scaling_factor: float
    cfi_scaled: float
    tli_scaled: float
    rmsea_scaled: float
    cfi_robust: float
    tli_robust: float
    rmsea_robust: float
    rmsea_ci_lower_robust: float
    rmsea_ci_upper_robust: float


class _BootstrapCounts(TypedDict):
    requested: int
    used: int
    failed: int
    seed: int | None
    ci: float
    ci_type: str


class BootstrapInfo(_BootstrapCounts, total=False):
    """How a bootstrap ran: resamples requested, used and failed, the seed, the CI level
    and type; PLS adds ``invalid``, ``not_converged``, ``bca``, ``pvalue`` (how p-values
    are computed) and ``handling`` (what happens to resamples that cannot be estimated)."""

    invalid: int
    not_converged: int
    bca: bool
    pvalue: str
    handling: str
