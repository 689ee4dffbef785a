"""Estimation of a multi-group model with means: data per group, the ML discrepancy,
its gradient, expected and observed information, and the optimiser.

``F = sum_g (N_g / N) F_g`` with ``F_g = 0.5 [log|Sigma_g| + tr(S_g Sigma_g^-1) -
log|S_g| - p + (ybar_g - mu_g)' Sigma_g^-1 (ybar_g - mu_g)]`` (lavaan's ML objective with
a mean structure; the test statistic is ``2 N F``), minimised by Fisher scoring with
step halving from start values in the manner of lavaan's simple ones.

References
----------
Jöreskog, K. G. (1971). Simultaneous factor analysis in several populations.
Psychometrika, 36(4), 409-426. Sörbom, D. (1974). British Journal of Mathematical and
Statistical Psychology, 27(2), 229-239. Lee, S.-Y., & Jennrich, R. I. (1979).
Psychometrika, 44(1), 99-113 (Fisher scoring). Rosseel, Y. (2012). Journal of
Statistical Software, 48(2), 1-36.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxsurvey.errors import AnalysisError, InputError
from cxsurvey.stats.cb.ml_fit import model_columns
from cxsurvey.stats.cb.multigroup_model import GroupMoments, MeanStructure

__all__ = ["GroupData", "SampleMoments", "gradient", "gradient_information", "group_data",
           "minimise", "numerical_hessian", "objective", "observed_information",
           "start_values"]


@dataclass(frozen=True)
class GroupData:
    """Complete cases of every group kept.

    Attributes
    ----------
    labels : tuple of str
        Group labels in fit order.
    y : tuple of ndarray
        Complete cases per group, shape (N_g, p), columns in ``observed`` order.
    excluded : tuple of (str, int)
        Groups left out for having fewer complete cases than ``min_group_size``.
    min_group_size : int
    """

    labels: tuple[str, ...]
    y: tuple[np.ndarray, ...]
    excluded: tuple[tuple[str, int], ...]
    min_group_size: int

    @property
    def nobs(self) -> tuple[int, ...]:
        return tuple(int(v.shape[0]) for v in self.y)

    @property
    def n(self) -> int:
        return int(sum(self.nobs))

    def means(self) -> list[np.ndarray]:
        return [v.mean(axis=0) for v in self.y]

    def covs(self) -> list[np.ndarray]:
        return [np.atleast_2d(np.cov(v, rowvar=False, bias=True)) for v in self.y]


# --------------------------------------------------------------------------- data


def _group_levels(col: pd.Series, groups: Sequence[object] | None) -> list[object]:
    present = list(dict.fromkeys(col.dropna().tolist()))
    if groups is None:
        return present
    wanted = list(groups)
    text = {str(v): v for v in present}
    unknown = [g for g in wanted if g not in present and str(g) not in text]
    if unknown:
        raise InputError(
            f"group level(s) {', '.join(repr(u) for u in unknown)} not found in the "
            "grouping column",
            hint=f"Levels present: {', '.join(str(v) for v in present)}.")
    return [g if g in present else text[str(g)] for g in wanted]


def group_data(data: pd.DataFrame, observed: tuple[str, ...], group: str,
               groups: Sequence[object] | None = None,
               min_group_size: int = 1) -> GroupData:
    """Complete cases of the model's variables per level of ``group``.

    Levels are taken in order of first appearance (lavaan's), or as ``groups`` lists
    them; rows with a missing group are dropped; groups with fewer complete cases than
    ``min_group_size`` are left out and listed.

    Raises
    ------
    InputError
        Unknown group column or level, model variables missing from the data,
        non-numeric answers.
    AnalysisError
        Fewer than two groups remain.
    """
    if group not in data.columns:
        raise InputError(f"grouping column {group!r} not found in the data",
                         hint="Name a column of the data with --group.")
    block = model_columns(data, observed)
    levels = _group_levels(data[group], groups)
    kept: list[tuple[str, np.ndarray]] = []
    excluded: list[tuple[str, int]] = []
    for lev in levels:
        rows = block[(data[group] == lev).to_numpy()].dropna(axis=0, how="any")
        y = rows.to_numpy(dtype=float)
        if y.shape[0] < max(min_group_size, 2):
            excluded.append((str(lev), int(y.shape[0])))
        else:
            kept.append((str(lev), y))
    if len(kept) < 2:
        raise AnalysisError(
            f"fewer than two groups of {group!r} have at least {min_group_size} complete "
            f"cases (left out: {', '.join(f'{g} (n = {n})' for g, n in excluded) or 'none'})",
            hint="Merge small groups or lower min_group_size.")
    return GroupData(labels=tuple(k for k, _ in kept), y=tuple(v for _, v in kept),
                     excluded=tuple(excluded), min_group_size=int(min_group_size))


# ---------------------------------------------------------------------- objective


@dataclass(frozen=True)
class SampleMoments:
    """Sample moments per group."""

    mean: list[np.ndarray]
    cov: list[np.ndarray]
    logdet: list[float]
    weight: np.ndarray  # N_g / N
    n: int

    @classmethod
    def of(cls, gd: GroupData) -> SampleMoments:
        covs = gd.covs()
        logdet = []
        for s in covs:
            sign, ld = np.linalg.slogdet(s)
            if sign <= 0:
                raise AnalysisError(
                    "a group's sample covariance matrix is not positive definite",
                    hint="Check for constant or perfectly collinear items within a group.")
            logdet.append(float(ld))
        nobs = np.array(gd.nobs, dtype=float)
        return cls(mean=gd.means(), cov=covs, logdet=logdet, weight=nobs / nobs.sum(),
                   n=gd.n)


def _group_f(mo: GroupMoments, s: np.ndarray, ybar: np.ndarray, logdet_s: float
             ) -> tuple[float, np.ndarray] | None:
    """F_g and Sigma^-1 (None when Sigma is not positive definite)."""
    try:
        chol = np.linalg.cholesky(mo.sigma)
    except np.linalg.LinAlgError:
        return None
    inv_l = np.linalg.inv(chol)
    inv = inv_l.T @ inv_l
    d = ybar - mo.mu
    p = s.shape[0]
    f = 0.5 * (2.0 * float(np.sum(np.log(np.diag(chol)))) + float(np.sum(s * inv))
               - logdet_s - p + float(d @ inv @ d))
    return (f, inv) if math.isfinite(f) else None


def objective(ms: MeanStructure, st: SampleMoments, theta: np.ndarray) -> tuple[float, list[float]]:
    """``F = sum_g f_g F_g`` and the F_g (inf when some Sigma_g is not positive definite).

    References
    ----------
    Jöreskog, K. G. (1971). Psychometrika, 36(4), 409-426.
    """
    fs = []
    for g, mo in enumerate(ms.moments(theta)):
        r = _group_f(mo, st.cov[g], st.mean[g], st.logdet[g])
        if r is None:
            return math.inf, []
        fs.append(r[0])
    return float(np.dot(st.weight, fs)), fs


def gradient_information(ms: MeanStructure, st: SampleMoments, theta: np.ndarray,
                         info: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Gradient of F and the unit expected information at ``theta``.

    .. math:: \\partial F_g/\\partial\\theta_k = 0.5\\,\\mathrm{tr}(M\\,\\partial\\Sigma_k)
              - d'\\Sigma^{-1}\\partial\\mu_k, \\quad M = \\Sigma^{-1} - \\Sigma^{-1}
              (S + d d')\\Sigma^{-1}, \\ d = \\bar y - \\mu

    References
    ----------
    Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley, ch. 8
    (mean structures). Magnus & Neudecker (1999), ch. 10.
    """
    q = ms.q
    grad = np.zeros(q)
    inf = np.zeros((q, q))
    for g, mo in enumerate(ms.moments(theta)):
        inv = np.linalg.inv(mo.sigma)
        d = st.mean[g] - mo.mu
        dmu, dsig = ms.derivatives(g, mo)
        idv = inv @ d
        mm = inv - inv @ (st.cov[g] + np.outer(d, d)) @ inv
        w = st.weight[g]
        grad += w * (0.5 * np.einsum("ab,kba->k", mm, dsig) - dmu @ idv)
        if info:
            gk = inv @ dsig
            flat = gk.reshape(q, -1)
            flat_t = gk.transpose(0, 2, 1).reshape(q, -1)
            inf += w * (0.5 * flat @ flat_t.T + dmu @ inv @ dmu.T)
    return grad, 0.5 * (inf + inf.T)


def gradient(ms: MeanStructure, st: SampleMoments, theta: np.ndarray) -> np.ndarray:
    return gradient_information(ms, st, theta, info=False)[0]


def numerical_hessian(ms: MeanStructure, st: SampleMoments, theta: np.ndarray,
                      h: float = 1e-6) -> np.ndarray:
    """The Hessian of F by a five-point central difference of the analytic gradient
    (lavaan's ``lav_model_hessian``, step 1e-6); a check of :func:`observed_information`.

    References
    ----------
    Burden, R. L., & Faires, J. D. (2011). Numerical Analysis (9th ed.). Brooks/Cole,
    sec. 4.1 (five-point formula).
    """
    q = theta.size
    hess = np.zeros((q, q))
    for j in range(q):
        e = np.zeros(q)
        e[j] = h
        g1 = gradient(ms, st, theta - 2 * e)
        g2 = gradient(ms, st, theta - e)
        g3 = gradient(ms, st, theta + e)
        g4 = gradient(ms, st, theta + 2 * e)
        hess[:, j] = (g1 - 8.0 * g2 + 8.0 * g3 - g4) / (12.0 * h)
    return 0.5 * (hess + hess.T)


def _second_order(ms: MeanStructure, g: int, mo: GroupMoments, mmat: np.ndarray,
                  v: np.ndarray) -> np.ndarray:
    """``0.5 tr(M d2Sigma_kl) - v' d2mu_kl`` of group g (v = Sigma^-1 d).

    With ``B_k = B A_k B``, ``C = B S B'``, ``M_f`` = M padded to all variables and
    ``L = B' M_f B``: ``0.5 tr(M d2Sigma_kl) = tr(M_f G_kl)``, ``G_kl = (B A_k B A_l B +
    B A_l B A_k B) S B' + B_k S B_l' + B_k S_l B' + B_l S_k B'``, i.e. ``tr(A_k X_l) +
    tr(A_l X_k) + tr(A_k C A_l' L) + tr(A_k B S_l L) + tr(A_l B S_k L)`` with ``X_l = B
    A_l C M_f B``; and ``v' d2mu_kl = w' A_k (B A_l u + B m_l) + (k <-> l)`` with ``w =
    B' F' v`` and ``u = B m``.
    """
    gr = ms.groups[g]
    p = ms.p
    b, c = mo.b, mo.total
    size = b.shape[0]
    mf = np.zeros((size, size))
    mf[:p, :p] = mmat
    lmat = b.T @ mf @ b
    q = ms.q
    a_flat = gr.a_k.reshape(q, -1)
    x = b @ gr.a_k @ (c @ mf @ b)  # X_l
    y = c @ gr.a_k.transpose(0, 2, 1) @ lmat  # C A_l' L
    z = b @ gr.s_k @ lmat  # B S_l L
    t1 = a_flat @ x.transpose(0, 2, 1).reshape(q, -1).T  # tr(A_k X_l)
    t2 = a_flat @ y.transpose(0, 2, 1).reshape(q, -1).T
    t3 = a_flat @ z.transpose(0, 2, 1).reshape(q, -1).T
    sigma_part = t1 + t1.T + t2 + t3 + t3.T
    vf = np.zeros(size)
    vf[:p] = v
    w = b.T @ vf
    u = b @ mo.m
    r = (b @ gr.a_k @ u) + gr.m_k @ b.T  # B A_l u + B m_l, shape (q, size)
    wa = np.einsum("i,kij->kj", w, gr.a_k)  # w' A_k
    s1 = wa @ r.T
    return np.asarray(sigma_part - (s1 + s1.T))


def observed_information(ms: MeanStructure, st: SampleMoments, theta: np.ndarray
                         ) -> np.ndarray:
    """Unit observed information: the analytic Hessian of F (lavaan's ``information =
    "observed"``, which lavaan obtains numerically from the analytic gradient).

    With ``d = ybar - mu``, ``K = S + d d'``, ``P = Sigma^-1 K Sigma^-1``, ``M =
    Sigma^-1 - P``, ``A_k = Sigma^-1 dSigma_k`` and ``e = Sigma^-1 d``, per group

    .. math:: H_{kl} = -\\tfrac12\\mathrm{tr}(A_l A_k) + \\mathrm{tr}(A_l P\\,
              \\partial\\Sigma_k) + e'\\partial\\Sigma_k\\Sigma^{-1}\\partial\\mu_l +
              e'\\partial\\Sigma_l\\Sigma^{-1}\\partial\\mu_k + \\partial\\mu_l'
              \\Sigma^{-1}\\partial\\mu_k + \\tfrac12\\mathrm{tr}(M\\,\\partial^2
              \\Sigma_{kl}) - e'\\partial^2\\mu_{kl}

    summed over groups with weights N_g / N.

    References
    ----------
    Magnus, J. R., & Neudecker, H. (1999). Matrix Differential Calculus (rev. ed.).
    Wiley, ch. 10. Rosseel, Y. (2012). Journal of Statistical Software, 48(2)
    (``information = "observed"``).
    """
    q = ms.q
    hess = np.zeros((q, q))
    for g, mo in enumerate(ms.moments(theta)):
        inv = np.linalg.inv(mo.sigma)
        d = st.mean[g] - mo.mu
        pmat = inv @ (st.cov[g] + np.outer(d, d)) @ inv
        dmu, dsig = ms.derivatives(g, mo)
        a = inv @ dsig
        a_flat = a.reshape(q, -1)
        first = -0.5 * a_flat @ a.transpose(0, 2, 1).reshape(q, -1).T
        ps = pmat @ dsig  # P dSigma_k
        first += a_flat @ ps.transpose(0, 2, 1).reshape(q, -1).T
        e = inv @ d
        cross = (dsig @ e) @ (dmu @ inv).T  # e' dSigma_k Sigma^-1 dmu_l
        first += cross + cross.T + dmu @ inv @ dmu.T
        second = _second_order(ms, g, mo, inv - pmat, e)
        hess += st.weight[g] * (first + second)
    return 0.5 * (hess + hess.T)


def minimise(ms: MeanStructure, st: SampleMoments, theta0: np.ndarray, tol: float = 1e-10,
             max_iter: int = 500) -> tuple[np.ndarray, bool, int]:
    """Fisher scoring with step halving; ``(theta, converged, iterations)``.

    Converged: largest absolute gradient of F below ``tol``; or a scoring step below
    1e-12 relative to the parameters; or, for nearly singular implied covariance
    matrices where the gradient cannot get below its rounding noise, ten iterations
    in which neither F falls by more than 1e-14 relative nor the largest absolute
    gradient reaches a new low (by 10%), with that gradient below 1e-6 (lavaan's
    ``nlminb`` stops on a relative change of F of 1e-10). A trial step is accepted when
    F does not rise by more than 1e-12 relative (rounding error near the optimum),
    otherwise it is halved.

    References
    ----------
    Lee, S.-Y., & Jennrich, R. I. (1979). Psychometrika, 44(1), 99-113. Jennrich, R. I.,
    & Sampson, P. F. (1976). Technometrics, 18(1), 11-17 (step halving).
    """
    theta = theta0.copy()
    f, _ = objective(ms, st, theta)
    if not math.isfinite(f):
        raise AnalysisError("the start values give a non-positive-definite implied "
                            "covariance matrix", hint="Check the model's identification.")
    best, best_g, stalled = f, math.inf, 0
    for it in range(max_iter):
        grad, info = gradient_information(ms, st, theta)
        gmax = float(np.max(np.abs(grad), initial=0.0))
        if gmax < 0.9 * best_g:  # still converging: the gradient keeps shrinking
            best_g, stalled = gmax, 0
        if gmax < tol or (stalled >= 10 and gmax < 1e-6):
            return theta, True, it
        try:
            step = -np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            step = -np.linalg.lstsq(info, grad, rcond=None)[0]
        if not np.all(np.isfinite(step)):
            return theta, False, it
        if np.max(np.abs(step) / (1.0 + np.abs(theta)), initial=0.0) < 1e-12:
            return theta + step, True, it + 1
        t = 1.0
        for _ in range(40):
            trial = theta + t * step
            f_new, _ = objective(ms, st, trial)
            if f_new <= f + 1e-12 * max(1.0, abs(f)):
                theta, f = trial, f_new
                if f > best - 1e-14 * max(1.0, abs(best)):
                    stalled += 1
                best = min(best, f)
                break
            t *= 0.5
        else:
            grad = gradient(ms, st, theta)
            return theta, bool(np.max(np.abs(grad), initial=0.0) < 1e-7), it
    return theta, False, max_iter


# ----------------------------------------------------------------------- start values


def start_values(table: pd.DataFrame, st: SampleMoments, observed: tuple[str, ...],
                  latent: tuple[str, ...], q: int) -> np.ndarray:
    """Start values: loadings from the marker's covariances (triad rule), residual
    variances half the sample variances, latent variances from the marker's covariance
    with the other indicators, intercepts at the sample means, the rest 0.
    Parameters shared across groups start at the mean of the groups' values."""
    pos = {v: i for i, v in enumerate(observed)}
    sums = np.zeros(q)
    counts = np.zeros(q)
    for g in range(1, len(st.cov) + 1):
        s, mean = st.cov[g - 1], st.mean[g - 1]
        sub = table[table["group"] == g]
        loads = sub[sub["op"] == "=~"]
        psi: dict[str, float] = {}
        marker: dict[str, str] = {}
        for f in latent:
            items = [i for i in loads.loc[loads["lhs"] == f, "rhs"] if i in pos]
            if not items:
                psi[f] = 0.05
                continue
            m = items[0]
            marker[f] = m
            others = items[1:]
            vals = [s[pos[m], pos[a]] * s[pos[m], pos[b]] / s[pos[a], pos[b]]
                    for i, a in enumerate(others) for b in others[i + 1:]
                    if abs(s[pos[a], pos[b]]) > 1e-12]
            if not vals:
                vals = [abs(s[pos[m], pos[a]]) for a in others] or [0.5 * s[pos[m], pos[m]]]
            v = float(np.median(vals))
            psi[f] = float(np.clip(v, 0.05 * s[pos[m], pos[m]], s[pos[m], pos[m]]))
        for lhs, op, rhs, k in sub[["lhs", "op", "rhs", "par"]].itertuples(index=False,
                                                                            name=None):
            if k < 0:
                continue
            val = 0.0
            if op == "=~" and rhs in pos and lhs in marker:
                val = s[pos[rhs], pos[marker[lhs]]] / psi[lhs]
            elif op == "~~" and lhs == rhs:
                val = 0.5 * s[pos[lhs], pos[lhs]] if lhs in pos else psi.get(lhs, 0.05)
            elif op == "~1" and lhs in pos:
                val = mean[pos[lhs]]
            sums[k] += val
            counts[k] += 1
    return np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)
