"""Internal consistency: Cronbach's alpha (+ Feldt CI), ordinal alpha, item statistics,
omega, CR/AVE."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxsurvey.stats.items.results import ReliabilityResult
from cxsurvey.stats.missing import complete_cases
from cxsurvey.stats.validity.composite import cr_ave

__all__ = ["ORDINAL_MAX_CATEGORIES", "alpha_from_cov", "cronbach_alpha", "item_total",
           "looks_ordinal", "one_factor_minres", "omega_total", "ordinal_alpha", "reliability"]


def cronbach_alpha(block: pd.DataFrame, missing: str = "listwise",
                   ci: float = 0.95) -> tuple[float, float, float, int]:
    """Cronbach's alpha with Feldt's confidence interval.

    .. math:: \\alpha = \\frac{k}{k-1}\\Bigl(1 - \\frac{\\sum_i s_i^2}{\\sum_{ij} s_{ij}}\\Bigr),
              \\quad [1 - (1-\\alpha) F_{1-a/2}, \\; 1 - (1-\\alpha) F_{a/2}]

    with :math:`F_q` the q-quantile of F(n - 1, (n - 1)(k - 1)).

    Parameters
    ----------
    block : DataFrame
        The construct's items.
    missing : {"listwise", "pairwise"}
        ``listwise``: rows complete on the items (SPSS RELIABILITY); the CI uses their
        number. ``pairwise``: pairwise-complete covariances over all rows, and the CI
        uses all rows (psych::alpha's default).
    ci : float
        Confidence level.

    Returns
    -------
    (alpha, ci_lower, ci_upper, n) : tuple

    Notes
    -----
    The same formulas as ``pingouin.cronbach_alpha`` and ``psych::alpha`` (the tests
    compare with both), computed here without pingouin's 3-decimal rounding of the
    bounds and with the listwise n in the listwise CI.

    References
    ----------
    Cronbach, L. J. (1951). Psychometrika, 16(3), 297-334. Feldt, L. S. (1965).
    Psychometrika, 30(3), 357-370. Feldt, Woodruff & Salih (1987). Applied Psychological
    Measurement, 11(1), 93-103.
    """
    from scipy import stats

    data = complete_cases(block) if missing == "listwise" else block
    n = int(data.shape[0])
    k = block.shape[1]
    nan = float("nan")
    if k < 2 or n < 3:
        return nan, nan, nan, n
    alpha = alpha_from_cov(data.cov().to_numpy())
    if not np.isfinite(alpha):
        return nan, nan, nan, n
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1.0 - ci) / 2.0
    lower = 1.0 - (1.0 - alpha) * stats.f.isf(tail, df1, df2)
    upper = 1.0 - (1.0 - alpha) * stats.f.isf(1.0 - tail, df1, df2)
    return alpha, float(lower), float(upper), n


def alpha_from_cov(cov: np.ndarray) -> float:
    """Cronbach's alpha from the items' covariance matrix.

    .. math:: \\alpha = \\frac{k}{k-1}\\Bigl(1 - \\frac{\\mathrm{tr}(C)}{\\sum_{ij} c_{ij}}\\Bigr)

    Given the items' correlation matrix it is the standardised alpha (alpha of the
    z-scored items), which PLS-SEM reports (SmartPLS, seminr, ADANCO).

    Parameters
    ----------
    cov : ndarray, shape (k, k)
        Covariance (or correlation) matrix of one construct's items.

    Returns
    -------
    float
        NaN for fewer than two items or a total variance that is not positive.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika, 16(3), 297-334.
    """
    k = cov.shape[0]
    total = cov.sum()
    if k < 2 or not np.isfinite(total) or total <= 0:
        return float("nan")
    return float(k / (k - 1) * (1.0 - np.trace(cov) / total))


def item_total(cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Corrected item-total correlations and alpha-if-item-deleted from a covariance matrix.

    The corrected item-total correlation of item i is the correlation of i with the sum
    of the other items (SPSS "Corrected Item-Total Correlation", psych ``r.drop``).

    References
    ----------
    Cronbach (1951); Revelle, W. psych::alpha (``r.drop``, ``alpha.drop``).
    """
    k = cov.shape[0]
    r_drop = np.full(k, np.nan)
    a_drop = np.full(k, np.nan)
    for i in range(k):
        keep = [j for j in range(k) if j != i]
        rest = cov[np.ix_(keep, keep)]
        var_rest = rest.sum()
        denom = np.sqrt(cov[i, i] * var_rest)
        if denom > 0:
            r_drop[i] = cov[i, keep].sum() / denom
        if k > 2:
            a_drop[i] = alpha_from_cov(rest)
    return r_drop, a_drop


