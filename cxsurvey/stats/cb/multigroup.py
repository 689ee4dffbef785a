"""Multi-group covariance-based CFA/SEM by maximum likelihood, as lavaan's ``group = ...``.

:func:`fit_multigroup` fits a lavaan-syntax model in every level of a grouping column
with lavaan's multi-group defaults (``meanstructure = TRUE``; intercepts free per group;
latent means fixed to 0, or free in groups 2..G when the intercepts are equal;
listwise deletion per group; covariance matrices with divisor N_g), with lavaan's
``group.equal`` / ``group.partial`` equality constraints
(:mod:`cxsurvey.stats.cb.multigroup_model`). Estimation minimises
``F = sum_g (N_g / N) F_g`` by Fisher scoring with the analytic gradient and expected
information (step halving on F); the test statistic is ``2 N F``.

Standard errors: ML from the expected information (``vcov = I^-1 / N``); MLM the
sandwich ``I^-1 (sum_g f_g Delta_g' W_g Gamma_g W_g Delta_g) I^-1 / N`` with the
Satorra-Bentler scaled test ``c = [sum_g tr(W_g Gamma_g) - tr(I^-1 sum_g f_g Delta_g'
W_g Gamma_g W_g Delta_g)] / df``; MLR the Huber-White sandwich ``H^-1 B0 H^-1 / N`` (H the
observed information, lavaan's numerical Hessian of the analytic gradient; B0 the mean
outer product of casewise scores) and the Yuan-Bentler (Mplus) scaled test ``c =
[sum_g tr(A1_g Gamma_g) - tr(B0 H^-1)] / df`` with ``A1_g`` the unrestricted
information at the sample moments. ``f_g = N_g / N``; ``W_g`` and ``Gamma_g`` cover the
means and the covariances (``Gamma_g`` the distribution-free covariance of
``(y_i, vech((y_i - ybar)(y_i - ybar)'))``, divisor N_g).

Fit measures are lavaan's multi-group ones: the baseline is the independence model in
each group (free means and variances, no equality constraints), RMSEA and its interval
carry lavaan's factor ``sqrt(G)`` (Steiger, 1998), SRMR is the N_g-weighted mean of the
groups' Bentler SRMR including the mean residuals.

References
----------
Jöreskog, K. G. (1971). Simultaneous factor analysis in several populations.
Psychometrika, 36(4), 409-426. Sörbom, D. (1974). British Journal of Mathematical and
Statistical Psychology, 27(2), 229-239. Satorra, A., & Bentler, P. M. (1994). In A. von
Eye & C. C. Clogg (Eds.), Latent Variables Analysis (pp. 399-419). Sage. Yuan, K.-H., &
Bentler, P. M. (2000). Sociological Methodology, 30, 165-200. Steiger, J. H. (1998). A
note on multiple sample extensions of the RMSEA fit index. Structural Equation Modeling,
5(4), 411-419. Lee, S.-Y., & Jennrich, R. I. (1979). Psychometrika, 44(1), 99-113
(Fisher scoring). Rosseel, Y. (2012). Journal of Statistical Software, 48(2), 1-36.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxsurvey.errors import AnalysisError, InputError
from cxsurvey.model.spec import ModelSpec
from cxsurvey.model.syntax import parse_syntax
from cxsurvey.stats.cb import fit_indices
from cxsurvey.stats.cb.multigroup_estimation import (
    GroupData,
    SampleMoments,
    gradient_information,
    group_data,
    minimise,
    objective,
    start_values,
)
from cxsurvey.stats.cb.multigroup_model import MeanStructure, build_table
from cxsurvey.stats.cb.multigroup_robust import (
    baseline_structure,
    robust_measures,
    robust_parts,
)
from cxsurvey.stats.cb.prepare import prepare_model
from cxsurvey.stats.threads import one_blas_thread

__all__ = ["GroupData", "MultiGroupFit", "fit_multigroup", "free_per_group"]

_Z975 = 1.959963984540054
PARAM_COLUMNS = ["lhs", "op", "rhs", "group", "label", "free", "est", "se", "z", "pvalue",
                 "ci_lower", "ci_upper", "std_all"]


@dataclass(frozen=True)
class MultiGroupFit:
    """A multi-group ML fit in lavaan's vocabulary.

    Attributes
    ----------
    params : DataFrame
        ``lhs, op, rhs, group, label, free, est, se, z, pvalue, ci_lower, ci_upper,
        std_all`` per parameter and group (``group`` 1-based in ``groups`` order; ``op``
        ``~1`` for intercepts and latent means; ``label`` the user's label, or lavaan's
        ``.pN.`` of the group-1 row for parameters ``group.equal`` makes equal). Fixed
        parameters have NaN ``se``.
    fit : dict
        lavaan ``fitMeasures`` names in snake_case: ``ntotal, npar, fmin, chisq, df,
        pvalue, baseline_chisq, baseline_df, baseline_pvalue, cfi, tli, logl,
        unrestricted_logl, aic, bic, bic2, rmsea, rmsea_ci_lower, rmsea_ci_upper,
        rmsea_pvalue, srmr``; with MLM/MLR also ``chisq_scaled, df_scaled, pvalue_scaled,
        chisq_scaling_factor, baseline_chisq_scaled, baseline_df_scaled,
        baseline_pvalue_scaled, baseline_chisq_scaling_factor, cfi_scaled, tli_scaled,
        cfi_robust, tli_robust, rmsea_scaled, rmsea_ci_lower_scaled,
        rmsea_ci_upper_scaled, rmsea_pvalue_scaled, rmsea_robust, rmsea_ci_lower_robust,
        rmsea_ci_upper_robust, rmsea_pvalue_robust``.
    chisq_group : dict
        Group label -> its contribution ``2 N_g F_g`` to ``chisq`` (lavaan's
        ``stat.group``).
    vcov : ndarray, shape (q, q)
        Covariance matrix of the free parameters (divided by N), ``free_names`` order.
    free_names : tuple of str
        ``lhs op rhs`` and group (``visual=~x2.g1``) of the first row of each free
        parameter.
    groups : tuple of str
    nobs : tuple of int
        Complete cases per group.
    estimator : str
    equal, partial : tuple of str
        The ``group.equal`` / ``group.partial`` the model was fitted with.
    converged : bool
    iterations : int
    warnings : tuple of str
        Non-convergence, negative variances (Heywood cases) per group, excluded groups.
    excluded_groups : tuple of (str, int)
        Groups left out (label, complete cases) for having fewer complete cases than
        ``min_group_size``.
    min_group_size : int
    observed, latent : tuple of str
    notes : tuple of str
    seconds : float
        Wall time of the fit.
    """

    params: pd.DataFrame
    fit: dict[str, float]
    chisq_group: dict[str, float]
    vcov: np.ndarray
    free_names: tuple[str, ...]
    groups: tuple[str, ...]
    nobs: tuple[int, ...]
    estimator: str
    equal: tuple[str, ...]
    partial: tuple[str, ...]
    converged: bool
    iterations: int
    warnings: tuple[str, ...]
    excluded_groups: tuple[tuple[str, int], ...]
    min_group_size: int
    observed: tuple[str, ...]
    latent: tuple[str, ...]
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    table: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    theta: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    data: GroupData | None = field(default=None, repr=False)

    @property
    def ntotal(self) -> int:
        return int(sum(self.nobs))


# ------------------------------------------------------------------------ outputs


def _std_all(lhs: str, op: str, rhs: str, est: float, total: np.ndarray, resid: np.ndarray,
             pos: dict[str, int]) -> float:
    """lavaan's ``std.all`` of one parameter of one group."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if op == "=~":
            return float(est * np.sqrt(total[pos[lhs]]) / np.sqrt(total[pos[rhs]]))
        if op == "~":
            return float(est * np.sqrt(total[pos[rhs]]) / np.sqrt(total[pos[lhs]]))
        if op == "~1":
            return float(est / np.sqrt(total[pos[lhs]]))
        i, j = pos[lhs], pos[rhs]
        if i == j:
            return float(est / total[i])
        return float(est / np.sqrt(resid[i] * resid[j]))


