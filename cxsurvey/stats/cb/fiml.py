"""Full-information maximum likelihood for incomplete data (lavaan ``missing = "ml"``).

:func:`fiml_fit` takes a :class:`~cxsurvey.stats.cb.ml_fit.CbFit` of a model (its
parameter table gives the structure and the start values) and re-estimates it on every
row with at least one answer on the model's variables, by maximising the observed-data
likelihood (:mod:`cxsurvey.stats.cb.missing_h1`) with a mean structure: one free
intercept per observed variable, latent means fixed at zero (lavaan's defaults with
``missing = "ml"``). Everything lavaan reports for such a fit follows:

- **ML** (lavaan ``estimator = "ML", missing = "ml"``): standard errors from the observed
  information (the Hessian of the log-likelihood, lavaan's default with missing data);
  the likelihood-ratio test against the unrestricted model estimated by EM; the
  independence baseline (free means and variances); CFI, TLI, RMSEA with its CI, SRMR
  (against the EM moments), log-likelihoods, AIC and BIC; and the FIML-corrected robust
  CFI, TLI and RMSEA of Zhang & Savalei (2022, version "V6").
- **MLR** (lavaan ``estimator = "MLR", missing = "ml"``): Huber-White standard errors
  ``H^-1 B0 H^-1 / N`` (casewise scores of the incomplete rows), the Yuan-Bentler
  scaled statistic in Mplus' form (unrestricted information at the EM estimates),
  scaled CFI, TLI and RMSEA, and the robust ones of Zhang & Savalei (version "V3").

Not handled: exogenous observed covariates (lavaan's fixed.x), MLM (which needs complete
data, as in lavaan), multiple groups.

References
----------
Arbuckle, J. L. (1996). Full information estimation in the presence of incomplete data.
In G. A. Marcoulides & R. E. Schumacker (Eds.), Advanced Structural Equation Modeling
(pp. 243-277). Erlbaum. Enders, C. K., & Bandalos, D. L. (2001). The relative
performance of full information maximum likelihood estimation for missing data in
structural equation models. Structural Equation Modeling, 8(3), 430-457. Yuan, K.-H., &
Bentler, P. M. (2000). Sociological Methodology, 30, 165-200. Savalei, V. (2010).
Psychological Methods, 15(4), 352-367. Zhang, X., & Savalei, V. (2022). New computations
for RMSEA and CFI following FIML and TS estimation with missing data. Psychological
Methods (advance online). Rosseel, Y. (2012). Journal of Statistical Software, 48(2).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxsurvey.model.spec import ModelSpec
from cxsurvey.stats.cb import fit_indices, missing_h1, moments
from cxsurvey.stats.cb.missing_h1 import MissingPatterns
from cxsurvey.stats.cb.ml_fit import CbFit, model_columns
from cxsurvey.stats.records import FitMeasures

__all__ = ["FimlResult", "fiml_fit", "fiml_modification_indices", "fit_fiml",
           "tilde_data"]

_Z975 = 1.959963984540054


@dataclass(frozen=True)
class FimlResult:
    """A FIML fit: the CB fit in lavaan's vocabulary and what only FIML has.

    Attributes
    ----------
    fit : CbFit
        Estimates, standard errors (observed information for ML, Huber-White for MLR),
        ``std_all``, R², fit measures (with the scaled and robust keys for MLR, the
        robust ones for ML), ``n`` = rows with at least one answer, ``sample_cov`` = the
        EM covariance matrix, ``vcov`` = covariance of the free parameters.
    intercepts : DataFrame
        ``item, est, se, z, pvalue, ci_lower, ci_upper`` (lavaan's ``~1`` rows).
    h1_mean : ndarray
        EM mean vector (``fit.observed`` order).
    n_patterns : int
        Missing-data patterns among the rows used.
    iterations : int
        Optimiser iterations.
    """

    fit: CbFit
    intercepts: pd.DataFrame
    h1_mean: np.ndarray
    n_patterns: int
    iterations: int


def tilde_data(pat: MissingPatterns, mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Complete pseudo-data with mean ``mu`` and covariance ``sigma`` (divisor N), one row
    per row used.

    The rows are the data with each missing answer replaced by its conditional mean
    (regression on the answered variables), then whitened and re-coloured so that
    their moments are the EM ones exactly. A complete-data ML fit of them is the fit to
    the EM moments, which starts the FIML optimisation close to its optimum.
    """
    y = pat.y.copy()
    for g in range(pat.n_patterns):
        m = pat.masks[g]
        if m.all():
            continue
        rows = pat.index == g
        o, x = m, ~m
        coef = np.linalg.solve(sigma[np.ix_(o, o)], sigma[np.ix_(o, x)]).T
        y[np.ix_(rows, x)] = mu[x] + (y[np.ix_(rows, o)] - mu[o]) @ coef.T
    d = y - y.mean(axis=0)
    cov = d.T @ d / y.shape[0]
    try:
        white = np.linalg.solve(np.linalg.cholesky(cov), d.T).T
    except np.linalg.LinAlgError:
        return y
    return np.asarray(white @ np.linalg.cholesky(sigma).T + mu)


@dataclass(frozen=True)
class _MeanModel:
    """A RAM model with one intercept per observed variable appended to theta."""

    ram: moments.RamModel

    @property
    def p(self) -> int:
        return len(self.ram.observed)

    @property
    def q(self) -> int:
        return self.ram.npar

    def moments(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        theta, nu = x[:self.q], x[self.q:]
        a, s = self.ram.matrices(theta)
        b = np.linalg.inv(np.eye(a.shape[0]) - a)
        p = self.p
        sigma = (b[:p] @ s @ b[:p].T)
        return b[:p, :p] @ nu, 0.5 * (sigma + sigma.T)

    def pullback(self, x: np.ndarray, g_mu: np.ndarray, g_s: np.ndarray) -> np.ndarray:
        """``Delta(x)' g``: the gradient with respect to ``x`` of ``g_mu' mu(x) +
        sum_ab g_s[a, b] Sigma(x)[a, b]`` (``g_s`` symmetric), without forming Delta.

        With ``B = (I - A)^-1``, ``G`` = ``g_s`` padded to the RAM variables:
        ``d/d theta_k = 2 tr(A_k B S B' G B) + tr(S_k B' G B) + g' B A_k B m``.
        """
        theta, nu = x[:self.q], x[self.q:]
        a, s = self.ram.matrices(theta)
        size = a.shape[0]
        b = np.linalg.inv(np.eye(size) - a)
        p = self.p
        big = np.zeros((size, size))
        big[:p, :p] = g_s
        gb = big @ b
        y = b @ s @ b.T @ gb  # B S B' G B
        pm = b.T @ gb  # B' G B
        m = np.zeros(size)
        m[:p] = nu
        gm = np.zeros(size)
        gm[:p] = g_mu
        btg = b.T @ gm
        bm = b @ m
        g_theta = (2.0 * np.einsum("kij,ji->k", self.ram.a_k, y)
                   + np.einsum("kij,ji->k", self.ram.s_k, pm)
                   + np.einsum("kij,i,j->k", self.ram.a_k, btg, bm))
        return np.concatenate([g_theta, btg[:p]])

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        """``d (mu, vech(Sigma)) / d (theta, nu)'``, shape (p + p*, q + p)."""
        theta, nu = x[:self.q], x[self.q:]
        a, _ = self.ram.matrices(theta)
        b = np.linalg.inv(np.eye(a.shape[0]) - a)
        p = self.p
        m = np.zeros(a.shape[0])
        m[:p] = nu
        bm = b @ m
        dmu_theta = (b[:p] @ self.ram.a_k @ bm).T if self.q else np.zeros((p, 0))
        top = np.hstack([dmu_theta, b[:p, :p]])
        dsig = moments.jacobian(self.ram, theta)
        bottom = np.hstack([dsig, np.zeros((dsig.shape[0], p))])
        return np.vstack([top, bottom])


def _objective(model: _MeanModel, pat: MissingPatterns):
    """``-ell / N`` and its gradient as functions of ``(theta, nu)``."""
    n = pat.n

    def value_and_gradient(x: np.ndarray) -> tuple[float, np.ndarray]:
        mu, sigma = model.moments(x)
        ll, g_mu, g_s = missing_h1.loglik_gradient(pat, mu, sigma)
        if not math.isfinite(ll):
            return 1e10, np.zeros_like(x)
        return -ll / n, -model.pullback(x, g_mu, g_s) / n

    return value_and_gradient


def _richardson(fun, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Jacobian of a vector function by Richardson-extrapolated central differences
    (the scheme of lavaan's ``lav_model_hessian``)."""
    k = x.size
    cols = []
    for j in range(k):
        e = np.zeros(k)
        e[j] = h
        cols.append((fun(x - 2 * e) - 8 * fun(x - e) + 8 * fun(x + e) - fun(x + 2 * e))
                    / (12 * h))
    return np.column_stack(cols) if cols else np.zeros((0, 0))


def observed_information(model: _MeanModel, pat: MissingPatterns, x: np.ndarray
                         ) -> np.ndarray:
    """Unit observed information of the structured model, ``-(1/N) d^2 ell / dx dx'``.

    By the chain rule, ``Delta' A1 Delta - sum_j g_j d^2 m_j / dx dx'``: ``A1`` the
    unrestricted observed information at the model-implied moments (analytic), ``g``
    the unit gradient in the moments ``m = (mu, vech(Sigma))``; the second derivatives
    of the moments are differentiated numerically from the analytic Jacobian (no
    likelihood evaluations involved).

    References
    ----------
    Magnus & Neudecker (1999), ch. 10 (chain rule for Hessians). Savalei (2010),
    Psychological Methods 15(4) (observed information with incomplete data).
    """
    mu, sigma = model.moments(x)
    delta = model.jacobian(x)
    a1 = missing_h1.h1_observed_information(pat, mu, sigma)
    _, g_mu, g_s = missing_h1.loglik_gradient(pat, mu, sigma)
    g_mu, g_s = g_mu / pat.n, g_s / pat.n
    second = _richardson(lambda z: model.pullback(z, g_mu, g_s), x)
    out = delta.T @ a1 @ delta - second
    return np.asarray(0.5 * (out + out.T))


def _maximise(model: _MeanModel, pat: MissingPatterns, x0: np.ndarray, max_iter: int,
              optimise: bool = True) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """The FIML estimate: quasi-Newton from ``x0``, then Newton steps on the observed
    information (computed once: the steps are of the order of the optimiser's
    tolerance) until the gradient vanishes. Returns (x, unit observed information,
    iterations, converged). ``optimise=False`` evaluates at ``x0``."""
    from scipy import optimize

    fg = _objective(model, pat)
    x = np.asarray(x0, dtype=float)
    if not optimise:
        return x, observed_information(model, pat, x), 0, True
    res = optimize.minimize(fg, x, jac=True, method="L-BFGS-B",
                            options={"maxiter": max_iter, "ftol": 1e-16, "gtol": 1e-11,
                                     "maxcor": 30})
    x = np.asarray(res.x, dtype=float)
    iterations = int(res.nit)
    converged = False
    hess = observed_information(model, pat, x)
    for _ in range(10):
        f0, g = fg(x)
        if np.max(np.abs(g)) < 1e-10:
            converged = True
            break
        try:
            step = np.linalg.solve(hess, g)
        except np.linalg.LinAlgError:
            break
        t = 1.0
        while t > 1e-4 and fg(x - t * step)[0] > f0 + 1e-14 * max(1.0, abs(f0)):
            t *= 0.5
        x = x - t * step
        iterations += 1
    else:
        converged = bool(np.max(np.abs(fg(x)[1])) < 1e-8)
    return x, hess, iterations, converged


def _inv(m: np.ndarray) -> np.ndarray:
    return np.asarray(np.linalg.inv(m)) if m.size else np.zeros((0, 0))


def _baseline(pat: MissingPatterns) -> tuple[np.ndarray, np.ndarray, float]:
    """Independence model by FIML: each variable's available-case mean and variance
    (the likelihood factorises over variables). Returns (mu, variances, logl)."""
    y = pat.y
    mu = np.nanmean(y, axis=0)
    var = np.nanmean((y - mu) ** 2, axis=0)
    ll = missing_h1.loglik(pat, mu, np.diag(var))
    return mu, var, ll


def _complete_discrepancy(mu: np.ndarray, sigma: np.ndarray, mu_t: np.ndarray,
                          sigma_t: np.ndarray) -> float:
    """Complete-data ML discrepancy of (mu, sigma) from the moments (mu_t, sigma_t)."""
    inv = np.linalg.inv(sigma)
    d = mu_t - mu
    p = sigma.shape[0]
    return float(np.linalg.slogdet(sigma)[1] + np.sum(inv * sigma_t)
                 - np.linalg.slogdet(sigma_t)[1] - p + d @ inv @ d)


def _complete_h1_information(mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Unit information of the saturated model of complete data at its estimate,
    ``blockdiag(Sigma^-1, W)``."""
    p = sigma.shape[0]
    w = moments.normal_weight(sigma)
    out = np.zeros((p + w.shape[0], p + w.shape[0]))
    out[:p, :p] = np.linalg.inv(sigma)
    out[p:, p:] = w
    return out


def _zhang_savalei_trace(delta: np.ndarray, wm: np.ndarray, wm_inv: np.ndarray,
                         wc: np.ndarray, gamma: np.ndarray | None) -> float:
    """``k`` of the FIML-corrected statistic: version V3 (with ``gamma``) or V6.

    ``U = Wm - Wm Delta (Delta' Wm Delta)^-1 Delta' Wm``; V3: ``tr(U Wm^-1 Wc Wm^-1 U
    Gamma)`` with ``Gamma = Wm^-1 Jm Wm^-1``; V6: ``tr(Wc Wm^-1 U Wm^-1)``.

    References
    ----------
    Zhang, X., & Savalei, V. (2022). Psychological Methods (FIML-C).
    """
    wd = wm @ delta
    u = wm - wd @ _inv(delta.T @ wd) @ wd.T
    core = wm_inv @ wc @ wm_inv
    if gamma is None:
        return float(np.sum(core * u.T))
    return float(np.trace(u @ core @ u @ gamma))


def _robust_block(test_chisq: float, df: int, trace: float, n: int,
                  base_chisq: float, df0: int, trace0: float) -> dict[str, float]:
    """Scaled or robust indices from a statistic, its trace and the baseline's."""
    from cxsurvey.stats.cb.robust import RobustTest, scaled_indices

    def make(chisq: float, d: int, tr: float) -> RobustTest:
        c = tr / d if d > 0 else float("nan")
        if not c > 0:
            c = float("nan")
        return RobustTest(chisq=chisq, df=d, chisq_scaled=chisq / c, scaling_factor=c,
                          pvalue_scaled=float("nan"), trace=tr, test="")

    return scaled_indices(make(test_chisq, df, trace), make(base_chisq, df0, trace0), n)


def _std_all(params: pd.DataFrame, ram: moments.RamModel, theta: np.ndarray
             ) -> tuple[np.ndarray, dict[str, float], dict[str, float], np.ndarray]:
    a, s = ram.matrices(theta)
    b = np.linalg.inv(np.eye(a.shape[0]) - a)
    full = b @ s @ b.T
    total = {v: float(full[i, i]) for i, v in enumerate(ram.variables)}
    resid = {v: float(s[i, i]) for i, v in enumerate(ram.variables)}
    out = np.full(len(params), np.nan)
    for k, (lhs, op, rhs, est) in enumerate(
            params[["lhs", "op", "rhs", "est"]].itertuples(index=False, name=None)):
        with np.errstate(invalid="ignore", divide="ignore"):
            if op == "=~":
                if total[lhs] >= 0 and total[rhs] > 0:
                    out[k] = est * math.sqrt(total[lhs] / total[rhs])
            elif op == "~":
                if total[rhs] >= 0 and total[lhs] > 0:
                    out[k] = est * math.sqrt(total[rhs] / total[lhs])
            elif lhs == rhs:
                out[k] = est / total[lhs] if total[lhs] != 0 else np.nan
            else:
                prod = resid[lhs] * resid[rhs]
                out[k] = est / math.sqrt(prod) if prod > 0 else np.nan
    return out, total, resid, full


def _wald(est: np.ndarray, se: np.ndarray) -> dict[str, np.ndarray]:
    from scipy import special

    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(se > 0, est / se, np.nan)
    return {"se": se, "z": z,
            "pvalue": np.where(np.isfinite(z), 2.0 * special.ndtr(-np.abs(z)), np.nan),
            "ci_lower": est - _Z975 * se, "ci_upper": est + _Z975 * se}


def _exogenous_observed(fit: CbFit) -> list[str]:
    params = fit.params
    endogenous = set(params.loc[params["op"] == "=~", "rhs"]) | \
        set(params.loc[params["op"] == "~", "lhs"])
    return [v for v in fit.observed if v not in endogenous]


def fiml_fit(fit: CbFit, data: pd.DataFrame, estimator: str = "ML",
             max_iter: int = 10_000, *, intercepts: np.ndarray | None = None,
             optimise: bool = True,
             h1: tuple[MissingPatterns, np.ndarray, np.ndarray] | None = None
             ) -> FimlResult:
    """Re-estimate a CB model by full-information ML on every row with an answer.

    Parameters
    ----------
    fit : CbFit
        A fit of the model (any data): its parameter table gives the free and fixed
        parameters, labels and start values; its R² rows the variables to report.
    data : DataFrame
        The survey data with missing answers as NaN; the model's columns are used.
    estimator : {"ML", "MLR"} (case-insensitive)
    max_iter : int
        Quasi-Newton iteration limit.
    intercepts : ndarray, optional
        Start values of the intercepts (``fit.observed`` order; default: the EM means).
    optimise : bool
        False evaluates everything at the start values (``fit``'s estimates and
        ``intercepts``) instead of maximising the likelihood.
    h1 : (MissingPatterns, mean, covariance), optional
        The patterns of ``data``'s model columns and their EM estimates, when already
        computed.

    Returns
    -------
    FimlResult

    Raises
    ------
    ValueError
        MLM (complete data only, as lavaan), a model with exogenous observed covariates
        (fixed.x), or no row with an answer.

    References
    ----------
    Arbuckle (1996); Yuan & Bentler (2000); Savalei (2010); Zhang & Savalei (2022);
    Rosseel (2012), JSS 48(2). See the module docstring.
    """
    est = str(estimator).upper()
    if est == "MLM":
        raise ValueError("estimator MLM needs complete data; with FIML use MLR")
    if est not in ("ML", "MLR"):
        raise ValueError(f"estimator must be 'ML' or 'MLR', not {estimator!r}")
    if _exogenous_observed(fit):
        raise ValueError("FIML for models with exogenous observed covariates (fixed.x) "
                         "is not implemented")
    observed = tuple(fit.observed)
    if h1 is None:
        pat = missing_h1.missing_patterns(model_columns(data, observed).to_numpy(dtype=float))
        mu_t, sigma_t, _ = missing_h1.em_h1(pat)
    else:
        pat, mu_t, sigma_t = h1
    n, p = pat.n, pat.p
    ll_h1 = missing_h1.loglik(pat, mu_t, sigma_t)

    ram = moments.ram_model(fit.params, observed)
    model = _MeanModel(ram)
    x0 = np.concatenate([ram.theta, mu_t if intercepts is None
                         else np.asarray(intercepts, dtype=float)])
    x, hess, iterations, converged = _maximise(model, pat, x0, max_iter, optimise)
    mu, sigma = model.moments(x)
    ll = missing_h1.loglik(pat, mu, sigma)
    delta = model.jacobian(x)
    q_all = x.size
    h_inv = _inv(hess)

    # unrestricted model at the EM estimates (Yuan-Bentler trace, FIML-corrected indices)
    wm = missing_h1.h1_observed_information(pat, mu_t, sigma_t)
    wm_inv = _inv(wm)
    if est == "MLR":
        jm = missing_h1.h1_firstorder_information(pat, mu_t, sigma_t)
        b0 = missing_h1.h1_firstorder_information(pat, mu, sigma, delta)
        vcov_all = h_inv @ b0 @ h_inv / n
    else:
        vcov_all = h_inv / n

    # fit measures
    moments_n = p + p * (p + 1) // 2
    df = moments_n - q_all
    chisq = max(2.0 * (ll_h1 - ll), 0.0)
    mu_b, var_b, ll_b = _baseline(pat)
    chisq0 = 2.0 * (ll_h1 - ll_b)
    df0 = p * (p - 1) // 2
    from scipy import stats

    lo, hi = fit_indices.rmsea_ci(chisq, df, n)
    aic, bic, bic2 = fit_indices.information_criteria(ll, q_all, n)
    measures: FitMeasures = {
        "n": int(n), "npar": int(q_all), "chisq": chisq, "df": int(df),
        "pvalue": float(stats.chi2.sf(chisq, df)) if df > 0 else float("nan"),
        "baseline_chisq": chisq0, "baseline_df": int(df0),
        "baseline_pvalue": float(stats.chi2.sf(chisq0, df0)) if df0 > 0 else float("nan"),
        "cfi": fit_indices.cfi(chisq, df, chisq0, df0),
        "tli": fit_indices.tli(chisq, df, chisq0, df0),
        "nfi": fit_indices.nfi(chisq, chisq0),
        "rmsea": fit_indices.rmsea(chisq, df, n),
        "rmsea_ci_lower": lo, "rmsea_ci_upper": hi,
        "rmsea_pvalue": fit_indices.rmsea_pvalue(chisq, df, n),
        "srmr": fit_indices.srmr_bentler(sigma_t, sigma, mu_t, mu),
        "logl": ll, "unrestricted_logl": ll_h1, "aic": aic, "bic": bic, "bic2": bic2,
    }

    # independence model's moments Jacobian: d(mu, vech Sigma) / d(mu_j, sigma_jj)
    rows, cols = missing_h1.vech_pairs(p)
    delta_b = np.zeros((moments_n, 2 * p))
    delta_b[np.arange(p), np.arange(p)] = 1.0
    diag_pos = np.flatnonzero(rows == cols)
    delta_b[p + diag_pos, p + np.arange(p)] = 1.0
    sigma_b = np.diag(var_b)

    if est == "MLR":
        # Yuan-Bentler (Mplus) traces: tr(A1^-1 B1) - tr(E^-1 B0), model and baseline
        trace_h1 = float(np.sum(jm * wm_inv.T))
        trace = trace_h1 - float(np.sum(b0 * h_inv.T))
        a1_b = missing_h1.h1_observed_information(pat, mu_b, sigma_b, subset=diag_pos)
        e_b = a1_b  # the independence model's coordinates are (mu, diag(Sigma))
        b0_b = missing_h1.h1_firstorder_information(pat, mu_b, sigma_b, delta_b)
        trace0 = trace_h1 - float(np.sum(b0_b * _inv(e_b).T))
        scaled = _robust_block(chisq, df, trace, n, chisq0, df0, trace0)
        c = trace / df if df > 0 else float("nan")
        x2s = chisq / c if c > 0 else float("nan")
        measures.update({
            "chisq_scaled": x2s, "df_scaled": int(df),
            "pvalue_scaled": float(stats.chi2.sf(x2s, df)) if math.isfinite(x2s)
            else float("nan"),
            "chisq_scaling_factor": c,
            "cfi_scaled": scaled["cfi_scaled"], "tli_scaled": scaled["tli_scaled"],
            "rmsea_scaled": scaled["rmsea_scaled"]})

    # FIML-corrected robust CFI/TLI/RMSEA (Zhang & Savalei 2022): V3 with MLR, V6 with ML
    wc = _complete_h1_information(mu_t, sigma_t)
    gamma = wm_inv @ jm @ wm_inv if est == "MLR" else None
    xx3 = n * _complete_discrepancy(mu, sigma, mu_t, sigma_t)
    k3 = _zhang_savalei_trace(delta, wm, wm_inv, wc, gamma)
    xx3_b = n * _complete_discrepancy(mu_b, sigma_b, mu_t, sigma_t)
    k3_b = _zhang_savalei_trace(delta_b, wm, wm_inv, wc, gamma)
    corrected = _robust_block(xx3, df, k3, n, xx3_b, df0, k3_b)
    for key in ("cfi_robust", "tli_robust", "rmsea_robust", "rmsea_ci_lower_robust",
                "rmsea_ci_upper_robust"):
        measures[key] = corrected[key]  # type: ignore[literal-required]

    # parameter table
    q = ram.npar
    se_all = np.sqrt(np.where(np.diag(vcov_all) >= 0, np.diag(vcov_all), np.nan))
    params = fit.params.copy()
    est_col = params["est"].to_numpy(dtype=float).copy()
    se_col = np.full(len(params), np.nan)
    for k, rws in enumerate(ram.rows):
        for r in rws:
            est_col[r] = x[k]
            se_col[r] = se_all[k]
    params["est"] = est_col
    wald = _wald(est_col, se_col)
    for col, values in wald.items():
        params[col] = values
    std, total, resid, full = _std_all(params, ram, x[:q])
    params["std_all"] = std
    r2 = fit.r2.copy()
    r2["r2"] = [1.0 - resid[v] / total[v] if total[v] > 0 and resid[v] >= 0
                else float("nan") for v in r2["variable"]]
    lat = [v for v in fit.latent_cov.index if v in ram.variables]
    li = [ram.variables.index(v) for v in lat]
    nu, se_nu = x[q:], se_all[q:]
    intercepts = pd.DataFrame({"item": list(observed), "est": nu,
                               **_wald(nu, se_nu)})
    warnings = list(fit.warnings)
    if not converged:
        warnings.append("FIML: the optimiser did not reach a zero gradient; estimates "
                        "may be inaccurate")
    neg = [f"{a} ~~ {b}" for a, op, b, e in params[["lhs", "op", "rhs", "est"]].itertuples(
        index=False, name=None) if op == "~~" and a == b and e < 0]
    if neg:
        warnings.append("negative variance estimates (Heywood cases): " + ", ".join(neg))
    out = dataclasses.replace(
        fit, params=params, fit=measures, r2=r2,
        implied_cov=pd.DataFrame(sigma, index=list(observed), columns=list(observed)),
        latent_cov=pd.DataFrame(full[np.ix_(li, li)], index=lat, columns=lat),
        sample_cov=pd.DataFrame(sigma_t, index=list(observed), columns=list(observed)),
        converged=converged, warnings=tuple(dict.fromkeys(warnings)), n=n,
        iterations=iterations, vcov=vcov_all[:q, :q], intercepts=intercepts)
    return FimlResult(fit=out, intercepts=intercepts, h1_mean=mu_t,
                      n_patterns=pat.n_patterns, iterations=iterations)


def fit_fiml(data: pd.DataFrame, syntax: str | ModelSpec, estimator: str = "ML",
             max_iter: int = 10_000) -> FimlResult:
    """Fit a CFA or SEM by full-information ML (lavaan ``missing = "ml"``).

    The rows with at least one answer on the model's observed variables are used. The
    unrestricted moments are estimated by EM; the model is first fitted by semopy to
    complete pseudo-data with exactly those moments (:func:`tilde_data`), which gives
    the parameter table and start values, then re-estimated by :func:`fiml_fit`.

    Parameters
    ----------
    data : DataFrame
        Survey data, NaN where an answer is missing.
    syntax : str or ModelSpec
        lavaan model syntax.
    estimator : {"ML", "MLR"} (case-insensitive)
    max_iter : int
        Optimiser iteration limit.

    Returns
    -------
    FimlResult

    Raises
    ------
    InputError
        Unknown or non-numeric columns, ``MLM`` (complete data only), a model with
        exogenous observed covariates.
    AnalysisError
        No row with an answer, too few rows for the model, an unidentified model.

    References
    ----------
    Arbuckle (1996); Enders & Bandalos (2001); Rosseel (2012), JSS 48(2).
    """
    from cxsurvey.errors import AnalysisError, InputError
    from cxsurvey.stats.cb.ml_fit import fit_cb, observed_variables

    est = str(estimator).upper()
    if est == "MLM":
        raise InputError("estimator MLM needs complete data and cannot be combined with "
                         "--missing fiml",
                         hint="Use --estimator mlr (robust SEs and a scaled test with "
                              "FIML, as lavaan), or --missing listwise with MLM.")
    observed = observed_variables(syntax)
    y = model_columns(data, observed).to_numpy(dtype=float)
    answers = (~np.isnan(y)).sum(axis=0)
    few = [f"'{v}' ({k})" for v, k in zip(observed, answers, strict=True) if k < 2]
    if few:
        raise AnalysisError("FIML: too few answers to estimate a variance for "
                            + ", ".join(few),
                            hint="Leave those items out of the model.")
    try:
        pat = missing_h1.missing_patterns(y)
    except ValueError as exc:
        raise AnalysisError(f"FIML: {exc}") from None
    mu_t, sigma_t, _ = missing_h1.em_h1(pat)
    start = fit_cb(pd.DataFrame(tilde_data(pat, mu_t, sigma_t), columns=list(observed)),
                   syntax, maxiter=max_iter)
    try:
        return fiml_fit(start, data, est, max_iter, h1=(pat, mu_t, sigma_t))
    except ValueError as exc:
        if "fixed.x" not in str(exc):
            raise
        raise InputError(f"--missing fiml: {exc}",
                         hint="Use --missing listwise for this model.") from None


def fiml_modification_indices(fit: CbFit, data: pd.DataFrame) -> pd.DataFrame:
    """lavaan's ``modindices()`` of a FIML fit: score tests of the candidate parameters.

    The gradient is the observed-data log-likelihood's (over every row with an
    answer) and the information its expected version under the observed patterns
    (lavaan's default ``information = "expected"``), both over the extended model with
    the intercepts as free parameters; then :func:`~cxsurvey.stats.cb.modindices.
    score_test_table`.

    Parameters
    ----------
    fit : CbFit
        A FIML fit (:func:`fit_fiml`; it carries ``intercepts``).
    data : DataFrame
        The data it was fitted to.

    Returns
    -------
    DataFrame
        ``lhs, op, rhs, mi, epc, sepc_all``, largest ``mi`` first.

    Raises
    ------
    ValueError
        ``fit`` has no intercepts (not a FIML fit).

    References
    ----------
    Sörbom, D. (1989). Psychometrika, 54(3), 371-384. Savalei, V. (2010). Psychological
    Methods, 15(4), 352-367. Rosseel (2012), JSS 48(2) (``modindices``).
    """
    from cxsurvey.stats.cb.modindices import extended_model, score_test_table

    if fit.intercepts is None:
        raise ValueError("not a FIML fit: it has no intercepts")
    ram, table, is_extra = extended_model(fit)
    model = _MeanModel(ram)
    nu = fit.intercepts.set_index("item").loc[list(fit.observed), "est"]
    x = np.concatenate([ram.theta, nu.to_numpy(dtype=float)])
    pat = missing_h1.missing_patterns(model_columns(data, fit.observed).to_numpy(dtype=float))
    mu, sigma = model.moments(x)
    _, g_mu, g_s = missing_h1.loglik_gradient(pat, mu, sigma)
    grad = -model.pullback(x, g_mu, g_s) / pat.n
    delta = model.jacobian(x)
    info = delta.T @ missing_h1.h1_expected_information(pat, mu, sigma) @ delta
    return score_test_table(ram, table, is_extra, grad, info, pat.n)