def one_factor_minres(r: np.ndarray, tol: float = 1e-10,
                      max_iter: int = 5000) -> tuple[np.ndarray, bool]:
    """One-factor minimum-residual (ULS) loadings of a correlation matrix.

    Iterated principal-axis factoring from squared multiple correlations; at
    convergence the solution minimises the off-diagonal residuals, the criterion of
    psych's ``fm = "minres"``. Loadings are signed so that their sum is positive.

    Returns
    -------
    loadings, converged : ndarray, bool

    References
    ----------
    Harman, H. H., & Jones, W. H. (1966). Factor analysis by minimizing residuals
    (minres). Psychometrika, 31(3), 351-368.
    """
    k = r.shape[0]
    try:
        h2 = 1.0 - 1.0 / np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        h2 = np.full(k, 0.5)
    h2 = np.clip(h2, 0.005, 0.995)
    lam = np.zeros(k)
    converged = False
    for _ in range(max_iter):
        m = r.copy()
        np.fill_diagonal(m, h2)
        vals, vecs = np.linalg.eigh(m)
        lam = vecs[:, -1] * np.sqrt(max(vals[-1], 0.0))
        new = lam**2
        if np.max(np.abs(new - h2)) < tol:
            converged = True
            h2 = new
            break
        h2 = new
    if lam.sum() < 0:
        lam = -lam
    return lam, converged


def omega_total(r: np.ndarray, loadings: np.ndarray) -> float:
    """McDonald's omega total of a one-factor model, as ``psych::omega`` reports it.

    .. math:: \\omega_t = \\frac{\\sum R - \\sum_i u_i^2}{\\sum R}, \\quad u_i^2 = 1 - \\lambda_i^2

    ``sum R`` is the sum of all elements of the correlation matrix, the variance of the
    unit-weighted sum of standardised items. It equals
    :math:`(\\sum\\lambda)^2/\\sum R` when the one-factor residuals sum to zero.

    References
    ----------
    McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum. Revelle, W., &
    Zinbarg, R. E. (2009). Psychometrika, 74(1), 145-154 (psych::omega, ``omega.tot``).
    """
    total = float(r.sum())
    return float((total - np.sum(1.0 - loadings**2)) / total)


ORDINAL_MAX_CATEGORIES = 10
"""Most distinct answers an item may have for its ordinal alpha (polychoric correlations)."""


def looks_ordinal(block: pd.DataFrame,
                  max_categories: int = ORDINAL_MAX_CATEGORIES) -> list[str]:
    """The items of ``block`` that are not ordinal enough for polychoric correlations.

    An item counts as ordinal when every answer is a whole number and it has at most
    ``max_categories`` distinct answers (a 0-10 rating scale has 11 and is treated as
    interval; psych::polychoric stops at 8 by default, lavaan has no limit).

    Returns
    -------
    list of str
        The items that fail the test (empty when all look ordinal).
    """
    values = block.apply(pd.to_numeric, errors="coerce") if any(
        dtype.kind not in "biuf" for dtype in block.dtypes) else block
    data = values.to_numpy(dtype=float)
    bad = []
    for j, name in enumerate(block.columns):
        x = data[:, j]
        x = x[np.isfinite(x)]
        if np.any(x != np.round(x)) or np.unique(x).size > max_categories:
            bad.append(str(name))
    return bad


