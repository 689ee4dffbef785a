"""Measurement invariance across groups: the configural-metric-scalar-strict sequence,
score tests of the equality constraints and group comparisons of structural paths.

- :func:`measurement_invariance`: the four nested multi-group fits of
  :func:`cxsurvey.stats.cb.multigroup.fit_multigroup` (configural; metric =
  ``group.equal = "loadings"``; scalar = + ``"intercepts"``; strict = + ``"residuals"``),
  their fit measures, lavaan's ``lavTestLRT`` difference tests between consecutive steps
  (:mod:`cxsurvey.stats.cb.lrt`) and the changes in CFI, RMSEA and SRMR (numbers only;
  judging them against cut-offs is left to the caller). With ``estimator="WLSMV"`` the
  items are ordinal and the sequence is Wu & Estabrook's (2016), the fits of
  :func:`cxsurvey.stats.cb.multigroup_wlsmv.fit_multigroup_wlsmv` (lavaan's fits of the
  syntax of ``semTools::measEq.syntax(..., ordered = TRUE, parameterization = "delta",
  ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016")``): configural; thresholds =
  ``group.equal = "thresholds"``; metric = thresholds + loadings; scalar = thresholds +
  loadings + intercepts (:data:`WLSMV_STEPS`). The ``thresholds`` step is the one Wu &
  Estabrook recommend testing first; it may be left out. There is no strict step (the
  delta parameterization has no free residual variances; ``measEq.syntax`` refuses it),
  no score tests, and the differences are Satorra's (2000) scaled-shifted tests;
- :func:`score_tests`: lavaan's ``lavTestScore`` univariate score (Lagrange multiplier)
  tests of releasing each ``group.equal`` constraint of a fit, for partial invariance;
- :func:`group_paths`: per-group estimates of the structural regressions and Wald tests
  of their equality across groups.

References
----------
Meredith, W. (1993). Measurement invariance, factor analysis and factorial invariance.
Psychometrika, 58(4), 525-543. Vandenberg, R. J., & Lance, C. E. (2000). A review and
synthesis of the measurement invariance literature. Organizational Research Methods,
3(1), 4-70. Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of
measurement invariance. Structural Equation Modeling, 14(3), 464-504. Cheung, G. W., &
Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for testing measurement
invariance. Structural Equation Modeling, 9(2), 233-255. Rao, C. R. (1948). Large sample
tests of statistical hypotheses concerning several parameters with applications to
problems of estimation. Proceedings of the Cambridge Philosophical Society, 44, 50-57
(score test). Wu, H., & Estabrook, R. (2016). Identification of confirmatory factor
analysis models of different levels of invariance for ordered categorical outcomes.
Psychometrika, 81(4), 1014-1045. Rosseel, Y. (2012). Journal of Statistical Software,
48(2), 1-36.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxsurvey.errors import InputError
from cxsurvey.model.spec import ModelSpec
from cxsurvey.stats.cb import multigroup_estimation as mg
from cxsurvey.stats.cb.lrt import lrt_table
from cxsurvey.stats.cb.multigroup import MultiGroupFit, fit_multigroup
from cxsurvey.stats.cb.multigroup_model import MeanStructure
from cxsurvey.stats.cb.multigroup_wlsmv import fit_multigroup_wlsmv
from cxsurvey.stats.threads import one_blas_thread

__all__ = ["GroupPaths", "InvarianceResult", "STEPS", "WLSMV_STEPS", "group_paths",
           "measurement_invariance", "score_tests"]

STEPS: dict[str, tuple[str, ...]] = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
}

#: The ordinal (WLSMV) sequence of Wu & Estabrook (2016): step -> ``group.equal``.
WLSMV_STEPS: dict[str, tuple[str, ...]] = {
    "configural": (),
    "thresholds": ("thresholds",),
    "metric": ("thresholds", "loadings"),
    "scalar": ("thresholds", "loadings", "intercepts"),
}

_FIT_KEYS = ("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower",
             "rmsea_ci_upper", "srmr", "aic", "bic")
_ROBUST_KEYS = ("chisq_scaled", "chisq_scaling_factor", "pvalue_scaled", "cfi_scaled",
                "tli_scaled", "cfi_robust", "tli_robust", "rmsea_scaled", "rmsea_robust",
                "rmsea_ci_lower_robust", "rmsea_ci_upper_robust")
_WLSMV_KEYS = ("df_scaled", "chisq_shift_parameter", "rmsea_ci_lower_scaled",
               "rmsea_ci_upper_scaled")


@dataclass(frozen=True)
class InvarianceResult:
    """The measurement-invariance sequence of one model across groups.

    Attributes
    ----------
    fits : dict
        Step name (``configural, metric, scalar, strict``; for WLSMV ``configural,
        thresholds, metric, scalar``) -> MultiGroupFit (for WLSMV a
        :class:`cxsurvey.stats.cb.multigroup_wlsmv.MultiGroupWlsmvFit`).
    table : DataFrame
        One row per step: ``step, npar, chisq, df, pvalue, cfi, tli, rmsea,
        rmsea_ci_lower, rmsea_ci_upper, srmr, aic, bic`` (+ the scaled and robust
        measures for MLM/MLR/WLSMV; WLSMV adds ``df_scaled, chisq_shift_parameter,
        rmsea_ci_lower_scaled, rmsea_ci_upper_scaled``, has NaN ``aic, bic`` and, as
        lavaan, NaN robust (``_robust``) measures for every step with equality
        constraints).
    comparisons : DataFrame
        One row per step after the first: ``step, against, chisq_diff, df_diff, pvalue,
        method`` (lavaan ``lavTestLRT``: plain for ML, Satorra-Bentler 2001 scaled for
        MLM/MLR, Satorra 2000 scaled-shifted for WLSMV), ``delta_cfi, delta_tli,
        delta_rmsea, delta_srmr`` (this step minus the previous one: negative delta CFI
        and positive delta RMSEA mean worse fit), for MLM/MLR/WLSMV ``delta_cfi_robust,
        delta_rmsea_robust`` (NaN for WLSMV: lavaan has no robust measures with
        equality constraints) and for WLSMV ``delta_cfi_scaled, delta_tli_scaled,
        delta_rmsea_scaled``.
    lrt : DataFrame
        :func:`cxsurvey.stats.cb.lrt.lrt_table` of the steps.
    score_tests : dict
        Step -> :func:`score_tests` of its fit (every step but the first; empty frames
        for WLSMV).
    groups : tuple of str
    nobs : tuple of int
    estimator : str
    excluded_groups : tuple of (str, int)
        Groups left out for too few complete cases.
    min_group_size : int
    warnings : tuple of str
        Every step's warnings, prefixed with the step.
    """

    fits: dict[str, MultiGroupFit]
    table: pd.DataFrame
    comparisons: pd.DataFrame
    lrt: pd.DataFrame
    score_tests: dict[str, pd.DataFrame]
    groups: tuple[str, ...]
    nobs: tuple[int, ...]
    estimator: str
    excluded_groups: tuple[tuple[str, int], ...]
    min_group_size: int
    warnings: tuple[str, ...]


def _full_theta(fit: MultiGroupFit) -> np.ndarray:
    table = fit.table
    q_full = int(table["par_full"].max()) + 1
    out = np.zeros(q_full)
    for k, kf in zip(table["par"], table["par_full"], strict=True):
        if kf >= 0:
            out[int(kf)] = fit.theta[int(k)]
    return out


def _constraints(fit: MultiGroupFit) -> list[dict[str, object]]:
    """The ``group.equal`` equalities of a fit: for each parameter made equal, one
    constraint per group after the first, as lavaan writes them (``.pA. == .pB.``)."""
    table = fit.table.reset_index(drop=True)
    first: dict[tuple[str, str, str], int] = {}
    out: list[dict[str, object]] = []
    for r, row in enumerate(table.itertuples(index=False)):
        key = (str(row.lhs), str(row.op), str(row.rhs))
        if row.group == 1:
            first[key] = r
            continue
        if not (row.linked and row.free and not row.label) or key not in first:
            continue
        r1 = first[key]
        if not bool(table.at[r1, "free"]):
            continue
        out.append({"lhs": f".p{r1 + 1}.", "op": "==", "rhs": f".p{r + 1}.",
                    "a": int(table.at[r1, "par_full"]), "b": int(row.par_full),
                    "par_lhs": key[0], "par_op": key[1], "par_rhs": key[2],
                    "parameter": f"{key[0]}{key[1]}{key[2]}",
                    "group": fit.groups[int(row.group) - 1]})
    return out


def score_tests(fit: MultiGroupFit) -> pd.DataFrame:
    """Univariate score tests of releasing each ``group.equal`` constraint of a fit.

    lavaan's ``lavTestScore(fit)`` (``release`` mode, expected information): with the
    unit gradient ``g`` of F and the unit expected information ``I`` of the model whose
    ``group.equal`` equalities are written as constraints ``R theta = 0``, the test of
    constraint r is ``X2_r = N g' [Z_r^+]_{11} g`` with ``Z_r = [[I, R_(-r)'], [R_(-r),
    0]]`` (all constraints but r kept; ``^+`` the Moore-Penrose inverse), 1 df. The
    statistic is the same for ML, MLM and MLR fits (lavaan falls back to this ordinary
    score test for robust estimators). ``Z_r`` is nonsingular whenever the model with
    constraint r released is identified, and its inverse is then its Moore-Penrose
    inverse; the latter is computed only when the solve fails.

    Parameters
    ----------
    fit : MultiGroupFit
        A fit with ``group.equal`` constraints.

    Returns
    -------
    DataFrame
        ``lhs, op, rhs`` (lavaan's ``.pA. == .pB.``; A, B rows of the parameter table),
        ``parameter`` (``visual=~x2``), ``par_lhs, par_op, par_rhs``, ``group`` (the
        group whose equality with the first group is released), ``X2, df, pvalue``;
        largest X2 first. Empty (with these columns) when the fit has no constraint.

    References
    ----------
    Rao, C. R. (1948). Proceedings of the Cambridge Philosophical Society, 44, 50-57.
    Sörbom, D. (1989). Model modification. Psychometrika, 54(3), 371-384. Rosseel, Y.
    (2012). Journal of Statistical Software, 48(2) (``lavTestScore``).
    """
    from scipy import stats

    cols = ["lhs", "op", "rhs", "parameter", "par_lhs", "par_op", "par_rhs", "group", "X2",
            "df", "pvalue"]
    if fit.data is None:  # WLSMV fits: no score tests (empty frame)
        return pd.DataFrame(columns=cols)
    cons = _constraints(fit)
    if not cons or fit.data is None:
        return pd.DataFrame(columns=cols)
    full = MeanStructure(fit.table, fit.observed, fit.latent, column="par_full")
    st = mg.SampleMoments.of(fit.data)
    with one_blas_thread():  # small matrices: threaded BLAS only adds overhead
        grad, info = mg.gradient_information(full, st, _full_theta(fit))
        q = full.q
        rmat = np.zeros((len(cons), q))
        for i, c in enumerate(cons):
            rmat[i, int(str(c["a"]))] = 1.0
            rmat[i, int(str(c["b"]))] = -1.0
        rows = []
        rhs = np.concatenate([grad, np.zeros(len(cons) - 1)])
        for i, c in enumerate(cons):
            r1 = np.delete(rmat, i, axis=0)
            k = r1.shape[0]
            z = np.block([[info, r1.T], [r1, np.zeros((k, k))]])
            try:  # Z_r nonsingular (the model with constraint r released is identified)
                x2 = float(st.n * grad @ np.linalg.solve(z, rhs)[:q])
            except np.linalg.LinAlgError:
                x2 = float(st.n * grad @ np.linalg.pinv(z)[:q, :q] @ grad)
            rows.append({**{key: c[key] for key in cols[:8]}, "X2": x2, "df": 1,
                         "pvalue": float(stats.chi2.sf(x2, 1))})
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values("X2", ascending=False, kind="mergesort").reset_index(drop=True)


@dataclass(frozen=True)
class GroupPaths:
    """Structural regressions per group and tests of their equality across groups.

    Attributes
    ----------
    estimates : DataFrame
        ``lhs, op, rhs, group, est, se, z, pvalue, ci_lower, ci_upper, std_all`` per
        regression and group.
    tests : DataFrame
        One row per regression: ``lhs, op, rhs, stat`` (Wald chi-square), ``df`` (G - 1),
        ``pvalue``, ``diff`` and ``z`` (two groups: second minus first group and its z,
        ``z**2 == stat``; NaN otherwise). NaN statistics for paths the fit already
        constrains equal.
    groups : tuple of str
    fit_equal : tuple of str
        The ``group.equal`` of the fit the tests come from.
    """

    estimates: pd.DataFrame
    tests: pd.DataFrame
    groups: tuple[str, ...]
    fit_equal: tuple[str, ...]


def group_paths(fit: MultiGroupFit) -> GroupPaths:
    """Per-group structural regressions and Wald tests of their equality across groups.

    For a regression with estimates ``b_1..b_G`` (free parameters ``k_1..k_G``), the
    contrasts ``b_g - b_1`` (g = 2..G) and their covariance ``C V C'`` from the fit's
    covariance matrix give ``W = (C b)' (C V C')^-1 (C b)`` with G - 1 df (lavaan's
    ``lavTestWald`` of ``b1 == b2 == ...``); with two groups ``z = (b_2 - b_1) /
    se(b_2 - b_1)``. Use the configural or the metric fit (paths are only comparable
    when the loadings are equal).

    Parameters
    ----------
    fit : MultiGroupFit

    Returns
    -------
    GroupPaths

    Raises
    ------
    InputError
        The model has no regressions.

    References
    ----------
    Wald, A. (1943). Tests of statistical hypotheses concerning several parameters when
    the number of observations is large. Transactions of the American Mathematical
    Society, 54(3), 426-482. Rosseel, Y. (2012). Journal of Statistical Software, 48(2)
    (``lavTestWald``).
    """
    from scipy import stats

    reg = fit.params[fit.params["op"] == "~"]
    if reg.empty:
        raise InputError("the model has no structural regressions ('~') to compare",
                         hint="Add paths such as 'Loyalty ~ Satisfaction'.")
    table = fit.table
    keys = list(dict.fromkeys(zip(reg["lhs"], reg["op"], reg["rhs"], strict=True)))
    rows = []
    groups = len(fit.groups)
    for lhs, op, rhs in keys:
        sub = table[(table["lhs"] == lhs) & (table["op"] == op) & (table["rhs"] == rhs)]
        ks = [int(k) for k in sub.sort_values("group")["par"]]
        row: dict[str, object] = {"lhs": lhs, "op": op, "rhs": rhs, "stat": math.nan,
                                  "df": groups - 1, "pvalue": math.nan, "diff": math.nan,
                                  "z": math.nan}
        if len(ks) == groups and min(ks) >= 0 and len(set(ks)) == groups:
            c = np.zeros((groups - 1, fit.theta.size))
            for g in range(1, groups):
                c[g - 1, ks[0]] = -1.0
                c[g - 1, ks[g]] = 1.0
            d = c @ fit.theta
            v = c @ fit.vcov @ c.T
            w = float(d @ np.linalg.solve(v, d))
            row.update(stat=w, pvalue=float(stats.chi2.sf(w, groups - 1)))
            if groups == 2:
                row.update(diff=float(d[0]), z=float(d[0] / math.sqrt(v[0, 0])))
        rows.append(row)
    est = reg[["lhs", "op", "rhs", "group", "est", "se", "z", "pvalue", "ci_lower",
               "ci_upper", "std_all"]].copy()
    est["group"] = [fit.groups[int(g) - 1] for g in est["group"]]
    return GroupPaths(estimates=est.reset_index(drop=True), tests=pd.DataFrame(rows),
                      groups=fit.groups, fit_equal=fit.equal)


def _step_row(step: str, fit: MultiGroupFit) -> dict[str, object]:
    keys = _FIT_KEYS + (_ROBUST_KEYS if fit.estimator != "ML" else ()) \
        + (_WLSMV_KEYS if fit.estimator == "WLSMV" else ())
    return {"step": step, **{k: fit.fit.get(k, math.nan) for k in keys}}


def measurement_invariance(data: pd.DataFrame, syntax: str | ModelSpec, group: str, *,
                           estimator: str = "ML", groups: Sequence[object] | None = None,
                           min_group_size: int | None = None,
                           steps: Sequence[str] | None = None) -> InvarianceResult:
    """The configural, metric, scalar and strict invariance models and their comparison.

    For ordinal items (``estimator="WLSMV"``) the steps are Wu & Estabrook's (2016)
    configural, thresholds, metric (thresholds + loadings) and scalar (+ intercepts)
    models (:data:`WLSMV_STEPS`), fitted by
    :func:`cxsurvey.stats.cb.multigroup_wlsmv.fit_multigroup_wlsmv` and compared by
    Satorra's (2000) scaled-shifted difference tests, as lavaan's ``lavTestLRT``.

    Parameters
    ----------
    data : DataFrame
    syntax : str or ModelSpec
        lavaan model syntax.
    group : str
        The grouping column.
    estimator : {"ML", "MLM", "MLR", "WLSMV"}
    groups : sequence, optional
        Group levels to use, in this order.
    min_group_size : int, optional
        See :func:`cxsurvey.stats.cb.multigroup.fit_multigroup`.
    steps : sequence of str, optional
        A leading part of ``configural, metric, scalar, strict`` (in that order; default
        all four); for WLSMV a leading part of ``configural, thresholds, metric,
        scalar`` or of ``configural, metric, scalar`` (default all four of the former).

    Returns
    -------
    InvarianceResult

    Raises
    ------
    InputError
        Unknown steps or steps out of order (``strict`` with WLSMV), and everything
        ``fit_multigroup`` or ``fit_multigroup_wlsmv`` raises.
    AnalysisError
        As ``fit_multigroup`` / ``fit_multigroup_wlsmv`` (for WLSMV: an item with a
        category nobody in a group chose, named with the group).

    References
    ----------
    Meredith, W. (1993). Psychometrika, 58(4), 525-543. Chen, F. F. (2007). Structural
    Equation Modeling, 14(3), 464-504. Satorra, A., & Bentler, P. M. (2001).
    Psychometrika, 66(4), 507-514. Satorra, A. (2000). In Innovations in Multivariate
    Statistical Analysis (pp. 233-247). Kluwer. Wu, H., & Estabrook, R. (2016).
    Psychometrika, 81(4), 1014-1045.
    """
    wlsmv = estimator.upper() == "WLSMV"
    names = list((WLSMV_STEPS if wlsmv else STEPS) if steps is None else steps)
    if wlsmv:
        if "strict" in names:
            raise InputError(
                "strict invariance (equal residual variances) cannot be tested for ordinal "
                "items with WLSMV: the delta parameterization has no free residual "
                "variances", hint="Use steps=('configural', 'thresholds', 'metric', "
                "'scalar').")
        full = list(WLSMV_STEPS)
        if not names or (names != full[:len(names)]
                         and names != [s for s in full if s != "thresholds"][:len(names)]):
            raise InputError(
                f"invariance steps must be a leading part of {', '.join(full)} (the "
                "thresholds step may be left out)",
                hint="For example steps=('configural', 'thresholds', 'metric', 'scalar').")
    else:
        order = list(STEPS)
        if not names or names != order[:len(names)]:
            raise InputError(
                f"invariance steps must be a leading part of {', '.join(order)}",
                hint="For example steps=('configural', 'metric', 'scalar').")
    fits: dict[str, MultiGroupFit] = {}
    for s in names:
        if wlsmv:
            fits[s] = fit_multigroup_wlsmv(data, syntax, group, equal=WLSMV_STEPS[s],
                                           groups=groups, min_group_size=min_group_size)
        else:
            fits[s] = fit_multigroup(data, syntax, group, equal=STEPS[s],
                                     estimator=estimator, groups=groups,
                                     min_group_size=min_group_size)
    first = fits[names[0]]
    table = pd.DataFrame([_step_row(s, f) for s, f in fits.items()])
    lrt = lrt_table(list(fits.values()), names) if len(names) > 1 else pd.DataFrame()
    comps = []
    for prev, cur in zip(names, names[1:], strict=False):
        a, b = fits[prev].fit, fits[cur].fit
        lr = lrt[lrt["model"] == cur].iloc[0]
        row = {"step": cur, "against": prev, "chisq_diff": lr["chisq_diff"],
               "df_diff": lr["df_diff"], "pvalue": lr["pvalue"], "method": lr["method"],
               "delta_cfi": b["cfi"] - a["cfi"], "delta_tli": b["tli"] - a["tli"],
               "delta_rmsea": b["rmsea"] - a["rmsea"], "delta_srmr": b["srmr"] - a["srmr"]}
        if first.estimator != "ML":
            row["delta_cfi_robust"] = b["cfi_robust"] - a["cfi_robust"]
            row["delta_rmsea_robust"] = b["rmsea_robust"] - a["rmsea_robust"]
        if wlsmv:
            row["delta_cfi_scaled"] = b["cfi_scaled"] - a["cfi_scaled"]
            row["delta_tli_scaled"] = b["tli_scaled"] - a["tli_scaled"]
            row["delta_rmsea_scaled"] = b["rmsea_scaled"] - a["rmsea_scaled"]
        comps.append(row)
    warnings = tuple(f"{s}: {w}" for s, f in fits.items() for w in f.warnings)
    if wlsmv:  # every step has the same sample statistics: their warnings once
        seen: set[str] = set()
        once: list[str] = []
        for s, f in fits.items():
            once += [f"{s}: {w}" for w in f.warnings if w not in seen]
            seen.update(f.warnings)
        warnings = tuple(once)
    return InvarianceResult(
        fits=fits, table=table, comparisons=pd.DataFrame(comps), lrt=lrt,
        score_tests={s: score_tests(f) for s, f in fits.items() if s != "configural"},
        groups=first.groups, nobs=first.nobs, estimator=first.estimator,
        excluded_groups=first.excluded_groups, min_group_size=first.min_group_size,
        warnings=warnings)
