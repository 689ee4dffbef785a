"""Multi-group CFA of ordinal items by WLSMV with Wu & Estabrook's (2016) identification.

:func:`fit_multigroup_wlsmv` is the numerical core of lavaan's ``cfa(<syntax>, data,
ordered = <items>, group = ..., estimator = "WLSMV", parameterization = "delta")`` fitted
to the syntax that ``semTools::measEq.syntax(configural.model, ordered = <items>,
parameterization = "delta", ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group = ...,
group.equal = <equal>)`` writes. In every group g the latent responses are
``y* = nu + Lambda eta + eps`` with ``eta ~ (alpha, Psi)``; their model-implied
statistics are the standardised thresholds ``(tau_jk - mu_j) Delta_j`` (``mu = nu + Lambda
alpha``, ``Delta_j`` the scaling factor, ``1 / sd(y*_j)``) and the correlations
``Delta_i Delta_j (Lambda Psi Lambda' + Theta)_ij``; the residual variances are
``Delta_j^-2 - (Lambda Psi Lambda')_jj`` (not free parameters).

Identification (``std.lv``, Wu & Estabrook 2016) per ``equal``:

=====================================  ========================================================
``equal``                              free in groups 2..G (fixed in group 1 and otherwise)
=====================================  ========================================================
``()`` (configural)                    nothing: ``nu = 0``, ``Delta = 1``, ``Psi`` diagonal 1,
                                       ``alpha = 0`` in every group
``("thresholds",)``                    item intercepts ``nu`` and scaling factors ``Delta``
``("thresholds", "loadings")``         + the latent variances
``("thresholds", "loadings",           the scaling factors, latent variances and latent means;
"intercepts")``                        the intercepts are 0 in every group
=====================================  ========================================================

Thresholds (and loadings, intercepts) are equal across groups as ``equal`` says; factor
covariances and residual covariances written in the syntax are free in every group.
Labels and fixed values are refused: the steps set the constraints.

Estimation is lavaan's: the sample statistics of each group are its thresholds and
polychoric correlations (:func:`cxsurvey.stats.ordinal.polychoric`, listwise) with their
Gamma (NACOV) and DWLS weights ``W_g`` (:func:`cxsurvey.stats.ordinal.polychoric_acov`);
``F = sum_g (N_g - 1) / (2 N) (s_g - sigma_g)' W_g (s_g - sigma_g)`` is minimised by
Gauss-Newton (the model's Jacobian by complex-step differentiation, exact to rounding);
``chisq = 2 N F``. With ``f_g = N_g / N``, ``E = sum_g f_g D_g' W_g D_g`` and
``B = sum_g f_g D_g' W_g Gamma_g W_g D_g`` the robust covariance matrix of the estimates
is ``E^-1 B E^-1 / (N - G)``; the scaled-shifted test uses
``U = V - V D E^-1 D' V`` with ``V = diag(f_g W_g)`` and ``Gamma = diag(Gamma_g / f_g)``
(``a = sqrt(df / tr((U Gamma)^2))``, ``T_ss = a T + df - a tr(U Gamma)``). The baseline
model has free thresholds and zero correlations in every group. RMSEA uses ``N - G``
(lavaan's N for DWLS) and the factor ``sqrt(G)`` (Steiger 1998); SRMR is the
N_g-weighted mean over groups of the root mean squared residual correlation (over
``p (p + 1) / 2`` elements); WRMR divides the statistic by the number of statistics of
one group, as lavaan.

:func:`satorra_2000` is lavaan's ``lavTestLRT`` difference test for two nested WLSMV fits
(method ``"satorra.2000"``, scaled-shifted, with the ``A`` matrix of the ``"delta"``
method: the orthogonal complement of ``D_1^+ D_0``).

lavaan refuses a group in which a category of an item (the categories observed in all
groups together) is empty; so does :func:`fit_multigroup_wlsmv` (AnalysisError naming the
item, the group and the category).

lavaan's robust CFI / TLI / RMSEA for categorical data (Savalei 2021, its ``catML``
statistic at the DWLS estimates) are computed for the configural model; lavaan reports
them as NA for models with equality constraints, and so does this module (NaN).

Not covered: structural regressions, continuous indicators, covariates, labels and fixed
values, the theta parameterization (so no strict step: residual variances cannot be
constrained in the delta parameterization, as ``measEq.syntax`` says), ``group.partial``,
pairwise deletion, items with two categories under threshold equality, score tests.

Agreement with lavaan 0.6-14 / semTools 0.5-6 (tests/stats/cb/test_multigroup_wlsmv.py:
bfi by gender (with and without a residual covariance) and by education (five groups),
and the sample survey by Channel, four steps each): estimates 1.5e-5, robust SEs 1.2e-5
relative, chi-squares 3e-8 relative, the other fit measures 7.7e-6 relative, difference
tests 9.3e-6 (the residual is lavaan's ``nlminb`` stopping short of the minimum). The
four fits and three tests take 0.4 s on bfi by gender, 1.2 s by education (lavaan: 2.8
and 17.7 s, without ``measEq.syntax``).

References
----------
Wu, H., & Estabrook, R. (2016). Identification of confirmatory factor analysis models of
different levels of invariance for ordered categorical outcomes. Psychometrika, 81(4),
1014-1045.
Muthén, B., du Toit, S. H. C., & Spisic, D. (1997). Robust inference using weighted least
squares and quadratic estimating equations in latent variable modeling with categorical
and continuous outcomes. Unpublished technical report.
Asparouhov, T., & Muthén, B. (2010). Simple second order chi-square correction. Mplus
technical appendix.
Satorra, A. (2000). Scaled and adjusted restricted tests in multi-sample analysis of
moment structures. In R. D. H. Heijmans, D. S. G. Pollock, & A. Satorra (Eds.),
Innovations in Multivariate Statistical Analysis (pp. 233-247). Kluwer.
Steiger, J. H. (1998). A note on multiple sample extensions of the RMSEA fit index.
Structural Equation Modeling, 5(4), 411-419.
Martins, J. R. R. A., Sturdza, P., & Alonso, J. J. (2003). The complex-step derivative
approximation. ACM Transactions on Mathematical Software, 29(3), 245-262.
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of
Statistical Software, 48(2), 1-36.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import linalg
from scipy import stats as sps

from cxsurvey.errors import AnalysisError, InputError
from cxsurvey.model.spec import ModelSpec
from cxsurvey.model.syntax import parse_syntax
from cxsurvey.stats.cb import fit_indices
from cxsurvey.stats.cb.moments import normal_weight
from cxsurvey.stats.cb.multigroup import PARAM_COLUMNS, MultiGroupFit
from cxsurvey.stats.cb.multigroup_estimation import GroupData, group_data
from cxsurvey.stats.ordinal import polychoric, polychoric_acov
from cxsurvey.stats.threads import one_blas_thread

__all__ = ["EQUAL_STEPS", "MultiGroupWlsmvFit", "fit_multigroup_wlsmv", "satorra_2000"]

#: The ``equal`` sets supported, in order of restriction.
EQUAL_STEPS: tuple[tuple[str, ...], ...] = (
    (), ("thresholds",), ("thresholds", "loadings"),
    ("thresholds", "loadings", "intercepts"))

_Z975 = 1.959963984540054
_H = 1e-30  # complex step


@dataclass(frozen=True)
class _Parts:
    """What the difference tests need: per group the Jacobian of the statistics at the
    estimates, the DWLS weights and Gamma."""

    jacobians: tuple[np.ndarray, ...]
    weights: tuple[np.ndarray, ...]
    gammas: tuple[np.ndarray, ...]
    fractions: np.ndarray


@dataclass(frozen=True)
class MultiGroupWlsmvFit(MultiGroupFit):
    """A multi-group WLSMV fit (delta parameterization), in lavaan's vocabulary.

    The fields of :class:`cxsurvey.stats.cb.multigroup.MultiGroupFit`, with ``estimator
    = "WLSMV"``, ``data = None`` and:

    params : DataFrame
        ``lhs, op, rhs, group, label, free, est, se, z, pvalue, ci_lower, ci_upper,
        std_all``: loadings, thresholds (``op = "|"``, ``rhs = "t1", ...``), item
        intercepts (``~1``), scaling factors (``~*~``), latent means, latent and residual
        (co)variances (item residual variances ``Delta^-2 - communality``, not free).
    fit : dict
        lavaan ``fitMeasures`` names in snake_case: ``ntotal, npar, fmin, chisq, df,
        pvalue, chisq_scaled, df_scaled, pvalue_scaled, chisq_scaling_factor,
        chisq_shift_parameter, trace_ugamma, trace_ugamma2, baseline_chisq, baseline_df,
        baseline_pvalue, baseline_chisq_scaled, baseline_df_scaled,
        baseline_pvalue_scaled, baseline_chisq_scaling_factor,
        baseline_chisq_shift_parameter, cfi, tli, cfi_scaled, tli_scaled, rmsea,
        rmsea_ci_lower, rmsea_ci_upper, rmsea_pvalue`` (and ``_scaled``, ``_robust``),
        ``cfi_robust, tli_robust`` (the robust ones NaN with equality constraints, as
        lavaan), ``srmr, wrmr``; ``aic, bic`` NaN (no likelihood).
    n_categories : dict
        Item -> its number of categories.
    """

    n_categories: dict[str, int] = field(default_factory=dict)
    parts: _Parts | None = field(default=None, repr=False)


# ------------------------------------------------------------------------- model


def _parse(syntax: str | ModelSpec) -> tuple[list[dict[str, object]], tuple[str, ...],
                                             tuple[str, ...]]:
    """The syntax's rows (``=~`` and ``~~``), the items and the latent variables."""
    spec = syntax if isinstance(syntax, ModelSpec) else parse_syntax(syntax)
    rows: list[dict[str, object]] = []
    latent: dict[str, None] = {}
    items: dict[str, None] = {}
    for f in spec.formulas:
        if f.op == "=~":
            latent.setdefault(f.lhs)
            for t in f.rhs:
                items.setdefault(t.name)
    for f in spec.formulas:
        if f.op not in ("=~", "~~"):
            raise InputError(
                f"measurement invariance of ordinal items (WLSMV) takes a measurement "
                f"model; {f.op!r} in line {f.line} is not supported",
                hint="Use the '=~' lines (and '~~' covariances) only.")
        for t in f.rhs:
            if t.label or t.fixed is not None:
                raise InputError(
                    f"labels and fixed values ({f.lhs} {f.op} {t.name}) are not supported "
                    "in the ordinal invariance sequence: its steps set the constraints",
                    hint="Write the model without modifiers (e.g. 'F =~ x1 + x2 + x3').")
            if f.op == "~~":
                both = {f.lhs, t.name}
                if both <= set(items) and f.lhs == t.name:
                    raise InputError(
                        f"the variance of {f.lhs!r} cannot be specified: with ordinal items "
                        "it is 1 / Delta^2 - communality (delta parameterization)",
                        hint="Remove the item's '~~' line with itself.")
                if not (both <= set(items) or both <= set(latent)):
                    raise InputError(f"'{f.lhs} ~~ {t.name}' mixes an item and a latent "
                                     "variable", hint="Covary items or latent variables.")
            rows.append({"lhs": f.lhs, "op": f.op, "rhs": t.name})
    if not latent:
        raise InputError("the model has no latent variables ('=~')",
                         hint="Write the measurement model, e.g. 'Sat =~ s1 + s2 + s3'.")
    clash = sorted(set(items) & set(latent))
    if clash:
        raise InputError(f"{', '.join(clash)} is both an item and a latent variable",
                         hint="Second-order factors are not supported with WLSMV groups.")
    return rows, tuple(items), tuple(latent)


