"""Categorical omega: the reliability of a sum of ordinal item scores (Green & Yang 2009).

:func:`categorical_omega` follows ``semTools::compRelSEM(fit, ord.scale = TRUE)`` for a
one-group CFA of ordinal items fitted with WLSMV (delta parameterization), and with
``ord_scale=False`` ``compRelSEM(fit, ord.scale = FALSE)``, omega on the latent-response
scale. It works on arrays (loadings, factor covariance matrix, thresholds and the
latent-response correlation matrix), not on a fitted model.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr

from cxsurvey.stats.ordinal import bvn_cdf

__all__ = ["categorical_omega"]


def _padded_thresholds(thresholds: Mapping[str, ArrayLike],
                       items: list[str]) -> NDArray[np.float64]:
    """Thresholds of ``items`` as rows of a matrix, padded with ``-inf``.

    A ``-inf`` threshold adds nothing to the sums of :func:`_category_cov` (Phi(-inf) = 0
    and Phi2(-inf, t; r) = 0), so items with different numbers of categories share one
    rectangular array.
    """
    absent = [i for i in items if i not in thresholds]
    if absent:
        raise ValueError(f"thresholds has no entry for {', '.join(absent)}")
    rows = [np.atleast_1d(np.asarray(thresholds[i], dtype=float)) for i in items]
    for item, row in zip(items, rows, strict=True):
        if row.ndim != 1 or row.size == 0:
            raise ValueError(f"thresholds of {item} must be a non-empty 1-d array")
        if not np.all(np.isfinite(row)):
            raise ValueError(f"thresholds of {item} must be finite")
        if np.any(np.diff(row) <= 0):
            raise ValueError(f"thresholds of {item} must be strictly increasing")
    width = max(r.size for r in rows)
    out = np.full((len(items), width), -np.inf)
    for n, row in enumerate(rows):
        out[n, :row.size] = row
    return out


def _category_cov(tau: NDArray[np.float64], rho: NDArray[np.float64]) -> NDArray[np.float64]:
    """Covariance matrix of the category scores implied by latent-response correlations.

    For items j, k with thresholds tau_j, tau_k (rows of ``tau``) and latent-response
    correlation ``rho[j, k]``: sum_c sum_c' Phi2(tau_jc, tau_kc'; rho_jk) -
    sum_c Phi(tau_jc) * sum_c' Phi(tau_kc'). This is the covariance of the integer scores
    0, 1, ..., C - 1, since such a score is the number of thresholds its latent response
    exceeds.
    """
    n, width = tau.shape
    h = tau[:, None, :, None]
    k = tau[None, :, None, :]
    joint = bvn_cdf(h, k, rho[:, :, None, None]).reshape(n, n, width * width).sum(axis=2)
    margins = ndtr(tau).sum(axis=1)
    result: NDArray[np.float64] = joint - np.outer(margins, margins)
    return result


def _implied_correlation(lam: pd.DataFrame, phi: pd.DataFrame,
                         residual_cov: pd.DataFrame | None) -> pd.DataFrame:
    """Model-implied latent-response correlations, delta parameterization.

    Lambda Phi Lambda' plus the residual covariances off the diagonal; the diagonal is 1
    (the residual variances are 1 minus the communalities).
    """
    items = [str(i) for i in lam.index]
    lam_m = lam.to_numpy(dtype=float)
    implied = lam_m @ phi.to_numpy(dtype=float) @ lam_m.T
    if residual_cov is not None:
        absent = [i for i in items
                  if i not in residual_cov.index or i not in residual_cov.columns]
        if absent:
            raise ValueError(f"residual_cov has no row/column for {', '.join(absent)}")
        theta = residual_cov.loc[items, items].astype(float).fillna(0.0).to_numpy()
        off = ~np.eye(len(items), dtype=bool)
        implied[off] += theta[off]
    np.fill_diagonal(implied, 1.0)
    return pd.DataFrame(implied, index=items, columns=items)


def categorical_omega(loadings: pd.DataFrame, factor_cov: pd.DataFrame,
                      thresholds: Mapping[str, ArrayLike],
                      residual_cov: pd.DataFrame | None = None, *,
                      latent_cor: pd.DataFrame | None = None,
                      ord_scale: bool = True) -> pd.Series:
    """Categorical omega per construct (Green & Yang 2009), as ``semTools::compRelSEM``.

    For construct f with items I_f (nonzero loading on f), the latent response y*_j of item
    j is cut at thresholds tau_j1 < ... < tau_j,C-1 into the observed score. With
    ``ord_scale=True`` omega is the reliability of the unit-weighted sum of the observed
    ordinal scores (Green & Yang 2009, formula 21):

    .. math::
        \\omega_f = \\frac{\\sum_{j, k \\in I_f} \\sum_{c, c'}
            [\\Phi_2(\\tau_{jc}, \\tau_{kc'}; \\lambda_{jf} \\phi_{ff} \\lambda_{kf})
             - \\Phi(\\tau_{jc}) \\Phi(\\tau_{kc'})]}
            {\\sum_{j, k \\in I_f} \\sum_{c, c'}
            [\\Phi_2(\\tau_{jc}, \\tau_{kc'}; \\rho^*_{jk})
             - \\Phi(\\tau_{jc}) \\Phi(\\tau_{kc'})]}

    The numerator is the covariance of the observed scores due to f alone (on the diagonal
    j = k the correlation is the communality :math:`\\lambda_{jf}^2 \\phi_{ff}`, not 1);
    the denominator is their total covariance, from the latent-response correlations
    :math:`\\rho^*` (1 on the diagonal, so :math:`\\Phi_2(\\tau_{jc}, \\tau_{jc'}; 1) =
    \\Phi(\\min(\\tau_{jc}, \\tau_{jc'}))`). With ``ord_scale=False`` omega is that of the
    sum of the latent responses: :math:`(\\sum_{j \\in I_f} \\lambda_{jf})^2 \\phi_{ff} /
    \\mathbf 1' R^*_{I_f} \\mathbf 1`.

    Parameters
    ----------
    loadings : DataFrame
        Loadings Lambda, items x constructs (zero or NaN where an item does not load, like
        ``lavInspect(fit, "est")$lambda``). Output order follows its columns.
    factor_cov : DataFrame
        Covariance matrix of the latent variables (``lavInspect(fit, "cov.lv")``), with a
        row and column for every column of ``loadings``.
    thresholds : mapping of str to array_like
        The finite, strictly increasing thresholds of every item that loads on a construct
        with two or more items (lavaan's ``item|t1``, ``item|t2``, ... rows). Items may have
        different numbers of categories.
    residual_cov : DataFrame, optional
        Residual covariances between items (lavaan ``y1 ~~ y2`` rows); only its
        off-diagonal entries are used, for the model-implied denominator.
    latent_cor : DataFrame, optional
        The latent-response (polychoric) correlation matrix of the denominator: the sample
        polychoric matrix lavaan fits (``lavInspect(fit, "sampstat")$cov``), which is
        what ``compRelSEM`` uses by default (``obs.var = TRUE``). When omitted, the
        model-implied matrix :math:`\\Lambda \\Phi \\Lambda'` plus ``residual_cov`` off the
        diagonal, with unit diagonal, is used (``obs.var = FALSE``; semTools'
        ``reliability()`` reports that as ``omega2``). A matrix with a non-unit diagonal is
        rescaled to a correlation matrix when ``ord_scale=True`` (as semTools does).
    ord_scale : bool
        True: reliability of the sum of the observed ordinal scores (Green & Yang);
        False: reliability of the sum of the latent responses.

    Returns
    -------
    Series
        Omega per construct (all columns of ``loadings``), named ``omega``. NaN for a
        construct with fewer than two items (semTools' ``dropSingle = TRUE``) or a
        non-positive denominator.

    Notes
    -----
    One group, delta parameterization (lavaan's default for WLSMV: latent responses with
    unit variance, so the scale factors are 1). Only the loadings on f enter the
    numerator, as in semTools; an item's cross-loadings and residual covariances enter
    the denominator only. Each construct needs (number of items)^2 x (thresholds per
    item)^2 bivariate normal probabilities, computed in one vectorised call per matrix.

    References
    ----------
    Green, S. B., & Yang, Y. (2009). Reliability of summed item scores using structural
    equation modeling: An alternative to coefficient alpha. Psychometrika, 74(1),
    155-167. Jorgensen, T. D., Pornprasertmanit, S., Schoemann, A. M., & Rosseel, Y.
    (2022). semTools: Useful tools for structural equation modeling (R package version
    0.5-6), ``compRelSEM``. Muthen, B. (1984). A general structural equation model with
    dichotomous, ordered categorical, and continuous latent variable indicators.
    Psychometrika, 49(1), 115-132.
    """
    if not isinstance(loadings, pd.DataFrame) or not isinstance(factor_cov, pd.DataFrame):
        raise TypeError("loadings and factor_cov must be DataFrames")
    lam = loadings.astype(float).fillna(0.0)
    lam.index = [str(i) for i in lam.index]
    lam.columns = [str(f) for f in lam.columns]
    if lam.shape[0] == 0 or lam.shape[1] == 0:
        raise ValueError("loadings must name at least one item and one construct")
    if not np.all(np.isfinite(lam.to_numpy())):
        raise ValueError("loadings must be finite")
    factors = list(lam.columns)
    phi_frame = factor_cov.copy()
    phi_frame.index = [str(f) for f in phi_frame.index]
    phi_frame.columns = [str(f) for f in phi_frame.columns]
    absent = [f for f in factors if f not in phi_frame.index or f not in phi_frame.columns]
    if absent:
        raise ValueError(f"factor_cov has no row/column for {', '.join(absent)}")
    phi = phi_frame.loc[factors, factors].astype(float)
    if latent_cor is None:
        total = _implied_correlation(lam, phi, residual_cov)
    else:
        total = latent_cor.astype(float)
        total.index = [str(i) for i in total.index]
        total.columns = [str(i) for i in total.columns]

    out = pd.Series(np.nan, index=factors, name="omega", dtype=float)
    for f in factors:
        col = lam[f]
        items = [str(i) for i in col.index[col.to_numpy() != 0]]
        if len(items) < 2:
            continue
        missing = [i for i in items if i not in total.index or i not in total.columns]
        if missing:
            raise ValueError(f"latent_cor has no row/column for {', '.join(missing)}")
        sigma = total.loc[items, items].to_numpy(dtype=float)
        if not np.all(np.isfinite(sigma)):
            raise ValueError(f"latent_cor has missing entries for the items of {f}")
        weights = col.loc[items].to_numpy(dtype=float)
        variance = float(phi.loc[f, f])
        common = np.outer(weights, weights) * variance
        if ord_scale:
            tau = _padded_thresholds(thresholds, items)
            sd = np.sqrt(np.diag(sigma))
            rho = sigma / np.outer(sd, sd)
            numerator = float(_category_cov(tau, common).sum())
            denominator = float(_category_cov(tau, rho).sum())
        else:
            numerator = float(common.sum())
            denominator = float(sigma.sum())
        out[f] = numerator / denominator if denominator > 0 else np.nan
    return out