def ordinal_alpha(block: pd.DataFrame, missing: str = "listwise"
                  ) -> tuple[float, np.ndarray, tuple[str, ...]]:
    """Ordinal alpha: the standardised alpha of the items' polychoric correlation matrix.

    .. math:: \\alpha_{ord} = \\frac{k \\bar r}{1 + (k - 1)\\bar r}

    with :math:`\\bar r` the mean off-diagonal polychoric correlation, which is what
    ``psych::alpha(psych::polychoric(x)$rho)`` reports (``raw_alpha == std.alpha`` for a
    correlation matrix). Alpha-if-item-deleted drops the item's row and column of the same
    matrix (psych's ``alpha.drop``); the correlations are not re-estimated.

    Parameters
    ----------
    block : DataFrame
        One construct's items (integer answers; NaN = missing).
    missing : {"listwise", "pairwise"}
        ``listwise``: the rows complete on the items, as the Pearson alpha uses.
        ``pairwise``: each item's thresholds from all its answers and each correlation from
        the rows where both items are observed (psych::polychoric's default and lavaan's
        ``missing = "pairwise"``).

    Returns
    -------
    alpha, alpha_if_deleted, notes : float, ndarray of shape (k,), tuple of str
        NaN (and a note saying why, where it is not simply too few items) when fewer than
        two items, items that do not look ordinal (:func:`looks_ordinal`), an item with one
        answer only or a correlation that cannot be estimated. A non-positive-definite
        matrix is smoothed first, as psych::polychoric does.

    Notes
    -----
    The polychoric correlations are the two-step maximum-likelihood estimates of
    :func:`cxsurvey.stats.ordinal.polychoric` (lavaan's ``lavCor``). psych::polychoric
    maximises the same likelihood with ``optimize()``'s default tolerance, so its
    correlations differ from these by up to about 2e-5 and its ordinal alpha by a few
    1e-6.

    References
    ----------
    Zumbo, B. D., Gadermann, A. M., & Zeisser, C. (2007). Ordinal versions of coefficients
    alpha and theta for Likert rating scales. *Journal of Modern Applied Statistical
    Methods*, 6(1), 21-29. Gadermann, A. M., Guhn, M., & Zumbo, B. D. (2012). Estimating
    ordinal reliability for Likert-type and ordinal item response data. *Practical
    Assessment, Research & Evaluation*, 17(3). Olsson, U. (1979). Psychometrika, 44,
    443-460.
    """
    from cxsurvey.stats.ordinal import polychoric, smooth_correlation

    k = block.shape[1]
    nan = float("nan")
    drop = np.full(k, np.nan)
    if k < 2:
        return nan, drop, ()
    data = complete_cases(block) if missing == "listwise" else block
    if data.shape[0] < 3:
        return nan, drop, ()
    bad = looks_ordinal(data)
    if bad:
        return nan, drop, (f"ordinal alpha not computed: {', '.join(bad)} not integer answers "
                           f"with at most {ORDINAL_MAX_CATEGORIES} distinct values",)
    pc = polychoric(data, missing="pairwise" if missing == "pairwise" else "listwise")
    r = pc.matrix.to_numpy()
    if not np.all(np.isfinite(r)):
        return nan, drop, ("ordinal alpha not computed: a polychoric correlation is "
                           "undefined (an item with one answer only, or no common rows)",)
    notes: list[str] = []
    if pc.converged is not None and not bool(pc.converged.to_numpy().all()):
        notes.append("a polychoric correlation for ordinal alpha did not converge")
    if float(np.linalg.eigvalsh(r).min()) < np.finfo(float).eps:
        r = np.asarray(smooth_correlation(r))
        notes.append("the polychoric matrix for ordinal alpha was not positive definite "
                     "and was smoothed (psych::cor.smooth)")
    _, drop = item_total(r)
    return alpha_from_cov(r), drop, tuple(notes)


