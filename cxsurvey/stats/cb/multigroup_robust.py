"""Robust (MLM, MLR) standard errors and scaled tests of a multi-group fit with means.

- MLM: ``vcov = I^-1 (sum_g f_g Delta_g' W_g Gamma_g W_g Delta_g) I^-1 / N`` (I the unit
  expected information) and the Satorra-Bentler trace ``sum_g tr(W_g Gamma_g) -
  tr(I^-1 sum_g f_g Delta_g' W_g Gamma_g W_g Delta_g)``;
- MLR: ``vcov = H^-1 B0 H^-1 / N`` (H the observed information, B0 the mean outer
  product of casewise scores) and the Yuan-Bentler (Mplus) trace ``sum_g tr(A1_g
  Gamma_g) - tr(B0 H^-1)``, ``A1_g`` the unrestricted information at the sample
  moments (lavaan's ``h1.information = "unstructured"`` for this test);

with ``f_g = N_g / N``, ``W_g = diag(Sigma_g^-1, 0.5 D'(Sigma_g^-1 kron Sigma_g^-1) D)``
and ``Gamma_g`` the distribution-free covariance of ``(y_i, vech((y_i - ybar)(y_i -
ybar)'))`` (divisor N_g). The scaling factor is ``trace / df``; the baseline model
(independence in every group, free means) is scaled the same way.

References
----------
Satorra, A., & Bentler, P. M. (1994). Corrections to test statistics and standard
errors in covariance structure analysis. In A. von Eye & C. C. Clogg (Eds.), Latent
Variables Analysis (pp. 399-419). Sage. Yuan, K.-H., & Bentler, P. M. (2000). Three
likelihood-based methods for mean and covariance structure analysis with nonnormal
missing data. Sociological Methodology, 30, 165-200. Asparouhov, T., & Muthén, B.
(2005). Multivariate statistical modeling with survey data. Proceedings of the FCSM
Research Conference. Brosseau-Liard, P. E., & Savalei, V. (2014). Multivariate
Behavioral Research, 49(5), 460-470. Steiger, J. H. (1998). Structural Equation
Modeling, 5(4), 411-419 (RMSEA of G groups).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cxsurvey.stats.cb import fit_indices, moments
from cxsurvey.stats.cb.multigroup_estimation import (
    GroupData,
    SampleMoments,
    observed_information,
)
from cxsurvey.stats.cb.multigroup_model import GroupMoments, MeanStructure
from cxsurvey.stats.cb.robust import RobustTest, scaled_indices

__all__ = ["baseline_structure", "casewise_scores", "gamma_means", "robust_measures",
           "robust_parts"]


# ---------------------------------------------------------------------- robust parts


def _delta_w(ms: MeanStructure, mo: GroupMoments, g: int) -> tuple[np.ndarray, np.ndarray]:
    """Delta_g = d(mu, vech Sigma)/d theta' and W_g = diag(Sigma^-1, 0.5 D'(V x V)D)."""
    dmu, dsig = ms.derivatives(g, mo)
    delta = np.vstack([dmu.T, moments.vech(dsig).T]) if ms.q else \
        np.zeros((ms.p + ms.p * (ms.p + 1) // 2, 0))
    return delta, _weight(mo.sigma)


def _weight(sigma: np.ndarray) -> np.ndarray:
    p = sigma.shape[0]
    w = np.zeros((p + p * (p + 1) // 2,) * 2)
    w[:p, :p] = np.linalg.inv(sigma)
    w[p:, p:] = moments.normal_weight(sigma)
    return w


def gamma_means(y: np.ndarray) -> np.ndarray:
    """Distribution-free covariance of ``(y_i, vech((y_i - ybar)(y_i - ybar)'))``,
    divisor N (lavaan's ``Gamma`` with ``meanstructure = TRUE``).

    References
    ----------
    Browne, M. W. (1984). British Journal of Mathematical and Statistical Psychology,
    37(1), 62-83. Browne, M. W., & Arminger, G. (1995). Specification and estimation of
    mean- and covariance-structure models. In Handbook of Statistical Modeling for the
    Social and Behavioral Sciences (pp. 185-249). Plenum.
    """
    d = y - y.mean(axis=0)
    z = np.hstack([d, moments.vech(np.einsum("ia,ib->iab", d, d))])
    zc = z - z.mean(axis=0)
    return np.asarray(zc.T @ zc / y.shape[0])


def casewise_scores(ms: MeanStructure, mo: GroupMoments, g: int, y: np.ndarray
                    ) -> np.ndarray:
    """Casewise scores of the log-likelihood of group g, shape (N_g, q).

    .. math:: s_{ik} = \\partial\\mu_k'\\Sigma^{-1}e_i + 0.5\\,[e_i'\\Sigma^{-1}
              \\partial\\Sigma_k\\Sigma^{-1}e_i - \\mathrm{tr}(\\Sigma^{-1}\\partial\\Sigma_k)],
              \\quad e_i = y_i - \\hat\\mu

    References
    ----------
    Yuan, K.-H., & Bentler, P. M. (2000). Sociological Methodology, 30, 165-200.
    """
    inv = np.linalg.inv(mo.sigma)
    dmu, dsig = ms.derivatives(g, mo)
    u = (y - mo.mu) @ inv
    quad = np.einsum("ia,kab,ib->ik", u, dsig, u, optimize=True)
    tr = np.einsum("ab,kba->k", inv, dsig)
    return np.asarray(u @ dmu.T + 0.5 * (quad - tr))


def _inv(m: np.ndarray) -> np.ndarray:
    return np.asarray(np.linalg.inv(m)) if m.size else np.zeros((0, 0))


def robust_parts(ms: MeanStructure, st: SampleMoments, gd: GroupData, theta: np.ndarray,
                 estimator: str) -> tuple[np.ndarray, float]:
    """Robust covariance matrix of the free parameters (divided by N) and the trace of
    the scaled test (``c = trace / df``).

    References
    ----------
    Satorra, A., & Bentler, P. M. (1994), in Latent Variables Analysis, Sage, 399-419
    (MLM). Yuan, K.-H., & Bentler, P. M. (2000). Sociological Methodology, 30, 165-200;
    Asparouhov, T., & Muthén, B. (2005), Proceedings of the FCSM Research Conference
    (MLR, Mplus trace).
    """
    n = st.n
    mos = ms.moments(theta)
    q = ms.q
    if estimator == "MLM":
        e = np.zeros((q, q))
        meat = np.zeros((q, q))
        trace_h1 = 0.0
        for g, mo in enumerate(mos):
            delta, w = _delta_w(ms, mo, g)
            gamma = gamma_means(gd.y[g])
            wd = w @ delta
            e += st.weight[g] * delta.T @ wd
            meat += st.weight[g] * wd.T @ gamma @ wd
            trace_h1 += float(np.sum(w * gamma.T))
        e_inv = _inv(e)
        vcov = e_inv @ meat @ e_inv / n
        return np.asarray(vcov), trace_h1 - float(np.sum(e_inv * meat.T))
    if estimator == "MLR":
        h_inv = _inv(observed_information(ms, st, theta))
        b0 = np.zeros((q, q))
        trace_h1 = 0.0
        for g, mo in enumerate(mos):
            sc = casewise_scores(ms, mo, g, gd.y[g])
            b0 += sc.T @ sc / n
            trace_h1 += float(np.sum(_weight(st.cov[g]) * gamma_means(gd.y[g]).T))
        vcov = h_inv @ b0 @ h_inv / n
        return np.asarray(vcov), trace_h1 - float(np.sum(b0 * h_inv.T))
    raise ValueError(f"estimator must be 'MLM' or 'MLR', not {estimator!r}")


def baseline_structure(observed: tuple[str, ...], n_groups: int) -> pd.DataFrame:
    """The independence model of every group: free variances and means (lavaan's
    baseline, no equality constraints)."""
    rows = []
    k = 0
    for g in range(1, n_groups + 1):
        for op in ("~~", "~1"):
            for v in observed:
                rows.append({"lhs": v, "op": op, "rhs": v if op == "~~" else "", "group": g,
                             "label": "", "free": True, "value": math.nan, "category": "",
                             "par": k, "par_full": k, "linked": False})
                k += 1
    return pd.DataFrame(rows)


def robust_measures(fit: dict[str, float], trace: float, base_trace: float,
                     groups: int) -> dict[str, float]:
    """lavaan's ``*.scaled`` and ``*.robust`` fit measures of a multi-group fit."""
    from scipy import stats

    n = int(fit["ntotal"])
    df, base_df = int(fit["df"]), int(fit["baseline_df"])

    def test(chisq: float, d: int, tr: float) -> RobustTest:
        c = tr / d if d > 0 else math.nan
        c = c if c > 0 else math.nan
        scaled = chisq / c
        pv = float(stats.chi2.sf(scaled, d)) if math.isfinite(scaled) else math.nan
        return RobustTest(chisq=chisq, df=d, chisq_scaled=scaled, scaling_factor=c,
                          pvalue_scaled=pv, trace=tr, test="")

    t, t0 = test(fit["chisq"], df, trace), test(fit["baseline_chisq"], base_df, base_trace)
    out = {"chisq_scaled": t.chisq_scaled, "df_scaled": float(df),
           "pvalue_scaled": t.pvalue_scaled, "chisq_scaling_factor": t.scaling_factor,
           "baseline_chisq_scaled": t0.chisq_scaled, "baseline_df_scaled": float(base_df),
           "baseline_pvalue_scaled": t0.pvalue_scaled,
           "baseline_chisq_scaling_factor": t0.scaling_factor}
    idx = scaled_indices(t, t0, n)
    root_g = math.sqrt(groups)
    for k in ("rmsea_scaled", "rmsea_ci_lower_scaled", "rmsea_ci_upper_scaled",
              "rmsea_robust", "rmsea_ci_lower_robust", "rmsea_ci_upper_robust"):
        idx[k] = idx[k] * root_g
    c = t.scaling_factor
    idx["rmsea_pvalue_scaled"] = fit_indices.rmsea_pvalue(t.chisq, trace, n / groups) \
        if trace > 0 else math.nan
    idx["rmsea_pvalue_robust"] = fit_indices.rmsea_pvalue(
        t.chisq_scaled, df, n / groups, c_hat=c) if math.isfinite(c) else math.nan
    return {**out, **idx}
