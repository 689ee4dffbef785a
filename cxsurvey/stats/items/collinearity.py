"""Full collinearity VIF of the constructs (Kock 2015), a screen for common method bias."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["construct_scores", "full_collinearity_vif", "vif_from_correlation"]


def construct_scores(items: pd.DataFrame, constructs: dict[str, tuple[str, ...]]
                     ) -> pd.DataFrame:
    """Unit-weighted construct scores: the mean of each construct's items.

    Rows with a missing answer on any item of the model are dropped (listwise), so every
    score of a row comes from the same respondents.
    """
    used = [i for its in constructs.values() for i in its]
    # each item column as a view of its block: no copy of the answers
    columns = {i: items[i].to_numpy(dtype=float) for i in used}
    complete = np.ones(items.shape[0], dtype=bool)
    for i in used:
        complete &= ~np.isnan(columns[i])
    rows = None if complete.all() else np.flatnonzero(complete)
    names = [c for c, its in constructs.items() if its]
    scores = np.zeros((items.shape[0] if rows is None else rows.size, len(names)), order="F")
    for k, c in enumerate(names):
        total = scores[:, k]
        for i in constructs[c]:  # one column at a time, not a copy of the construct's block
            total += columns[i] if rows is None else columns[i][rows]
        total /= len(constructs[c])
    index = items.index if rows is None else items.index[rows]
    return pd.DataFrame(scores, index=index, columns=names, copy=False)


def full_collinearity_vif(scores: pd.DataFrame) -> pd.DataFrame:
    """VIF of each construct score regressed on all the other construct scores.

    ``VIF_j = 1 / (1 - R2_j)``, where ``R2_j`` comes from the OLS regression of score j on
    every other score (with an intercept): :func:`vif_from_correlation` of the scores'
    correlation matrix.

    Parameters
    ----------
    scores : DataFrame
        One column per construct, complete rows (e.g. :func:`construct_scores`).

    Returns
    -------
    DataFrame
        ``construct, vif`` (NaN for a constant score or when fewer than two constructs;
        infinite for a score that is, or nearly is, a linear function of the others).

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
    if np.isnan(x).any():
        x = x[~np.isnan(x).any(axis=1)]
    # one centred copy of the scores gives both the spread and the correlations
    xc = x - x.mean(axis=0) if len(x) else x
    cov = xc.T @ xc / max(len(x) - 1, 1)
    del xc
    sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    ok = sd > 0 if len(x) > 1 else np.zeros(len(names), bool)
    if len(names) >= 2 and ok.sum() >= 2 and len(x) > ok.sum() + 1:
        r = cov[np.ix_(ok, ok)] / np.outer(sd[ok], sd[ok])
        np.fill_diagonal(r, 1.0)
        vif[ok] = vif_from_correlation(r)
        vif[vif > 1e12] = np.inf
    return pd.DataFrame({"construct": names, "vif": vif})


def vif_from_correlation(corr: np.ndarray) -> np.ndarray:
    """Variance inflation factors of variables from their correlation matrix.

    ``VIF_j = 1 / (1 - R2_j)``, where ``R2_j`` comes from the OLS regression of variable j
    on all the others: the diagonal of the inverse correlation matrix. For a singular
    matrix each ``R2_j`` is computed with the pseudo-inverse of the other variables'
    correlations, so only the variables that are linear functions of others get an
    infinite VIF.

    Parameters
    ----------
    corr : ndarray, shape (m, m)
        Correlation matrix (full rank or singular; finite).

    Returns
    -------
    ndarray, shape (m,)
        VIF per variable; 1 for a single variable.

    References
    ----------
    Marquardt, D. W. (1970). Generalized inverses, ridge regression, biased linear
    estimation, and nonlinear estimation. *Technometrics*, 12(3), 591-612. Hair, J. F.,
    Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). *A primer on partial least
    squares structural equation modeling (PLS-SEM)* (3rd ed., ch. 5-6: indicator and
    predictor VIF). Sage.
    """
    m = corr.shape[0]
    if m == 1:
        return np.ones(1)
    try:
        return np.diag(np.linalg.inv(corr))
    except np.linalg.LinAlgError:
        out = np.empty(m)
        for i in range(m):
            rest = [j for j in range(m) if j != i]
            r = corr[rest, i]
            r2 = float(r @ np.linalg.pinv(corr[np.ix_(rest, rest)]) @ r)
            out[i] = np.inf if 1.0 - r2 <= 1e-12 else 1.0 / (1.0 - r2)
        return out
