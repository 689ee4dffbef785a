"""Fast ML refits of a compiled covariance structure model (bootstrap resamples).

A full-sample fit (:class:`cxsurvey.stats.cb.ml_fit.CbFit`) is compiled once into a
:class:`RefitModel` (its RAM form, :func:`cxsurvey.stats.cb.moments.ram_model`); each
resample then needs only its covariance matrix (divisor N) and an ML refit started
from the full-sample estimate:

- :func:`resample_covariances`: the covariance matrices of many resamples from one
  matrix product of their case counts with the cross-products of the cases;
- :func:`ml_refit` (one matrix) and :func:`ml_refit_stack` (many, iterated together):
  Newton's method on lavaan's F_ML with its analytic gradient and Hessian (on the
  Hessian's absolute eigenvalues where it is not positive definite), step halving when
  F_ML does not decrease, BFGS with the analytic gradient when that does not converge;
  the expected information ``Delta' W Delta`` at the solution;
- :func:`report_values` / :func:`report_stack`: the estimates and lavaan's ``std.all``
  of chosen parameters.

Every derivative of Sigma is a sum of rank-2 terms: with ``B = (I - A)^-1``, ``C = B S
B'`` and the observed rows selected by F, a free cell ``A[i, j]`` gives
``d Sigma = F (b_i c_j' + c_j b_i') F'`` and a free cell ``S[i, j]`` gives ``F (b_i b_j'
+ b_j b_i') F'`` (half of that on the diagonal), ``b_i``/``c_j`` the columns of B and C.
The gradient ``0.5 tr(M d Sigma_k)``, ``M = Sigma^-1 - Sigma^-1 S Sigma^-1``, the
information ``0.5 tr(Sigma^-1 d Sigma_k Sigma^-1 d Sigma_l)`` and the Hessian
``tr(Sigma^-1 d Sigma_k P d Sigma_l) - 0.5 tr(Sigma^-1 d Sigma_k Sigma^-1 d Sigma_l) +
0.5 tr(M d2 Sigma_kl)``, ``P = Sigma^-1 S Sigma^-1`` (the last term nonzero only for
pairs involving A), then reduce to inner products of those columns, without the
(q, p, p) derivative array.

References
----------
McArdle, J. J., & McDonald, R. P. (1984). Some algebraic properties of the Reticular
Action Model for moment structures. British Journal of Mathematical and Statistical
Psychology, 37(2), 234-251. Lee, S.-Y., & Jennrich, R. I. (1979). A study of algorithms
for covariance structure analysis with specific comparisons using factor analysis.
Psychometrika, 44(1), 99-113 (Fisher scoring / Gauss-Newton for F_ML). Jennrich, R. I.,
& Sampson, P. F. (1976). Newton-Raphson and related algorithms for maximum likelihood
variance component estimation. Technometrics, 18(1), 11-17 (step halving). Nocedal, J.,
& Wright, S. J. (2006). Numerical Optimization (2nd ed.). Springer (modified Newton,
BFGS). Magnus, J. R., & Neudecker, H. (1999). Matrix Differential Calculus with
Applications in Statistics and Econometrics (rev. ed.). Wiley, ch. 10.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxsurvey.stats.cb.moments import RamModel, ram_model
from cxsurvey.stats.linalg import cholesky_stack

__all__ = ["RefitModel", "RefitResult", "StackRefit", "compile_refit", "ml_refit",
           "ml_refit_stack", "positive_definite", "report_stack", "report_values",
           "resample_covariances"]


_CROSS_LIMIT = 8_000_000  # cells of the (N, p^2) cross-product matrix formed at most


@dataclass(frozen=True)
class RefitModel:
    """A fitted model compiled for fast refits.

    Attributes
    ----------
    ram : RamModel
        The model in RAM form at the full-sample estimate.
    observed : tuple of str
        Rows of Sigma (the data's columns must be in this order).
    n : int
        Cases of every resample (the full sample's complete cases).
    a_cells, s_cells : ndarray, shape (c, 3)
        ``(param, row, col)`` of each free cell of A and S (S: ``row >= col``).
    s_weight : ndarray, shape (c_S,)
        1 for an off-diagonal S cell, 0.5 for a diagonal one.
    expand : ndarray, shape (q, c_A + c_S)
        Sums the cells of a parameter (0/1; labelled parameters have several cells).
    fixed_x : ndarray, shape (k, 2)
        Observed-variable pairs whose (co)variance is fixed at the sample value
        (lavaan's fixed.x): taken from each resample's covariance matrix.
    key_cells : ndarray, shape (K, 3)
        ``(matrix, row, col)`` of each reported parameter (matrix 0: A, 1: S).
    key_ops : tuple of str
        ``=~``, ``~`` or ``~~`` per reported parameter.
    key_index : ndarray, shape (K, 2)
        ``(lhs, rhs)`` rows of A/S of each reported parameter.
    """

    ram: RamModel
    observed: tuple[str, ...]
    n: int
    a_cells: np.ndarray
    s_cells: np.ndarray
    s_weight: np.ndarray
    expand: np.ndarray
    fixed_x: np.ndarray
    key_cells: np.ndarray
    key_ops: tuple[str, ...]
    key_index: np.ndarray

    @property
    def npar(self) -> int:
        """Free parameters q."""
        return self.ram.npar


@dataclass(frozen=True)
class RefitResult:
    """One ML refit.

    Attributes
    ----------
    theta : ndarray, shape (q,)
        Free parameters at the solution.
    converged : bool
        Largest absolute gradient of F_ML below the tolerance, at a finite solution.
    max_gradient : float
        Largest absolute gradient of F_ML at ``theta``.
    iterations : int
        Scoring iterations (plus BFGS iterations when it ran).
    information : ndarray, shape (q, q)
        Unit expected information ``Delta' W Delta`` at ``theta``.
    method : str
        ``"scoring"`` or ``"bfgs"``.
    """

    theta: np.ndarray
    converged: bool
    max_gradient: float
    iterations: int
    information: np.ndarray
    method: str


def _cell(op: str, lhs: str, rhs: str, pos: dict[str, int]) -> tuple[int, int, int]:
    """(matrix, row, col) of a parameter in the RAM matrices (0: A, 1: S)."""
    if op == "=~":
        return 0, pos[rhs], pos[lhs]
    if op == "~":
        return 0, pos[lhs], pos[rhs]
    return 1, pos[lhs], pos[rhs]


def compile_refit(params: pd.DataFrame, observed: tuple[str, ...] | list[str], n: int,
                  sample_cov: np.ndarray, keys: list[tuple[str, str, str]]) -> RefitModel:
    """Compile a fitted parameter table for :func:`ml_refit` and :func:`report_values`.

    Parameters
    ----------
    params : DataFrame
        ``CbFit.params`` of the full-sample fit (``lhs, op, rhs, label, free, est``).
    observed : sequence of str
        ``CbFit.observed``: the rows of Sigma.
    n : int
        Complete cases of the full sample.
    sample_cov : ndarray, shape (p, p)
        The full sample's covariance matrix (divisor N), in ``observed`` order: fixed
        covariances of exogenous observed variables equal to it are lavaan's fixed.x
        and follow each resample.
    keys : list of (lhs, op, rhs)
        The parameters to report; the first table row of each is used.

    Returns
    -------
    RefitModel

    Raises
    ------
    KeyError
        When a key is not a row of ``params``.
    ValueError
        See :func:`cxsurvey.stats.cb.moments.ram_model`.
    """
    ram = ram_model(params, observed)
    pos = {v: i for i, v in enumerate(ram.variables)}
    q = ram.npar
    a_cells: list[tuple[int, int, int]] = []
    s_cells: list[tuple[int, int, int]] = []
    for k in range(q):
        for i, j in zip(*np.nonzero(ram.a_k[k]), strict=True):
            a_cells.append((k, int(i), int(j)))
        for i, j in zip(*np.nonzero(np.tril(ram.s_k[k])), strict=True):
            s_cells.append((k, int(i), int(j)))
    a_arr = np.array(a_cells, dtype=np.int64).reshape(-1, 3)
    s_arr = np.array(s_cells, dtype=np.int64).reshape(-1, 3)
    expand = np.zeros((q, len(a_cells) + len(s_cells)))
    expand[np.concatenate([a_arr[:, 0], s_arr[:, 0]]),
           np.arange(len(a_cells) + len(s_cells))] = 1.0
    endogenous = {int(i) for i in np.nonzero(ram.a0.any(axis=1) | ram.a_k.any(axis=(0, 2)))[0]}
    p = len(ram.observed)
    fixed_x = [(i, j) for i in range(p) for j in range(i + 1)
               if i not in endogenous and j not in endogenous
               and not ram.s_k[:, i, j].any() and ram.s0[i, j] != 0.0
               and abs(ram.s0[i, j] - sample_cov[i, j]) <= 1e-8 * max(1.0, abs(sample_cov[i, j]))]
    table = params.drop_duplicates(subset=["lhs", "op", "rhs"])
    rows = {(str(a), str(o), str(b)) for a, o, b in
            table[["lhs", "op", "rhs"]].itertuples(index=False, name=None)}
    missing = [k for k in keys if tuple(k) not in rows]
    if missing:
        raise KeyError(f"not in the parameter table: {missing}")
    key_cells = np.array([_cell(o, a, b, pos) for a, o, b in keys],
                         dtype=np.int64).reshape(-1, 3)
    key_index = np.array([(pos[a], pos[b]) for a, _, b in keys], dtype=np.int64).reshape(-1, 2)
    return RefitModel(
        ram=ram, observed=tuple(ram.observed), n=int(n), a_cells=a_arr, s_cells=s_arr,
        s_weight=np.where(s_arr[:, 1] == s_arr[:, 2], 0.5, 1.0), expand=expand,
        fixed_x=np.array(fixed_x, dtype=np.int64).reshape(-1, 2), key_cells=key_cells,
        key_ops=tuple(o for _, o, _ in keys), key_index=key_index)


def resample_covariances(values: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Covariance matrices (divisor N) of resamples given by row indices.

    The case counts of the resamples multiply the cases' cross-products once (the
    data are centred at their mean first, so that no precision is lost).

    Parameters
    ----------
    values : ndarray, shape (N, p)
        Complete data.
    indices : ndarray, shape (B, N)
        Row indices of each resample.

    Returns
    -------
    ndarray, shape (B, p, p)
    """
    n, p = values.shape
    b = indices.shape[0]
    offsets = (np.arange(b, dtype=np.int64) * n)[:, None]
    counts = np.bincount((indices + offsets).ravel(), minlength=b * n).reshape(b, n)
    counts = counts.astype(float)
    centred = values - values.mean(axis=0)
    mean = counts @ centred / indices.shape[1]
    if n * p * p <= _CROSS_LIMIT:
        cross = (centred[:, :, None] * centred[:, None, :]).reshape(n, p * p)
        cov = (counts @ cross).reshape(b, p, p) / indices.shape[1]
    else:  # many cases and items: one weighted product per resample instead
        cov = np.stack([centred.T @ (w[:, None] * centred) for w in counts])
        cov /= indices.shape[1]
    cov -= mean[:, :, None] * mean[:, None, :]
    return 0.5 * (cov + cov.transpose(0, 2, 1))


@dataclass
class _State:
    """F_ML and the matrices of one parameter vector."""

    theta: np.ndarray
    f: float
    a: np.ndarray
    s: np.ndarray
    b: np.ndarray
    c: np.ndarray
    inv: np.ndarray


class _Objective:
    """F_ML, its gradient, the expected information and the Hessian for one S."""

    def __init__(self, model: RefitModel, s: np.ndarray):
        self.model = model
        self.s = s
        ram = model.ram
        self.p = len(ram.observed)
        self.s0 = ram.s0
        if model.fixed_x.size:
            self.s0 = ram.s0.copy()
            i, j = model.fixed_x[:, 0], model.fixed_x[:, 1]
            self.s0[i, j] = s[i, j]
            self.s0[j, i] = s[i, j]
        sign, logdet = np.linalg.slogdet(s)
        self.logdet_s = logdet if sign > 0 else math.nan
        self.eye = np.eye(ram.a0.shape[0])
        ac, sc = model.a_cells, model.s_cells
        self.w = np.concatenate([np.ones(len(ac)), model.s_weight])
        self.ww = np.outer(self.w, self.w)
        self.off = sc[:, 1] != sc[:, 2]

    def matrices(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A and S at ``theta``."""
        m = self.model
        ac, sc = m.a_cells, m.s_cells
        a = m.ram.a0.copy()
        np.add.at(a, (ac[:, 1], ac[:, 2]), theta[ac[:, 0]])
        s = self.s0.copy()
        np.add.at(s, (sc[:, 1], sc[:, 2]), theta[sc[:, 0]])
        off = self.off
        np.add.at(s, (sc[off, 2], sc[off, 1]), theta[sc[off, 0]])
        return a, s

    def state(self, theta: np.ndarray) -> _State | None:
        """F_ML and the matrices at ``theta`` (None when Sigma is not positive definite
        or F_ML is not finite)."""
        a, s = self.matrices(theta)
        p = self.p
        try:
            b = np.linalg.inv(self.eye - a)
            c = b @ s @ b.T
            chol = np.linalg.cholesky(c[:p, :p])
        except np.linalg.LinAlgError:
            return None
        inv_l = np.linalg.inv(chol)
        inv = inv_l.T @ inv_l
        logdet = 2.0 * float(np.sum(np.log(np.diag(chol))))
        f = 0.5 * (logdet + float(np.sum(self.s * inv)) - self.logdet_s - p)
        if not math.isfinite(f):
            return None
        return _State(theta=theta, f=f, a=a, s=s, b=b, c=c, inv=inv)

    def _columns(self, st: _State) -> tuple[np.ndarray, np.ndarray]:
        """The observed rows of the vectors u, v of each cell's ``d Sigma``."""
        m = self.model
        p = self.p
        fb, fc = st.b[:p], st.c[:p]
        ac, sc = m.a_cells, m.s_cells
        u = np.concatenate([fb[:, ac[:, 1]], fb[:, sc[:, 1]]], axis=1)
        v = np.concatenate([fc[:, ac[:, 2]], fb[:, sc[:, 2]]], axis=1)
        return u, v

    def gradient(self, st: _State) -> np.ndarray:
        """Gradient of F_ML."""
        u, v = self._columns(st)
        mm = st.inv - st.inv @ self.s @ st.inv
        return np.asarray(self.model.expand @ (self.w * np.einsum("ac,ac->c", u, mm @ v)))

    def derivatives(self, st: _State, hessian: bool = False
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Gradient of F_ML, the unit expected information and (``hessian``) the
        Hessian of F_ML (the unit observed information)."""
        m = self.model
        inv = st.inv
        u, v = self._columns(st)
        sinv = self.s @ inv
        mm = inv - inv @ sinv
        grad = m.expand @ (self.w * np.einsum("ac,ac->c", u, mm @ v))
        iu, iv = inv @ u, inv @ v
        xuu, xvv, xvu = u.T @ iu, v.T @ iv, v.T @ iu
        raw = xvu * xvu.T + xvv * xuu
        info = m.expand @ (self.ww * raw) @ m.expand.T
        info = 0.5 * (info + info.T)
        if not hessian:
            return grad, info, None
        # first-order part: tr(Sigma^-1 dSigma_c P dSigma_d), P = Sigma^-1 S Sigma^-1
        su, sv = self.s @ iu, self.s @ iv
        yuu, yvv, yvu = iu.T @ su, iv.T @ sv, iv.T @ su
        t = yvu * xvu.T + yvv * xuu + yuu * xvv + yvu.T * xvu
        cells = self.ww * (t - raw)
        # second-order part: tr(F'MF G_cd), nonzero for pairs with a cell of A
        ac, sc = m.a_cells, m.s_cells
        na = len(ac)
        if na:
            p = self.p
            b, c = st.b, st.c
            bt_m = b[:p].T @ mm  # B' F' M
            lmat = bt_m @ b[:p]  # L = B' Mf B
            kmat = c[:, :p] @ mm @ b[:p]  # K = C Mf B
            ia, ja = ac[:, 1], ac[:, 2]
            bji = b[np.ix_(ja, ia)]
            kji = kmat[np.ix_(ja, ia)]
            aa = bji * kji.T + bji.T * kji + c[np.ix_(ja, ja)] * lmat[np.ix_(ia, ia)].T
            i2, j2 = sc[:, 1], sc[:, 2]
            as_ = m.s_weight[None, :] * (b[np.ix_(ja, i2)] * lmat[np.ix_(j2, ia)].T
                                         + b[np.ix_(ja, j2)] * lmat[np.ix_(i2, ia)].T)
            cells[:na, :na] += aa
            cells[:na, na:] += as_
            cells[na:, :na] += as_.T
        hess = m.expand @ cells @ m.expand.T
        return grad, info, 0.5 * (hess + hess.T)


def ml_refit(model: RefitModel, s: np.ndarray, theta0: np.ndarray | None = None,
             tol: float = 1e-10, max_iter: int = 100) -> RefitResult:
    """Refit a compiled model by ML to a covariance matrix.

    Newton steps with the analytic Hessian of lavaan's F_ML (on its eigenvalues'
    absolute values where it is not positive definite; Fisher scoring with the
    expected information if that fails), each halved until
    F_ML decreases; when that does not reach the tolerance, BFGS with the analytic
    gradient continues from the best point.

    Parameters
    ----------
    model : RefitModel
    s : ndarray, shape (p, p)
        Covariance matrix (divisor N), rows in ``model.observed`` order; positive
        definite.
    theta0 : ndarray, optional
        Starting values (default: the full-sample estimate).
    tol : float
        Convergence: largest absolute gradient of F_ML below ``tol``.
    max_iter : int
        Newton/scoring iterations before BFGS takes over.

    Returns
    -------
    RefitResult

    References
    ----------
    Lee, S.-Y., & Jennrich, R. I. (1979). Psychometrika, 44(1), 99-113. Bollen, K. A.
    (1989). Structural Equations with Latent Variables. Wiley, ch. 4 (F_ML, its
    gradient and information). Nocedal, J., & Wright, S. J. (2006). Numerical
    Optimization (2nd ed.). Springer, ch. 3 and 6 (Newton with backtracking, BFGS).
    """
    obj = _Objective(model, s)
    theta = np.array(model.ram.theta if theta0 is None else theta0, dtype=float)
    q = theta.size
    st = obj.state(theta)
    if st is None:
        return RefitResult(theta, False, math.inf, 0, np.full((q, q), np.nan), "newton")
    it = 0
    while True:
        grad, info, hess = obj.derivatives(st, hessian=True)
        gmax = float(np.max(np.abs(grad))) if q else 0.0
        if gmax < tol:
            return RefitResult(st.theta, True, gmax, it, info, "newton")
        if it >= max_iter:
            break
        it += 1
        step = _newton_step(hess, info, grad)
        if step is None:
            break
        new = _halve(obj, st, step)
        if new is None:
            break
        st = new
    return _bfgs(obj, st.theta, tol, it)


def _newton_step(hess: np.ndarray | None, info: np.ndarray,
                 grad: np.ndarray) -> np.ndarray | None:
    """The Newton step (on the absolute eigenvalues where the Hessian is not positive
    definite), else the scoring step."""
    if hess is not None and np.all(np.isfinite(hess)):
        step = _stack_steps(hess[None], grad[None])[0]
        if np.all(np.isfinite(step)):
            return step
    try:
        chol = np.linalg.cholesky(info)
    except np.linalg.LinAlgError:
        return None
    step = -np.linalg.solve(chol.T, np.linalg.solve(chol, grad))
    return np.asarray(step) if np.all(np.isfinite(step)) else None


def _halve(obj: _Objective, st: _State, step: np.ndarray) -> _State | None:
    """The first of ``theta + step / 2^k`` (k < 30) where F_ML does not increase."""
    t = 1.0
    slack = 1e-14 * max(1.0, abs(st.f))
    for _ in range(30):
        new = obj.state(st.theta + t * step)
        if new is not None and new.f <= st.f + slack:
            return new
        t *= 0.5
    return None


def _bfgs(obj: _Objective, theta: np.ndarray, tol: float, it: int) -> RefitResult:
    """BFGS with the analytic gradient from ``theta``."""
    from scipy import optimize

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        st = obj.state(x)
        if st is None:
            return math.inf, np.zeros_like(x)
        return st.f, obj.gradient(st)

    res = optimize.minimize(fun, theta, jac=True, method="BFGS",
                            options={"gtol": tol, "maxiter": 10_000})
    x = np.asarray(res.x, dtype=float)
    st = obj.state(x)
    if st is None:
        return RefitResult(x, False, math.inf, it + int(res.nit),
                           np.full((x.size,) * 2, np.nan), "bfgs")
    grad, info, _ = obj.derivatives(st)
    gmax = float(np.max(np.abs(grad))) if grad.size else 0.0
    return RefitResult(x, bool(gmax < tol), gmax, it + int(res.nit), info, "bfgs")


def positive_definite(covs: np.ndarray) -> np.ndarray:
    """Which matrices of a stack are positive definite (their Cholesky factor exists).

    Parameters
    ----------
    covs : ndarray, shape (B, p, p)

    Returns
    -------
    ndarray of bool, shape (B,)
    """
    return cholesky_stack(covs)[1]


def _t(x: np.ndarray) -> np.ndarray:
    return x.transpose(0, 2, 1)


class _Stack:
    """:class:`_Objective` for a stack of covariance matrices at once."""

    def __init__(self, model: RefitModel, covs: np.ndarray):
        ram = model.ram
        self.model = model
        q = ram.npar
        self.m = m = ram.a0.shape[0]
        self.p = len(ram.observed)
        self.pa = ram.a_k.reshape(q, m * m)
        self.ps = ram.s_k.reshape(q, m * m)
        self.a0 = ram.a0.reshape(1, m * m)
        s0 = np.broadcast_to(ram.s0, (covs.shape[0], m, m)).copy()
        if model.fixed_x.size:
            i, j = model.fixed_x[:, 0], model.fixed_x[:, 1]
            s0[:, i, j] = covs[:, i, j]
            s0[:, j, i] = covs[:, i, j]
        self.s0 = s0.reshape(covs.shape[0], m * m)
        self.covs = covs
        self.logdet_s = np.linalg.slogdet(covs)[1]
        self.eye = np.eye(m)
        ac, sc = model.a_cells, model.s_cells
        self.ia, self.ja = ac[:, 1], ac[:, 2]
        self.is_, self.js = sc[:, 1], sc[:, 2]
        w = np.concatenate([np.ones(len(ac)), model.s_weight])
        self.w = w
        self.ww = np.outer(w, w)
        self.e = model.expand
        # one cell per parameter (no shared labels): the sums over cells are a gather
        single = bool(np.all(model.expand.sum(axis=1) == 1))
        self.cell_of = np.argmax(model.expand, axis=1) if single else None

    def _collect(self, cells: np.ndarray) -> np.ndarray:
        """``E X E'`` for a stack of cell matrices X (sums of each parameter's cells)."""
        if self.cell_of is not None:
            idx = self.cell_of
            return np.asarray(cells[:, idx[:, None], idx[None, :]])
        k, nc, _ = cells.shape
        q = self.e.shape[0]
        right = (cells.reshape(k * nc, nc) @ self.e.T).reshape(k, nc, q)
        both = (_t(right).reshape(k * q, nc) @ self.e.T).reshape(k, q, q)
        return np.asarray(_t(both))

    def state(self, rows: np.ndarray, theta: np.ndarray) -> dict[str, np.ndarray]:
        """F_ML (inf where Sigma is not positive definite) and the matrices."""
        k, m, p = rows.size, self.m, self.p
        a = (self.a0 + theta @ self.pa).reshape(k, m, m)
        smat = (self.s0[rows] + theta @ self.ps).reshape(k, m, m)
        try:
            b = np.linalg.inv(self.eye - a)
        except np.linalg.LinAlgError:
            b = np.stack([np.linalg.pinv(self.eye - x) for x in a])
        c = b @ smat @ _t(b)
        chol, ok = cholesky_stack(c[:, :p, :p])
        inv_l = np.linalg.inv(chol)
        inv = _t(inv_l) @ inv_l
        logdet = 2.0 * np.sum(np.log(np.diagonal(chol, axis1=1, axis2=2)), axis=1)
        f = 0.5 * (logdet + np.sum(self.covs[rows] * inv, axis=(1, 2))
                   - self.logdet_s[rows] - p)
        f = np.where(ok & np.isfinite(f), f, np.inf)
        return {"f": f, "a": a, "s": smat, "b": b, "c": c, "inv": inv}

    def derivatives(self, rows: np.ndarray, st: dict[str, np.ndarray]
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Gradient and Hessian of F_ML per row, and the cells of the unit expected
        information (:meth:`information` sums them)."""
        p = self.p
        b, c, inv = st["b"], st["c"], st["inv"]
        fb, fc = b[:, :p], c[:, :p]
        u = np.concatenate([fb[:, :, self.ia], fb[:, :, self.is_]], axis=2)
        v = np.concatenate([fc[:, :, self.ja], fb[:, :, self.js]], axis=2)
        s = self.covs[rows]
        mm = inv - inv @ s @ inv
        grad = (self.w * np.sum(u * (mm @ v), axis=1)) @ self.e.T
        iu, iv = inv @ u, inv @ v
        ut, vt = _t(u), _t(v)
        xuu, xvv, xvu = ut @ iu, vt @ iv, vt @ iu
        raw = xvu * _t(xvu) + xvv * xuu
        su, sv = s @ iu, s @ iv
        iut, ivt = _t(iu), _t(iv)
        yuu, yvv, yvu = iut @ su, ivt @ sv, ivt @ su
        cells = self.ww * (yvu * _t(xvu) + yvv * xuu + yuu * xvv + _t(yvu) * xvu - raw)
        na = self.ia.size
        if na:
            ia, ja, i2, j2 = self.ia, self.ja, self.is_, self.js
            lmat = _t(fb) @ mm @ fb
            kmat = _t(fc) @ mm @ fb
            bji = b[:, ja[:, None], ia[None, :]]
            kji = kmat[:, ja[:, None], ia[None, :]]
            aa = (bji * _t(kji) + _t(bji) * kji
                  + c[:, ja[:, None], ja[None, :]] * _t(lmat[:, ia[:, None], ia[None, :]]))
            as_ = self.model.s_weight * (
                b[:, ja[:, None], i2[None, :]] * _t(lmat[:, j2[:, None], ia[None, :]])
                + b[:, ja[:, None], j2[None, :]] * _t(lmat[:, i2[:, None], ia[None, :]]))
            cells[:, :na, :na] += aa
            cells[:, :na, na:] += as_
            cells[:, na:, :na] += _t(as_)
        hess = self._collect(cells)
        return grad, 0.5 * (hess + _t(hess)), raw

    def information(self, raw: np.ndarray) -> np.ndarray:
        """The unit expected information from the cells :meth:`derivatives` returns."""
        info = self._collect(self.ww * raw)
        return 0.5 * (info + _t(info))


@dataclass(frozen=True)
class StackRefit:
    """ML refits of a stack of covariance matrices.

    Attributes
    ----------
    theta : ndarray, shape (B, q)
    converged : ndarray of bool, shape (B,)
    max_gradient : ndarray, shape (B,)
    information : ndarray, shape (B, q, q)
        Unit expected information at ``theta``.
    iterations : ndarray of int, shape (B,)
    """

    theta: np.ndarray
    converged: np.ndarray
    max_gradient: np.ndarray
    information: np.ndarray
    iterations: np.ndarray


def ml_refit_stack(model: RefitModel, covs: np.ndarray, tol: float = 1e-10,
                   max_iter: int = 30) -> StackRefit:
    """:func:`ml_refit` of many covariance matrices, the iterations done together.

    Every matrix starts from the full-sample estimate; all take Newton steps (on the
    Hessian's absolute eigenvalues where it is not positive definite) with per-matrix
    step halving
    until their gradient is below ``tol``. Matrices still not converged after
    ``max_iter`` iterations, or whose step cannot decrease F_ML, are refitted one by
    one with :func:`ml_refit` (which ends with BFGS). The result of a matrix does not
    depend on the others in the stack.

    Parameters
    ----------
    model : RefitModel
    covs : ndarray, shape (B, p, p)
        Positive-definite covariance matrices (divisor N), rows in ``model.observed``
        order.
    tol : float
        Convergence: largest absolute gradient of F_ML below ``tol``.
    max_iter : int
        Joint iterations before the remaining matrices are refitted one by one.

    Returns
    -------
    StackRefit

    References
    ----------
    Nocedal, J., & Wright, S. J. (2006). Numerical Optimization (2nd ed.). Springer,
    ch. 3 (Newton's method with backtracking). Lee, S.-Y., & Jennrich, R. I. (1979).
    Psychometrika, 44(1), 99-113 (Fisher scoring for F_ML).
    """
    n_cov = covs.shape[0]
    q = model.npar
    stack = _Stack(model, covs)
    theta = np.tile(model.ram.theta, (n_cov, 1))
    out_theta = theta.copy()
    converged = np.zeros(n_cov, dtype=bool)
    gmax_out = np.full(n_cov, np.inf)
    info_out = np.full((n_cov, q, q), np.nan)
    iters = np.zeros(n_cov, dtype=np.int64)
    leftover: list[int] = []
    active = np.arange(n_cov)
    for it in range(max_iter + 1):
        if not active.size:
            break
        st = stack.state(active, theta[active])
        bad = ~np.isfinite(st["f"])
        if np.any(bad):
            leftover += active[bad].tolist()
            keep = ~bad
            active = active[keep]
            st = {k: v[keep] for k, v in st.items()}
            if not active.size:
                break
        grad, hess, raw = stack.derivatives(active, st)
        gmax = np.max(np.abs(grad), axis=1) if q else np.zeros(active.size)
        done = gmax < tol
        if np.any(done):
            rows = active[done]
            out_theta[rows] = theta[rows]
            converged[rows] = True
            gmax_out[rows] = gmax[done]
            info_out[rows] = stack.information(raw[done])
            iters[rows] = it
        if it == max_iter:
            leftover += active[~done].tolist()
            break
        go = ~done
        active, grad, hess = active[go], grad[go], hess[go]
        f = st["f"][go]
        if not active.size:
            break
        step = _stack_steps(hess, grad)
        lost = ~np.all(np.isfinite(step), axis=1)
        t = np.ones(active.size)
        accepted = lost.copy()
        slack = 1e-14 * np.maximum(1.0, np.abs(f))
        for _ in range(30):
            todo = np.nonzero(~accepted)[0]
            if not todo.size:
                break
            rows = active[todo]
            trial = theta[rows] + t[todo, None] * step[todo]
            f_new = stack.state(rows, trial)["f"]
            ok = f_new <= f[todo] + slack[todo]
            theta[rows[ok]] = trial[ok]
            accepted[todo[ok]] = True
            t[todo[~ok]] *= 0.5
        lost |= ~accepted
        leftover += active[lost].tolist()
        active = active[~lost]
    for r in sorted(set(leftover)):
        res = ml_refit(model, covs[r])
        out_theta[r] = res.theta
        converged[r] = res.converged
        gmax_out[r] = res.max_gradient
        info_out[r] = res.information
        iters[r] = max_iter + res.iterations
    return StackRefit(theta=out_theta, converged=converged, max_gradient=gmax_out,
                      information=info_out, iterations=iters)


def _stack_steps(hess: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """Newton steps; where the Hessian is not positive definite, Newton steps on its
    eigenvalues' absolute values (NaN where not finite)."""
    step = np.full(grad.shape, np.nan)
    finite = np.all(np.isfinite(hess), axis=(1, 2)) & np.all(np.isfinite(grad), axis=1)
    chol, ok = cholesky_stack(np.where(finite[:, None, None], hess, np.eye(hess.shape[-1])))
    ok &= finite
    if np.any(ok):
        step[ok] = -np.linalg.solve(hess[ok], grad[ok][:, :, None])[:, :, 0]
    bad = finite & ~ok
    if np.any(bad):
        step[bad] = _absolute_newton(hess[bad], grad[bad])
    return step


def _absolute_newton(hess: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """``-|H|^-1 g`` with ``|H|`` the Hessian with its eigenvalues replaced by their
    absolute values (at least 1e-8 of the largest): a descent direction that leaves a
    saddle region along the negative curvature.

    References
    ----------
    Nocedal, J., & Wright, S. J. (2006). Numerical Optimization (2nd ed.). Springer,
    sec. 3.4 (modified Newton methods).
    """
    w, v = np.linalg.eigh(hess)
    big = np.max(np.abs(w), axis=-1, keepdims=True)
    w = np.maximum(np.abs(w), 1e-8 * np.maximum(big, 1e-300))
    coef = np.einsum("...ji,...j->...i", v, grad) / w
    return np.asarray(-np.einsum("...ij,...j->...i", v, coef))


def report_stack(model: RefitModel, covs: np.ndarray,
                 theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`report_values` for a stack: estimates and ``std.all``, shape (B, K)."""
    k = theta.shape[0]
    stack = _Stack(model, covs)
    m = stack.m
    rows = np.arange(k)
    a = (stack.a0 + theta @ stack.pa).reshape(k, m, m)
    smat = (stack.s0[rows] + theta @ stack.ps).reshape(k, m, m)
    b = np.linalg.inv(stack.eye - a)
    c = b @ smat @ _t(b)
    total = np.diagonal(c, axis1=1, axis2=2)
    resid = np.diagonal(smat, axis1=1, axis2=2)
    cells = model.key_cells
    est = np.where(cells[:, 0] == 0, a[:, cells[:, 1], cells[:, 2]],
                   smat[:, cells[:, 1], cells[:, 2]])
    lhs, rhs = model.key_index[:, 0], model.key_index[:, 1]
    tl, tr = total[:, lhs], total[:, rhs]
    ops = np.array(model.key_ops, dtype=object)
    with np.errstate(invalid="ignore", divide="ignore"):
        load = np.where((tl >= 0) & (tr > 0), est * np.sqrt(tl) / np.sqrt(tr), np.nan)
        reg = np.where((tr >= 0) & (tl > 0), est * np.sqrt(tr) / np.sqrt(tl), np.nan)
        var = np.where(tl != 0, est / tl, np.nan)
        prod = resid[:, lhs] * resid[:, rhs]
        cov = np.where(prod > 0, est / np.sqrt(prod), np.nan)
    std = np.where(ops == "=~", load, np.where(ops == "~", reg,
                                               np.where(lhs == rhs, var, cov)))
    return est, std


def report_values(model: RefitModel, s: np.ndarray,
                  theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Estimates and lavaan's ``std.all`` of the compiled keys at ``theta``.

    ``std.all`` standardises by model-implied SDs: a loading ``l * sd(factor) /
    sd(item)``, a regression ``b * sd(predictor) / sd(outcome)``, a variance ``v /
    total variance``, a covariance ``c / sqrt(product of the two (residual)
    variances)`` (:func:`cxsurvey.stats.cb.ml_fit.fit_cb`).

    Parameters
    ----------
    model : RefitModel
    s : ndarray, shape (p, p)
        The resample's covariance matrix (fixed.x values).
    theta : ndarray, shape (q,)

    Returns
    -------
    est, std_all : ndarray, shape (K,)

    References
    ----------
    Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley (the
    standardised solution). Rosseel, Y. (2012). Journal of Statistical Software, 48(2).
    """
    obj = _Objective(model, s)
    a, smat = obj.matrices(theta)
    b = np.linalg.inv(obj.eye - a)
    c = b @ smat @ b.T
    mats = (a, smat)
    total = np.diag(c)
    resid = np.diag(smat)
    cells = model.key_cells
    est = np.array([mats[k][i, j] for k, i, j in cells.tolist()], dtype=float)
    std = np.full(est.size, np.nan)
    for r, (op, (lhs, rhs)) in enumerate(zip(model.key_ops, model.key_index.tolist(),
                                             strict=True)):
        e = est[r]
        if op == "=~":
            if total[lhs] >= 0 and total[rhs] > 0:
                std[r] = e * math.sqrt(total[lhs]) / math.sqrt(total[rhs])
        elif op == "~":
            if total[rhs] >= 0 and total[lhs] > 0:
                std[r] = e * math.sqrt(total[rhs]) / math.sqrt(total[lhs])
        elif lhs == rhs:
            if total[lhs] != 0:
                std[r] = e / total[lhs]
        else:
            prod = resid[lhs] * resid[rhs]
            if prod > 0:
                std[r] = e / math.sqrt(prod)
    return est, std