def _table(rows: list[dict[str, object]], observed: tuple[str, ...], latent: tuple[str, ...],
           n_th: dict[str, int], n_groups: int, equal: tuple[str, ...]) -> pd.DataFrame:
    """The parameter table of every group: ``lhs, op, rhs, group, label, free, value,
    par`` (``par`` the index of the free parameter, -1 fixed), ``kind, i, j``."""
    eq = set(equal)
    lpos = {v: i for i, v in enumerate(latent)}
    opos = {v: i for i, v in enumerate(observed)}
    out: list[dict[str, object]] = []

    def add(g: int, lhs: str, op: str, rhs: str, kind: str, i: int, j: int, free: bool,
            value: float, shared: bool = False) -> None:
        out.append({"lhs": lhs, "op": op, "rhs": rhs, "group": g, "label": "",
                    "free": free, "value": value, "kind": kind, "i": i, "j": j,
                    "shared": shared})

    for g in range(1, n_groups + 1):
        later = g > 1
        for r in rows:
            if r["op"] != "=~":
                continue
            add(g, str(r["lhs"]), "=~", str(r["rhs"]), "lambda", opos[str(r["rhs"])],
                lpos[str(r["lhs"])], True, math.nan, "loadings" in eq)
        for v in observed:
            for k in range(n_th[v]):
                add(g, v, "|", f"t{k + 1}", "tau", opos[v], k, True, math.nan,
                    shared="thresholds" in eq)
        free_nu = later and "thresholds" in eq and "intercepts" not in eq
        for v in observed:
            add(g, v, "~1", "", "nu", opos[v], 0, free_nu, 0.0)
        for v in observed:
            add(g, v, "~*~", v, "delta", opos[v], 0, later and "thresholds" in eq, 1.0)
        for f in latent:
            add(g, f, "~1", "", "alpha", lpos[f], 0, later and "intercepts" in eq, 0.0)
        for f in latent:
            add(g, f, "~~", f, "psi", lpos[f], lpos[f], later and "loadings" in eq, 1.0)
        for a_i, a in enumerate(latent):
            for b in latent[a_i + 1:]:
                add(g, a, "~~", b, "psi", lpos[a], lpos[b], True, math.nan)
        for r in rows:
            if r["op"] != "~~" or str(r["lhs"]) in lpos:
                continue
            add(g, str(r["lhs"]), "~~", str(r["rhs"]), "theta", opos[str(r["lhs"])],
                opos[str(r["rhs"])], True, math.nan)
    table = pd.DataFrame(out)
    keys: dict[tuple[object, ...], int] = {}
    par = []
    for row in table.itertuples(index=False):
        if not row.free:
            par.append(-1)
            continue
        if row.shared:
            key: tuple[object, ...] = ("shared", row.lhs, row.op, row.rhs)
        else:
            key = ("group", row.group, row.lhs, row.op, row.rhs)
        par.append(keys.setdefault(key, len(keys)))
    return table.assign(par=par).drop(columns=["shared"])


