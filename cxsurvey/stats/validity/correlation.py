"""Item correlations as ``lavaan::lavCor`` computes them, listwise or pairwise."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["item_correlation"]


def item_correlation(items: pd.DataFrame, missing: str = "listwise") -> pd.DataFrame:
    """Pearson correlations of the item columns, as ``lavaan::lavCor`` computes them.

    Parameters
    ----------
    items : DataFrame
        Numeric item columns (NaN = missing answer).
    missing : {"listwise", "pairwise"}
        ``listwise``: the rows complete on all columns (``lavCor(missing = "listwise")``).
        ``pairwise``: the pairwise-complete covariance matrix scaled by the standard
        deviations of each item's available answers, ``cov2cor(cov(x, use = "pairwise"))``,
        which is what ``lavCor(missing = "pairwise")`` returns (not ``cor(x, use =
        "pairwise")``, whose standard deviations are those of each pair's rows).

    Returns
    -------
    DataFrame
        Square, labelled by the item names. NaN where undefined (constant item, fewer than
        two usable rows).

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of
    Statistical Software, 48(2), 1-36 (``lavCor``).
    """
    if missing not in ("listwise", "pairwise"):
        raise ValueError(f"missing must be 'listwise' or 'pairwise', got {missing!r}")
    data = items.astype(float)
    if missing == "listwise":
        data = data.dropna()
    cov = data.cov().to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(np.diag(cov))
        corr = cov / np.outer(sd, sd)
    np.fill_diagonal(corr, np.where(np.isfinite(np.diag(corr)), 1.0, np.nan))
    return pd.DataFrame(corr, index=items.columns, columns=items.columns)