def _cov_corr(block: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Covariances and two correlation matrices, pairwise-complete when the block has gaps.

    ``cov2cor`` of the pairwise covariances is what psych::alpha standardises (each
    item's variance from all its answers); ``cor(use = "pairwise")`` (each pair's own
    means and SDs) is what psych::fa and psych::omega factor. Without gaps they agree.
    """
    cov = block.cov().to_numpy()
    sd = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr_alpha = cov / np.outer(sd, sd)
        corr_fa = block.corr().to_numpy()
    return cov, corr_alpha, corr_fa


def reliability(items: pd.DataFrame, constructs: dict[str, tuple[str, ...]],
                missing: str = "listwise", ci: float = 0.95) -> ReliabilityResult:
    """Reliability of every construct and statistics of every item.

    Parameters
    ----------
    items : DataFrame
        Item scores, reverse keys already applied.
    constructs : dict
        Construct -> items.
    missing : {"listwise", "pairwise"}
        ``listwise`` (default, SPSS RELIABILITY): each construct uses the rows complete on
        its items. ``pairwise`` (psych::alpha's default): pairwise-complete covariances.
    ci : float
        Confidence level of the alpha interval.

    Returns
    -------
    ReliabilityResult
        ``constructs``: alpha and its Feldt CI, standardised alpha, omega
        total (one-factor minres on the correlation matrix, as ``psych::omega(nfactors=1)``),
        ``rho_c``/``ave`` from those one-factor standardised loadings, ``rho_a`` null,
        ``alpha_ordinal`` (:func:`ordinal_alpha` on the same rows as alpha; NaN for items
        that do not look ordinal).
        ``items``: n, mean, sd, corrected item-total r, alpha if deleted, loading,
        ``alpha_ordinal_if_deleted`` and ``reverse_suspect`` (negative one-factor
        loading, or negative item-total r where no loading exists): probably
        reverse-coded and not declared.

    References
    ----------
    Cronbach (1951); McDonald (1999); Fornell & Larcker (1981) for rho_c and AVE;
    Zumbo, Gadermann & Zeisser (2007), Journal of Modern Applied Statistical Methods, 6(1),
    21-29, for ordinal alpha.
    """
    if missing not in ("listwise", "pairwise"):
        raise ValueError(f"missing must be 'listwise' or 'pairwise', got {missing!r}")
    crow, irow = [], []
    notes: list[str] = []
    for c, its in constructs.items():
        block = items[list(its)]
        data = complete_cases(block) if missing == "listwise" else block
        alpha, lo, hi, n = cronbach_alpha(block, missing, ci)
        k = len(its)
        rec = {"construct": c, "n_items": k, "n": n, "alpha": alpha, "alpha_ci_lower": lo,
               "alpha_ci_upper": hi, "std_alpha": np.nan, "omega": np.nan, "rho_a": np.nan,
               "rho_c": np.nan, "ave": np.nan, "alpha_ordinal": np.nan}
        lam = np.full(k, np.nan)
        r_drop = np.full(k, np.nan)
        a_drop = np.full(k, np.nan)
        if k >= 2 and n >= 3:
            cov, corr_alpha, corr = _cov_corr(data)
            r_drop, a_drop = item_total(cov)
            ok = np.all(np.isfinite(corr)) and np.all(np.diag(cov) > 0)
            if ok:
                rec["std_alpha"] = alpha_from_cov(corr_alpha)  # alpha of z-scored items
                if k >= 3:
                    lam, conv = one_factor_minres(corr)
                    rec["omega"] = omega_total(corr, lam)
                    if np.all(np.abs(lam) <= 1):
                        rec["rho_c"], rec["ave"] = cr_ave(lam)
                    if not conv:
                        notes.append(f"{c}: the one-factor model for omega did not converge")
                else:
                    notes.append(f"{c}: omega needs at least 3 items")
            else:
                notes.append(f"{c}: an item has no variance; correlations are undefined")
        rec["alpha_ordinal"], o_drop, said = ordinal_alpha(block, missing)
        notes += [f"{c}: {s}" for s in said]
        crow.append(rec)
        for j, it in enumerate(its):
            x = block[it].to_numpy(dtype=float) if missing == "pairwise" else \
                data[it].to_numpy(dtype=float)
            x = x[np.isfinite(x)]
            irow.append({"construct": c, "item": it, "n": int(x.size),
                         "mean": float(x.mean()) if x.size else np.nan,
                         "sd": float(x.std(ddof=1)) if x.size > 1 else np.nan,
                         "item_total_r": float(r_drop[j]),
                         "alpha_if_deleted": float(a_drop[j]), "loading": float(lam[j]),
                         "alpha_ordinal_if_deleted": float(o_drop[j])})
    item_table = pd.DataFrame(irow)
    if len(item_table):
        lam_neg = item_table["loading"] < 0
        r_neg = item_table["item_total_r"] < 0
        item_table["reverse_suspect"] = lam_neg | (item_table["loading"].isna() & r_neg)
    return ReliabilityResult(constructs=pd.DataFrame(crow), items=item_table,
                             missing_policy=missing, notes=tuple(notes))