class _Model:
    """The statistics of every group as a function of the free parameters, evaluated for
    a batch of parameter vectors at once (complex ones for the Jacobian)."""

    def __init__(self, table: pd.DataFrame, observed: tuple[str, ...],
                 latent: tuple[str, ...], n_th: dict[str, int], n_groups: int) -> None:
        self.p, self.m, self.groups = len(observed), len(latent), n_groups
        self.q = int(table["par"].max()) + 1 if (table["par"] >= 0).any() else 0
        self.th_item = np.repeat(np.arange(self.p), [n_th[v] for v in observed])
        self.iu, self.ju = np.triu_indices(self.p, k=1)
        self.parts = []
        for g in range(1, n_groups + 1):
            sub = table[table["group"] == g]
            self.parts.append({kind: (sub.loc[sub["kind"] == kind, "i"].to_numpy(int),
                                      sub.loc[sub["kind"] == kind, "j"].to_numpy(int),
                                      sub.loc[sub["kind"] == kind, "par"].to_numpy(int),
                                      sub.loc[sub["kind"] == kind, "value"].to_numpy(float))
                               for kind in ("lambda", "tau", "nu", "delta", "alpha", "psi",
                                            "theta")})

    @staticmethod
    def _values(theta: np.ndarray, par: np.ndarray, value: np.ndarray) -> np.ndarray:
        out = np.broadcast_to(value, (theta.shape[0], value.size)).astype(theta.dtype)
        free = par >= 0
        out[:, free] = theta[:, par[free]]
        return out

    def matrices(self, theta: np.ndarray, g: int) -> dict[str, np.ndarray]:
        """The group's matrices for a batch ``theta`` of shape (B, q)."""
        b, p, m = theta.shape[0], self.p, self.m
        parts = self.parts[g]
        out: dict[str, np.ndarray] = {}
        i, j, par, value = parts["lambda"]
        lam = np.zeros((b, p, m), dtype=theta.dtype)
        lam[:, i, j] = self._values(theta, par, value)
        out["lambda"] = lam
        i, j, par, value = parts["psi"]
        psi = np.zeros((b, m, m), dtype=theta.dtype)
        vals = self._values(theta, par, value)
        psi[:, i, j] = vals
        psi[:, j, i] = vals
        out["psi"] = psi
        i, j, par, value = parts["theta"]
        th = np.zeros((b, p, p), dtype=theta.dtype)
        vals = self._values(theta, par, value)
        th[:, i, j] = vals
        th[:, j, i] = vals
        out["theta"] = th
        for kind, size in (("nu", p), ("delta", p), ("alpha", m)):
            i, _, par, value = parts[kind]
            vec = np.zeros((b, size), dtype=theta.dtype)
            vec[:, i] = self._values(theta, par, value)
            out[kind] = vec
        _, _, par, value = parts["tau"]
        out["tau"] = self._values(theta, par, value)
        return out

    def statistics(self, theta: np.ndarray) -> list[np.ndarray]:
        """Model statistics per group, shape (B, K): standardised thresholds, then the
        correlations (``np.triu_indices`` order, as the sample statistics)."""
        out = []
        for g in range(self.groups):
            mat = self.matrices(theta, g)
            lam, delta = mat["lambda"], mat["delta"]
            mu = mat["nu"] + np.einsum("bpm,bm->bp", lam, mat["alpha"])
            cov = np.einsum("bpm,bmn,bqn->bpq", lam, mat["psi"], lam) + mat["theta"]
            th = (mat["tau"] - mu[:, self.th_item]) * delta[:, self.th_item]
            cor = delta[:, self.iu] * delta[:, self.ju] * cov[:, self.iu, self.ju]
            out.append(np.concatenate([th, cor], axis=1))
        return out

    def evaluate(self, theta: np.ndarray) -> list[np.ndarray]:
        return [s[0].real for s in self.statistics(theta[None, :].astype(float))]

    def jacobians(self, theta: np.ndarray) -> list[np.ndarray]:
        """d statistics / d theta per group, by complex-step differentiation."""
        batch = theta[None, :] + 1j * _H * np.eye(self.q)
        return [s.imag.T / _H for s in self.statistics(batch)]


