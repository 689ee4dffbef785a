"""Second- and fourth-order moment machinery of a fitted covariance structure model.

Everything the robust (MLM, MLR) corrections of :mod:`cxsurvey.stats.cb.robust` need,
computed from a fitted :class:`cxsurvey.stats.cb.ml_fit.CbFit` and its data, with no
reference to semopy:

- :class:`RamModel` / :func:`ram_model`: the fitted parameter table as RAM matrices,
  ``Sigma = F (I - A)^-1 S (I - A)^-T F'`` (A: loadings and regressions, S: variances
  and covariances; free parameters sharing a label are one parameter);
- :func:`implied_cov`, :func:`jacobian` (``Delta = d vech(Sigma) / d theta'``,
  analytic) and :func:`sigma_hessians` (second derivatives of Sigma);
- :func:`normal_weight` (``W = 0.5 D' (Sigma^-1 kron Sigma^-1) D``),
  :func:`expected_information` (``Delta' W Delta``), :func:`ml_gradient` and
  :func:`observed_information` (the Hessian of lavaan's F_ML);
- :func:`gamma_adf` (asymptotic covariance of the sample covariances, 4th-order
  moments, divisor N) and :func:`casewise_scores`.

Conventions are lavaan's without mean structure (its default for complete data with
``estimator = "ML"``, ``"MLM"`` or ``"MLR"``): ``vech`` stacks the lower triangle
column by column; F_ML = 0.5 (log|Sigma| + tr(S Sigma^-1) - log|S| - p) with S of
divisor N, so every information matrix here is a *unit* (per-observation) information
and covariance matrices of estimates divide by N.

References
----------
McArdle, J. J., & McDonald, R. P. (1984). Some algebraic properties of the Reticular
Action Model for moment structures. British Journal of Mathematical and Statistical
Psychology, 37(2), 234-251. Magnus, J. R., & Neudecker, H. (1999). Matrix Differential
Calculus with Applications in Statistics and Econometrics (rev. ed.). Wiley.
Browne, M. W. (1984). Asymptotically distribution-free methods for the analysis of
covariance structures. British Journal of Mathematical and Statistical Psychology,
37(1), 62-83. Rosseel, Y. (2012). Journal of Statistical Software, 48(2), 1-36.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "RamModel",
    "casewise_scores",
    "complete_block",
    "duplication_matrix",
    "expected_information",
    "gamma_adf",
    "implied_cov",
    "jacobian",
    "ml_gradient",
    "normal_weight",
    "observed_information",
    "ram_model",
    "sigma_hessians",
    "vech",
]


def vech(m: np.ndarray) -> np.ndarray:
    """The lower triangle of a square matrix, column by column (lavaan's ``lav_matrix_vech``).

    Parameters
    ----------
    m : ndarray, shape (..., p, p)
        A matrix or a stack of matrices.

    Returns
    -------
    ndarray, shape (..., p (p + 1) / 2)

    References
    ----------
    Magnus, J. R., & Neudecker, H. (1999). Matrix Differential Calculus (rev. ed.).
    Wiley, ch. 2.
    """
    p = m.shape[-1]
    cols, rows = np.triu_indices(p)  # (col, row) with row >= col, column-major order
    return np.asarray(m[..., rows, cols])


def duplication_matrix(p: int) -> np.ndarray:
    """The duplication matrix D with ``vec(M) = D vech(M)`` for symmetric M.

    Parameters
    ----------
    p : int
        Order of M.

    Returns
    -------
    ndarray, shape (p * p, p (p + 1) / 2)
        ``vec`` stacks columns (Fortran order).

    References
    ----------
    Magnus, J. R., & Neudecker, H. (1999). Matrix Differential Calculus (rev. ed.).
    Wiley, ch. 3, sec. 8.
    """
    cols, rows = np.triu_indices(p)
    d = np.zeros((p * p, cols.size))
    for k, (i, j) in enumerate(zip(rows, cols, strict=True)):
        d[i + j * p, k] = 1.0
        d[j + i * p, k] = 1.0
    return d


@dataclass(frozen=True)
class RamModel:
    """A fitted model in RAM form, ``Sigma = F B S B' F'`` with ``B = (I - A)^-1``.

    Attributes
    ----------
    variables : tuple of str
        Rows of A and S: the observed variables (in ``observed`` order) then the latent
        ones.
    observed : tuple of str
        Rows of Sigma.
    a0, s0 : ndarray
        A and S with every free parameter set to 0 (fixed values only).
    a_k, s_k : ndarray, shape (q, m, m)
        d A / d theta_k and d S / d theta_k (0/1 patterns; S_k symmetric).
    theta : ndarray, shape (q,)
        Free parameters at the estimate.
    free_names : tuple of str
        ``lhs op rhs`` of the first row of each free parameter (its label if it has one).
    rows : tuple of tuple of int
        For each free parameter, the rows of the parameter table that carry it.
    """

    variables: tuple[str, ...]
    observed: tuple[str, ...]
    a0: np.ndarray
    s0: np.ndarray
    a_k: np.ndarray
    s_k: np.ndarray
    theta: np.ndarray
    free_names: tuple[str, ...]
    rows: tuple[tuple[int, ...], ...]

    @property
    def npar(self) -> int:
        """Number of free parameters q."""
        return int(self.theta.size)

    def matrices(self, theta: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """A and S at ``theta`` (default: the estimate)."""
        t = self.theta if theta is None else np.asarray(theta, dtype=float)
        a = self.a0 + np.tensordot(t, self.a_k, axes=1)
        s = self.s0 + np.tensordot(t, self.s_k, axes=1)
        return a, s


def ram_model(params: pd.DataFrame, observed: tuple[str, ...] | list[str]) -> RamModel:
    """The RAM form of a fitted parameter table (``CbFit.params``).

    Parameters
    ----------
    params : DataFrame
        ``lhs, op, rhs, label, free, est`` per row; ``=~`` puts ``est`` in
        ``A[rhs, lhs]``, ``~`` in ``A[lhs, rhs]``, ``~~`` in ``S[lhs, rhs]`` and
        ``S[rhs, lhs]``. Free rows sharing a non-empty label are one parameter.
    observed : sequence of str
        Observed variables in the order of the rows of Sigma.

    Returns
    -------
    RamModel

    Raises
    ------
    ValueError
        On an operator other than ``=~``, ``~``, ``~~``, or labelled rows with
        different estimates.

    References
    ----------
    McArdle, J. J., & McDonald, R. P. (1984). British Journal of Mathematical and
    Statistical Psychology, 37(2), 234-251.
    """
    obs = tuple(observed)
    names = [*obs]
    for col in ("lhs", "rhs"):
        for v in params[col]:
            if v not in names:
                names.append(str(v))
    pos = {v: i for i, v in enumerate(names)}
    m = len(names)
    a0 = np.zeros((m, m))
    s0 = np.zeros((m, m))
    keys: dict[tuple[str, object], int] = {}
    cells: list[list[tuple[str, int, int]]] = []
    theta: list[float] = []
    free_names: list[str] = []
    rows: list[list[int]] = []
    for r, (lhs, op, rhs, label, free, est) in enumerate(
            params[["lhs", "op", "rhs", "label", "free", "est"]].itertuples(
                index=False, name=None)):
        if op == "=~":
            cell = ("A", pos[rhs], pos[lhs])
        elif op == "~":
            cell = ("A", pos[lhs], pos[rhs])
        elif op == "~~":
            cell = ("S", pos[lhs], pos[rhs])
        else:
            raise ValueError(f"operator {op!r} has no place in a RAM model")
        if not bool(free):
            target = a0 if cell[0] == "A" else s0
            target[cell[1], cell[2]] = float(est)
            if cell[0] == "S":
                target[cell[2], cell[1]] = float(est)
            continue
        labelled = isinstance(label, str) and bool(label)
        key: tuple[str, object] = ("label", label) if labelled else ("row", r)
        if key not in keys:
            keys[key] = len(theta)
            theta.append(float(est))
            free_names.append(str(label) if key[0] == "label" else f"{lhs} {op} {rhs}")
            cells.append([])
            rows.append([])
        k = keys[key]
        if abs(theta[k] - float(est)) > 1e-8 * max(1.0, abs(theta[k])):
            raise ValueError(f"rows labelled {label!r} have different estimates")
        cells[k].append(cell)
        rows[k].append(r)
    q = len(theta)
    a_k = np.zeros((q, m, m))
    s_k = np.zeros((q, m, m))
    for k, cs in enumerate(cells):
        for kind, i, j in cs:
            if kind == "A":
                a_k[k, i, j] = 1.0
            else:
                s_k[k, i, j] = 1.0
                s_k[k, j, i] = 1.0
    return RamModel(variables=tuple(names), observed=obs, a0=a0, s0=s0, a_k=a_k,
                    s_k=s_k, theta=np.asarray(theta, dtype=float),
                    free_names=tuple(free_names), rows=tuple(tuple(r) for r in rows))


def _parts(model: RamModel, theta: np.ndarray | None) -> tuple[np.ndarray, np.ndarray,
                                                             np.ndarray, np.ndarray]:
    """B = (I - A)^-1, S, dB_k = B A_k B and the observed-row selector."""
    a, s = model.matrices(theta)
    b = np.linalg.inv(np.eye(a.shape[0]) - a)
    db = b @ model.a_k @ b  # batched matrix products (BLAS), one (m, m) block per k
    return b, s, db, np.arange(len(model.observed))


def implied_cov(model: RamModel, theta: np.ndarray | None = None) -> np.ndarray:
    """Model-implied covariance matrix of the observed variables.

    .. math:: \\Sigma(\\theta) = F (I - A)^{-1} S (I - A)^{-T} F'

    Parameters
    ----------
    model : RamModel
    theta : ndarray, optional
        Free parameters (default: the estimate).

    Returns
    -------
    ndarray, shape (p, p)

    References
    ----------
    McArdle, J. J., & McDonald, R. P. (1984). British Journal of Mathematical and
    Statistical Psychology, 37(2), 234-251.
    """
    a, s = model.matrices(theta)
    b = np.linalg.inv(np.eye(a.shape[0]) - a)
    p = len(model.observed)
    full = b @ s @ b.T
    return np.asarray(full[:p, :p])


def _sigma_derivatives(model: RamModel, theta: np.ndarray | None) -> np.ndarray:
    """d Sigma / d theta_k, shape (q, p, p)."""
    b, s, db, obs = _parts(model, theta)
    # only the observed rows are needed: F dB_k S B' F' and F B S_k B' F', as batched
    # matrix products (a three-operand einsum loops over all indices at once)
    bo = b[obs]
    x = db[:, obs] @ (s @ bo.T)  # F dB_k S B' F'
    return np.asarray(x + x.transpose(0, 2, 1) + bo @ model.s_k @ bo.T)


def jacobian(model: RamModel, theta: np.ndarray | None = None) -> np.ndarray:
    """Analytic Jacobian of the implied covariances, ``Delta = d vech(Sigma) / d theta'``.

    With ``B = (I - A)^-1``: ``d Sigma / d theta_k = F (X_k + X_k' + B S_k B') F'``,
    ``X_k = B A_k B S B'``.

    Parameters
    ----------
    model : RamModel
    theta : ndarray, optional
        Free parameters (default: the estimate).

    Returns
    -------
    ndarray, shape (p (p + 1) / 2, q)
        Rows in :func:`vech` order, columns in ``model.free_names`` order (lavaan's
        ``Delta`` without mean structure).

    References
    ----------
    Magnus, J. R., & Neudecker, H. (1999). Matrix Differential Calculus (rev. ed.).
    Wiley (d(X^-1) = -X^-1 dX X^-1). McArdle & McDonald (1984), BJMSP 37, 234-251.
    """
    d = _sigma_derivatives(model, theta)
    if d.shape[0] == 0:
        p = len(model.observed)
        return np.zeros((p * (p + 1) // 2, 0))
    return vech(d).T


def sigma_hessians(model: RamModel, theta: np.ndarray | None = None) -> np.ndarray:
    """Second derivatives ``d^2 Sigma / d theta_k d theta_l``, shape (q, q, p, p).

    With ``dB_k = B A_k B`` and ``d^2 B_kl = B A_k B A_l B + B A_l B A_k B``:
    ``d^2 Sigma_kl = F (G_kl + G_kl') F'``, where ``G_kl = d^2B_kl S B' + dB_k S dB_l'
    + dB_k S_l B' + dB_l S_k B'``.

    References
    ----------
    Magnus, J. R., & Neudecker, H. (1999). Matrix Differential Calculus (rev. ed.).
    Wiley, ch. 10 (second differentials).
    """
    b, s, db, obs = _parts(model, theta)
    bt = b.T
    d2b = np.einsum("kab,lbc->klac", db, np.einsum("lab,bc->lac", model.a_k, b),
                    optimize=True)
    d2b = d2b + d2b.transpose(1, 0, 2, 3)  # B A_k B A_l B + B A_l B A_k B
    # contracted pairwise (BLAS), not as one loop over all indices
    g = (np.einsum("klab,bc,cd->klad", d2b, s, bt, optimize=True)
         + np.einsum("kab,bc,ldc->klad", db, s, db, optimize=True)
         + np.einsum("kab,lbc,cd->klad", db, model.s_k, bt, optimize=True)
         + np.einsum("lab,kbc,cd->klad", db, model.s_k, bt, optimize=True))
    full = g + g.transpose(0, 1, 3, 2)
    return np.asarray(full[:, :, obs][:, :, :, obs])


def normal_weight(sigma: np.ndarray) -> np.ndarray:
    """Normal-theory weight matrix of vech(S), ``W = 0.5 D' (Sigma^-1 kron Sigma^-1) D``.

    The unit expected information of the unrestricted (h1) covariance model evaluated
    at ``sigma`` (lavaan's ``A1`` without mean structure).

    Parameters
    ----------
    sigma : ndarray, shape (p, p)

    Returns
    -------
    ndarray, shape (p*, p*), p* = p (p + 1) / 2

    References
    ----------
    Browne, M. W. (1974). Generalized least squares estimators in the analysis of
    covariance structures. South African Statistical Journal, 8(1), 1-24.
    Magnus & Neudecker (1999), ch. 3.
    """
    inv = np.linalg.inv(sigma)
    # element (ij, ab) of 0.5 D' (V kron V) D is f (V_ia V_jb + V_ib V_ja), f = 1/4, 1/2
    # or 1 as both, one or neither of the pairs is a diagonal: the same numbers as the
    # product with the (p^2, p^2) Kronecker matrix, without forming it
    cols, rows = np.triu_indices(sigma.shape[0])
    diag = rows == cols
    prod = (inv[np.ix_(rows, rows)] * inv[np.ix_(cols, cols)]
            + inv[np.ix_(rows, cols)] * inv[np.ix_(cols, rows)])
    f = np.where(diag[:, None] & diag[None, :], 0.25,
                 np.where(diag[:, None] | diag[None, :], 0.5, 1.0))
    return np.asarray(prod * f)


def expected_information(delta: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Unit expected information of normal-theory ML, ``Delta' W Delta``.

    ``sqrt(diag(inv(.)) / N)`` are lavaan's ML standard errors (``information =
    "expected"``, ``h1.information = "structured"``).

    Parameters
    ----------
    delta : ndarray, shape (p*, q)
        :func:`jacobian` at the estimate.
    sigma : ndarray, shape (p, p)
        Implied covariance matrix at the estimate.

    Returns
    -------
    ndarray, shape (q, q)

    References
    ----------
    Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley, p. 134.
    """
    return np.asarray(delta.T @ normal_weight(sigma) @ delta)


def ml_gradient(model: RamModel, s: np.ndarray, theta: np.ndarray | None = None) -> np.ndarray:
    """Gradient of lavaan's F_ML = 0.5 (log|Sigma| + tr(S Sigma^-1) - log|S| - p).

    .. math:: \\partial F / \\partial\\theta_k = 0.5\\,\\operatorname{tr}[(\\Sigma^{-1}
              - \\Sigma^{-1} S \\Sigma^{-1})\\,\\partial\\Sigma/\\partial\\theta_k]

    References
    ----------
    Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley, ch. 4.
    """
    sigma = implied_cov(model, theta)
    inv = np.linalg.inv(sigma)
    m = inv - inv @ s @ inv
    return np.asarray(0.5 * np.einsum("ab,kba->k", m, _sigma_derivatives(model, theta)))


def observed_information(model: RamModel, s: np.ndarray,
                         theta: np.ndarray | None = None) -> np.ndarray:
    """Unit observed information: the analytic Hessian of lavaan's F_ML.

    .. math:: H_{kl} = 0.5\\,\\operatorname{tr}[-\\Sigma^{-1}\\Sigma_l\\Sigma^{-1}\\Sigma_k
              + 2\\Sigma^{-1}\\Sigma_l\\Sigma^{-1}S\\Sigma^{-1}\\Sigma_k]
              + 0.5\\,\\operatorname{tr}[(\\Sigma^{-1} - \\Sigma^{-1}S\\Sigma^{-1})
              \\Sigma_{kl}]

    lavaan's ``information = "observed"``, ``observed.information = "hessian"`` (which
    it obtains by Richardson extrapolation of the analytic gradient).

    Parameters
    ----------
    model : RamModel
    s : ndarray, shape (p, p)
        Sample covariance matrix, divisor N.
    theta : ndarray, optional
        Free parameters (default: the estimate).

    Returns
    -------
    ndarray, shape (q, q)

    References
    ----------
    Magnus & Neudecker (1999), ch. 10. Rosseel, Y. (2012). Journal of Statistical
    Software, 48(2) (lavaan's observed information).
    """
    sigma = implied_cov(model, theta)
    inv = np.linalg.inv(sigma)
    d1 = _sigma_derivatives(model, theta)
    d2 = sigma_hessians(model, theta)
    g = np.einsum("ab,kbc->kac", inv, d1)  # Sigma^-1 Sigma_k
    h = np.einsum("ab,kbc->kac", inv @ s, g)  # Sigma^-1 S Sigma^-1 Sigma_k
    first = -np.einsum("lab,kba->kl", g, g) + 2.0 * np.einsum("lab,kba->kl", g, h)
    m = inv - inv @ s @ inv
    second = np.einsum("ab,klba->kl", m, d2)
    out = 0.5 * (first + second)
    return np.asarray(0.5 * (out + out.T))


def complete_block(data: pd.DataFrame, observed: tuple[str, ...] | list[str]) -> np.ndarray:
    """The rows complete on ``observed`` as a float matrix (lavaan's listwise deletion).

    Returns
    -------
    ndarray, shape (N, p)
        Columns in ``observed`` order.
    """
    block = data.loc[:, list(observed)].apply(pd.to_numeric, errors="raise").astype(float)
    return np.asarray(block.dropna(axis=0, how="any").to_numpy(dtype=float))


def gamma_adf(y: np.ndarray, x_idx: Sequence[int] = ()) -> np.ndarray:
    """Asymptotic covariance matrix of sqrt(N) vech(S), distribution free (divisor N).

    .. math:: \\Gamma = N^{-1}\\sum_i (z_i - \\bar z)(z_i - \\bar z)', \\quad
              z_i = \\operatorname{vech}[(y_i - \\bar y)(y_i - \\bar y)']

    lavaan's ``lav_samplestats_Gamma`` with its defaults (``Gamma.unbiased = FALSE``,
    no mean structure). With exogenous covariates whose moments are fixed (``x_idx``,
    lavaan's ``fixed.x``), ``z_i`` is taken net of the part the covariates explain:
    ``vech(d_i d_i') - vech(e_i e_i')`` with ``e_i`` the centred case whose non-x
    columns are replaced by their least-squares prediction from the x columns (and an
    intercept), as lavaan does.

    Parameters
    ----------
    y : ndarray, shape (N, p)
        Complete data.
    x_idx : sequence of int
        Columns of the fixed exogenous covariates.

    Returns
    -------
    ndarray, shape (p*, p*)

    References
    ----------
    Browne, M. W. (1984). British Journal of Mathematical and Statistical Psychology,
    37(1), 62-83, eq. 2.6. Satorra, A., & Bentler, P. M. (1994). Corrections to test
    statistics and standard errors in covariance structure analysis. In A. von Eye &
    C. C. Clogg (Eds.), Latent Variables Analysis (pp. 399-419). Sage. Rosseel, Y.
    (2012). Journal of Statistical Software, 48(2) (fixed.x).
    """
    d = y - y.mean(axis=0)
    z = vech(np.einsum("ia,ib->iab", d, d))
    if len(x_idx):
        xs = list(x_idx)
        design = np.column_stack([np.ones(y.shape[0]), y[:, xs]])
        coef = np.linalg.lstsq(design, y, rcond=None)[0]
        fitted = y.copy()
        others = [j for j in range(y.shape[1]) if j not in xs]
        fitted[:, others] = (design @ coef)[:, others]
        e = fitted - fitted.mean(axis=0)
        z = z - vech(np.einsum("ia,ib->iab", e, e))
    zc = z - z.mean(axis=0)
    return np.asarray(zc.T @ zc / y.shape[0])


def casewise_scores(y: np.ndarray, sigma: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """Casewise scores of the free parameters under normal-theory ML, no mean structure.

    .. math:: s_i = \\Delta' W \\operatorname{vech}[(y_i - \\bar y)(y_i - \\bar y)'
              - \\Sigma]

    (the mean is the sample mean, as lavaan's ``lav_scores_ml`` without mean
    structure). ``s_i' s_i`` summed over cases and divided by N is lavaan's
    first-order information ``B0``.

    Parameters
    ----------
    y : ndarray, shape (N, p)
    sigma : ndarray, shape (p, p)
        Implied covariance matrix at the estimate.
    delta : ndarray, shape (p*, q)

    Returns
    -------
    ndarray, shape (N, q)

    References
    ----------
    White, H. (1982). Maximum likelihood estimation of misspecified models.
    Econometrica, 50(1), 1-25. Yuan, K.-H., & Bentler, P. M. (2000). Three likelihood-
    based methods for mean and covariance structure analysis with nonnormal missing
    data. Sociological Methodology, 30, 165-200.
    """
    d = y - y.mean(axis=0)
    z = vech(np.einsum("ia,ib->iab", d, d)) - vech(sigma)
    return np.asarray(z @ normal_weight(sigma) @ delta)