def _param_table(table: pd.DataFrame, ms: MeanStructure, theta: np.ndarray,
                 vcov: np.ndarray) -> pd.DataFrame:
    from scipy import special

    mos = ms.moments(theta)
    pos = {v: i for i, v in enumerate(ms.variables)}
    var = np.diag(vcov) if vcov.size else np.zeros(0)
    se_par = np.sqrt(np.where(var >= 0, var, np.nan))
    first_row: dict[int, int] = {}
    for r, (k, g) in enumerate(zip(table["par"], table["group"], strict=True)):
        if k >= 0 and g == 1:
            first_row.setdefault(int(k), r + 1)
    out = []
    for row in table.itertuples(index=False):
        k = int(row.par)
        est = float(theta[k]) if k >= 0 else float(row.value)
        se = float(se_par[k]) if k >= 0 else math.nan
        mo = mos[int(row.group) - 1]
        std = _std_all(row.lhs, row.op, row.rhs, est, np.diag(mo.total), np.diag(mo.s), pos)
        label = row.label
        if not label and row.linked and k in first_row:
            label = f".p{first_row[k]}."
        z = est / se if se > 0 else math.nan
        out.append({"lhs": row.lhs, "op": row.op, "rhs": row.rhs, "group": int(row.group),
                    "label": label, "free": bool(row.free), "est": est, "se": se, "z": z,
                    "pvalue": float(2.0 * special.ndtr(-abs(z))) if math.isfinite(z)
                    else math.nan,
                    "ci_lower": est - _Z975 * se, "ci_upper": est + _Z975 * se,
                    "std_all": std})
    return pd.DataFrame(out, columns=PARAM_COLUMNS)


