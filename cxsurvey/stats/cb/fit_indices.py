"""Fit indices of a covariance structure model fitted by normal-theory maximum likelihood.

Textbook formulas, each with its reference, written to give the numbers lavaan 0.6
prints with its defaults (``estimator = "ML"``, ``likelihood = "normal"``, no mean
structure): the sample covariance matrix has divisor N, the test statistic is
``N * F_ML``, RMSEA divides by N, and SRMR is Bentler's. The inputs are matrices and
counts only, so every function can be checked against published or lavaan values
without fitting a model.

Notation: ``S`` the sample covariance matrix (divisor N), ``sigma`` the model-implied
covariance matrix, ``n`` the number of observations, ``p`` the number of observed
variables, ``npar`` the number of free parameters.

Exogenous observed covariates (lavaan's ``fixed.x = TRUE``): their variances and
covariances are fixed at the sample values, are not counted as parameters, and are
not counted as data either; pass their positions as ``fixed_x``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from cxsurvey.stats.records import FitMeasures

__all__ = [
    "scaled_shifted",
    "scaled_test_measures",
    "agfi",
    "baseline_chisq",
    "cfi",
    "chisq_test",
    "fit_measures",
    "gfi",
    "information_criteria",
    "loglik",
    "loglik_saturated",
    "ml_discrepancy",
    "n_moments",
    "nfi",
    "rmsea",
    "rmsea_ci",
    "rmsea_pvalue",
    "srmr_bentler",
    "tli",
]

_LOG_2PI = math.log(2.0 * math.pi)


def _logdet(m: np.ndarray) -> float:
    sign, value = np.linalg.slogdet(m)
    return float(value) if sign > 0 else float("nan")


def ml_discrepancy(s: np.ndarray, sigma: np.ndarray) -> float:
    """Normal-theory maximum-likelihood discrepancy between S and Sigma.

    .. math:: F_{ML} = \\log|\\Sigma| - \\log|S| + \\operatorname{tr}(S\\Sigma^{-1}) - p

    Returns NaN when either matrix is not positive definite.

    References
    ----------
    Jöreskog, K. G. (1969). A general approach to confirmatory maximum likelihood factor
    analysis. Psychometrika, 34(2), 183-202. Bollen, K. A. (1989). Structural Equations
    with Latent Variables. Wiley, eq. 4.67.
    """
    s = np.asarray(s, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    p = s.shape[0]
    ld_sigma, ld_s = _logdet(sigma), _logdet(s)
    if not (math.isfinite(ld_sigma) and math.isfinite(ld_s)):
        return float("nan")
    tr = float(np.trace(np.linalg.solve(sigma, s)))
    return ld_sigma - ld_s + tr - p


def n_moments(p: int, n_fixed_x: int = 0) -> int:
    """Number of sample moments fitted: p(p+1)/2, less those of fixed exogenous covariates.

    References
    ----------
    Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley, p. 93 (the
    t-rule). Rosseel, Y. (2012). lavaan. Journal of Statistical Software, 48(2) (fixed.x).
    """
    return p * (p + 1) // 2 - n_fixed_x * (n_fixed_x + 1) // 2


def chisq_test(s: np.ndarray, sigma: np.ndarray, n: int, df: int) -> tuple[float, float]:
    """Likelihood-ratio chi-square test of the model against the saturated model.

    .. math:: T = N \\, F_{ML}(S, \\hat\\Sigma), \\qquad p = P(\\chi^2_{df} > T)

    lavaan's default for complete data (``likelihood = "normal"``) multiplies by N, not
    N - 1.

    Returns
    -------
    (chisq, pvalue) : tuple of float
        The p value is NaN when df is 0 (lavaan prints NA).

    References
    ----------
    Jöreskog, K. G. (1969). Psychometrika, 34(2), 183-202. Bollen (1989), eq. 6.2.
    """
    from scipy import stats

    chisq = n * ml_discrepancy(s, sigma)
    pvalue = float(stats.chi2.sf(chisq, df)) if df > 0 and math.isfinite(chisq) else float("nan")
    return chisq, pvalue


def baseline_chisq(s: np.ndarray, n: int,
                   fixed_x: Sequence[int] = ()) -> tuple[float, int]:
    """Chi-square and df of the independence (baseline, null) model.

    The baseline model has free variances and zero covariances, except among fixed
    exogenous covariates, whose covariance block stays at its sample value (lavaan).
    Its ML estimate is the diagonal of S, so

    .. math:: T_0 = N\\,(\\log|\\Sigma_0| - \\log|S|), \\qquad
              df_0 = p(p+1)/2 - p \\text{ (less the fixed-x moments)}

    References
    ----------
    Bentler, P. M., & Bonett, D. G. (1980). Significance tests and goodness of fit in the
    analysis of covariance structures. Psychological Bulletin, 88(3), 588-606.
    """
    s = np.asarray(s, dtype=float)
    p = s.shape[0]
    fixed = sorted(set(int(i) for i in fixed_x))
    sigma0 = np.diag(np.diag(s))
    if fixed:
        idx = np.ix_(fixed, fixed)
        sigma0[idx] = s[idx]
    chisq0 = n * ml_discrepancy(s, sigma0)
    df0 = n_moments(p, len(fixed)) - (p - len(fixed))
    return chisq0, df0


def cfi(chisq: float, df: float, chisq0: float, df0: float) -> float:
    """Comparative fit index.

    .. math:: CFI = 1 - \\frac{\\max(T - df, 0)}{\\max(T - df, T_0 - df_0, 0)}

    1 when both terms are 0 (as lavaan).

    References
    ----------
    Bentler, P. M. (1990). Comparative fit indexes in structural models. Psychological
    Bulletin, 107(2), 238-246.
    """
    t1 = max(chisq - df, 0.0)
    t2 = max(chisq - df, chisq0 - df0, 0.0)
    if math.isclose(t1, 0.0, abs_tol=1.5e-8) and math.isclose(t2, 0.0, abs_tol=1.5e-8):
        return 1.0
    return 1.0 - t1 / t2


def tli(chisq: float, df: float, chisq0: float, df0: float) -> float:
    """Tucker-Lewis index (non-normed fit index, NNFI).

    .. math:: TLI = \\frac{T_0/df_0 - T/df}{T_0/df_0 - 1}
              = 1 - \\frac{(T - df)\\,df_0}{(T_0 - df_0)\\,df}

    1 when df is 0 (as lavaan); not truncated to [0, 1].

    References
    ----------
    Tucker, L. R., & Lewis, C. (1973). A reliability coefficient for maximum likelihood
    factor analysis. Psychometrika, 38(1), 1-10. Bentler, P. M., & Bonett, D. G. (1980).
    Psychological Bulletin, 88(3), 588-606.
    """
    t1 = (chisq - df) * df0
    t2 = (chisq0 - df0) * df
    if df > 0 and abs(t2) > 0:
        return 1.0 - t1 / t2
    if not (math.isfinite(t1) and math.isfinite(t2)):
        return float("nan")
    return 1.0


def nfi(chisq: float, chisq0: float) -> float:
    """Normed fit index, 1 - T / T_0.

    References
    ----------
    Bentler, P. M., & Bonett, D. G. (1980). Psychological Bulletin, 88(3), 588-606.
    """
    return 1.0 - chisq / chisq0 if chisq0 > 0 else float("nan")


def rmsea(chisq: float, df: float, n: float, c_hat: float = 1.0) -> float:
    """Root mean square error of approximation, with divisor N as lavaan.

    .. math:: RMSEA = \\sqrt{\\max\\Bigl(\\frac{T - df}{df \\cdot N}, 0\\Bigr)}

    0 when df is 0 (as lavaan). (semopy 2.3.11 divides by N - 1.) With a robust
    correction ``c_hat`` (a scaling factor), ``sqrt(max(T / (N df) - c_hat / N, 0))``:
    lavaan's ``*.robust`` RMSEA, T being the unscaled statistic.

    References
    ----------
    Steiger, J. H. (1990). Structural model evaluation and modification: an interval
    estimation approach. Multivariate Behavioral Research, 25(2), 173-180. Steiger, J. H.,
    & Lind, J. C. (1980). Statistically based tests for the number of common factors.
    """
    if not math.isfinite(chisq):
        return float("nan")
    if not df > 0:
        return 0.0
    return math.sqrt(max((chisq / n) / df - c_hat / n, 0.0))


def _ncx2_cdf(x: float, df: float, ncp: float) -> float:
    """CDF of the noncentral chi-square (R's ``pchisq(x, df, ncp)``)."""
    from scipy import special

    return float(special.chndtr(x, df, max(ncp, 0.0)))


def rmsea_ci(chisq: float, df: float, n: float, level: float = 0.90,
             c_hat: float = 1.0) -> tuple[float, float]:
    """Confidence interval of the RMSEA from the noncentral chi-square distribution.

    The bounds are :math:`\\sqrt{\\lambda/(N\\,df)}` where the noncentrality
    :math:`\\lambda` solves :math:`P(\\chi^2_{df}(\\lambda) \\le T) = 1 - a/2` (lower) and
    :math:`= a/2` (upper), :math:`a = 1 - \\text{level}`; a bound is 0 when no
    :math:`\\lambda \\ge 0` solves its equation. The search intervals are lavaan's
    (``lav_fit_rmsea_ci``: [0, T] and [0, max(N, 4T)]), solved to full precision. With
    ``c_hat``, the bounds are :math:`\\sqrt{c\\lambda/(N\\,df)}` for the scaled statistic
    ``T`` (lavaan's robust interval).

    References
    ----------
    Browne, M. W., & Cudeck, R. (1993). Alternative ways of assessing model fit. In
    K. A. Bollen & J. S. Long (Eds.), Testing Structural Equation Models (pp. 136-162).
    Sage. Steiger, J. H. (1990). Multivariate Behavioral Research, 25(2), 173-180.
    """
    from scipy.optimize import brentq

    if not (math.isfinite(chisq) and math.isfinite(df) and n > 0):
        return float("nan"), float("nan")
    upper_p = 1.0 - (1.0 - level) / 2.0
    lower_p = (1.0 - level) / 2.0

    def f_lower(lam: float) -> float:
        return _ncx2_cdf(chisq, df, lam) - upper_p

    def f_upper(lam: float) -> float:
        return _ncx2_cdf(chisq, df, lam) - lower_p

    if df < 1 or f_lower(0.0) < 0:
        lo = 0.0
    else:
        lam = brentq(f_lower, 0.0, chisq, xtol=1e-12, rtol=1e-12, maxiter=500)
        lo = math.sqrt(c_hat * lam / (n * df))
    top = max(float(n), 4.0 * chisq)
    if df < 1 or f_upper(top) > 0 or f_upper(0.0) < 0:
        hi = 0.0
    else:
        lam = brentq(f_upper, 0.0, top, xtol=1e-12, rtol=1e-12, maxiter=500)
        hi = math.sqrt(c_hat * lam / (n * df))
    return lo, hi


def rmsea_pvalue(chisq: float, df: float, n: float, h0: float = 0.05,
                 c_hat: float = 1.0) -> float:
    """p value of the test of close fit, H0: RMSEA <= h0.

    .. math:: p = 1 - F_{\\chi^2_{df}(\\lambda_0)}(T), \\qquad \\lambda_0 = N \\, df \\, h_0^2

    NaN when df is 0 (lavaan prints NA).

    References
    ----------
    Browne, M. W., & Cudeck, R. (1993). Alternative ways of assessing model fit. In
    Bollen & Long (Eds.), Testing Structural Equation Models (pp. 136-162). Sage.
    """
    if not df > 0 or not math.isfinite(chisq):
        return float("nan")
    return 1.0 - _ncx2_cdf(chisq, df, n * df * h0 ** 2 / c_hat)


def srmr_bentler(s: np.ndarray, sigma: np.ndarray, mean: np.ndarray | None = None,
                 mean_implied: np.ndarray | None = None) -> float:
    """Standardized root mean square residual (Bentler's; lavaan's ``srmr``).

    Residuals scaled by the sample standard deviations, averaged over the p(p+1)/2
    non-duplicated elements including the diagonal:

    .. math:: SRMR = \\sqrt{\\frac{2}{p(p+1)} \\sum_{i \\le j}
              \\Bigl(\\frac{s_{ij} - \\hat\\sigma_{ij}}{\\sqrt{s_{ii} s_{jj}}}\\Bigr)^2}

    With a mean structure (``mean`` and ``mean_implied`` given), the p standardized
    mean residuals ``(m_i - mu_i) / sqrt(s_ii)`` join the average (p(p+1)/2 + p
    elements), as lavaan does with ``meanstructure = TRUE`` (e.g. after FIML, with the
    EM moments as ``s`` and ``mean``).

    References
    ----------
    Bentler, P. M. (1995). EQS Structural Equations Program Manual. Multivariate
    Software. Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in
    covariance structure analysis. Structural Equation Modeling, 6(1), 1-55.
    """
    s = np.asarray(s, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    d = 1.0 / np.sqrt(np.diag(s))
    r = (s - sigma) * np.outer(d, d)
    iu = np.triu_indices(s.shape[0])
    sq = r[iu] ** 2
    if mean is not None and mean_implied is not None:
        sq = np.concatenate([sq, ((np.asarray(mean, dtype=float)
                                   - np.asarray(mean_implied, dtype=float)) * d) ** 2])
    return float(np.sqrt(np.mean(sq)))


def loglik(s: np.ndarray, sigma: np.ndarray, n: int,
           fixed_x: Sequence[int] = ()) -> float:
    """Normal log-likelihood of the fitted model (means at their sample values).

    .. math:: \\ell = -\\frac{N}{2}\\bigl(p \\log 2\\pi + \\log|\\hat\\Sigma|
              + \\operatorname{tr}(S\\hat\\Sigma^{-1})\\bigr)

    With fixed exogenous covariates the log-likelihood is conditional on them, as lavaan
    reports it: the saturated log-likelihood of their block is subtracted.
    (semopy 2.3.11 derives its "LogLik", AIC and BIC from the objective value instead.)

    References
    ----------
    Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley, eq. 4.65.
    """
    s = np.asarray(s, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    p = s.shape[0]
    ld = _logdet(sigma)
    tr = float(np.trace(np.linalg.solve(sigma, s)))
    return -0.5 * n * (p * _LOG_2PI + ld + tr) - _loglik_x(s, n, fixed_x)


def _loglik_x(s: np.ndarray, n: int, fixed_x: Sequence[int]) -> float:
    fixed = sorted(set(int(i) for i in fixed_x))
    if not fixed:
        return 0.0
    sxx = s[np.ix_(fixed, fixed)]
    return -0.5 * n * (len(fixed) * _LOG_2PI + _logdet(sxx) + len(fixed))


def loglik_saturated(s: np.ndarray, n: int, fixed_x: Sequence[int] = ()) -> float:
    """Normal log-likelihood of the saturated (unrestricted) model, Sigma = S.

    .. math:: \\ell_1 = -\\frac{N}{2}\\bigl(p \\log 2\\pi + \\log|S| + p\\bigr)

    Conditional on fixed exogenous covariates, as :func:`loglik`.

    References
    ----------
    Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley, eq. 4.66.
    """
    s = np.asarray(s, dtype=float)
    p = s.shape[0]
    return -0.5 * n * (p * _LOG_2PI + _logdet(s) + p) - _loglik_x(s, n, fixed_x)


def information_criteria(logl: float, npar: int, n: int) -> tuple[float, float, float]:
    """AIC, BIC and the sample-size adjusted BIC from the log-likelihood.

    .. math:: AIC = -2\\ell + 2q, \\quad BIC = -2\\ell + q \\log N, \\quad
              BIC_{adj} = -2\\ell + q \\log\\frac{N + 2}{24}

    References
    ----------
    Akaike, H. (1974). A new look at the statistical model identification. IEEE
    Transactions on Automatic Control, 19(6), 716-723. Schwarz, G. (1978). Estimating the
    dimension of a model. Annals of Statistics, 6(2), 461-464. Sclove, S. L. (1987).
    Application of model-selection criteria to some problems in multivariate analysis.
    Psychometrika, 52(3), 333-343.
    """
    aic = -2.0 * logl + 2.0 * npar
    bic = -2.0 * logl + npar * math.log(n)
    bic2 = -2.0 * logl + npar * math.log((n + 2.0) / 24.0)
    return aic, bic, bic2


def gfi(s: np.ndarray, sigma: np.ndarray, fixed_x: Sequence[int] = ()) -> float:
    """Goodness-of-fit index for ML (Jöreskog & Sörbom), as lavaan computes it.

    .. math:: GFI = 1 - \\frac{\\operatorname{tr}[(\\hat\\Sigma^{-1}(S - \\hat\\Sigma))^2]}
              {\\operatorname{tr}[(\\hat\\Sigma^{-1}S)^2]}

    i.e. 1 - e'We / s'Ws with the ML weight W = D'(Sigma^-1 x Sigma^-1)D/2 on the
    non-duplicated moments. lavaan gives the moments of fixed exogenous covariates zero
    weight; zeroing their block of S - Sigma and of S is the same. (semopy 2.3.11
    reports the NFI under this name.)

    References
    ----------
    Jöreskog, K. G., & Sörbom, D. (1984). LISREL VI User's Guide. Scientific Software.
    Tanaka, J. S., & Huba, G. J. (1985). A fit index for covariance structure models under
    arbitrary GLS estimation. British Journal of Mathematical and Statistical Psychology,
    38(2), 197-201.
    """
    s = np.asarray(s, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    resid = s - sigma
    obs = s.copy()
    fixed = sorted(set(int(i) for i in fixed_x))
    if fixed:
        idx = np.ix_(fixed, fixed)
        resid[idx] = 0.0
        obs[idx] = 0.0
    a = np.linalg.solve(sigma, resid)
    b = np.linalg.solve(sigma, obs)
    return 1.0 - float(np.trace(a @ a)) / float(np.trace(b @ b))


def agfi(gfi_value: float, df: float, p: int) -> float:
    """Adjusted goodness-of-fit index.

    .. math:: AGFI = 1 - \\frac{p(p+1)}{2\\,df}(1 - GFI)

    1 when df is 0 (as lavaan).

    References
    ----------
    Jöreskog, K. G., & Sörbom, D. (1984). LISREL VI User's Guide. Scientific Software.
    """
    if not math.isfinite(gfi_value):
        return float("nan")
    if df > 0:
        return 1.0 - (p * (p + 1) / 2.0) / df * (1.0 - gfi_value)
    return 1.0


def fit_measures(s: np.ndarray, sigma: np.ndarray, n: int, npar: int,
                 fixed_x: Sequence[int] = ()) -> FitMeasures:
    """All fit measures of an ML fit, with lavaan's names in snake_case.

    Parameters
    ----------
    s : ndarray
        Sample covariance matrix with divisor N.
    sigma : ndarray
        Model-implied covariance matrix at the ML estimate.
    n : int
        Number of observations.
    npar : int
        Number of free parameters.
    fixed_x : sequence of int
        Positions of exogenous observed covariates whose (co)variances are fixed at
        their sample values (lavaan's ``fixed.x``).

    Returns
    -------
    FitMeasures
        ``n, npar, chisq, df, pvalue, baseline_chisq, baseline_df, baseline_pvalue, cfi,
        tli, nfi, rmsea, rmsea_ci_lower, rmsea_ci_upper, rmsea_pvalue, srmr, logl,
        unrestricted_logl, aic, bic, bic2, gfi, agfi``.

    References
    ----------
    See the function for each measure; combination as in lavaan's ``fitMeasures``
    (Rosseel, Y. (2012). Journal of Statistical Software, 48(2), 1-36).
    """
    from scipy import stats

    s = np.asarray(s, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    p = s.shape[0]
    df = n_moments(p, len(set(fixed_x))) - npar
    chisq, pvalue = chisq_test(s, sigma, n, df)
    chisq0, df0 = baseline_chisq(s, n, fixed_x)
    ci_lower, ci_upper = rmsea_ci(chisq, df, n)
    logl = loglik(s, sigma, n, fixed_x)
    aic, bic, bic2 = information_criteria(logl, npar, n)
    g = gfi(s, sigma, fixed_x)
    return {
        "n": int(n),
        "npar": int(npar),
        "chisq": chisq,
        "df": int(df),
        "pvalue": pvalue,
        "baseline_chisq": chisq0,
        "baseline_df": int(df0),
        "baseline_pvalue": float(stats.chi2.sf(chisq0, df0)) if df0 > 0 else float("nan"),
        "cfi": cfi(chisq, df, chisq0, df0),
        "tli": tli(chisq, df, chisq0, df0),
        "nfi": nfi(chisq, chisq0),
        "rmsea": rmsea(chisq, df, n),
        "rmsea_ci_lower": ci_lower,
        "rmsea_ci_upper": ci_upper,
        "rmsea_pvalue": rmsea_pvalue(chisq, df, n),
        "srmr": srmr_bentler(s, sigma),
        "logl": logl,
        "unrestricted_logl": loglik_saturated(s, n, fixed_x),
        "aic": aic,
        "bic": bic,
        "bic2": bic2,
        "gfi": g,
        "agfi": agfi(g, df, p),
    }


def scaled_shifted(stat: float, df: float, tr1: float, tr2: float) -> dict[str, float]:
    """The mean- and variance-adjusted (scaled-shifted) test statistic.

    ``a = sqrt(df / tr2)``, ``b = df - a tr1``, ``T_ss = a T + b`` with ``tr1 = tr(U Gamma)``
    and ``tr2 = tr((U Gamma)^2)``; lavaan's scaling factor is ``1 / a`` and its shift
    parameter ``b``. NaN when ``df`` or ``tr2`` is not positive.

    Returns
    -------
    dict
        ``stat, df, pvalue, trace_ugamma, trace_ugamma2, scaling_factor,
        shift_parameter``.

    References
    ----------
    Asparouhov, T., & Muthén, B. (2010). Simple second order chi-square correction.
    Mplus technical appendix.
    """
    if not (df > 0 and tr2 > 0):
        nan = math.nan
        return {"stat": nan, "df": df, "pvalue": nan, "trace_ugamma": tr1,
                "trace_ugamma2": tr2, "scaling_factor": nan, "shift_parameter": nan}
    from scipy import stats

    a = math.sqrt(df / tr2)
    b = df - a * tr1
    value = a * stat + b
    return {"stat": value, "df": df, "pvalue": float(stats.chi2.sf(value, df)),
            "trace_ugamma": tr1, "trace_ugamma2": tr2, "scaling_factor": 1.0 / a,
            "shift_parameter": b}


def scaled_test_measures(chisq: float, df: float, scaled: dict[str, float],
                         baseline_chisq: float, baseline_df: float,
                         baseline_scaled: dict[str, float]) -> dict[str, float]:
    """The test statistics of a fitted and its baseline model, plain and scaled-shifted
    (:func:`scaled_shifted`), with CFI and TLI of both, in lavaan's ``fitMeasures``
    names (``chisq`` ... ``tli_scaled``): the part a single- and a multi-group WLSMV fit
    report alike.

    References
    ----------
    Bentler, P. M. (1990). Comparative fit indexes in structural models. Psychological
    Bulletin, 107(2), 238-246. Asparouhov, T., & Muthén, B. (2010). Simple second order
    chi-square correction. Mplus technical appendix.
    """
    from scipy import stats

    ss, ssb = scaled, baseline_scaled
    return {
        "chisq": chisq, "df": df,
        "pvalue": float(stats.chi2.sf(chisq, df)) if df > 0 else math.nan,
        "chisq_scaled": ss["stat"], "df_scaled": df, "pvalue_scaled": ss["pvalue"],
        "chisq_scaling_factor": ss["scaling_factor"],
        "chisq_shift_parameter": ss["shift_parameter"],
        "trace_ugamma": ss["trace_ugamma"], "trace_ugamma2": ss["trace_ugamma2"],
        "baseline_chisq": baseline_chisq, "baseline_df": baseline_df,
        "baseline_pvalue": float(stats.chi2.sf(baseline_chisq, baseline_df)),
        "baseline_chisq_scaled": ssb["stat"], "baseline_df_scaled": baseline_df,
        "baseline_pvalue_scaled": ssb["pvalue"],
        "baseline_chisq_scaling_factor": ssb["scaling_factor"],
        "baseline_chisq_shift_parameter": ssb["shift_parameter"],
        "cfi": cfi(chisq, df, baseline_chisq, baseline_df),
        "tli": tli(chisq, df, baseline_chisq, baseline_df),
        "cfi_scaled": cfi(ss["stat"], df, ssb["stat"], baseline_df),
        "tli_scaled": tli(ss["stat"], df, ssb["stat"], baseline_df),
    }
