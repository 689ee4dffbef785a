"""Result of a PLS-SEM measurement model."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


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
    info : dict
        ``scheme, iterations, converged, n, missing, replaced_cells``.
    """

    outer: pd.DataFrame
    reliability: pd.DataFrame
    htmt: pd.DataFrame
    fornell_larcker: pd.DataFrame
    f2: pd.DataFrame
    vif: pd.DataFrame
    info: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    cross_loadings: pd.DataFrame = field(default_factory=pd.DataFrame)