def _warnings(params: pd.DataFrame, labels: tuple[str, ...], ms: MeanStructure,
              theta: np.ndarray) -> list[str]:
    out = []
    latent = set(ms.latent)
    var = params[(params["op"] == "~~") & (params["lhs"] == params["rhs"])]
    for g, lab in enumerate(labels, start=1):
        neg = var[(var["group"] == g) & (var["est"] < 0)]
        for v in neg.itertuples(index=False):
            kind = "latent variance" if v.lhs in latent else "residual variance"
            out.append(f"group {lab}: negative {kind} of {v.lhs} ({v.est:.4g}): "
                       "a Heywood case; the solution is improper")
        lv = [ms.variables.index(f) for f in ms.latent]
        if lv:
            cov = ms.moments(theta)[g - 1].total[np.ix_(lv, lv)]
            if np.min(np.linalg.eigvalsh(cov)) < 0:
                out.append(f"group {lab}: the latent covariance matrix is not positive "
                           "definite")
    return out


def _fit_measures(ms: MeanStructure, st: SampleMoments, theta: np.ndarray, f: float,
                  fs: list[float]) -> dict[str, float]:
    """lavaan's multi-group ``fitMeasures`` (ML)."""
    from scipy import stats

    n, groups, p = st.n, len(st.cov), ms.p
    nobs = st.weight * n
    q = ms.q
    df = groups * (p * (p + 1) // 2 + p) - q
    chisq = 2.0 * n * f
    pvalue = float(stats.chi2.sf(chisq, df)) if df > 0 else math.nan
    base = float(sum(nobs[g] * (float(np.sum(np.log(np.diag(st.cov[g])))) - st.logdet[g])
                     for g in range(groups)))
    base_df = groups * (p * (p + 1) // 2 - p)
    mos = ms.moments(theta)
    log2pi = math.log(2.0 * math.pi)
    logl = 0.0
    h1 = 0.0
    srmr = 0.0
    for g, mo in enumerate(mos):
        logl += -nobs[g] * (fs[g] + 0.5 * (p * log2pi + st.logdet[g] + p))
        h1 += -0.5 * nobs[g] * (p * log2pi + st.logdet[g] + p)
        srmr += st.weight[g] * fit_indices.srmr_bentler(st.cov[g], mo.sigma, st.mean[g],
                                                        mo.mu)
    aic, bic, bic2 = fit_indices.information_criteria(logl, q, n)
    lo, hi = fit_indices.rmsea_ci(chisq, df, n)
    root_g = math.sqrt(groups)
    return {"ntotal": float(n), "npar": float(q), "fmin": f, "chisq": chisq,
            "df": float(df), "pvalue": pvalue, "baseline_chisq": base,
            "baseline_df": float(base_df),
            "baseline_pvalue": float(stats.chi2.sf(base, base_df)),
            "cfi": fit_indices.cfi(chisq, df, base, base_df),
            "tli": fit_indices.tli(chisq, df, base, base_df), "logl": logl,
            "unrestricted_logl": h1, "aic": aic, "bic": bic, "bic2": bic2,
            "rmsea": fit_indices.rmsea(chisq, df, n) * root_g,
            "rmsea_ci_lower": lo * root_g, "rmsea_ci_upper": hi * root_g,
            "rmsea_pvalue": fit_indices.rmsea_pvalue(chisq, df, n / groups),
            "srmr": srmr}


def _free_names(table: pd.DataFrame, q: int) -> tuple[str, ...]:
    names = [""] * q
    for lhs, op, rhs, g, k in table[["lhs", "op", "rhs", "group", "par"]].itertuples(
            index=False, name=None):
        if k >= 0 and not names[k]:
            names[k] = f"{lhs}{op}{rhs}.g{g}"
    return tuple(names)


def _prepare(syntax: str | ModelSpec):
    spec = syntax if isinstance(syntax, ModelSpec) else parse_syntax(syntax)
    prep = prepare_model(spec)
    return spec, prep


def free_per_group(syntax: str | ModelSpec) -> int:
    """Free parameters of one group of the configural model (the default
    ``min_group_size``)."""
    spec, prep = _prepare(syntax)
    table, _ = build_table(spec, prep, prep.observed, 1)
    return int((table["par"] >= 0).sum())


def fit_multigroup(data: pd.DataFrame, syntax: str | ModelSpec, group: str, *,
                   equal: Sequence[str] = (), partial: Sequence[str] = (),
                   estimator: str = "ML", groups: Sequence[object] | None = None,
                   min_group_size: int | None = None, max_iter: int = 500) -> MultiGroupFit:
    """Fit a model in every group of ``group`` with lavaan's multi-group defaults.

    Parameters
    ----------
    data : DataFrame
        Raw data: the model's observed variables and the grouping column.
    syntax : str or ModelSpec
        lavaan model syntax (``=~``, ``~``, ``~~``, ``~ 1``, labels, fixed values;
        a label shared by terms makes them one parameter in every group).
    group : str
        The grouping column.
    equal : sequence of str
        lavaan ``group.equal``: any of ``loadings, intercepts, residuals,
        residual.covariances, lv.variances, lv.covariances, regressions, means``.
    partial : sequence of str
        lavaan ``group.partial``: parameters (``"visual=~x2"``, ``"x3~1"``) left free
        across groups.
    estimator : {"ML", "MLM", "MLR"}
    groups : sequence, optional
        Group levels to use, in this order (default: all, in order of appearance).
    min_group_size : int, optional
        Groups with fewer complete cases are left out and listed in the result
        (default: the free parameters of one group of the configural model).
    max_iter : int
        Fisher scoring iterations at most; a fit that has not converged by then is
        returned with ``converged = False`` and a warning.

    Returns
    -------
    MultiGroupFit

    Raises
    ------
    InputError
        Unknown group column, level, ``group.equal`` name or ``group.partial``
        parameter; unknown estimator; model variables missing from the data.
    AnalysisError
        Fewer than two groups with enough complete cases; a group's sample covariance
        matrix not positive definite; a model that is not identified (singular
        information matrix).

    References
    ----------
    Jöreskog, K. G. (1971). Psychometrika, 36(4), 409-426. Rosseel, Y. (2012). Journal
    of Statistical Software, 48(2), 1-36.
    """
    eq = (equal,) if isinstance(equal, str) else tuple(equal)
    part = (partial,) if isinstance(partial, str) else tuple(partial)
    with one_blas_thread():  # small matrices: threaded BLAS only adds overhead
        return _fit(data, syntax, group, eq, part, estimator, groups, min_group_size,
                    max_iter)


def _fit(data: pd.DataFrame, syntax: str | ModelSpec, group: str, equal: tuple[str, ...],
         partial: tuple[str, ...], estimator: str, groups: Sequence[object] | None,
         min_group_size: int | None, max_iter: int) -> MultiGroupFit:
    started = time.perf_counter()
    est_name = estimator.upper()
    if est_name not in ("ML", "MLM", "MLR"):
        raise InputError(f"estimator {estimator!r} is not available for multi-group fits",
                         hint="Use ML, MLM or MLR.")
    spec, prep = _prepare(syntax)
    observed = prep.observed
    threshold = free_per_group(spec) if min_group_size is None else int(min_group_size)
    gd = group_data(data, observed, group, groups, threshold)
    table, notes = build_table(spec, prep, observed, len(gd.labels), tuple(equal),
                               tuple(partial))
    ms = MeanStructure(table, observed, prep.latent)
    st = SampleMoments.of(gd)
    theta0 = start_values(table, st, observed, prep.latent, ms.q)
    theta, converged, iters = minimise(ms, st, theta0, max_iter=max_iter)
    f, fs = objective(ms, st, theta)
    _, info = gradient_information(ms, st, theta)
    eig = np.linalg.eigvalsh(info) if ms.q else np.ones(1)
    if not (np.all(np.isfinite(eig)) and eig[0] > 1e-14 * max(eig[-1], 1e-300)):
        raise AnalysisError(
            "the information matrix is singular: the model is not identified "
            f"({ms.q} free parameters)",
            hint="Fix a loading or a variance per factor, add indicators, or add "
                 "equality constraints.")
    vcov = np.linalg.inv(info) / st.n
    fit = _fit_measures(ms, st, theta, f, fs)
    if est_name != "ML":
        vcov, trace = robust_parts(ms, st, gd, theta, est_name)
        base_table = baseline_structure(observed, len(gd.labels))
        bms = MeanStructure(base_table, observed, ())
        btheta = np.concatenate([np.concatenate([np.diag(s), m])
                                 for s, m in zip(st.cov, st.mean, strict=True)])
        _, base_trace = robust_parts(bms, st, gd, btheta, est_name)
        fit.update(robust_measures(fit, trace, base_trace, len(gd.labels)))
    params = _param_table(table, ms, theta, vcov)
    warns = [] if converged else [f"the optimiser did not converge in {iters} iterations"]
    warns += _warnings(params, gd.labels, ms, theta)
    warns += [f"group {g} left out: {n} complete cases, fewer than {gd.min_group_size}"
              for g, n in gd.excluded]
    return MultiGroupFit(
        params=params, fit=fit,
        chisq_group={lab: 2.0 * gd.nobs[g] * fs[g] for g, lab in enumerate(gd.labels)},
        vcov=vcov, free_names=_free_names(table, ms.q), groups=gd.labels, nobs=gd.nobs,
        estimator=est_name, equal=tuple(equal), partial=tuple(partial),
        converged=converged, iterations=iters, warnings=tuple(warns),
        excluded_groups=gd.excluded, min_group_size=gd.min_group_size,
        observed=observed, latent=prep.latent, notes=notes,
        seconds=time.perf_counter() - started, table=table, theta=theta, data=gd)
