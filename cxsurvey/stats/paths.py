"""Structural paths of one estimation method (covariance-based or PLS)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


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
    fit : dict
        Global fit of the structural model (CB only).
    se_method : str
        ``"standard"`` (information matrix) or ``"bootstrap"``.
    bootstrap : dict, optional
        ``requested, used, failed, seed, ci`` when bootstrapped.
    """

    paths: pd.DataFrame
    r2: pd.DataFrame
    effects: pd.DataFrame
    method: str = "cb"
    fit: dict = field(default_factory=dict)
    se_method: str = "standard"
    bootstrap: dict | None = None
    warnings: tuple[str, ...] = ()
