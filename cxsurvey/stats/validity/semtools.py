"""Model-based reliability (omega) and AVE from CB-SEM estimates, as semTools.

:func:`comp_rel_sem` and :func:`ave_semtools` follow ``semTools::compRelSEM`` and
``semTools::AVE`` on unstandardised loadings (Lambda), the latent covariance matrix
(Phi) and either the sample covariance matrix or the residual (co)variances (Theta,
built with :func:`theta_matrix`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeAlias

import numpy as np
import pandas as pd

__all__ = ["comp_rel_sem", "ave_semtools", "theta_matrix"]

Loadings: TypeAlias = "pd.DataFrame | Mapping[str, Mapping[str, float]]"
FactorCov: TypeAlias = "pd.DataFrame | pd.Series | Mapping[str, float]"
Theta: TypeAlias = "pd.DataFrame | pd.Series | Mapping[str, float]"


def _lambda(loadings: Loadings) -> pd.DataFrame:
    if isinstance(loadings, pd.DataFrame):
        lam = loadings.astype(float)
    else:
        cols = {str(f): pd.Series(dict(v), dtype=float) for f, v in loadings.items()}
        lam = pd.DataFrame(cols)
    lam = lam.fillna(0.0)
    if lam.shape[1] == 0 or lam.shape[0] == 0:
        raise ValueError("loadings must name at least one factor and one indicator")
    if not np.all(np.isfinite(lam.to_numpy())):
        raise ValueError("loadings must be finite")
    return lam


def _phi(factor_cov: FactorCov, factors: Iterable[str]) -> pd.DataFrame:
    factors = list(factors)
    if isinstance(factor_cov, pd.DataFrame):
        absent = [f for f in factors
                  if f not in factor_cov.index or f not in factor_cov.columns]
        if absent:
            raise ValueError(f"factor_cov has no row/column for {', '.join(absent)}")
        return factor_cov.loc[factors, factors].astype(float)
    variances = dict(factor_cov)
    absent = [f for f in factors if f not in variances]
    if absent:
        raise ValueError(f"factor_cov has no variance for {', '.join(absent)}")
    phi = pd.DataFrame(np.nan, index=factors, columns=factors)
    for f in factors:
        phi.loc[f, f] = float(variances[f])
    return phi


def _theta(theta: Theta, indicators: list[str]) -> pd.DataFrame:
    if isinstance(theta, pd.DataFrame):
        absent = [i for i in indicators if i not in theta.index or i not in theta.columns]
        if absent:
            raise ValueError(f"theta has no row/column for {', '.join(absent)}")
        sub = theta.loc[indicators, indicators].astype(float)
        if sub.isna().to_numpy().diagonal().any():
            raise ValueError("theta lacks the residual variance of an indicator")
        return sub.fillna(0.0)
    variances = dict(theta)
    absent = [i for i in indicators if i not in variances]
    if absent:
        raise ValueError(f"theta has no residual variance for {', '.join(absent)}")
    return theta_matrix({i: variances[i] for i in indicators})


def theta_matrix(variances: Mapping[str, float],
                 covariances: Iterable[tuple[str, str, float]] = ()) -> pd.DataFrame:
    """Residual covariance matrix Theta from residual variances and covariances.

    Parameters
    ----------
    variances : mapping of str to float
        Residual variance per indicator (lavaan ``x ~~ x``); defines rows/columns.
    covariances : iterable of (str, str, float)
        Residual covariances (lavaan ``y2 ~~ y4``); pairs outside ``variances`` are
        ignored.

    Returns
    -------
    DataFrame
        Symmetric, zero where no covariance is given.

    References
    ----------
    Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley (LISREL
    notation: Theta-epsilon).
    """
    names = [str(n) for n in variances]
    out = pd.DataFrame(0.0, index=names, columns=names)
    for n in names:
        out.loc[n, n] = float(variances[n])
    for a, b, value in covariances:
        if a in out.index and b in out.index:
            out.loc[a, b] = out.loc[b, a] = float(value)
    return out


def _check_cov(cov: pd.DataFrame, indicators: list[str], what: str) -> pd.DataFrame:
    absent = [i for i in indicators if i not in cov.index or i not in cov.columns]
    if absent:
        raise ValueError(f"{what} has no row/column for {', '.join(absent)}")
    return cov.loc[indicators, indicators].astype(float)


def _variance(phi: pd.DataFrame, factor: str) -> float:
    """The variance ``phi[factor, factor]`` of one factor."""
    return float(phi.loc[[factor], [factor]].to_numpy(dtype=float)[0, 0])


def _multi_indicator_factors(lam: pd.DataFrame) -> list[str]:
    return [f for f in lam.columns if int(np.count_nonzero(lam[f].to_numpy())) > 1]


def _denominator_cov(lam: pd.DataFrame, phi: pd.DataFrame, indicators: list[str],
                     observed_cov: pd.DataFrame | None, theta: Theta | None,
                     obs_var: bool) -> pd.DataFrame:
    """Observed or model-implied covariance matrix of ``indicators``."""
    if obs_var:
        if observed_cov is None:
            raise ValueError("obs_var=True needs observed_cov (the sample covariance matrix)")
        return _check_cov(observed_cov, indicators, "observed_cov")
    if theta is None:
        raise ValueError("obs_var=False needs theta (the residual variances/covariances)")
    sub = lam.loc[indicators]
    used = [f for f in sub.columns if np.any(sub[f].to_numpy() != 0)]
    phi_sub = phi.loc[used, used].to_numpy(dtype=float)
    if np.isnan(phi_sub).any():
        raise ValueError(
            "indicators of " + ", ".join(used) + " load on several factors; pass the full "
            "latent covariance matrix as factor_cov (a DataFrame), not only the variances")
    lam_sub = sub[used].to_numpy(dtype=float)
    th = _theta(theta, indicators).to_numpy(dtype=float)
    implied = lam_sub @ phi_sub @ lam_sub.T + th
    return pd.DataFrame(implied, index=indicators, columns=indicators)


def comp_rel_sem(loadings: Loadings, factor_cov: FactorCov,
                 observed_cov: pd.DataFrame | None = None, theta: Theta | None = None, *,
                 obs_var: bool = True) -> pd.Series:
    """Model-based composite reliability (omega) per factor, as ``semTools::compRelSEM``.

    With ``tau.eq = FALSE`` (congeneric), for factor f with indicators I_f (nonzero loading
    on f):

    .. math::
        \\omega_f = \\frac{(\\sum_{i \\in I_f} \\lambda_{if})^2 \\, \\phi_{ff}}
                         {\\mathbf 1' \\Sigma_{I_f} \\mathbf 1}

    where the denominator is the variance of the unit-weighted sum of the indicators:
    the sample covariance matrix (``obs_var=True``, semTools' default) or the
    model-implied :math:`\\Lambda \\Phi \\Lambda' + \\Theta` restricted to I_f
    (``obs_var=False``), so residual covariances among a factor's own indicators, and
    cross-loadings on other factors, count in it.

    Parameters
    ----------
    loadings : DataFrame or mapping
        Unstandardised loadings Lambda: a DataFrame indicators x factors (zero or NaN where
        an indicator does not load, like ``lavInspect(fit, "est")$lambda``), or a mapping
        factor -> {indicator: loading}. Factor order of the output follows it.
    factor_cov : DataFrame, Series or mapping
        Model-implied covariance matrix of the latent variables (``lavInspect(fit,
        "cov.lv")``). For an endogenous factor this is its total variance, not the
        disturbance variance: :math:`(I - B)^{-1} \\Psi (I - B)^{-T}`. A Series/mapping of
        variances suffices unless ``obs_var=False`` and indicators cross-load.
    observed_cov : DataFrame, optional
        Sample covariance matrix of the indicators, divisor N as lavaan's ``sampstat``
        (needed when ``obs_var=True``).
    theta : DataFrame, Series or mapping, optional
        Residual (co)variances of the indicators: a square DataFrame (see
        :func:`theta_matrix`) or the residual variances alone (needed when
        ``obs_var=False``).
    obs_var : bool
        True: observed denominator; False: model-implied denominator.

    Returns
    -------
    Series
        Omega per factor (all columns of ``loadings``), named ``omega``. NaN for a factor
        with fewer than two indicators (semTools drops those, ``dropSingle = TRUE``).

    Notes
    -----
    Continuous indicators, one group, one level: the case of ``compRelSEM(fit)`` with
    ``tau.eq = FALSE`` and no ``higher``/``config``/``shared`` factors. Only the loadings
    on f enter the numerator, as in semTools.

    References
    ----------
    Bentler, P. M. (2009). Alpha, dimension-free, and model-based internal consistency
    reliability. Psychometrika, 74(1), 137-143. McDonald, R. P. (1999). Test theory: A
    unified treatment. Erlbaum. Jorgensen, T. D., et al. (2022). semTools: Useful tools for
    structural equation modeling (R package version 0.5-6), ``compRelSEM``.
    """
    lam = _lambda(loadings)
    factors = [str(f) for f in lam.columns]
    phi = _phi(factor_cov, factors)
    out = pd.Series(np.nan, index=factors, name="omega", dtype=float)
    for f in _multi_indicator_factors(lam):
        col = lam[f]
        indicators = [str(i) for i in col.index[col.to_numpy() != 0]]
        total = _denominator_cov(lam, phi, indicators, observed_cov, theta, obs_var)
        common = float(col.loc[indicators].sum()) ** 2 * _variance(phi, f)
        denom = float(total.to_numpy().sum())
        out[f] = common / denom if denom > 0 else np.nan
    return out


def ave_semtools(loadings: Loadings, factor_cov: FactorCov,
                 observed_cov: pd.DataFrame | None = None, theta: Theta | None = None, *,
                 obs_var: bool = True) -> pd.Series:
    """Average variance extracted per factor, as ``semTools::AVE``.

    .. math::
        \\mathrm{AVE}_f = \\frac{\\phi_{ff} \\sum_{i \\in I_f} \\lambda_{if}^2}
                               {\\sum_{i \\in I_f} \\sigma_{ii}}

    with :math:`\\sigma_{ii}` the indicator variances: observed (sample, divisor N;
    ``obs_var=True``, semTools' default) or model-implied (diagonal of
    :math:`\\Lambda \\Phi \\Lambda' + \\Theta`; ``obs_var=False``). Residual covariances
    do not enter (only variances are summed). With standardised loadings and
    :math:`\\sigma_{ii} = 1` this is the mean squared standardised loading of
    Fornell & Larcker (1981).

    Parameters
    ----------
    loadings, factor_cov, observed_cov, theta, obs_var
        As for :func:`comp_rel_sem`.

    Returns
    -------
    Series
        AVE per factor, named ``ave``. NaN for a factor with fewer than two indicators and
        for a factor any of whose indicators also loads (|loading| >= 5e-6) on another
        factor with two or more indicators -- semTools returns NA there.

    Notes
    -----
    semTools 0.5-6 indexes the indicator names of the retained factors with row positions
    of the full loading matrix, which misaligns when some observed variable loads on no
    retained factor (for example the indicator of a dropped single-indicator factor
    listed before others); this function uses each factor's own indicators in every case.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Journal of Marketing Research, 18(1), 39-50.
    Jorgensen, T. D., et al. (2022). semTools (R package version 0.5-6), ``AVE``.
    """
    lam = _lambda(loadings)
    factors = [str(f) for f in lam.columns]
    phi = _phi(factor_cov, factors)
    kept = _multi_indicator_factors(lam)
    out = pd.Series(np.nan, index=factors, name="ave", dtype=float)
    if not kept:
        return out
    rounded = np.round(lam[kept].to_numpy(dtype=float), 5) != 0
    crossload = pd.Series(rounded.sum(axis=1) > 1, index=lam.index)
    for f in kept:
        col = lam[f]
        indicators = [str(i) for i in col.index[col.to_numpy() != 0]]
        if crossload.loc[indicators].any():
            continue
        total = _denominator_cov(lam, phi, indicators, observed_cov, theta, obs_var)
        common = float((col.loc[indicators] ** 2).sum()) * _variance(phi, f)
        denom = float(np.trace(total.to_numpy()))
        out[f] = common / denom if denom > 0 else np.nan
    return out
