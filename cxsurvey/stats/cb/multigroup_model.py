"""The parameter table and the moment structure of a multi-group model with means.

:func:`build_table` writes out, for G groups, what lavaan's ``cfa()``/``sem()`` with
``group = ...`` imply for a lavaan-syntax model: per group the loadings (first loading of
each factor fixed to 1 unless freed with ``NA*``), regressions, the user's covariances,
residual variances of the observed variables, latent variances, covariances among
exogenous latent variables (``auto.cov.lv.x``) and among pure latent outcomes
(``auto.cov.y``), intercepts of the observed variables (free in every group) and latent
means (fixed to 0 unless the intercepts are equal across groups: then free in every group
but the first). ``group.equal`` and ``group.partial`` make parameters of groups 2..G the
same parameter as in group 1; a user label makes its rows one parameter in all groups.

:class:`MeanStructure` compiles such a table into RAM matrices per group,
``Sigma_g = F B S B' F'`` and ``mu_g = F B m`` with ``B = (I - A)^-1`` and ``m`` the
intercepts and latent means, and gives lavaan's multi-group ML discrepancy
``F = sum_g (N_g / N) F_g``,
``F_g = 0.5 [log|Sigma| + tr(S Sigma^-1) - log|S| - p + (ybar - mu)' Sigma^-1 (ybar - mu)]``,
its analytic gradient and the unit expected information
``sum_g (N_g / N) [0.5 tr(Sigma^-1 dSigma_k Sigma^-1 dSigma_l) + dmu_k' Sigma^-1 dmu_l]``.

References
----------
McArdle, J. J., & McDonald, R. P. (1984). Some algebraic properties of the Reticular
Action Model for moment structures. British Journal of Mathematical and Statistical
Psychology, 37(2), 234-251. Sörbom, D. (1974). A general method for studying differences
in factor means and factor structure between groups. British Journal of Mathematical and
Statistical Psychology, 27(2), 229-239. Jöreskog, K. G. (1971). Simultaneous factor
analysis in several populations. Psychometrika, 36(4), 409-426. Rosseel, Y. (2012).
lavaan: An R package for structural equation modeling. Journal of Statistical Software,
48(2), 1-36 (``group.equal``, ``group.partial``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxsurvey.errors import InputError
from cxsurvey.model.spec import ModelSpec
from cxsurvey.stats.cb.prepare import PreparedModel

__all__ = ["EQUAL_NAMES", "MeanStructure", "build_table", "category"]

EQUAL_NAMES = ("loadings", "intercepts", "residuals", "residual.covariances",
               "lv.variances", "lv.covariances", "regressions", "means")


def category(lhs: str, op: str, rhs: str, latent: frozenset[str]) -> str:
    """The ``group.equal`` name that covers a parameter ("" for none).

    References
    ----------
    Rosseel, Y. (2012). Journal of Statistical Software, 48(2) (``group.equal``).
    """
    if op == "=~":
        return "loadings"
    if op == "~":
        return "regressions"
    if op == "~1":
        return "means" if lhs in latent else "intercepts"
    if lhs in latent and rhs in latent:
        return "lv.variances" if lhs == rhs else "lv.covariances"
    if lhs not in latent and rhs not in latent:
        return "residuals" if lhs == rhs else "residual.covariances"
    return ""


def _key(lhs: str, op: str, rhs: str) -> str:
    return f"{lhs}{op}{rhs}"


@dataclass
class _Template:
    """The rows of one group, in lavaan's order of appearance."""

    latent: frozenset[str]
    rows: list[dict[str, object]]
    seen: set[tuple[str, str, str]]

    def add(self, lhs: str, op: str, rhs: str, fixed: float | None = None,
            label: str | None = None) -> None:
        if op == "~~" and (rhs, op, lhs) in self.seen:
            lhs, rhs = rhs, lhs
        if (lhs, op, rhs) in self.seen:
            for r in self.rows:  # a later user line overrides the default
                if (r["lhs"], r["op"], r["rhs"]) == (lhs, op, rhs):
                    r["fixed"] = fixed
                    r["label"] = label or ""
            return
        self.seen.add((lhs, op, rhs))
        self.rows.append({"lhs": lhs, "op": op, "rhs": rhs, "fixed": fixed,
                          "label": label or ""})


def _user_rows(spec: ModelSpec, prep: PreparedModel, tpl: _Template) -> list[str]:
    """The user's formulas as rows; returns notes on what was ignored."""
    notes: list[str] = []
    first_done: set[str] = set()
    for f in spec.formulas:
        if f.op == "=~":
            for i, t in enumerate(f.rhs):
                fixed = t.fixed
                if fixed is None and f.lhs not in first_done and i == 0 \
                        and f.lhs not in prep.freed:
                    fixed = 1.0
                tpl.add(f.lhs, "=~", t.name, fixed, t.label)
            first_done.add(f.lhs)
        elif f.op == "~":
            for t in f.rhs:
                if t.name == "1":
                    tpl.add(f.lhs, "~1", "", t.fixed, t.label)
                else:
                    tpl.add(f.lhs, "~", t.name, t.fixed, t.label)
        elif f.op == "~~":
            for t in f.rhs:
                tpl.add(f.lhs, "~~", t.name, t.fixed, t.label)
        elif f.op == ":=":
            notes.append(f"defined parameter '{f.text}' is not part of the multi-group fit")
    return notes


