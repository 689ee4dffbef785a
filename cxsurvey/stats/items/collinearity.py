"""Full collinearity VIF of the constructs (Kock 2015), a screen for common method bias."""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd

__all__ = ["construct_scores", "full_collinearity_vif"]


def construct_scores(items: pd.DataFrame, constructs: dict[str, tuple[str, ...]]
                     ) -> pd.DataFrame:
    """Unit-weighted construct scores: the mean of each construct's items.

    Rows with a missing answer on any item of the model are dropped (listwise), so every
    score of a row comes from the same respondents.
    """
    used = [i for its in constructs.values() for i in its]
    complete = items[used].dropna()
    return pd.DataFrame({c: complete[list(its)].mean(axis=1)
                         for c, its in constructs.items() if its}, index=complete.index)


def full_collinearity_vif(scores: pd.DataFrame) -> pd.DataFrame:
    """VIF of each construct score regressed on all the other construct scores.

    ``VIF_j = 1 / (1 - R2_j)``, where ``R2_j`` comes from the OLS regression of score j on
    every other score (with an intercept). Equals the diagonal of the inverse correlation
    matrix of the scores.

    Parameters
    ----------
    scores : DataFrame
        One column per construct, complete rows (e.g. :func:`construct_scores`).

    Returns
    -------
    DataFrame
        ``construct, vif`` (NaN for a constant score or when fewer than two constructs or
        the scores are perfectly collinear).

    References
    ----------
    Kock, N. (2015). Common method bias in PLS-SEM: A full collinearity assessment
    approach. *International Journal of e-Collaboration*, 11(4), 1-10 (cut-off 3.3).
    Kock, N., & Lynn, G. S. (2012). Lateral collinearity and misleading results in
    variance-based SEM. *Journal of the AIS*, 13(7), 546-580.
    """
    names = list(scores.columns)
    vif = np.full(len(names), np.nan)
    x = scores.to_numpy(dtype=float)
    ok = np.nanstd(x, axis=0, ddof=1) > 0 if len(x) > 1 else np.zeros(len(names), bool)
    if len(names) >= 2 and ok.sum() >= 2 and len(x) > ok.sum() + 1:
        r = np.corrcoef(x[:, ok], rowvar=False)
        with contextlib.suppress(np.linalg.LinAlgError):
            vif[ok] = np.diag(np.linalg.inv(r))
        vif[vif > 1e12] = np.inf
    return pd.DataFrame({"construct": names, "vif": vif})