# -------------------------------------------------------------------- statistics


@dataclass(frozen=True)
class _GroupStats:
    s: np.ndarray
    w: np.ndarray
    gamma: np.ndarray
    n: int
    n_thresholds: int
    r: np.ndarray
    thresholds: dict[str, np.ndarray]
    warnings: tuple[str, ...]


def _categories(gd: GroupData, observed: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Each item's categories over all groups; a category empty in a group is refused, as
    lavaan does (``some categories of variable ... are empty in group ...``): the error
    names every such item, group and category."""
    out: dict[str, np.ndarray] = {}
    gaps: list[str] = []
    for j, v in enumerate(observed):
        cats = np.unique(np.concatenate([y[:, j] for y in gd.y]))
        if cats.size < 2:
            raise AnalysisError(f"item {v!r} has a single category in the data",
                                hint="Leave the item out of the model.")
        for lab, y in zip(gd.labels, gd.y, strict=True):
            present = set(np.unique(y[:, j]).tolist())
            empty = [f"{c:g}" for c in cats.tolist() if c not in present]
            if empty:
                word = "category" if len(empty) == 1 else "categories"
                gaps.append(f"item {v!r} has no answer in {word} {', '.join(empty)} in "
                            f"group {lab!r}")
        out[v] = cats
    if gaps:
        shown = "; ".join(gaps[:5]) + (f"; and {len(gaps) - 5} more" if len(gaps) > 5 else "")
        raise AnalysisError(
            f"{shown} (categories used in the other groups): the thresholds cannot be "
            "compared across groups (lavaan refuses such groups too)",
            hint="Merge the sparse categories of these items (e.g. recode 1 and 2 "
                 "together), leave the items out or merge small groups.")
    return out


def _group_stats(y: np.ndarray, observed: tuple[str, ...]) -> _GroupStats:
    frame = pd.DataFrame(y, columns=list(observed))
    try:
        poly = polychoric(frame, list(observed), missing="listwise")
        acov = polychoric_acov(frame, list(observed), missing="listwise", result=poly)
    except ValueError as exc:
        raise AnalysisError(f"the polychoric statistics cannot be computed: {exc}",
                            hint="Every item needs at least two observed categories.") from exc
    r = poly.matrix.loc[list(observed), list(observed)].to_numpy(dtype=float)
    return _GroupStats(s=acov.estimates, w=acov.wls_weights, gamma=acov.gamma, n=acov.n,
                       n_thresholds=acov.n_thresholds, r=r,
                       thresholds={v: np.asarray(poly.thresholds[v], float) for v in observed},
                       warnings=tuple(poly.warnings))


# -------------------------------------------------------------------- estimation


def _start(table: pd.DataFrame, stats: list[_GroupStats], observed: tuple[str, ...],
           latent: tuple[str, ...], q: int) -> np.ndarray:
    """Loadings of the first principal component of each factor's items (group 1's
    polychoric matrix, at most 0.95), thresholds the sample ones, latent variances and
    scaling factors 1, the rest 0."""
    theta = np.zeros(q)
    seen = np.zeros(q, dtype=bool)
    opos = {v: i for i, v in enumerate(observed)}
    load: dict[tuple[str, str], float] = {}
    r = stats[0].r
    for f in latent:
        items = [str(x) for x in table.loc[(table["kind"] == "lambda") & (table["lhs"] == f)
                                           & (table["group"] == 1), "rhs"]]
        idx = [opos[v] for v in items]
        if len(idx) == 1:
            load[(f, items[0])] = 0.7
            continue
        vals, vecs = np.linalg.eigh(r[np.ix_(idx, idx)])
        vec = vecs[:, -1] * math.sqrt(max(vals[-1], 1e-3))  # first component's loadings
        vec = vec if vec.sum() >= 0 else -vec
        for v, x in zip(items, vec, strict=True):
            load[(f, v)] = float(np.clip(x, -0.95, 0.95))
    for row in table.itertuples(index=False):
        k = int(row.par)
        if k < 0 or seen[k]:
            continue
        seen[k] = True
        if row.kind == "lambda":
            theta[k] = load.get((str(row.lhs), str(row.rhs)), 0.7)
        elif row.kind == "tau":
            theta[k] = stats[int(row.group) - 1].thresholds[str(row.lhs)][int(row.j)]
        elif row.kind == "delta" or (row.kind == "psi" and row.lhs == row.rhs):
            theta[k] = 1.0
    return theta


def _minimise(model: _Model, stats: list[_GroupStats], theta: np.ndarray,
              max_iter: int, tol: float = 1e-10) -> tuple[np.ndarray, int, bool]:
    """Gauss-Newton with step halving on ``sum_g (N_g - 1) r_g' W_g r_g``."""
    c = np.array([st.n - 1.0 for st in stats])

    def objective(t: np.ndarray) -> float:
        return float(sum(ci * np.sum(st.w * (st.s - s) ** 2)
                         for ci, st, s in zip(c, stats, model.evaluate(t), strict=True)))

    f = objective(theta)
    scale = float(c.sum())
    for it in range(1, max_iter + 1):
        sig = model.evaluate(theta)
        jac = model.jacobians(theta)
        info = np.zeros((model.q, model.q))
        grad = np.zeros(model.q)
        for ci, st, s, d in zip(c, stats, sig, jac, strict=True):
            wd = st.w[:, None] * d
            info += ci * d.T @ wd
            grad += ci * wd.T @ (st.s - s)
        if float(np.max(np.abs(grad))) / scale < tol:
            return theta, it, True
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(info, grad, rcond=None)[0]
        alpha = 1.0
        while alpha > 1e-10:
            cand = theta + alpha * step
            fc = objective(cand)
            if np.isfinite(fc) and fc <= f:
                break
            alpha *= 0.5
        else:
            return theta, it, float(np.max(np.abs(grad))) / scale < 1e3 * tol
        small = float(np.max(np.abs(alpha * step))) < 1e-12
        theta, f = cand, fc
        if small:
            return theta, it, True
    return theta, max_iter, False