def _default_rows(prep: PreparedModel, tpl: _Template, observed: tuple[str, ...]) -> None:
    """lavaan's implied parameters (variances, auto covariances, intercepts, means)."""
    latent = prep.latent
    for v in observed:
        tpl.add(v, "~~", v)
    for f in latent:
        tpl.add(f, "~~", f)
    outcomes = {y for y, _ in prep.regressions}
    predictors = {x for _, x in prep.regressions}
    indicators = {i for _, i in prep.measurement}
    exo = [f for f in latent if f not in outcomes]
    pure = [f for f in latent if f in outcomes and f not in predictors | indicators]
    for group in (exo, pure):
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                tpl.add(a, "~~", b)
    for v in observed:
        tpl.add(v, "~1", "")
    for f in latent:
        tpl.add(f, "~1", "", 0.0)


def _check(prep: PreparedModel, equal: tuple[str, ...]) -> None:
    bad = [e for e in equal if e not in EQUAL_NAMES]
    if bad:
        raise InputError(
            f"unknown group.equal name(s): {', '.join(repr(b) for b in bad)}",
            hint=f"Use any of {', '.join(EQUAL_NAMES)}.")
    latent = set(prep.latent)
    indicators = {i for _, i in prep.measurement}
    outcomes = {y for y, _ in prep.regressions}
    exo_x = sorted({x for _, x in prep.regressions
                    if x not in latent and x not in indicators and x not in outcomes})
    if exo_x:
        raise InputError(
            f"observed covariates ({', '.join(exo_x)}) as predictors are not supported by "
            "the multi-group engine",
            hint="Model them as single-indicator factors (f =~ x) or leave them out.")


