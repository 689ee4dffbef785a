"""Discriminant and convergent validity: HTMT, Fornell-Larcker, SEM-based omega and AVE.

Everything here is a pure function of numpy/pandas inputs:

* :func:`htmt`, :func:`htmt_matrix`, :func:`htmt_from_correlation` -- heterotrait-monotrait
  ratio (HTMT, and HTMT2 with ``geometric=True``) from item correlations, as
  ``semTools::htmt(model, data, absolute = TRUE)``.
* :func:`fornell_larcker`, :func:`fornell_larcker_passed` -- the Fornell-Larcker table
  (sqrt(AVE) on the diagonal, latent correlations off it) and its criterion.
* :func:`comp_rel_sem`, :func:`ave_semtools` -- model-based reliability (omega) and AVE
  from unstandardised CB-SEM estimates, as ``semTools::compRelSEM`` and ``semTools::AVE``.
* :func:`cr_ave_table` -- rho_c and AVE per construct from standardised loadings
  (the closed-form Fornell-Larcker formulas of :mod:`cxsurvey.stats.validity.composite`).

Long-format tables (``a``, ``b``, ``value``) are what the JSON contract's ``validity``
section holds: ``{htmt: [{a, b, value}], fornell_larcker: [{a, b, value}]}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from cxsurvey.stats.validity.composite import cr_ave

__all__ = [
    "htmt",
    "htmt_matrix",
    "htmt_from_correlation",
    "item_correlation",
    "fornell_larcker",
    "fornell_larcker_passed",
    "comp_rel_sem",
    "ave_semtools",
    "theta_matrix",
    "cr_ave_table",
]

Constructs = Mapping[str, Sequence[str]]
Loadings = pd.DataFrame | Mapping[str, Mapping[str, float]]
FactorCov = pd.DataFrame | pd.Series | Mapping[str, float]
Theta = pd.DataFrame | pd.Series | Mapping[str, float]


# ---------------------------------------------------------------------------------------
# HTMT
# ---------------------------------------------------------------------------------------

def _construct_items(constructs: Constructs) -> dict[str, list[str]]:
    blocks: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    if not constructs:
        raise ValueError("constructs must name at least one construct")
    for name, items in constructs.items():
        if isinstance(items, str):
            raise ValueError(f"the items of construct '{name}' must be a sequence of names, "
                             f"not the string {items!r}")
        block = list(items)
        if not block:
            raise ValueError(f"construct '{name}' has no items")
        for item in block:
            if item in seen:
                raise ValueError(f"item '{item}' is listed under both '{seen[item]}' and "
                                 f"'{name}'; HTMT needs disjoint item blocks")
            seen[item] = name
        blocks[str(name)] = block
    return blocks


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


def _block_mean(values: np.ndarray, geometric: bool) -> float:
    values = values[~np.isnan(values)]
    if values.size == 0:
        return float("nan")
    if geometric:
        with np.errstate(divide="ignore"):
            return float(np.exp(np.mean(np.log(values))))
    return float(np.mean(values))


def htmt_from_correlation(corr: pd.DataFrame, constructs: Constructs, *,
                          geometric: bool = False) -> pd.DataFrame:
    """HTMT matrix from an item correlation matrix.

    .. math::
        \\mathrm{HTMT}_{ab} = \\frac{\\bar r_{ab}}{\\sqrt{\\bar r_{aa}\\,\\bar r_{bb}}}

    with :math:`\\bar r_{ab}` the mean of the absolute heterotrait correlations between the
    items of a and b, and :math:`\\bar r_{aa}` the mean of the absolute monotrait
    correlations among the distinct items of a. ``geometric=True`` uses geometric means
    instead of arithmetic ones (HTMT2).

    Parameters
    ----------
    corr : DataFrame
        Square item correlation matrix labelled by item names (a covariance matrix is not
        rescaled: pass correlations).
    constructs : mapping of str to sequence of str
        Construct name -> its items, in the order the output should follow. Item blocks
        must be disjoint.
    geometric : bool
        False: original HTMT (``semTools::htmt(..., htmt2 = FALSE)``); True: HTMT2
        (``htmt2 = TRUE``, the semTools 0.5-6 default).

    Returns
    -------
    DataFrame
        Square, symmetric, indexed and labelled by construct; the diagonal is 1. A
        construct with a single item has no monotrait correlation, so its row and column
        are NaN (semTools gives NaN too).

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. Journal of the
    Academy of Marketing Science, 43(1), 115-135. Roemer, E., Schuberth, F., & Henseler, J.
    (2021). HTMT2 - an improved criterion for assessing discriminant validity in structural
    equation modeling. Industrial Management & Data Systems, 121(12), 2637-2650.
    """
    blocks = _construct_items(constructs)
    names = list(blocks)
    all_items = [item for block in blocks.values() for item in block]
    absent = [item for item in all_items if item not in corr.index or item not in corr.columns]
    if absent:
        raise ValueError(f"the correlation matrix has no row/column for {', '.join(absent)}")
    r = np.abs(corr.loc[all_items, all_items].to_numpy(dtype=float))
    np.fill_diagonal(r, np.nan)
    pos: dict[str, np.ndarray] = {}
    start = 0
    for name in names:
        pos[name] = np.arange(start, start + len(blocks[name]))
        start += len(blocks[name])
    mono = {name: _block_mean(r[np.ix_(pos[name], pos[name])].ravel(), geometric)
            for name in names}
    out = np.full((len(names), len(names)), np.nan)
    for i, a in enumerate(names):
        if np.isfinite(mono[a]) and mono[a] > 0:
            out[i, i] = 1.0
        for j in range(i + 1, len(names)):
            b = names[j]
            hetero = _block_mean(r[np.ix_(pos[a], pos[b])].ravel(), geometric)
            with np.errstate(divide="ignore", invalid="ignore"):
                value = hetero / np.sqrt(mono[a] * mono[b])
            out[i, j] = out[j, i] = value if np.isfinite(value) else np.nan
    return pd.DataFrame(out, index=names, columns=names)


def htmt_matrix(items: pd.DataFrame, constructs: Constructs, *, geometric: bool = False,
                missing: str = "listwise") -> pd.DataFrame:
    """Square HTMT matrix from raw item scores.

    Parameters
    ----------
    items : DataFrame
        Item scores; columns not named in ``constructs`` are ignored.
    constructs : mapping of str to sequence of str
        Construct name -> its items (disjoint blocks), in output order.
    geometric : bool
        True for HTMT2 (geometric means).
    missing : {"listwise", "pairwise"}
        How incomplete rows enter the correlations (see :func:`item_correlation`);
        listwise uses the rows complete on every item of every construct.

    Returns
    -------
    DataFrame
        See :func:`htmt_from_correlation`.

    References
    ----------
    Henseler, Ringle & Sarstedt (2015), Journal of the Academy of Marketing Science, 43(1),
    115-135; Roemer, Schuberth & Henseler (2021), Industrial Management & Data Systems,
    121(12), 2637-2650.
    """
    blocks = _construct_items(constructs)
    all_items = [item for block in blocks.values() for item in block]
    absent = [item for item in all_items if item not in items.columns]
    if absent:
        raise ValueError(f"the data have no column {', '.join(absent)}")
    corr = item_correlation(items[all_items], missing=missing)
    return htmt_from_correlation(corr, blocks, geometric=geometric)


def _pairs_long(matrix: pd.DataFrame) -> pd.DataFrame:
    names = list(matrix.index)
    rows = [(a, b, float(matrix.iloc[i, j]))
            for i, a in enumerate(names) for j, b in enumerate(names) if j > i]
    return pd.DataFrame(rows, columns=["a", "b", "value"])


def htmt(items: pd.DataFrame, constructs: dict[str, tuple[str, ...]], *,
         geometric: bool = False, missing: str = "listwise") -> pd.DataFrame:
    """Heterotrait-monotrait ratio of correlations, one row per pair of constructs.

    Same computation as ``semTools::htmt(model, data, missing, absolute = TRUE,
    htmt2 = geometric)``: Pearson correlations of the items (listwise by default), absolute
    values, arithmetic (HTMT) or geometric (HTMT2) means.

    Parameters
    ----------
    items : DataFrame
        Item scores; columns not named in ``constructs`` are ignored.
    constructs : dict of str to tuple of str
        Construct name -> its items (disjoint blocks), in output order.
    geometric : bool
        False: HTMT (Henseler et al., 2015); True: HTMT2 (Roemer et al., 2021).
    missing : {"listwise", "pairwise"}
        See :func:`item_correlation`.

    Returns
    -------
    DataFrame
        Columns ``a``, ``b``, ``value``: one row per unordered pair, ``a`` before ``b`` in
        the order of ``constructs`` (row-major upper triangle). ``value`` is NaN when a
        construct has a single item or a correlation is undefined.

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). Journal of the Academy of Marketing
    Science, 43(1), 115-135. Roemer, E., Schuberth, F., & Henseler, J. (2021). Industrial
    Management & Data Systems, 121(12), 2637-2650.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.standard_normal((200, 2))
    >>> x = np.repeat(f, 2, axis=1) + rng.standard_normal((200, 4))
    >>> df = pd.DataFrame(x, columns=["A1", "A2", "B1", "B2"])
    >>> htmt(df, {"A": ("A1", "A2"), "B": ("B1", "B2")}).columns.tolist()
    ['a', 'b', 'value']
    """
    return _pairs_long(htmt_matrix(items, constructs, geometric=geometric, missing=missing))


# ---------------------------------------------------------------------------------------
# Fornell-Larcker
# ---------------------------------------------------------------------------------------

def _fl_inputs(ave: Mapping[str, float], latent_corr: pd.DataFrame,
               ) -> tuple[list[str], np.ndarray, np.ndarray]:
    names = [str(name) for name in ave]
    if not names:
        raise ValueError("ave must name at least one construct")
    absent = [n for n in names if n not in latent_corr.index or n not in latent_corr.columns]
    if absent:
        raise ValueError(f"latent_corr has no row/column for {', '.join(absent)}")
    corr = latent_corr.loc[names, names].to_numpy(dtype=float)
    diag = np.diag(corr)
    if np.any(np.isfinite(diag) & (np.abs(diag - 1.0) > 1e-6)):
        raise ValueError("latent_corr must be a correlation matrix (unit diagonal); "
                         "standardise the latent covariance matrix first")
    values = np.array([float(ave[n]) for n in names])
    with np.errstate(invalid="ignore"):
        root = np.where(values >= 0, np.sqrt(np.abs(values)), np.nan)
    return names, root, corr


def fornell_larcker(ave: Mapping[str, float], latent_corr: pd.DataFrame) -> pd.DataFrame:
    """Fornell-Larcker table in long format.

    Layout: for each construct ``a`` in the order of ``ave``, first the diagonal row
    ``(a, a, sqrt(AVE_a))``, then one row ``(a, b, corr(a, b))`` for every construct ``b``
    that follows ``a`` -- the upper triangle of the usual square table, row by row. Each
    unordered pair appears once, ``a`` before ``b`` as in :func:`htmt`.

    Parameters
    ----------
    ave : mapping of str to float
        Average variance extracted per construct (from :func:`ave_semtools`,
        :func:`cr_ave_table` or PLS); defines which constructs appear and their order.
    latent_corr : DataFrame
        Latent correlation matrix (CB-SEM model-implied ``std.all`` correlations, or PLS
        construct-score correlations) labelled by construct; may hold more constructs.

    Returns
    -------
    DataFrame
        Columns ``a``, ``b``, ``value``. A negative AVE gives a NaN diagonal value.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
    unobservable variables and measurement error. Journal of Marketing Research, 18(1),
    39-50.
    """
    names, root, corr = _fl_inputs(ave, latent_corr)
    rows: list[tuple[str, str, float]] = []
    for i, a in enumerate(names):
        rows.append((a, a, float(root[i])))
        rows.extend((a, names[j], float(corr[i, j])) for j in range(i + 1, len(names)))
    return pd.DataFrame(rows, columns=["a", "b", "value"])


def fornell_larcker_passed(ave: Mapping[str, float], latent_corr: pd.DataFrame) -> pd.Series:
    """Whether each construct meets the Fornell-Larcker criterion.

    A construct passes when sqrt(AVE) is strictly larger than the absolute value of its
    correlation with every other construct in ``ave``. A construct alone passes; a NaN
    AVE or correlation makes it fail (the criterion cannot be shown to hold).

    Parameters
    ----------
    ave : mapping of str to float
        AVE per construct (order and selection of the output).
    latent_corr : DataFrame
        Latent correlation matrix labelled by construct.

    Returns
    -------
    Series of bool
        Indexed by construct, named ``fornell_larcker``.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Journal of Marketing Research, 18(1), 39-50.
    """
    names, root, corr = _fl_inputs(ave, latent_corr)
    passed = []
    for i in range(len(names)):
        others = np.abs(np.delete(corr[i], i))
        ok = bool(np.isfinite(root[i]) and np.all(np.isfinite(others))
                  and np.all(root[i] > others))
        passed.append(ok)
    return pd.Series(passed, index=names, name="fornell_larcker", dtype=bool)


# ---------------------------------------------------------------------------------------
# SEM-based omega and AVE (semTools)
# ---------------------------------------------------------------------------------------

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
        common = float(col.loc[indicators].sum()) ** 2 * float(phi.loc[f, f])
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
        common = float((col.loc[indicators] ** 2).sum()) * float(phi.loc[f, f])
        denom = float(np.trace(total.to_numpy()))
        out[f] = common / denom if denom > 0 else np.nan
    return out


def cr_ave_table(std_loadings: Mapping[str, Iterable[float]]) -> pd.DataFrame:
    """Composite reliability (rho_c) and AVE per construct from standardised loadings.

    Applies :func:`cxsurvey.stats.validity.composite.cr_ave` (Fornell & Larcker's closed forms,
    residual covariances ignored) to each construct.

    Parameters
    ----------
    std_loadings : mapping of str to sequence of float
        Construct -> standardised loadings of its indicators (CFA ``std.all`` or PLS outer
        loadings).

    Returns
    -------
    DataFrame
        Indexed by construct, columns ``rho_c`` and ``ave``.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Journal of Marketing Research, 18(1), 39-50.
    """
    rows = {str(name): cr_ave(values) for name, values in std_loadings.items()}
    return pd.DataFrame.from_dict(rows, orient="index", columns=["rho_c", "ave"])