def _rmsea(stat: float, df: float, n: float, groups: int, suffix: str = "",
           c_hat: float = 1.0, x2_ci: float | None = None) -> dict[str, float]:
    """lavaan's multi-group RMSEA, its 90% interval and close-fit p-value: N is
    ``ntotal - G`` for DWLS, the RMSEA and its bounds carry the factor ``sqrt(G)`` and
    the close-fit noncentrality is divided by G (Steiger 1998). ``x2_ci`` is the statistic
    of the interval and p-value (the scaled one for the robust RMSEA)."""
    x2 = stat if x2_ci is None else x2_ci
    lo, hi = fit_indices.rmsea_ci(x2, df, n, c_hat=c_hat)
    g = math.sqrt(groups)
    return {f"rmsea{suffix}": fit_indices.rmsea(stat, df, n, c_hat) * g,
            f"rmsea_ci_lower{suffix}": lo * g, f"rmsea_ci_upper{suffix}": hi * g,
            f"rmsea_pvalue{suffix}": fit_indices.rmsea_pvalue(x2, df, n / groups,
                                                              c_hat=c_hat)}


def _robust(stats: list[_GroupStats], implied: list[np.ndarray], jac: list[np.ndarray],
            e_inv: np.ndarray, fg: np.ndarray, df: float, n1: float) -> dict[str, float]:
    """lavaan's robust CFI / TLI / RMSEA for categorical data (Savalei 2021), several
    groups: the normal-theory ML statistic of the polychoric matrices at the DWLS
    estimates, ``X3 = sum_g N_g F_ML,g``, with ``c = tr(U' V U Gamma) / df``
    (``U = I - D E^-1 D' W``, all over the correlations of every group, ``W = diag(f_g
    W_g)``, ``V = diag(f_g V_g)`` the normal-theory weights, ``Gamma = diag(Gamma_g /
    f_g)``) and, for the baseline, ``c0 = tr(Gamma) / df0``."""
    keys = ("rmsea_robust", "rmsea_ci_lower_robust", "rmsea_ci_upper_robust",
            "rmsea_pvalue_robust", "cfi_robust", "tli_robust")
    nan = {k: math.nan for k in keys}
    x3 = x3_null = 0.0
    w_blocks, v_blocks, g_blocks, d_blocks = [], [], [], []
    for f, st, sigma, d in zip(fg, stats, implied, jac, strict=True):
        p = sigma.shape[0]
        r = st.r
        if float(np.linalg.eigvalsh(r).min()) < math.sqrt(np.finfo(float).eps):
            return nan
        sign, logdet_s = np.linalg.slogdet(sigma)
        if sign <= 0:
            return nan
        logdet_r = np.linalg.slogdet(r)[1]
        x3 += st.n * float(logdet_s + np.trace(r @ np.linalg.inv(sigma)) - logdet_r - p)
        x3_null += -st.n * float(logdet_r)
        nt = st.n_thresholds
        cols, rows = np.triu_indices(p)
        off = np.flatnonzero(rows != cols)
        v_blocks.append(f * normal_weight(sigma)[np.ix_(off, off)])
        w_blocks.append(f * st.w[nt:])
        g_blocks.append(st.gamma[nt:, nt:] / f)
        d_blocks.append(d[nt:])
    groups = len(stats)
    d_all = np.vstack(d_blocks)
    w_all = np.concatenate(w_blocks)
    g_all = _block_diag(g_blocks)
    wiu = np.eye(w_all.size) - d_all @ e_inv @ (d_all.T * w_all[None, :])
    c_hat = float(np.sum((wiu.T @ _block_diag(v_blocks) @ wiu) * g_all.T)) / df
    df0 = float(w_all.size)
    c_null = float(np.trace(g_all)) / df0
    t1 = x3 - c_hat * df
    t0 = x3_null - c_null * df0
    den = max(t1, t0, 0.0)
    return {**_rmsea(x3, df, n1, groups, "_robust", c_hat, x3 / c_hat),
            "cfi_robust": 1.0 - max(t1, 0.0) / den if den > 0 else 1.0,
            "tli_robust": 1.0 - (t1 * df0) / (t0 * df) if t0 != 0 else 1.0}


def _implied_cor(mat: dict[str, np.ndarray]) -> np.ndarray:
    """The model's correlation matrix of the latent responses of one group."""
    lam, delta = mat["lambda"][0].real, mat["delta"][0].real
    cov = lam @ mat["psi"][0].real @ lam.T + mat["theta"][0].real
    out: np.ndarray = cov * np.outer(delta, delta)
    np.fill_diagonal(out, 1.0)
    return out


