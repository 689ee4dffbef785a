"""CFA and SEM of ordinal items by WLSMV (DWLS estimates, robust SEs, scaled-shifted test).

:func:`fit_wlsmv` is the numerical core of lavaan's ``cfa()`` / ``sem()`` with
``ordered = TRUE, estimator = "WLSMV"`` for one group, listwise (lavaan's default) or
pairwise deletion, delta parameterization:

1. sample statistics ``s``: the thresholds of every item and the polychoric correlations
   (lavaan's two-step estimates, :func:`cxsurvey.stats.ordinal.polychoric`), with their
   asymptotic covariance matrix Gamma (N times, lavaan's NACOV) and the DWLS weights
   ``W = diag(1 / diag(Gamma))`` (:func:`cxsurvey.stats.ordinal.polychoric_acov`);
2. the model: latent responses with unit variance, so the model correlations are the
   off-diagonal elements of ``Sigma*(theta) = Lambda (I - B)^-1 Psi (I - B)^-T Lambda'
   (+ residual covariances)``; residual variances are ``1 - communality`` (not free);
   the thresholds are free and saturated (their estimates are the sample thresholds);
3. DWLS: minimise ``sum w (s - sigma(theta))^2`` over the correlations by Gauss-Newton
   with the analytic Jacobian (:func:`cxsurvey.stats.cb.moments.jacobian`); lavaan
   reports ``fmin = 0.5 (N - 1) / N sum w (s - sigma)^2`` and ``chisq = 2 N fmin``;
4. robust ("sandwich") standard errors, lavaan's ``se = "robust.sem"``:
   ``V = (D'WD)^-1 D'W Gamma W D (D'WD)^-1 / (N - 1)`` with D the Jacobian of all sample
   statistics (thresholds included) with respect to all free parameters (lavaan's
   divisor for DWLS is N - 1);
5. the mean- and variance-adjusted ("scaled-shifted") statistic with
   ``U = W - W D (D'WD)^-1 D'W``: ``a = sqrt(df / tr((U Gamma)^2))``,
   ``b = df - a tr(U Gamma)``, ``T_ss = a T + b``; the baseline model (all correlations
   zero, thresholds free) gets the same treatment; CFI, TLI and RMSEA (with lavaan's
   ``N - 1`` for DWLS) from the standard and the scaled-shifted statistics;
6. lavaan's robust RMSEA / CFI / TLI for categorical data (Savalei 2021): the
   normal-theory ML discrepancy of the polychoric matrix at the DWLS estimates, rescaled
   by ``tr(U' V U Gamma) / df``.

Defined parameters (``:=``) get delta-method standard errors. Not covered: several
groups, observed covariates or continuous indicators, the theta
parameterization, inequality constraints.

References
----------
Muthén, B., du Toit, S. H. C., & Spisic, D. (1997). Robust inference using weighted least
squares and quadratic estimating equations in latent variable modeling with categorical
and continuous outcomes. Unpublished technical report.
Satorra, A., & Bentler, P. M. (1994). Corrections to test statistics and standard errors
in covariance structure analysis. In A. von Eye & C. C. Clogg (Eds.), *Latent Variables
Analysis* (pp. 399-419). Sage.
Asparouhov, T., & Muthén, B. (2010). Simple second order chi-square correction. Mplus
technical appendix.
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
Statistical Software*, 48(2), 1-36.
Savalei, V. (2021). Improving fit indices in structural equation modeling with categorical
data. *Multivariate Behavioral Research*, 56(3), 390-407.
Browne, M. W., & Cudeck, R. (1993). Alternative ways of assessing model fit. In K. A.
Bollen & J. S. Long (Eds.), *Testing Structural Equation Models* (pp. 136-162). Sage.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats as sps

from cxsurvey.errors import AnalysisError, InputError
from cxsurvey.model.syntax import parse_syntax
from cxsurvey.stats.cb import fit_indices
from cxsurvey.stats.cb.delta import definitions_from_syntax, evaluate_definitions
from cxsurvey.stats.cb.ml_fit import model_columns
from cxsurvey.stats.cb.moments import (
    RamModel,
    implied_cov,
    jacobian,
    normal_weight,
    ram_model,
    sigma_hessians,
    vech,
)
from cxsurvey.stats.cb.prepare import prepare_model
from cxsurvey.stats.ordinal import polychoric, polychoric_acov
from cxsurvey.stats.ordinal.mixed import mixed_statistics
from cxsurvey.stats.threads import one_blas_thread

__all__ = ["WlsmvFit", "fit_wlsmv"]

PARAM_COLUMNS = ["lhs", "op", "rhs", "label", "free", "est", "se", "z", "pvalue",
                 "ci_lower", "ci_upper", "std_all"]
_Z975 = float(sps.norm.ppf(0.975))


@dataclass(frozen=True)
class WlsmvFit:
    """A WLSMV (DWLS, delta parameterization) CFA/SEM fit of ordinal items.

    Attributes
    ----------
    params : DataFrame
        lavaan's ``parameterEstimates(fit, standardized = TRUE)`` layout: ``lhs, op, rhs,
        label, free, est, se, z, pvalue, ci_lower, ci_upper, std_all``. Rows: loadings
        (``=~``), regressions (``~``), user (co)variances, thresholds (``op = "|"``, ``rhs =
        "t1", "t2", ...``), variances (residual variances of the items are ``1 -
        communality`` and not free), latent covariances, the scaling factors (``~*~``,
        fixed at 1) and intercepts (``~1``, fixed at 0) of the delta parameterization,
        then defined parameters (``:=``, ``rhs`` = the expression). Rows in lavaan's
        order. Fixed rows have NaN SEs.
    fit : dict
        lavaan ``fitMeasures`` names in snake_case: ``npar, fmin, chisq, df, pvalue,
        chisq_scaled, df_scaled, pvalue_scaled, chisq_scaling_factor,
        chisq_shift_parameter, baseline_chisq, baseline_df, baseline_pvalue,
        baseline_chisq_scaled, baseline_df_scaled, baseline_pvalue_scaled,
        baseline_chisq_scaling_factor, baseline_chisq_shift_parameter, cfi, tli,
        cfi_scaled, tli_scaled, rmsea, rmsea_scaled, rmsea_robust, cfi_robust, tli_robust,
        rmsea_ci_lower, rmsea_ci_upper, rmsea_pvalue (and ``_scaled``, ``_robust``),
        srmr, srmr_bentler, crmr, wrmr,
        trace_ugamma, trace_ugamma2``.
    n : int
        Complete cases used.
    observed, latent : tuple of str
        Items (the order of the sample statistics) and latent variables.
    sample_cor, implied_cor : DataFrame
        Polychoric and model-implied correlation matrices of the latent responses.
    thresholds : dict of str to ndarray
        Sample (= estimated) thresholds per ordinal item.
    vcov : DataFrame
        Robust covariance matrix of the free parameters: the structural ones (named by
        their label, else ``"lhs op rhs"``), then the thresholds (``"item|t1"``, ...).
    converged : bool
    iterations : int
    warnings : tuple of str
    continuous : tuple of str
        The indicators treated as continuous (their intercepts and residual variances are
        free; ``sample_cor`` holds their polyserial / Pearson correlations and
        ``implied_cor`` the model's correlations).
    sample_cov, implied_cov : DataFrame
        The sample and model-implied covariance matrices of the latent responses (unit
        variance) and the continuous indicators; equal to the correlations when every
        indicator is ordinal.
    """

    params: pd.DataFrame
    fit: dict[str, float]
    n: int
    observed: tuple[str, ...]
    latent: tuple[str, ...]
    sample_cor: pd.DataFrame
    implied_cor: pd.DataFrame
    thresholds: dict[str, np.ndarray]
    vcov: pd.DataFrame
    converged: bool
    iterations: int
    warnings: tuple[str, ...] = field(default=())
    continuous: tuple[str, ...] = field(default=())
    sample_cov: pd.DataFrame | None = None
    implied_cov: pd.DataFrame | None = None


def _structure(syntax: str, continuous: frozenset[str] = frozenset()
               ) -> tuple[pd.DataFrame, tuple[str, ...], tuple[str, ...],
                          list[tuple[str, str]]]:
    """Structural rows (``=~``, ``~``, ``~~``) in lavaan's order, without start values.

    Also returns the defined parameters (``name := expression``). Column ``user`` marks
    the rows written in the syntax (they precede the thresholds in lavaan's table). The
    residual variances of the ``continuous`` indicators are free parameters; those of the
    ordinal ones are ``1 - communality``.
    """
    prep = prepare_model(syntax)
    spec = parse_syntax(prep.syntax)
    latent = prep.latent
    lat = set(latent)
    indicators = {i for _, i in prep.measurement}
    observed = tuple(v for v in prep.observed if v not in lat)
    extra = [v for v in observed if v not in indicators]
    if extra:
        raise InputError(
            f"WLSMV needs every observed variable to be an indicator of a latent variable; "
            f"{', '.join(repr(v) for v in extra)} is not",
            hint="Use the items only as indicators of latent variables.")
    unknown = sorted(continuous - set(observed))
    if unknown:
        raise InputError(f"{', '.join(repr(v) for v in unknown)} is not an item of the model",
                         hint="Name the model's items.")
    item_var = [f.lhs for f in spec.formulas if f.op == "~~" and f.lhs in observed
                and f.lhs not in continuous and any(t.name == f.lhs for t in f.rhs)]
    if item_var:
        raise InputError(
            f"the variance of {', '.join(repr(v) for v in item_var)} cannot be specified: "
            "with ordinal items it is 1 - communality (delta parameterization)",
            hint="Remove the item's '~~' line with itself.")
    rows: list[dict[str, Any]] = []
    user_cov: set[frozenset[str]] = set()
    for f in spec.formulas:
        if f.op not in ("=~", "~", "~~"):
            continue
        for t in f.rhs:
            label = t.label or ""
            if label.startswith("_cx"):  # written by prepare_model to free a first loading
                label = ""
            rows.append({"lhs": f.lhs, "op": f.op, "rhs": t.name, "label": label,
                         "free": t.fixed is None, "user": True,
                         "est": float(t.fixed) if t.fixed is not None else np.nan})
            if f.op == "~~":
                user_cov.add(frozenset((f.lhs, t.name)))
    # residual variances of the items: 1 - communality under the delta parameterization
    # for the ordinal ones, free for the continuous ones
    for v in observed:
        if frozenset((v,)) not in user_cov:
            rows.append({"lhs": v, "op": "~~", "rhs": v, "label": "", "free": v in continuous,
                         "user": False, "est": np.nan})
    outcomes = {y for y, _ in prep.regressions}
    for v in latent:
        if frozenset((v,)) not in user_cov:
            rows.append({"lhs": v, "op": "~~", "rhs": v, "label": "", "free": True,
                         "user": False, "est": np.nan})
    exo = [v for v in latent if v not in outcomes]
    for i, a in enumerate(exo):
        for b in exo[i + 1:]:
            if frozenset((a, b)) not in user_cov:
                rows.append({"lhs": a, "op": "~~", "rhs": b, "label": "", "free": True,
                             "user": False, "est": np.nan})
    return pd.DataFrame(rows), observed, latent, definitions_from_syntax(syntax)


def _defined_rows(defined: list[tuple[str, str]], labels: dict[str, int], theta: np.ndarray,
                  vcov: np.ndarray, std: dict[str, float]) -> list[dict[str, Any]]:
    """``:=`` rows: value, delta-method SE (exact gradient,
    :func:`cxsurvey.stats.cb.delta.evaluate_definitions`), standardised value."""
    try:
        raw = evaluate_definitions(defined, {lab: float(theta[i]) for lab, i in labels.items()},
                                   labels, theta.size)
        standard = evaluate_definitions(defined, std)
    except ValueError as exc:
        raise InputError(str(exc), hint="Use labels, numbers and + - * / ^ only; label the "
                         "parameters the definition uses.") from None
    v = vcov[:theta.size, :theta.size]
    return [{"lhs": name, "op": ":=", "rhs": expr, "label": name, "free": False,
             "est": est, "se": math.sqrt(max(float(grad @ v @ grad), 0.0)),
             "std_all": std_value}
            for (name, expr), (est, grad), (std_value, _) in zip(defined, raw, standard,
                                                                   strict=True)]


def _start_values(table: pd.DataFrame, r: np.ndarray, observed: tuple[str, ...],
                  sd: Mapping[str, float] | None = None) -> np.ndarray:
    """Simple start values: loadings from the correlations with the marker item, latent
    variances the mean correlation of the marker with its co-indicators, the rest 0;
    then put in the units of the continuous items (standard deviations ``sd``, 1 for the
    ordinal ones), whose residual variances start at half their variance."""
    pos = {v: i for i, v in enumerate(observed)}
    est = table["est"].to_numpy(dtype=float).copy()
    marker: dict[str, str] = {}
    for lhs, op, rhs in table[["lhs", "op", "rhs"]].itertuples(index=False, name=None):
        if op == "=~" and rhs in pos:
            marker.setdefault(lhs, rhs)
    var: dict[str, float] = {}
    for f, m in marker.items():
        others = [r[pos[m], pos[x]] for lhs, op, x in
                  table[["lhs", "op", "rhs"]].itertuples(index=False, name=None)
                  if op == "=~" and lhs == f and x != m and x in pos]
        var[f] = max(0.05, float(np.mean(np.abs(others)))) if others else 0.5
    for k, (lhs, op, rhs, free) in enumerate(
            table[["lhs", "op", "rhs", "free"]].itertuples(index=False, name=None)):
        if not free:
            continue
        if op == "=~":
            mk = marker.get(lhs)
            est[k] = (r[pos[mk], pos[rhs]] / var.get(lhs, 0.5)
                      if mk is not None and rhs in pos and mk != rhs else 1.0)
            est[k] = float(np.clip(est[k], -1.5, 1.5))
        elif op == "~~" and lhs == rhs:
            est[k] = var.get(lhs, 0.05) if lhs not in pos else 0.0
        else:
            est[k] = 0.0
    if sd:
        unit = {f: sd.get(m, 1.0) for f, m in marker.items()}
        for k, (lhs, op, rhs, free) in enumerate(
                table[["lhs", "op", "rhs", "free"]].itertuples(index=False, name=None)):
            if not free:
                continue
            if op == "=~" and rhs in pos:
                est[k] *= sd.get(rhs, 1.0) / unit.get(lhs, 1.0)
            elif op == "~~" and lhs == rhs and lhs in unit:
                est[k] *= unit[lhs] ** 2
            elif op == "~~" and lhs == rhs and lhs in sd:
                est[k] = 0.5 * sd[lhs] ** 2
    return est


def _lower(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of the below-diagonal elements, column by column (lavaan's order)."""
    cols, rows = np.triu_indices(p, k=1)
    return rows, cols


def _offdiag_rows(p: int) -> np.ndarray:
    """Positions of the below-diagonal elements within ``vech`` (diagonal included)."""
    cols, rows = np.triu_indices(p)
    return np.flatnonzero(rows != cols)


def _dwls(model: RamModel, s: np.ndarray, w: np.ndarray, theta: np.ndarray,
          sel: np.ndarray, *, tol: float, maxiter: int) -> tuple[np.ndarray, int, bool]:
    """Minimise ``0.5 sum w (s - vech(Sigma(theta))[sel])^2`` by Gauss-Newton with step
    halving; after a few iterations by Newton steps with the exact Hessian (``J'WJ`` minus
    the residual-weighted second derivatives of Sigma) while it is positive definite, which
    keeps the convergence quadratic when the residuals are large."""
    p = len(model.observed)
    cols, rows = np.triu_indices(p)
    hr, hc = rows[sel], cols[sel]

    def resid(t: np.ndarray) -> np.ndarray:
        out: np.ndarray = s - vech(implied_cov(model, t))[sel]
        return out

    r = resid(theta)
    f = 0.5 * float(np.sum(w * r * r))
    for it in range(1, maxiter + 1):
        jac = jacobian(model, theta)[sel]
        grad = jac.T @ (w * r)
        info = jac.T @ (w[:, None] * jac)
        step = None
        if it > 5:
            hess = info - np.einsum("klm,m->kl", sigma_hessians(model, theta)[:, :, hr, hc],
                                    w * r)
            try:
                np.linalg.cholesky(hess)
                step = np.linalg.solve(hess, grad)
            except np.linalg.LinAlgError:
                step = None
        if step is None:
            try:
                step = np.linalg.solve(info, grad)
            except np.linalg.LinAlgError:
                step = np.linalg.lstsq(info, grad, rcond=None)[0]
        if float(np.max(np.abs(grad))) < tol:
            return theta, it, True
        alpha = 1.0
        while alpha > 1e-10:
            cand = theta + alpha * step
            rc = resid(cand)
            fc = 0.5 * float(np.sum(w * rc * rc))
            if np.isfinite(fc) and fc <= f:
                break
            alpha *= 0.5
        else:
            return theta, it, float(np.max(np.abs(grad))) < 1e3 * tol
        converged = abs(f - fc) <= 1e-16 * max(1.0, f) and float(np.max(np.abs(step))) < 1e-10
        theta, r, f = cand, rc, fc
        if converged:
            return theta, it, True
    return theta, maxiter, False


def _scaled_shifted(u: np.ndarray, gamma: np.ndarray, stat: float, df: float
                    ) -> dict[str, float]:
    """Asparouhov & Muthén's (2010) mean- and variance-adjusted statistic
    (:func:`cxsurvey.stats.cb.fit_indices.scaled_shifted`) from ``U`` and ``Gamma``."""
    ug = u @ gamma
    return fit_indices.scaled_shifted(stat, df, float(np.trace(ug)), float(np.sum(ug * ug.T)))


def _rmsea_block(suffix: str, x2: float, df: float, n: float,
                 c_hat: float = 1.0) -> dict[str, float]:
    lo, hi = fit_indices.rmsea_ci(x2, df, n, c_hat=c_hat)
    return {f"rmsea_ci_lower{suffix}": lo, f"rmsea_ci_upper{suffix}": hi,
            f"rmsea_pvalue{suffix}": fit_indices.rmsea_pvalue(x2, df, n, c_hat=c_hat)}


def _robust_measures(r: np.ndarray, sigma: np.ndarray, jac: np.ndarray, w: np.ndarray,
                     gamma_c: np.ndarray, n: int, df: float) -> dict[str, float]:
    """lavaan's robust RMSEA / CFI / TLI for categorical data (Savalei 2021).

    The normal-theory ML discrepancy of the polychoric matrix ``r`` from the implied
    correlations ``sigma`` (lavaan's "catML" model evaluated at the DWLS estimates),
    with ``c = tr(U' V U Gamma) / df`` (``U = I - D (D'WD)^-1 D'W``, V the normal-theory
    weight of the correlations) and, for the baseline, ``c0 = tr(Gamma) / df0``.
    """
    nan = {k: float("nan") for k in ("rmsea_robust", "cfi_robust", "tli_robust",
                                     "rmsea_ci_lower_robust", "rmsea_ci_upper_robust",
                                     "rmsea_pvalue_robust")}
    p = r.shape[0]
    if df <= 0 or float(np.linalg.eigvalsh(r).min()) < math.sqrt(np.finfo(float).eps):
        return nan
    logdet_r = np.linalg.slogdet(r)[1]
    sign, logdet_s = np.linalg.slogdet(sigma)
    if sign <= 0:
        return nan
    inv = np.linalg.inv(sigma)
    x3 = n * float(logdet_s + np.trace(r @ inv) - logdet_r - p)
    x3_null = -n * float(logdet_r)
    df0 = p * (p - 1) / 2.0
    sel = _offdiag_rows(p)
    v = normal_weight(sigma)[np.ix_(sel, sel)]
    wj = w[:, None] * jac
    wiu = np.eye(w.size) - jac @ np.linalg.solve(jac.T @ wj, wj.T)
    c_hat = float(np.sum((wiu.T @ v @ wiu) * gamma_c.T)) / df
    c_null = float(np.trace(gamma_c)) / df0
    n1 = n - 1.0
    t1 = x3 - c_hat * df
    t0 = x3_null - c_null * df0
    cfi_den = max(t1, t0, 0.0)
    return {"rmsea_robust": fit_indices.rmsea(x3, df, n1, c_hat),
            **_rmsea_block("_robust", x3 / c_hat, df, n1, c_hat),
            "cfi_robust": 1.0 - max(t1, 0.0) / cfi_den if cfi_den > 0 else 1.0,
            "tli_robust": 1.0 - (t1 * df0) / (t0 * df) if t0 != 0 else 1.0}


def _warnings(vcov: np.ndarray, resid: dict[str, float], total: dict[str, float],
              observed: tuple[str, ...], latent: tuple[str, ...], n: int
              ) -> tuple[str, ...]:
    """Improper solutions and a singular covariance matrix of the estimates (lavaan warns
    when its smallest eigenvalue is below ``eps^(3/4)``)."""
    out: list[str] = []
    bad = [v for v in observed if resid[v] < 0]
    if bad:
        out.append("negative residual variance (communality above 1) of the latent "
                   f"response of {', '.join(bad)}: an improper (Heywood) solution")
    bad = [v for v in latent if total[v] <= 0]
    if bad:
        out.append(f"non-positive variance of the latent variable(s) {', '.join(bad)}")
    smallest = float(np.linalg.eigvalsh(vcov).min()) if vcov.size else 0.0
    if smallest < np.finfo(float).eps ** 0.75:
        npar = vcov.shape[0]
        if n <= npar:
            why = (f"expected with {n} cases for {npar} free parameters (its rank is at most "
                   "the number of cases)")
        else:
            why = "the model may not be identified"
        out.append("the covariance matrix of the estimates is not positive definite "
                   f"(smallest eigenvalue {smallest:.3g}): {why}")
    return tuple(out)


def _std_all(table: pd.DataFrame, total: dict[str, float], resid: dict[str, float]
             ) -> np.ndarray:
    out = np.full(len(table), np.nan)
    for k, (lhs, op, rhs, est) in enumerate(
            table[["lhs", "op", "rhs", "est"]].itertuples(index=False, name=None)):
        with np.errstate(invalid="ignore", divide="ignore"):
            if op == "=~":
                out[k] = est * math.sqrt(max(total[lhs], 0.0)) / math.sqrt(total[rhs])
            elif op == "~":
                out[k] = est * math.sqrt(max(total[rhs], 0.0)) / math.sqrt(total[lhs])
            elif op == "|":
                out[k] = est / math.sqrt(total[lhs])
            elif op == "~1":
                out[k] = est / math.sqrt(total[lhs]) if total.get(lhs, 0.0) > 0 else est
            elif op == "~*~":
                out[k] = est
            elif op == "~~" and lhs == rhs:
                out[k] = est / total[lhs] if total[lhs] != 0 else np.nan
            elif op == "~~":
                prod = resid[lhs] * resid[rhs]
                out[k] = est / math.sqrt(prod) if prod > 0 else np.nan
    return out


@dataclass(frozen=True)
class _Statistics:
    """The sample statistics in lavaan's ``WLS.obs`` order (thresholds and negative means,
    continuous variances, covariances) with their Gamma and DWLS weights."""

    n: int
    names: tuple[str, ...]
    estimates: np.ndarray
    gamma: np.ndarray
    weights: np.ndarray
    n_thresholds: int
    continuous: tuple[str, ...]
    r: np.ndarray
    thresholds: dict[str, np.ndarray]
    means: dict[str, float]
    variances: dict[str, float]
    warnings: tuple[str, ...]


def _statistics(data: pd.DataFrame, observed: tuple[str, ...],
                missing: Literal["listwise", "pairwise"],
                scales: Mapping[str, Sequence[float]] | None = None,
                continuous: frozenset[str] = frozenset()) -> _Statistics:
    block = model_columns(data, observed)
    block = block.dropna() if missing == "listwise" else block.dropna(how="all")
    ordinal = [v for v in observed if v not in continuous]
    try:
        if continuous:
            mixed = mixed_statistics(block, list(observed), ordinal, missing=missing,
                                     scales=None if scales is None else dict(scales))
            r = mixed.correlation.loc[list(observed), list(observed)].to_numpy(dtype=float)
            return _Statistics(
                n=mixed.n, names=mixed.names, estimates=mixed.estimates, gamma=mixed.gamma,
                weights=mixed.wls_weights, n_thresholds=mixed.n_thresholds,
                continuous=tuple(v for v in observed if v in continuous), r=r,
                thresholds=dict(mixed.thresholds), means=dict(mixed.means),
                variances=dict(mixed.variances), warnings=mixed.warnings)
        poly = polychoric(block, list(observed), missing=missing,
                          scales=None if scales is None else dict(scales))
        acov = polychoric_acov(block, list(observed), missing=missing, result=poly)
    except ValueError as exc:
        raise AnalysisError(f"the polychoric statistics cannot be computed: {exc}",
                            hint="Every item needs at least two observed categories.") from exc
    r = poly.matrix.loc[list(observed), list(observed)].to_numpy(dtype=float)
    th = {v: np.asarray(poly.thresholds[v], dtype=float) for v in observed}
    return _Statistics(n=acov.n, names=acov.names, estimates=acov.estimates, gamma=acov.gamma,
                       weights=acov.wls_weights, n_thresholds=acov.n_thresholds,
                       continuous=(), r=r, thresholds=th, means={}, variances={},
                       warnings=tuple(poly.warnings))


def fit_wlsmv(data: pd.DataFrame, syntax: str, *,
              missing: Literal["listwise", "pairwise"] = "listwise", tol: float = 1e-10,
              maxiter: int = 500,
              scales: Mapping[str, Sequence[float]] | None = None,
              ordered: Sequence[str] | None = None) -> WlsmvFit:
    """Fit a CFA or SEM of ordinal items by WLSMV, as lavaan's ``estimator = "WLSMV"``.

    Parameters
    ----------
    data : DataFrame
        Item responses (ordinal codes); only the model's items are used.
    syntax : str
        lavaan model syntax: ``=~`` (every observed variable an indicator), ``~`` among
        latent variables, ``~~``, ``:=``. The first loading of each factor is fixed to 1.
    missing : {"listwise", "pairwise"}
        ``"listwise"`` (lavaan's default for WLSMV): only rows complete on all items.
        ``"pairwise"``: thresholds from every answer of an item, each correlation from the
        rows complete on its pair (lavaan's ``missing = "pairwise"``); rows without any
        answer are dropped.
    scales : dict, optional
        Item -> its declared scale points, so that a point nobody chose is named in the
        warnings (the categories are the observed ones, as lavaan's).
    ordered : sequence of str, optional
        The ordinal items (lavaan's ``ordered``); the model's other indicators are
        continuous: their means, variances and polyserial / Pearson correlations enter the
        statistics (:func:`cxsurvey.stats.ordinal.mixed.mixed_statistics`), their
        intercepts and residual variances are free. Names that are not indicators of the
        model are ignored, as lavaan does. Default: every indicator ordinal.
    tol : float
        Convergence tolerance on the largest element of the DWLS gradient.
    maxiter : int
        Gauss-Newton iteration limit.

    Returns
    -------
    WlsmvFit

    Raises
    ------
    InputError
        Unknown columns or a model outside the supported class.
    AnalysisError
        No convergence, or too few degrees of freedom.

    References
    ----------
    Muthén, B., du Toit, S. H. C., & Spisic, D. (1997). Robust inference using weighted
    least squares and quadratic estimating equations in latent variable modeling with
    categorical and continuous outcomes. Technical report.
    Satorra, A., & Bentler, P. M. (1994). In *Latent Variables Analysis* (pp. 399-419).
    Sage.
    Asparouhov, T., & Muthén, B. (2010). Simple second order chi-square correction.
    Mplus technical appendix.
    Rosseel, Y. (2012). *Journal of Statistical Software*, 48(2), 1-36.
    """
    if missing not in ("listwise", "pairwise"):
        raise InputError(f"missing must be 'listwise' or 'pairwise', not {missing!r}",
                         hint="Use missing='listwise' (lavaan's default) or 'pairwise'.")
    # the matrices have a few hundred rows: threaded BLAS only adds overhead (and on a
    # loaded machine its spinning threads slow the fit several-fold)
    continuous: frozenset[str] = frozenset()
    if ordered is not None:
        prep = prepare_model(syntax)
        observed = tuple(v for v in prep.observed if v not in set(prep.latent))
        continuous = frozenset(v for v in observed if v not in set(ordered))
    with one_blas_thread():
        return _fit(data, syntax, missing, tol, maxiter, scales, continuous)


def _fit(data: pd.DataFrame, syntax: str, missing: Literal["listwise", "pairwise"],
         tol: float, maxiter: int,
         scales: Mapping[str, Sequence[float]] | None = None,
         continuous: frozenset[str] = frozenset()) -> WlsmvFit:
    table, observed, latent, defined = _structure(syntax, continuous)
    st = _statistics(data, observed, missing, scales, continuous)
    n = st.n
    p = len(observed)
    nth = st.n_thresholds
    s_all = st.estimates
    s = s_all[nth:]
    w_all = st.weights
    w = w_all[nth:]
    gamma = st.gamma
    r = st.r
    th = st.thresholds
    num = set(st.continuous)
    sd = {v: math.sqrt(st.variances[v]) for v in st.continuous}

    start = np.nan_to_num(_start_values(table, r, observed, sd), nan=0.0)
    first: dict[str, float] = {}
    for j, (label, free) in enumerate(table[["label", "free"]].itertuples(index=False,
                                                                           name=None)):
        if free and label:  # rows sharing a label are one parameter: one start value
            start[j] = first.setdefault(str(label), float(start[j]))
    struct = table.assign(est=start)
    is_resvar = [(op == "~~" and lhs == rhs and lhs in observed and lhs not in num)
                 for lhs, op, rhs in
                 struct[["lhs", "op", "rhs"]].itertuples(index=False, name=None)]
    ram_rows = struct[~np.asarray(is_resvar, dtype=bool)].reset_index(drop=True)
    ram_rows = ram_rows.drop(columns=["user"])
    ram_rows = ram_rows.assign(est=ram_rows["est"].astype(float))
    model = ram_model(ram_rows, observed)
    q = model.npar
    # the fitted statistics: the continuous variances, then the covariances (vech rows)
    cols, rows = np.triu_indices(p)
    diag_pos = {int(rows[k]): k for k in np.flatnonzero(rows == cols)}
    sel = np.concatenate([[diag_pos[observed.index(v)] for v in st.continuous],
                          _offdiag_rows(p)]).astype(int)
    df = float(s.size - q)
    if df < 0:
        raise AnalysisError(f"the model has {q} free parameters for {s.size} sample "
                            "correlations and variances",
                            hint="Simplify the model or add items.")
    theta, iterations, converged = _dwls(model, s, w, model.theta, sel, tol=tol,
                                         maxiter=maxiter)
    if not converged:
        raise AnalysisError("the DWLS estimation did not converge",
                            hint="Check the model for identification problems.")
    sigma = implied_cov(model, theta)
    resid_c = s - vech(sigma)[sel]
    # lavaan: F = 0.5 (N - 1) / N sum w r^2 at the optimum, chisq = 2 N F
    fmin = 0.5 * (n - 1.0) / n * float(np.sum(w * resid_c * resid_c))
    chisq = 2.0 * n * fmin

    # Jacobian of all statistics w.r.t. (structural parameters, thresholds and means);
    # a continuous variable's statistic is minus its mean (intercept)
    jac_c = jacobian(model, theta)[sel]
    k = s_all.size
    delta = np.zeros((k, q + nth))
    sign = np.array([-1.0 if name.endswith("~1") else 1.0 for name in st.names[:nth]])
    delta[:nth, q:] = np.diag(sign)
    delta[nth:, :q] = jac_c
    wd = w_all[:, None] * delta
    bread = np.linalg.inv(delta.T @ wd)
    meat = wd.T @ gamma @ wd
    vcov = bread @ meat @ bread / (n - 1.0)
    se = np.sqrt(np.clip(np.diag(vcov), 0.0, None))
    u = np.diag(w_all) - wd @ bread @ wd.T
    ss = _scaled_shifted(u, gamma, chisq, df)

    # baseline: covariances zero; thresholds, means and variances free (fitted exactly)
    n_var = len(st.continuous)
    s_cov, w_cov = s[n_var:], w[n_var:]
    chisq_b = float((n - 1.0) * np.sum(w_cov * s_cov * s_cov))
    dfb = float(s_cov.size)
    ub = np.zeros((k, k))
    ub[nth + n_var:, nth + n_var:] = np.diag(w_cov)
    ssb = _scaled_shifted(ub, gamma, chisq_b, dfb)

    # parameter table
    a, smat = model.matrices(theta)
    bmat = np.linalg.inv(np.eye(a.shape[0]) - a)
    full = bmat @ smat @ bmat.T
    vpos = {v: i for i, v in enumerate(model.variables)}
    total = {v: float(full[i, i]) for v, i in vpos.items()}
    resid_var = {v: float(smat[i, i]) for v, i in vpos.items()}
    for v in observed:
        if v not in num:
            resid_var[v] = 1.0 - total[v]
            total[v] = 1.0
    est = struct["est"].to_numpy(dtype=float).copy()
    se_col = np.full(len(struct), np.nan)
    ram_index = np.flatnonzero(~np.asarray(is_resvar, dtype=bool))
    for j, rows_j in enumerate(model.rows):
        for rr in rows_j:
            est[ram_index[rr]] = theta[j]
            se_col[ram_index[rr]] = se[j]
    for kk, flag in enumerate(is_resvar):
        if flag:
            est[kk] = resid_var[str(struct["lhs"].iloc[kk])]
    se_th = dict(zip(st.names[:nth], se[q:], strict=True))
    rows_th = pd.DataFrame(
        [{"lhs": v, "op": "|", "rhs": f"t{i + 1}", "label": "", "free": True,
          "est": float(t), "se": se_th[f"{v}|t{i + 1}"]}
         for v in observed if v not in num for i, t in enumerate(th[v])],
        columns=["lhs", "op", "rhs", "label", "free", "est", "se"])
    fixed_rows = pd.DataFrame(
        [{"lhs": v, "op": "~*~", "rhs": v, "label": "", "free": False, "est": 1.0,
          "se": np.nan} for v in observed if v not in num]
        + [{"lhs": v, "op": "~1", "rhs": "", "label": "", "free": v in num,
            "est": st.means[v] if v in num else 0.0,
            "se": se_th[f"{v}~1"] if v in num else np.nan} for v in observed]
        + [{"lhs": v, "op": "~1", "rhs": "", "label": "", "free": False, "est": 0.0,
            "se": np.nan} for v in latent])
    params = struct.assign(est=est, se=se_col)
    user = params["user"].to_numpy(dtype=bool)
    params = pd.concat([params[user], rows_th, params[~user], fixed_rows],
                       ignore_index=True).drop(columns=["user"])
    z = params["est"] / params["se"]
    params = params.assign(
        z=z, pvalue=2.0 * sps.norm.sf(np.abs(z)),
        ci_lower=params["est"] - _Z975 * params["se"],
        ci_upper=params["est"] + _Z975 * params["se"])
    params = params.assign(std_all=_std_all(params, total, resid_var))
    params.loc[~params["free"].astype(bool), ["se", "z", "pvalue", "ci_lower",
                                              "ci_upper"]] = np.nan
    if defined:
        labels = {name: j for j, name in enumerate(model.free_names)
                  if name in set(struct["label"])}
        std = {str(lab): float(v) for lab, v in zip(params["label"], params["std_all"],
                                                      strict=True) if lab}
        rows_def = pd.DataFrame(_defined_rows(defined, labels, theta, vcov, std))
        zd = rows_def["est"] / rows_def["se"]
        rows_def = rows_def.assign(
            z=zd, pvalue=2.0 * sps.norm.sf(np.abs(zd)),
            ci_lower=rows_def["est"] - _Z975 * rows_def["se"],
            ci_upper=rows_def["est"] + _Z975 * rows_def["se"])
        params = pd.concat([params, rows_def], ignore_index=True)
    params = params[PARAM_COLUMNS]

    # fit measures: residuals on the correlation scale (lavaan's categorical SRMR)
    n1 = n - 1.0
    li, lj = _lower(p)
    scale = np.sqrt(np.diag(sigma).copy())
    for i, v in enumerate(observed):
        if v not in num:
            scale[i] = 1.0
    implied = sigma / np.outer(scale, scale)
    np.fill_diagonal(implied, 1.0)
    res = (r - implied)[li, lj]
    ssr = float(np.sum(res * res))
    n_ord_th = sum(th[v].size for v in observed if v not in num)
    robust = (_robust_measures(r, implied, jac_c, w, gamma[nth:, nth:], n, df) if not num
              else {key: float("nan") for key in (
                  "rmsea_robust", "cfi_robust", "tli_robust", "rmsea_ci_lower_robust",
                  "rmsea_ci_upper_robust", "rmsea_pvalue_robust")})
    fit: dict[str, float] = {
        "npar": float(q + nth), "fmin": fmin,
        **fit_indices.scaled_test_measures(chisq, df, ss, chisq_b, dfb, ssb),
        "rmsea": fit_indices.rmsea(chisq, df, n1),
        "rmsea_scaled": fit_indices.rmsea(ss["stat"], df, n1),
        **_rmsea_block("", chisq, df, n1),
        **_rmsea_block("_scaled", ss["stat"], df, n1),
        # lavaan's robust (catML) indices need every item ordinal: NaN with continuous ones
        **robust,
        # lavaan's categorical SRMR: residual correlations over p (p + 1) / 2;
        # srmr_bentler and crmr add the (zero) threshold residuals to the count
        "srmr": math.sqrt(ssr / (p * (p + 1) / 2)),
        "srmr_bentler": math.sqrt(ssr / (p * (p + 1) / 2 + n_ord_th)),
        "crmr": math.sqrt(ssr / (p * (p - 1) / 2 + n_ord_th)),
        "wrmr": math.sqrt(chisq / k),
    }
    names_free = [*model.free_names, *st.names[:nth]]
    # the polychoric step's own warnings (empty categories, zero cells, as lavaan's)
    warnings = tuple(f"polychoric: {w}" for w in st.warnings) + tuple(
        _warnings(vcov, resid_var, total, observed, latent, n))
    return WlsmvFit(
        params=params, fit=fit, n=n, observed=observed, latent=latent,
        sample_cor=pd.DataFrame(r, index=list(observed), columns=list(observed)),
        implied_cor=pd.DataFrame(implied, index=list(observed), columns=list(observed)),
        thresholds={v: th[v] for v in observed if v not in num},
        vcov=pd.DataFrame(vcov, index=names_free, columns=names_free),
        converged=converged, iterations=iterations, warnings=warnings,
        continuous=st.continuous,
        sample_cov=pd.DataFrame(r * np.outer(scale, scale), index=list(observed),
                                columns=list(observed)),
        implied_cov=pd.DataFrame(implied * np.outer(scale, scale), index=list(observed),
                                 columns=list(observed)))
