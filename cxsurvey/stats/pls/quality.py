"""PLS-SEM quality criteria: reliability, validity, collinearity and effect sizes.

Cronbach's alpha, rho_C, AVE, VIF and the Fornell-Larcker table come from the package's
shared implementations (:mod:`cxsurvey.stats.items.reliability`,
:mod:`cxsurvey.stats.validity`, :mod:`cxsurvey.stats.items.collinearity`); this module
applies them with the PLS conventions of SmartPLS and seminr (standardised items, a
single-item construct perfectly reliable) and adds what only PLS has: rho_A, HTMT for a
batch of correlation matrices, and f^2 from re-estimated models.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxsurvey.stats.items.collinearity import vif_from_correlation
from cxsurvey.stats.items.reliability import alpha_from_cov
from cxsurvey.stats.pls.estimate import batch_structural, estimate_batch
from cxsurvey.stats.pls.specify import PlsModel
from cxsurvey.stats.validity import cr_ave, fornell_larcker, htmt_batch

__all__ = ["batch_htmt", "block_reliability", "cohen_f2", "f2_table",
           "fornell_larcker_table", "htmt_table", "inner_vif_table", "item_vif_table",
           "reliability_table", "rho_a"]


# ---------------------------------------------------------------------------------------
# Reliability and convergent validity
# ---------------------------------------------------------------------------------------

def rho_a(s: np.ndarray, w: np.ndarray) -> float:
    """Dijkstra-Henseler's rho_A of a Mode A block.

    ``rho_A = (w'w)^2 w'(S - diag S)w / w'(ww' - diag ww')w`` with ``S`` the items'
    correlation matrix and ``w`` the outer weights.

    References
    ----------
    Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path modeling.
    MIS Quarterly, 39(2), 297-316.
    """
    off = s - np.diag(np.diag(s))
    ww = np.outer(w, w)
    ww_off = ww - np.diag(np.diag(ww))
    return float((w @ w) ** 2 * (w @ off @ w) / (w @ ww_off @ w))


def block_reliability(s: np.ndarray, w: np.ndarray, lam: np.ndarray,
                      mode_b: bool) -> tuple[float, float, float, float]:
    """Cronbach's alpha (standardised), rho_A, rho_C and AVE of one block.

    Parameters
    ----------
    s : ndarray, shape (m, m)
        Correlation matrix of the block's items.
    w, lam : ndarray, shape (m,)
        Outer weights and loadings.
    mode_b : bool
        rho_A is 1 for a Mode B block (SmartPLS, seminr).

    Returns
    -------
    (alpha, rho_a, rho_c, ave) : tuple of float
        All 1 for a single item.

    References
    ----------
    Cronbach, L. J. (1951). Psychometrika, 16(3), 297-334 (alpha). Dijkstra, T. K., &
    Henseler, J. (2015). MIS Quarterly, 39(2), 297-316 (rho_A). Joereskog, K. G. (1971).
    Psychometrika, 36(2), 109-133 (rho_C). Fornell, C., & Larcker, D. F. (1981). Journal of
    Marketing Research, 18(1), 39-50 (AVE).
    """
    if len(w) == 1:
        return 1.0, 1.0, 1.0, 1.0
    rho_c, ave = cr_ave(lam)
    return alpha_from_cov(s), 1.0 if mode_b else rho_a(s, w), rho_c, ave


def reliability_table(model: PlsModel, corr: np.ndarray, weights: np.ndarray,
                      loadings: np.ndarray) -> pd.DataFrame:
    """``construct, mode, n_items, alpha, rho_a, rho_c, ave`` for every construct.

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). A primer on partial
    least squares structural equation modeling (PLS-SEM) (3rd ed., ch. 4). Sage.
    """
    rows = []
    for j, name in enumerate(model.constructs):
        idx = model.block_index(j)
        stats = block_reliability(corr[np.ix_(idx, idx)], weights[idx], loadings[idx],
                                  model.mode_b[j])
        rows.append((name, model.mode(j), len(idx), *stats))
    return pd.DataFrame(rows, columns=["construct", "mode", "n_items", "alpha", "rho_a",
                                       "rho_c", "ave"])


def fornell_larcker_table(reliability: pd.DataFrame, score_corr: np.ndarray,
                          model: PlsModel) -> pd.DataFrame:
    """Fornell-Larcker table (``a, b, value``) from the AVEs of ``reliability`` and the
    construct-score correlations.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Journal of Marketing Research, 18(1), 39-50.
    """
    names = list(model.constructs)
    ave = dict(zip(reliability["construct"], reliability["ave"], strict=True))
    return fornell_larcker(ave, pd.DataFrame(score_corr, index=names, columns=names))


# ---------------------------------------------------------------------------------------
# Collinearity
# ---------------------------------------------------------------------------------------

def item_vif_table(model: PlsModel, corr: np.ndarray) -> pd.DataFrame:
    """``construct, item, vif``: collinearity of each item with the other items of its
    construct (1 for a single item).

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). A primer on partial
    least squares structural equation modeling (PLS-SEM) (3rd ed., ch. 5). Sage.
    """
    rows: list[tuple[str, str, float]] = []
    for j, name in enumerate(model.constructs):
        idx = model.block_index(j)
        vifs = vif_from_correlation(corr[np.ix_(idx, idx)])
        rows.extend((name, model.items[i], float(v)) for i, v in zip(idx, vifs, strict=True))
    return pd.DataFrame(rows, columns=["construct", "item", "vif"])


def inner_vif_table(model: PlsModel, score_corr: np.ndarray) -> pd.DataFrame:
    """``from, to, vif``: collinearity of each predictor with the other predictors of the
    outcome (NaN when the outcome has one predictor, as seminr).

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). A primer on partial
    least squares structural equation modeling (PLS-SEM) (3rd ed., ch. 6). Sage.
    """
    names = model.constructs
    rows: list[tuple[str, str, float]] = []
    for j in model.endogenous:
        pred = list(model.predecessors[j])
        vifs = vif_from_correlation(score_corr[np.ix_(pred, pred)]) if len(pred) > 1 \
            else np.array([np.nan])
        rows.extend((names[i], names[j], float(v)) for i, v in zip(pred, vifs, strict=True))
    return pd.DataFrame(rows, columns=["from", "to", "vif"])


# ---------------------------------------------------------------------------------------
# Discriminant validity: HTMT
# ---------------------------------------------------------------------------------------

def batch_htmt(corr: np.ndarray, model: PlsModel) -> np.ndarray:
    """HTMT of a batch of item correlation matrices, seminr's convention: a single-item
    construct's monotrait mean is 1 and the diagonal is undefined (NaN).

    The ratio itself is :func:`cxsurvey.stats.validity.htmt_batch` (absolute
    correlations, arithmetic means).

    Returns
    -------
    ndarray, shape (B, k, k)
        Symmetric, with NaN on the diagonal.

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. Journal of the
    Academy of Marketing Science, 43(1), 115-135.
    """
    out = htmt_batch(corr, model.onehot, single_item=1.0)
    idx = np.arange(model.k)
    out[:, idx, idx] = np.nan
    return out


def htmt_table(model: PlsModel, corr: np.ndarray) -> pd.DataFrame:
    """``a, b, value``: :func:`batch_htmt` of one correlation matrix, upper triangle.

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). Journal of the Academy of Marketing
    Science, 43(1), 115-135.
    """
    h = batch_htmt(corr[None], model)[0]
    names = model.constructs
    return pd.DataFrame([(names[i], names[j], h[i, j]) for i in range(model.k)
                         for j in range(i + 1, model.k)], columns=["a", "b", "value"])


# ---------------------------------------------------------------------------------------
# Explained variance and effect sizes
# ---------------------------------------------------------------------------------------

def cohen_f2(r2_with: np.ndarray, r2_without: np.ndarray) -> np.ndarray:
    """Cohen's effect size ``f^2 = (R^2_included - R^2_excluded) / (1 - R^2_included)``.

    References
    ----------
    Cohen, J. (1988). Statistical power analysis for the behavioral sciences (2nd ed.).
    Erlbaum.
    """
    return (r2_with - r2_without) / (1.0 - r2_with)


def _without_each_path(model: PlsModel) -> np.ndarray:
    """One structural model per path, each without that path: shape (paths, k, k)."""
    adjacency = np.repeat(model.adjacency[None], len(model.paths), axis=0)
    for e, (a, b) in enumerate(model.paths):
        adjacency[e, a, b] = 0.0
    return adjacency


def f2_table(model: PlsModel, corr: np.ndarray, score_corr: np.ndarray, r2: np.ndarray,
             scheme: str, max_iter: int, tol: float) -> pd.DataFrame:
    """``from, to, f2, f2_scores``: Cohen's f^2 of every path.

    ``f2`` re-estimates the model without the path (R seminr ``fSquared``; all reduced
    models run as one batch, one structural model per element); ``f2_scores`` drops the
    predictor from the regression on the same construct scores (ADANCO 2.2.1).

    References
    ----------
    Cohen, J. (1988). Statistical power analysis for the behavioral sciences (2nd ed.).
    Erlbaum. Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). A primer on
    partial least squares structural equation modeling (PLS-SEM) (3rd ed., ch. 6). Sage.
    """
    n_paths = len(model.paths)
    adjacency = _without_each_path(model)
    outcome = np.array([b for _, b in model.paths])
    with_r2 = r2[outcome]
    rows = np.arange(n_paths)
    est = estimate_batch(np.broadcast_to(corr, (n_paths, *corr.shape)), model, scheme,
                         max_iter, tol, adjacency=adjacency)
    _, refit_r2 = batch_structural(est.score_corr, model, adjacency)
    refit = np.nan_to_num(refit_r2[rows, outcome], nan=0.0)
    refit[~est.valid] = np.nan
    _, same_r2 = batch_structural(
        np.broadcast_to(score_corr, (n_paths, *score_corr.shape)), model, adjacency)
    same = np.nan_to_num(same_r2[rows, outcome], nan=0.0)
    names = model.path_names
    return pd.DataFrame({"from": [a for a, _ in names], "to": [b for _, b in names],
                         "f2": cohen_f2(with_r2, refit), "f2_scores": cohen_f2(with_r2, same)})