def _block_diag(blocks: Sequence[np.ndarray]) -> np.ndarray:
    out: np.ndarray = linalg.block_diag(*blocks)
    return out


def _std_all(table: pd.DataFrame, model: _Model, theta: np.ndarray, est: np.ndarray,
             observed: tuple[str, ...], latent: tuple[str, ...]) -> np.ndarray:
    """lavaan's ``std.all``: latent variables and latent responses (sd ``1 / Delta``)
    standardised."""
    out = np.full(len(table), np.nan)
    mats = [model.matrices(theta[None, :], g) for g in range(model.groups)]
    for r, row in enumerate(table.itertuples(index=False)):
        mat = mats[int(row.group) - 1]
        psi = mat["psi"][0]
        delta = mat["delta"][0]
        i, j = int(row.i), int(row.j)
        if row.kind == "lambda":
            out[r] = est[r] * math.sqrt(psi[j, j]) * delta[i]
        elif row.kind in ("tau", "nu"):
            out[r] = est[r] * delta[i]
        elif row.kind == "delta":
            out[r] = 1.0
        elif row.kind == "alpha":
            out[r] = est[r] / math.sqrt(psi[i, i])
        elif row.kind == "psi":
            out[r] = est[r] / math.sqrt(psi[i, i] * psi[j, j])
        elif row.kind == "theta":
            lam = mat["lambda"][0]
            common = lam @ psi @ lam.T
            res_i = delta[i] ** -2 - common[i, i]
            res_j = delta[j] ** -2 - common[j, j]
            out[r] = est[r] / math.sqrt(res_i * res_j) if res_i * res_j > 0 else math.nan
        elif row.kind == "resvar":
            out[r] = est[r] * delta[i] ** 2
    return out


def fit_multigroup_wlsmv(data: pd.DataFrame, syntax: str | ModelSpec, group: str, *,
                         equal: Sequence[str] = (), groups: Sequence[object] | None = None,
                         min_group_size: int | None = None,
                         max_iter: int = 500) -> MultiGroupWlsmvFit:
    """Fit a CFA of ordinal items in every group by WLSMV (Wu & Estabrook identification).

    Parameters
    ----------
    data : DataFrame
        Item responses (ordinal codes) and the grouping column.
    syntax : str or ModelSpec
        lavaan measurement-model syntax: ``=~`` lines (free loadings; the latent
        variances identify the scale, lavaan's ``std.lv``), optional ``~~`` covariances
        between items or between latent variables (free in every group); no labels or
        fixed values.
    group : str
        The grouping column.
    equal : sequence of str
        One of :data:`EQUAL_STEPS`: ``()``, ``("thresholds",)``, ``("thresholds",
        "loadings")``, ``("thresholds", "loadings", "intercepts")`` (in any order).
    groups : sequence, optional
        Group levels to use, in this order (default: all, in order of appearance).
    min_group_size : int, optional
        Groups with fewer complete cases are left out (default: the free parameters of
        one group of the configural model).
    max_iter : int
        Gauss-Newton iterations at most.

    Returns
    -------
    MultiGroupWlsmvFit

    Raises
    ------
    InputError
        An unsupported ``equal``, model (regressions, intercepts, item variances, labels,
        fixed values) or grouping column; an item with two categories under threshold equality.
    AnalysisError
        Fewer than two groups; an item with a category nobody in a group chose; a model
        that is not identified; no convergence.

    References
    ----------
    Wu, H., & Estabrook, R. (2016). Psychometrika, 81(4), 1014-1045. Muthén, B., du Toit,
    S. H. C., & Spisic, D. (1997). Technical report. Asparouhov, T., & Muthén, B. (2010).
    Mplus technical appendix. Rosseel, Y. (2012). Journal of Statistical Software, 48(2).
    """
    eq = (equal,) if isinstance(equal, str) else tuple(equal)
    allowed = {frozenset(s): s for s in EQUAL_STEPS}
    if frozenset(eq) not in allowed or len(set(eq)) != len(eq):
        raise InputError(
            f"equal={eq!r} is not a step of the ordinal invariance sequence",
            hint="Use (), ('thresholds',), ('thresholds', 'loadings') or ('thresholds', "
                 "'loadings', 'intercepts') (Wu & Estabrook 2016).")
    with one_blas_thread():  # small matrices: threaded BLAS only adds overhead
        return _fit(data, syntax, group, allowed[frozenset(eq)], groups, min_group_size,
                    max_iter)


