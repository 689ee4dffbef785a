"""Robust ML for non-normal data: lavaan's ``estimator = "MLM"`` and ``"MLR"``.

The point estimates are the normal-theory ML ones of
:func:`cxsurvey.stats.cb.ml_fit.fit_cb`; only the standard errors and the test
statistic change (complete data, listwise deletion, no mean structure, one group):

- **MLM** (lavaan ``se = "robust.sem"``, ``test = "satorra.bentler"``): sandwich
  ``V = A^-1 (Delta' W Gamma W Delta) A^-1 / N`` with the expected information
  ``A = Delta' W Delta`` and the distribution-free Gamma; Satorra-Bentler scaling
  ``c = tr(U Gamma) / df``, ``U = W - W Delta A^-1 Delta' W``.
- **MLR** (lavaan ``se = "robust.huber.white"``, ``test = "yuan.bentler.mplus"``):
  Huber-White sandwich ``V = H^-1 B0 H^-1 / N`` with ``H`` the observed information
  (Hessian of F_ML) and ``B0`` the mean outer product of the casewise scores;
  Yuan-Bentler scaling in Mplus' form ``c = [tr(W(S) Gamma) - tr(B0 H^-1)] / df``
  (the h1 information and its first-order counterpart evaluated at the unrestricted
  estimate S, as lavaan's ``lav_test_yuan_bentler`` with ``h1.information =
  "unstructured"``).

The scaled statistic is ``chisq / c`` with the same df; the baseline (independence)
model is scaled the same way, giving the CFI/TLI/RMSEA lavaan reports as ``*.scaled``
and ``*.robust`` (Brosseau-Liard & Savalei). Exogenous observed covariates with fixed
(co)variances (lavaan's fixed.x) enter as lavaan treats them: Gamma net of what the
covariates explain, their moments out of the unrestricted model's trace, and a baseline
that keeps their covariances. Missing data (FIML) are in :mod:`cxsurvey.stats.cb.fiml`.
Not handled: multiple groups, clusters, equality constraints other than shared labels.

References
----------
Satorra, A., & Bentler, P. M. (1994). Corrections to test statistics and standard
errors in covariance structure analysis. In A. von Eye & C. C. Clogg (Eds.), Latent
Variables Analysis (pp. 399-419). Sage. Yuan, K.-H., & Bentler, P. M. (2000). Three
likelihood-based methods for mean and covariance structure analysis with nonnormal
missing data. Sociological Methodology, 30, 165-200. Muthén, L. K., & Muthén, B. O.
(1998-2017). Mplus User's Guide (MLR). Huber, P. J. (1967). Proc. Fifth Berkeley
Symposium, 1, 221-233. White, H. (1982). Econometrica, 50(1), 1-25. Rosseel, Y.
(2012). Journal of Statistical Software, 48(2), 1-36.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from cxsurvey.stats.cb import fit_indices, moments
from cxsurvey.stats.cb.ml_fit import CbFit

__all__ = ["RobustFit", "RobustTest", "robust_fit", "robust_se", "scaled_indices", "scaled_test"]

_Z975 = 1.959963984540054

Estimator = Literal["MLM", "MLR"]


@dataclass(frozen=True)
class RobustTest:
    """A scaled chi-square test (lavaan ``fitMeasures`` names in comments).

    Attributes
    ----------
    chisq : float
        Normal-theory statistic N F_ML (``chisq``).
    df : int
    chisq_scaled : float
        ``chisq / scaling_factor`` (``chisq.scaled``).
    scaling_factor : float
        ``trace / df`` (``chisq.scaling.factor``); NaN when df is 0 or the trace is
        negative.
    pvalue_scaled : float
        Upper tail of chi-square(df) at ``chisq_scaled`` (``pvalue.scaled``).
    trace : float
        ``tr(U Gamma)`` (MLM) or the Yuan-Bentler trace (MLR).
    test : str
        ``"satorra.bentler"`` or ``"yuan.bentler.mplus"``.
    """

    chisq: float
    df: int
    chisq_scaled: float
    scaling_factor: float
    pvalue_scaled: float
    trace: float
    test: str


@dataclass(frozen=True)
class RobustFit:
    """Robust standard errors and scaled tests of a fitted model.

    Attributes
    ----------
    estimator : {"MLM", "MLR"}
    params : DataFrame
        The fit's parameter table with ``se, z, pvalue, ci_lower, ci_upper`` from the
        robust covariance matrix (estimates and ``std_all`` unchanged).
    vcov : ndarray, shape (q, q)
        Robust covariance matrix of the free parameters (divided by N).
    free_names : tuple of str
        Order of the rows of ``vcov``.
    test : RobustTest
        The user model's scaled test.
    baseline : RobustTest
        The independence model's scaled test (``baseline.chisq.scaled``,
        ``baseline.chisq.scaling.factor``).
    fit : dict
        ``chisq_scaled, df, pvalue_scaled, chisq_scaling_factor, baseline_chisq_scaled,
        baseline_df, baseline_pvalue_scaled, baseline_chisq_scaling_factor, cfi_scaled,
        tli_scaled, rmsea_scaled, rmsea_ci_lower_scaled, rmsea_ci_upper_scaled,
        cfi_robust, tli_robust, rmsea_robust, rmsea_ci_lower_robust,
        rmsea_ci_upper_robust`` (lavaan ``fitMeasures`` names in snake_case; 90% CIs).
    """

    estimator: str
    params: pd.DataFrame
    vcov: np.ndarray
    free_names: tuple[str, ...]
    test: RobustTest
    baseline: RobustTest
    fit: dict[str, float]


def _inv(m: np.ndarray) -> np.ndarray:
    return np.asarray(np.linalg.inv(m)) if m.size else np.zeros((0, 0))


def robust_se(model: moments.RamModel, y: np.ndarray, estimator: Estimator,
              x_idx: Sequence[int] = ()) -> np.ndarray:
    """Robust covariance matrix of the free parameters (already divided by N).

    Parameters
    ----------
    model : RamModel
        The fitted model (:func:`cxsurvey.stats.cb.moments.ram_model`).
    y : ndarray, shape (N, p)
        Complete data, columns in ``model.observed`` order.
    estimator : {"MLM", "MLR"}
        MLM: ``A^-1 Delta' W Gamma W Delta A^-1 / N`` (A expected information);
        MLR: ``H^-1 B0 H^-1 / N`` (H observed information, B0 first-order
        information from casewise scores).

    Returns
    -------
    ndarray, shape (q, q)

    References
    ----------
    Satorra, A., & Bentler, P. M. (1994), in Latent Variables Analysis, Sage, 399-419
    (MLM). Huber (1967); White, H. (1982). Econometrica, 50(1), 1-25 (MLR sandwich).
    """
    n = y.shape[0]
    sigma = moments.implied_cov(model)
    delta = moments.jacobian(model)
    if estimator == "MLM":
        w = moments.normal_weight(sigma)
        a_inv = _inv(delta.T @ w @ delta)
        wd = w @ delta
        meat = wd.T @ moments.gamma_adf(y, x_idx) @ wd
        return np.asarray(a_inv @ meat @ a_inv / n)
    if estimator == "MLR":
        s = np.cov(y, rowvar=False, bias=True).reshape(sigma.shape)
        h_inv = _inv(moments.observed_information(model, s))
        sc = moments.casewise_scores(y, sigma, delta)
        b0 = sc.T @ sc / n
        return np.asarray(h_inv @ b0 @ h_inv / n)
    raise ValueError(f"estimator must be 'MLM' or 'MLR', not {estimator!r}")


def scaled_test(model: moments.RamModel, y: np.ndarray, chisq: float, df: int,
                estimator: Estimator, x_idx: Sequence[int] = ()) -> RobustTest:
    """The Satorra-Bentler (MLM) or Yuan-Bentler Mplus-variant (MLR) scaled statistic.

    Parameters
    ----------
    model : RamModel
    y : ndarray, shape (N, p)
        Complete data, columns in ``model.observed`` order.
    chisq : float
        The normal-theory statistic N F_ML.
    df : int
    estimator : {"MLM", "MLR"}

    Returns
    -------
    RobustTest

    Notes
    -----
    MLM: ``trace = tr(U Gamma)``, ``U = W - W Delta (Delta' W Delta)^-1 Delta' W`` with
    W at the implied covariance matrix. MLR: ``trace = tr(W(S) Gamma) - tr(B0 H^-1)``
    (lavaan ``lav_test_yuan_bentler``, ``yuan.bentler.mplus``). ``c = trace / df``.

    References
    ----------
    Satorra, A., & Bentler, P. M. (1994), in Latent Variables Analysis, Sage, 399-419.
    Yuan, K.-H., & Bentler, P. M. (2000). Sociological Methodology, 30, 165-200.
    Asparouhov, T., & Muthén, B. (2005). Multivariate statistical modeling with survey
    data. Proceedings of the FCSM Research Conference (the Mplus trace).
    """
    from scipy import stats

    n = y.shape[0]
    sigma = moments.implied_cov(model)
    delta = moments.jacobian(model)
    gamma = moments.gamma_adf(y, x_idx)
    if estimator == "MLM":
        w = moments.normal_weight(sigma)
        wd = w @ delta
        u = w - wd @ _inv(delta.T @ wd) @ wd.T
        trace = float(np.sum(u * gamma.T))
        name = "satorra.bentler"
    elif estimator == "MLR":
        s = np.cov(y, rowvar=False, bias=True).reshape(sigma.shape)
        h_inv = _inv(moments.observed_information(model, s))
        sc = moments.casewise_scores(y, sigma, delta)
        b0 = sc.T @ sc / n
        w_s = moments.normal_weight(s)
        if len(x_idx):
            # the fixed x (co)variances leave the unrestricted model: tr(A1^-1 B1) over
            # the other moments, B1 = W Gamma W the first-order information
            keep = ~_xx_moments(int(sigma.shape[0]), x_idx)
            a1 = w_s[np.ix_(keep, keep)]
            b1 = (w_s @ gamma @ w_s)[np.ix_(keep, keep)]
            trace_h1 = float(np.sum(_inv(a1) * b1.T))
        else:
            trace_h1 = float(np.sum(w_s * gamma.T))
        trace = trace_h1 - float(np.sum(b0 * h_inv.T))
        name = "yuan.bentler.mplus"
    else:
        raise ValueError(f"estimator must be 'MLM' or 'MLR', not {estimator!r}")
    c = trace / df if df > 0 else float("nan")
    if not c > 0:
        c = float("nan")
    scaled = chisq / c
    pval = float(stats.chi2.sf(scaled, df)) if math.isfinite(scaled) else float("nan")
    return RobustTest(chisq=float(chisq), df=int(df), chisq_scaled=float(scaled),
                      scaling_factor=float(c), pvalue_scaled=pval, trace=trace, test=name)


def _xx_moments(p: int, x_idx: Sequence[int]) -> np.ndarray:
    """Which elements of vech (p variables) are (co)variances among the x covariates."""
    cols, rows = np.triu_indices(p)
    xs = set(x_idx)
    return np.array([r in xs and c in xs for r, c in zip(rows, cols, strict=True)])


def _independence(observed: tuple[str, ...], y: np.ndarray,
                  x_idx: Sequence[int] = ()) -> moments.RamModel:
    """The baseline model: free variances at their ML estimates, no covariances; the
    fixed x covariates' (co)variances fixed at their sample values (lavaan's)."""
    s = np.cov(y, rowvar=False, bias=True).reshape(y.shape[1], y.shape[1])
    xs = set(x_idx)
    rows = [{"lhs": v, "op": "~~", "rhs": v, "label": "", "free": i not in xs,
             "est": s[i, i]} for i, v in enumerate(observed)]
    rows += [{"lhs": observed[i], "op": "~~", "rhs": observed[j], "label": "",
              "free": False, "est": s[i, j]}
             for i in sorted(xs) for j in sorted(xs) if i < j]
    return moments.ram_model(pd.DataFrame(rows), observed)


def _robust_params(params: pd.DataFrame, model: moments.RamModel,
                   vcov: np.ndarray) -> pd.DataFrame:
    from scipy import special

    var = np.diag(vcov)
    se = np.sqrt(np.where(var >= 0, var, np.nan))
    out = params.copy()
    col = np.full(len(out), np.nan)
    for k, rows in enumerate(model.rows):
        for r in rows:
            col[r] = se[k]
    est = out["est"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(col > 0, est / col, np.nan)
    out["se"] = col
    out["z"] = z
    out["pvalue"] = np.where(np.isfinite(z), 2.0 * special.ndtr(-np.abs(z)), np.nan)
    out["ci_lower"] = est - _Z975 * col
    out["ci_upper"] = est + _Z975 * col
    return out


def scaled_indices(test: RobustTest, base: RobustTest, n: int) -> dict[str, float]:
    """lavaan's ``cfi/tli/rmsea.scaled`` (the usual formulas on the scaled statistics)
    and ``cfi/tli/rmsea.robust`` (unscaled statistics with ``c * df`` in place of df).

    References
    ----------
    Brosseau-Liard, P. E., & Savalei, V. (2014). Adjusting incremental fit indices for
    nonnormality. Multivariate Behavioral Research, 49(5), 460-470 (robust CFI/TLI,
    eq. 15). Brosseau-Liard, P. E., Savalei, V., & Li, L. (2012). An investigation of
    the sample performance of two nonnormality corrections for RMSEA. Multivariate
    Behavioral Research, 47(6), 904-930 (robust RMSEA).
    """
    x, df, x0, df0 = test.chisq_scaled, test.df, base.chisq_scaled, base.df
    c, c0 = test.scaling_factor, base.scaling_factor
    out = {"cfi_scaled": fit_indices.cfi(x, df, x0, df0),
           "tli_scaled": fit_indices.tli(x, df, x0, df0),
           "rmsea_scaled": fit_indices.rmsea(x, df, n)}
    if not (math.isfinite(c) and math.isfinite(c0)) or df <= 0:
        nan = float("nan")
        return {**out, "rmsea_ci_lower_scaled": nan, "rmsea_ci_upper_scaled": nan,
                "cfi_robust": nan, "tli_robust": nan,
                "rmsea_robust": 0.0 if df == 0 else nan,
                "rmsea_ci_lower_robust": nan, "rmsea_ci_upper_robust": nan}
    # scaled CI: the unscaled statistic referred to chi-square(tr(U Gamma)); robust CI:
    # the CI of the scaled statistic times sqrt(c) (lavaan 0.6-14)
    out["rmsea_ci_lower_scaled"], out["rmsea_ci_upper_scaled"] = fit_indices.rmsea_ci(
        test.chisq, test.trace, n)
    out["rmsea_ci_lower_robust"], out["rmsea_ci_upper_robust"] = fit_indices.rmsea_ci(
        x, df, n, c_hat=c)
    t, t0 = test.chisq, base.chisq
    t1 = max(t - c * df, 0.0)
    t2 = max(t - c * df, t0 - c0 * df0, 0.0)
    cfi = 1.0 if math.isclose(t1, 0.0, abs_tol=1.5e-8) and \
        math.isclose(t2, 0.0, abs_tol=1.5e-8) else 1.0 - t1 / t2
    u1, u2 = (t - c * df) * df0, (t0 - c0 * df0) * df
    tli = 1.0 - u1 / u2 if abs(u2) > 0 else 1.0
    return {**out, "cfi_robust": cfi, "tli_robust": tli,
            "rmsea_robust": fit_indices.rmsea(t, df, n, c)}


def robust_fit(fit: CbFit, data: pd.DataFrame, estimator: str) -> RobustFit:
    """Robust standard errors and scaled tests for an ML fit, as lavaan's MLM or MLR.

    Parameters
    ----------
    fit : CbFit
        A converged :func:`cxsurvey.stats.cb.ml_fit.fit_cb` result (its ``params``,
        ``observed``, ``n`` and ``fit['chisq']``, ``fit['df']`` are used).
    data : DataFrame
        The data the model was fitted to; the rows complete on ``fit.observed`` are
        used (they must be ``fit.n`` rows).
    estimator : {"MLM", "MLR"} (case-insensitive)

    Returns
    -------
    RobustFit

    Raises
    ------
    ValueError
        Unknown estimator, or a data set that does not match the fit.

    References
    ----------
    Satorra & Bentler (1994); Yuan & Bentler (2000); Rosseel (2012), JSS 48(2).
    """
    est = estimator.upper()
    if est not in ("MLM", "MLR"):
        raise ValueError(f"estimator must be 'MLM' or 'MLR', not {estimator!r}")
    kind: Estimator = "MLM" if est == "MLM" else "MLR"
    params = fit.params
    observed = tuple(fit.observed)
    measures = fit.fit
    y = moments.complete_block(data, observed)
    if y.shape[0] != fit.n:
        raise ValueError(f"the data have {y.shape[0]} complete rows, the fit used {fit.n}")
    endogenous = set(params.loc[params["op"] == "=~", "rhs"]) | \
        set(params.loc[params["op"] == "~", "lhs"])
    exogenous_obs = [v for v in observed if v not in endogenous]
    fixed = params[(~params["free"].astype(bool)) & (params["op"] == "~~")
                   & params["lhs"].isin(exogenous_obs) & params["rhs"].isin(exogenous_obs)]
    fixed_x = set(fixed["lhs"]) | set(fixed["rhs"])
    x_idx = [i for i, v in enumerate(observed) if v in fixed_x]
    model = moments.ram_model(params, observed)
    vcov = robust_se(model, y, kind, x_idx)
    test = scaled_test(model, y, float(measures["chisq"]), int(measures["df"]), kind, x_idx)
    p = len(observed)
    base_model = _independence(observed, y, x_idx)
    if x_idx:
        base_chisq = float(measures["baseline_chisq"])
        base_df = int(measures["baseline_df"])
    else:
        s = np.cov(y, rowvar=False, bias=True).reshape(p, p)
        base_chisq = float(y.shape[0] * (np.sum(np.log(np.diag(s)))
                                         - np.linalg.slogdet(s)[1]))
        base_df = p * (p - 1) // 2
    base = scaled_test(base_model, y, base_chisq, base_df, kind, x_idx)
    summary = {"chisq_scaled": test.chisq_scaled, "df": float(test.df),
               "pvalue_scaled": test.pvalue_scaled,
               "chisq_scaling_factor": test.scaling_factor,
               "baseline_chisq_scaled": base.chisq_scaled, "baseline_df": float(base.df),
               "baseline_pvalue_scaled": base.pvalue_scaled,
               "baseline_chisq_scaling_factor": base.scaling_factor,
               **scaled_indices(test, base, y.shape[0])}
    return RobustFit(estimator=kind, params=_robust_params(params, model, vcov), vcov=vcov,
                     free_names=model.free_names, test=test, baseline=base, fit=summary)
