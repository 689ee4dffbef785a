"""Structural paths of one estimation method (covariance-based or PLS)."""

from __future__ import annotations

from dataclasses import dataclass, field

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
        pvalue``.
    fit : FitMeasures
        Global fit of the structural model (CB only; empty for PLS).
    se_method : str
        ``"standard"`` (information matrix) or ``"bootstrap"``.
    bootstrap : BootstrapInfo, optional
        How the bootstrap ran, when it did.
    """

    paths: pd.DataFrame
    r2: pd.DataFrame
    effects: pd.DataFrame
    method: str = "cb"
    fit: FitMeasures = field(default_factory=lambda: FitMeasures())
    se_method: str = "standard"
    bootstrap: BootstrapInfo | None = None
    warnings: tuple[str, ...] = ()