def build_table(spec: ModelSpec, prep: PreparedModel, observed: tuple[str, ...],
                n_groups: int, equal: tuple[str, ...] = (),
                partial: tuple[str, ...] = ()) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The multi-group parameter table of a model, with lavaan's defaults.

    Parameters
    ----------
    spec : ModelSpec
        The parsed model.
    prep : PreparedModel
        :func:`cxsurvey.stats.cb.prepare.prepare_model` of it (latent variables,
        ``NA*`` markers, regressions).
    observed : tuple of str
        Observed variables in the order of the rows of Sigma.
    n_groups : int
    equal : tuple of str
        lavaan ``group.equal`` names (:data:`EQUAL_NAMES`).
    partial : tuple of str
        lavaan ``group.partial``: parameters (``"visual=~x2"``, ``"x3~1"``) exempt from
        ``equal``.

    Returns
    -------
    table : DataFrame
        One row per parameter and group: ``lhs, op, rhs, group`` (1-based), ``label``,
        ``free``, ``value`` (fixed value, NaN when free), ``category`` (its
        ``group.equal`` name), ``par`` (index of the free parameter, -1 when fixed) and
        ``par_full`` (index with the ``group.equal`` equalities released, user labels
        kept; lavaan's free parameters before its ``==`` constraints).
    notes : tuple of str
        Parts of the syntax that were ignored.

    Raises
    ------
    InputError
        Unknown ``group.equal`` names, ``group.partial`` entries that name no parameter,
        exogenous observed predictors.

    References
    ----------
    Rosseel, Y. (2012). Journal of Statistical Software, 48(2) (multi-group defaults).
    """
    _check(prep, equal)
    latent = frozenset(prep.latent)
    tpl = _Template(latent=latent, rows=[], seen=set())
    notes = _user_rows(spec, prep, tpl)
    _default_rows(prep, tpl, observed)
    keys = {_key(str(r["lhs"]), str(r["op"]), str(r["rhs"])) for r in tpl.rows}
    part = {p.replace(" ", "") for p in partial}
    unknown = sorted(part - keys)
    if unknown:
        raise InputError(
            f"group.partial names parameters the model does not have: {', '.join(unknown)}",
            hint="Write them as lavaan does, e.g. 'visual=~x2' or 'x3~1'.")
    latent_means_free = "intercepts" in equal and "means" not in equal
    rows: list[dict[str, object]] = []
    par: dict[tuple[object, ...], int] = {}
    full: dict[tuple[object, ...], int] = {}
    for g in range(1, n_groups + 1):
        for ti, r in enumerate(tpl.rows):
            lhs, op, rhs = str(r["lhs"]), str(r["op"]), str(r["rhs"])
            cat = category(lhs, op, rhs, latent)
            fixed = r["fixed"]
            if op == "~1" and lhs in latent and r["label"] == "" and fixed == 0.0 \
                    and latent_means_free and g > 1:
                fixed = None
            label = str(r["label"])
            free = fixed is None
            linked = (cat in equal and _key(lhs, op, rhs) not in part
                      and not (cat == "means" and lhs in latent and latent_means_free))
            if not free:
                k, kf = -1, -1
            else:
                if label:
                    key: tuple[object, ...] = ("label", label)
                    fkey: tuple[object, ...] = key
                else:
                    key = ("row", ti) if linked else ("row", ti, g)
                    fkey = ("row", ti, g)
                k = par.setdefault(key, len(par))
                kf = full.setdefault(fkey, len(full))
            rows.append({"lhs": lhs, "op": op, "rhs": rhs, "group": g, "label": label,
                         "free": free, "value": math.nan if free else float(str(fixed)),
                         "category": cat, "par": k, "par_full": kf, "linked": linked})
    return pd.DataFrame(rows), tuple(notes)


@dataclass(frozen=True)
class _Group:
    """The RAM matrices of one group and their derivatives with respect to theta."""

    a0: np.ndarray
    s0: np.ndarray
    m0: np.ndarray
    a_k: np.ndarray  # (q, m, m)
    s_k: np.ndarray  # (q, m, m), symmetric
    m_k: np.ndarray  # (q, m)


@dataclass(frozen=True)
class GroupMoments:
    """Implied moments of one group at theta, and what their derivatives need."""

    mu: np.ndarray
    sigma: np.ndarray
    b: np.ndarray
    s: np.ndarray
    m: np.ndarray
    total: np.ndarray  # B S B' over all variables


class MeanStructure:
    """A multi-group table compiled into RAM matrices with means.

    Parameters
    ----------
    table : DataFrame
        :func:`build_table` output.
    observed, latent : tuple of str
        Rows of Sigma, then the latent variables.
    column : str
        ``"par"`` (the model's parameters) or ``"par_full"`` (equalities released).
    """

    def __init__(self, table: pd.DataFrame, observed: tuple[str, ...],
                 latent: tuple[str, ...], column: str = "par"):
        self.observed = observed
        self.latent = latent
        self.variables = observed + latent
        self.p = len(observed)
        pos = {v: i for i, v in enumerate(self.variables)}
        self.q = int(table[column].max()) + 1 if (table[column] >= 0).any() else 0
        self.n_groups = int(table["group"].max())
        m = len(self.variables)
        groups: list[_Group] = []
        for g in range(1, self.n_groups + 1):
            sub = table[table["group"] == g]
            a0, s0, m0 = np.zeros((m, m)), np.zeros((m, m)), np.zeros(m)
            a_k, s_k = np.zeros((self.q, m, m)), np.zeros((self.q, m, m))
            m_k = np.zeros((self.q, m))
            for lhs, op, rhs, value, k in sub[["lhs", "op", "rhs", "value", column]].itertuples(
                    index=False, name=None):
                k = int(k)
                if op == "~1":
                    if k >= 0:
                        m_k[k, pos[lhs]] += 1.0
                    else:
                        m0[pos[lhs]] = value
                    continue
                if op in ("=~", "~"):
                    i, j = (pos[rhs], pos[lhs]) if op == "=~" else (pos[lhs], pos[rhs])
                    if k >= 0:
                        a_k[k, i, j] += 1.0
                    else:
                        a0[i, j] = value
                    continue
                i, j = pos[lhs], pos[rhs]
                if k >= 0:
                    s_k[k, i, j] += 1.0
                    if i != j:
                        s_k[k, j, i] += 1.0
                else:
                    s0[i, j] = s0[j, i] = value
            groups.append(_Group(a0, s0, m0, a_k, s_k, m_k))
        self.groups = tuple(groups)

    def moments(self, theta: np.ndarray) -> list[GroupMoments]:
        """Implied mean vectors and covariance matrices of every group."""
        out = []
        p = self.p
        for gr in self.groups:
            a = gr.a0 + np.tensordot(theta, gr.a_k, axes=1)
            s = gr.s0 + np.tensordot(theta, gr.s_k, axes=1)
            m = gr.m0 + theta @ gr.m_k
            b = np.linalg.inv(np.eye(a.shape[0]) - a)
            total = b @ s @ b.T
            total = 0.5 * (total + total.T)
            out.append(GroupMoments(mu=(b @ m)[:p], sigma=total[:p, :p], b=b, s=s, m=m,
                                    total=total))
        return out

    def derivatives(self, g: int, mo: GroupMoments) -> tuple[np.ndarray, np.ndarray]:
        """``d mu / d theta`` (q, p) and ``d Sigma / d theta`` (q, p, p) of group g.

        With ``B = (I - A)^-1``: ``dSigma_k = F (B A_k C + C A_k' B' + B S_k B') F'``
        (``C = B S B'``) and ``dmu_k = F B (A_k B m + m_k)``.
        """
        gr = self.groups[g]
        p = self.p
        bo = mo.b[:p]
        ba = bo @ gr.a_k  # (q, p, m)
        x = ba @ mo.total[:, :p]
        dsig = x + x.transpose(0, 2, 1) + bo @ gr.s_k @ bo.T
        dmu = ba @ (mo.b @ mo.m) + gr.m_k @ bo.T
        return dmu, dsig