def _fit(data: pd.DataFrame, syntax: str | ModelSpec, group: str, equal: tuple[str, ...],
         groups: Sequence[object] | None, min_group_size: int | None,
         max_iter: int) -> MultiGroupWlsmvFit:
    started = time.perf_counter()
    rows, observed, latent = _parse(syntax)
    probe = group_data(data, observed, group, groups, 2 if min_group_size is None
                       else int(min_group_size))
    cats = _categories(probe, observed)
    n_th = {v: int(c.size) - 1 for v, c in cats.items()}
    if "thresholds" in equal:
        two = [v for v in observed if n_th[v] < 2]
        if two:
            raise InputError(
                f"{', '.join(repr(v) for v in two)} has two categories: with equal "
                "thresholds its intercept and scale are not identified (Wu & Estabrook "
                "2016 treat binary items apart)",
                hint="Leave binary items out of the ordinal invariance sequence.")
    base = _table(rows, observed, latent, n_th, 1, ())
    threshold = int((base["par"] >= 0).sum()) if min_group_size is None \
        else int(min_group_size)
    gd = group_data(data, observed, group, groups, threshold)
    if gd.labels != probe.labels:
        cats = _categories(gd, observed)
    n_groups = len(gd.labels)
    table = _table(rows, observed, latent, n_th, n_groups, equal)
    model = _Model(table, observed, latent, n_th, n_groups)
    stats = [_group_stats(y, observed) for y in gd.y]
    q = model.q
    n = float(sum(st.n for st in stats))
    k_all = sum(st.s.size for st in stats)
    df = float(k_all - q)
    if df < 0:
        raise AnalysisError(f"the model has {q} free parameters for {k_all} sample "
                            "statistics", hint="Simplify the model or add items.")
    theta, iters, converged = _minimise(model, stats, _start(table, stats, observed,
                                                             latent, q), max_iter)
    if not converged:
        raise AnalysisError(f"the DWLS estimation did not converge in {iters} iterations",
                            hint="Check the model for identification problems.")
    sig = model.evaluate(theta)
    jac = model.jacobians(theta)
    fg = np.array([st.n / n for st in stats])
    info = sum(f * d.T @ (st.w[:, None] * d) for f, st, d in zip(fg, stats, jac, strict=True))
    eig = np.linalg.eigvalsh(info) if q else np.ones(1)
    if not (np.all(np.isfinite(eig)) and eig[0] > 1e-12 * max(eig[-1], 1e-300)):
        raise AnalysisError(
            "the information matrix is singular: the model is not identified "
            f"({q} free parameters)", hint="Give every factor at least two indicators.")
    e_inv = np.linalg.inv(info)
    meat = sum(f * (st.w[:, None] * d).T @ st.gamma @ (st.w[:, None] * d)
               for f, st, d in zip(fg, stats, jac, strict=True))
    vcov = e_inv @ meat @ e_inv / (n - n_groups)
    chisq_g = [(st.n - 1.0) * float(np.sum(st.w * (st.s - s) ** 2))
               for st, s in zip(stats, sig, strict=True)]
    chisq = float(sum(chisq_g))
    # scaled-shifted test: U = V - V D E^-1 D' V, V = diag(f_g W_g), Gamma = diag(G_g / f_g)
    v_all = np.concatenate([f * st.w for f, st in zip(fg, stats, strict=True)])
    d_all = np.vstack(jac)
    vd = v_all[:, None] * d_all
    u = np.diag(v_all) - vd @ e_inv @ vd.T
    g_all = _block_diag([st.gamma / f for f, st in zip(fg, stats, strict=True)])
    ug = u @ g_all
    tr1, tr2 = float(np.trace(ug)), float(np.sum(ug * ug.T))
    ss = fit_indices.scaled_shifted(chisq, df, tr1, tr2)
    # baseline: thresholds free, correlations zero in every group
    chisq_b = dfb = tr1b = tr2b = 0.0
    for st in stats:
        nt = st.n_thresholds
        s_c, w_c = st.s[nt:], st.w[nt:]
        chisq_b += (st.n - 1.0) * float(np.sum(w_c * s_c * s_c))
        dfb += s_c.size
        wg = w_c[:, None] * st.gamma[nt:, nt:]
        tr1b += float(np.trace(wg))
        tr2b += float(np.sum(wg * wg.T))
    ssb = fit_indices.scaled_shifted(chisq_b, dfb, tr1b, tr2b)

    # parameter table (with the derived item residual variances)
    var = np.diag(vcov)
    se_par = np.sqrt(np.where(var >= 0, var, np.nan))
    mats = [model.matrices(theta[None, :], g) for g in range(n_groups)]
    extra = []
    for g in range(1, n_groups + 1):
        mat = mats[g - 1]
        lam, psi, delta = mat["lambda"][0], mat["psi"][0], mat["delta"][0]
        common = np.diag(lam @ psi @ lam.T)
        for i, v in enumerate(observed):
            extra.append({"lhs": v, "op": "~~", "rhs": v, "group": g, "label": "",
                          "free": False, "value": float(delta[i] ** -2 - common[i]),
                          "kind": "resvar", "i": i, "j": i, "par": -1})
    full = pd.concat([table, pd.DataFrame(extra)], ignore_index=True)
    par = full["par"].to_numpy(int)
    est = np.where(par >= 0, theta[np.maximum(par, 0)], full["value"].to_numpy(float))
    se = np.where(par >= 0, se_par[np.maximum(par, 0)], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = est / se
    params = pd.DataFrame({
        "lhs": full["lhs"], "op": full["op"], "rhs": full["rhs"], "group": full["group"],
        "label": full["label"], "free": par >= 0, "est": est, "se": se, "z": z,
        "pvalue": 2.0 * sps.norm.sf(np.abs(z)), "ci_lower": est - _Z975 * se,
        "ci_upper": est + _Z975 * se,
        "std_all": _std_all(full, model, theta, est, observed, latent)})[PARAM_COLUMNS]

    # fit measures
    srmr_g = []
    for st, s in zip(stats, sig, strict=True):
        res = st.s[st.n_thresholds:] - s[st.n_thresholds:]
        p = len(observed)
        srmr_g.append(math.sqrt(float(np.sum(res * res)) / (p * (p + 1) / 2)))
    nan = math.nan
    if equal:  # lavaan's catML refit is not defined with equality constraints
        robust = {k: nan for k in ("rmsea_robust", "rmsea_ci_lower_robust",
                                   "rmsea_ci_upper_robust", "rmsea_pvalue_robust",
                                   "cfi_robust", "tli_robust")}
    else:
        robust = _robust(stats, [_implied_cor(m) for m in mats], jac, e_inv, fg, df,
                         n - n_groups)
    fit: dict[str, float] = {
        "ntotal": n, "npar": float(q), "fmin": chisq / (2.0 * n),
        **fit_indices.scaled_test_measures(chisq, df, ss, chisq_b, dfb, ssb),
        **_rmsea(chisq, df, n - n_groups, n_groups),
        **_rmsea(ss["stat"], df, n - n_groups, n_groups, "_scaled"),
        **robust,
        "srmr": float(np.dot(fg, srmr_g)),
        # lavaan divides by the statistics of one group
        "wrmr": math.sqrt(chisq / (k_all / n_groups)),
        "aic": nan, "bic": nan,
    }
    warns: list[str] = []
    for lab, st in zip(gd.labels, stats, strict=True):
        warns += [f"group {lab}: polychoric: {w}" for w in st.warnings]
    for g, lab in enumerate(gd.labels, start=1):
        sub = params[(params["group"] == g) & (params["op"] == "~~")
                     & (params["lhs"] == params["rhs"])]
        bad = [str(v) for v, e in zip(sub["lhs"], sub["est"], strict=True) if e < 0]
        if bad:
            warns.append(f"group {lab}: negative (residual) variance of {', '.join(bad)}: "
                         "an improper (Heywood) solution")
    warns += [f"group {g} left out: {k} complete cases, fewer than {gd.min_group_size}"
              for g, k in gd.excluded]
    names = [""] * q
    for row in table.itertuples(index=False):
        if row.par >= 0 and not names[int(row.par)]:
            names[int(row.par)] = f"{row.lhs}{row.op}{row.rhs}.g{row.group}"
    return MultiGroupWlsmvFit(
        params=params, fit=fit,
        chisq_group=dict(zip(gd.labels, chisq_g, strict=True)), vcov=vcov,
        free_names=tuple(names), groups=gd.labels, nobs=gd.nobs, estimator="WLSMV",
        equal=equal, partial=(), converged=converged, iterations=iters,
        warnings=tuple(warns), excluded_groups=gd.excluded,
        min_group_size=gd.min_group_size, observed=observed, latent=latent,
        seconds=time.perf_counter() - started, table=table, theta=theta, data=None,
        n_categories={v: int(c.size) for v, c in cats.items()},
        parts=_Parts(jacobians=tuple(jac), weights=tuple(st.w for st in stats),
                     gammas=tuple(st.gamma for st in stats), fractions=fg))


# ------------------------------------------------------------- difference test


def satorra_2000(fit1: MultiGroupWlsmvFit, fit0: MultiGroupWlsmvFit) -> dict[str, float]:
    """lavaan's scaled-shifted difference test of nested WLSMV fits (``lavTestLRT``,
    method ``"satorra.2000"``).

    With ``D_1, D_0`` the Jacobians of the less (1) and more (0) restricted fit at their
    estimates, ``A' `` an orthonormal basis of the orthogonal complement of
    ``D_1^+ D_0`` (the restrictions, in fit 1's parameters), ``P = sum_g f_g D_1g' W_g
    D_1g``, ``M = P^-1 A' (A P^-1 A')^+ A P^-1`` and ``UG = W D_1 M D_1' W Gamma``
    (``W = diag(W_g)``, ``Gamma = diag(f_g Gamma_g)``): ``a = sqrt(m / tr(UG^2))``,
    ``T = a (T_0 - T_1) + m - a tr(UG)`` with m the difference in df.

    Parameters
    ----------
    fit1, fit0 : MultiGroupWlsmvFit
        The less and the more restricted fit, on the same data.

    Returns
    -------
    dict
        ``stat, df, pvalue, a, b, trace_ugamma, trace_ugamma2``.

    References
    ----------
    Satorra, A. (2000). In Innovations in Multivariate Statistical Analysis (pp. 233-247).
    Kluwer. Asparouhov, T., & Muthén, B. (2010). Mplus technical appendix. Rosseel, Y.
    (2012). Journal of Statistical Software, 48(2) (``lavTestLRT``).
    """
    p1, p0 = fit1.parts, fit0.parts
    if p1 is None or p0 is None:
        raise InputError("the difference test needs two WLSMV fits",
                         hint="Fit both models with fit_multigroup_wlsmv.")
    with one_blas_thread():  # small matrices: threaded BLAS only adds overhead
        return _satorra(fit1, fit0, p1, p0)


def _satorra(fit1: MultiGroupWlsmvFit, fit0: MultiGroupWlsmvFit, p1: _Parts,
             p0: _Parts) -> dict[str, float]:
    t1, r1 = fit1.fit["chisq"], int(fit1.fit["df"])
    t0, r0 = fit0.fit["chisq"], int(fit0.fit["df"])
    m = r0 - r1
    nan = math.nan
    if m == 0:
        return {"stat": t0 - t1, "df": 0.0, "pvalue": nan, "a": nan, "b": nan,
                "trace_ugamma": nan, "trace_ugamma2": nan}
    d1 = np.vstack(p1.jacobians)
    d0 = np.vstack(p0.jacobians)
    h = np.linalg.pinv(d1) @ d0
    a_mat = linalg.null_space(h.T).T
    fg = p1.fractions
    info = sum(f * d.T @ (w[:, None] * d) for f, w, d in zip(fg, p1.weights, p1.jacobians,
                                                             strict=True))
    p_inv = np.linalg.inv(info)
    apa = a_mat @ p_inv @ a_mat.T
    eps = math.sqrt(np.finfo(float).eps)
    keep = ~((np.abs(apa.sum(axis=0)) < eps) & (np.abs(apa.sum(axis=1)) < eps))
    a_mat = a_mat[keep]
    mid = p_inv @ a_mat.T @ np.linalg.pinv(a_mat @ p_inv @ a_mat.T) @ a_mat @ p_inv
    w_all = np.concatenate(p1.weights)
    g_all = _block_diag([f * g for f, g in zip(fg, p1.gammas, strict=True)])
    wd = w_all[:, None] * d1
    ug = wd @ mid @ wd.T @ g_all
    tr1, tr2 = float(np.trace(ug)), float(np.sum(ug * ug.T))
    a = math.sqrt(m / tr2)
    b = m - a * tr1
    stat = (t0 - t1) * a + b
    return {"stat": stat, "df": float(m), "pvalue": float(sps.chi2.sf(stat, m)), "a": a,
            "b": b, "trace_ugamma": tr1, "trace_ugamma2": tr2}
