"""Fitting a model with semopy, reporting what lavaan reports.

semopy estimates the model (built by :mod:`cxsurvey.stats.cb.semopy_model`, the only
module that imports semopy); everything lavaan users compare is taken from its matrices,
not from its summaries. Handled here:

- the Wishart objective ``MLW`` on the covariance matrix with divisor N, which is
  lavaan's F_ML (no mean structure: lavaan's default for complete data);
- variance parameters unbounded, as lavaan (semopy bounds them at 0, which would turn
  a Heywood case into a silent boundary solution);
- a tight SLSQP tolerance (semopy's default leaves estimates up to 1e-2 from lavaan);
- convergence read from the solver result (semopy raises nothing), with the gradient
  at the solution as a second check;
- semopy's ``logging`` warnings captured and returned as strings (nothing is printed);
- the parameter table in lavaan's vocabulary (``lhs, op, rhs, est, se, z, pvalue,
  ci_lower, ci_upper``), fixed parameters with NaN instead of semopy's ``'-'``;
- standard errors from the expected information matrix (N/2 scaling, as lavaan).

References
----------
Igolkina, A. A., & Meshcheryakov, G. (2020). semopy: A Python package for structural
equation modeling. Structural Equation Modeling, 27(6), 952-963.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cxsurvey.stats.cb.semopy_model import (
    feasible_start,
    fixed_x,
    give_markers,
    locate,
    matrix_key,
    new_model,
    quiet,
    set_start,
)
from cxsurvey.stats.threads import one_blas_thread

__all__ = ["ModelInfo", "SemopyFit", "describe_model", "fit_semopy"]

_Z975 = 1.959963984540054


@dataclass(frozen=True)
class ModelInfo:
    """What a model is before it sees data.

    Attributes
    ----------
    observed : tuple of str
        Observed variables, in semopy's order (the rows of S and Sigma).
    latent : tuple of str
        Latent variables.
    npar : int
        Free parameters (equality-labelled parameters count once; the variances and
        covariances of exogenous observed covariates are fixed, as lavaan's fixed.x).
    fixed_x : tuple of str
        Exogenous observed covariates whose (co)variances are fixed at sample values.
    """

    observed: tuple[str, ...]
    latent: tuple[str, ...]
    npar: int
    fixed_x: tuple[str, ...]


@dataclass(frozen=True)
class SemopyFit:
    """The raw result of one ML fit, in lavaan's vocabulary.

    Attributes
    ----------
    observed, inner, latent : tuple of str
        Row names of S/Sigma/Lambda/Theta (observed), of Beta/Psi (inner: latents and
        observed variables in the structural part), and the latent variables.
    beta, lam, psi, theta : ndarray
        Model matrices at the estimate: Sigma = Lam (I-B)^-1 Psi (I-B)^-T Lam' + Theta.
    sample_cov, implied_cov : ndarray
        The covariance matrix semopy fitted (divisor N) and the model-implied one.
    params : DataFrame
        One row per parameter location: ``lhs, op, rhs, label, free, est, se, z,
        pvalue, ci_lower, ci_upper`` and ``matrix, row, col`` (position in the matrices
        above). Fixed parameters have NaN se/z/pvalue/CI.
    npar : int
        Free parameters.
    fixed_x : tuple of str
        See :class:`ModelInfo`.
    n : int
        Observations.
    objective : float
        F_ML at the estimate.
    success : bool
        The solver's own verdict.
    converged : bool
        ``success``, or a finite solution whose gradient is ~0 (SLSQP with a tight
        tolerance sometimes stops on a line-search failure at the optimum).
    message : str
        The solver's message.
    iterations : int
        Solver iterations.
    max_gradient : float
        Largest absolute gradient of F_ML at the estimate.
    information : ndarray
        Expected (Fisher) information of the free parameters, N/2 scaling.
    free_names : tuple of str
        ``lhs op rhs`` of each free parameter, in the order of ``information``.
    sample_cov_pd : bool
        False when the sample covariance matrix was not positive definite (semopy
        then fits a nearby positive-definite matrix).
    warnings : tuple of str
        semopy's log warnings, as text.
    """

    observed: tuple[str, ...]
    inner: tuple[str, ...]
    latent: tuple[str, ...]
    beta: np.ndarray
    lam: np.ndarray
    psi: np.ndarray
    theta: np.ndarray
    sample_cov: np.ndarray
    implied_cov: np.ndarray
    params: pd.DataFrame
    npar: int
    fixed_x: tuple[str, ...]
    n: int
    objective: float
    success: bool
    converged: bool
    message: str
    iterations: int
    max_gradient: float
    information: np.ndarray
    free_names: tuple[str, ...]
    sample_cov_pd: bool
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _read(syntax: str) -> Any:
    """A new model of ``syntax``; semopy's errors become ValueError with its message."""
    try:
        return new_model(syntax)
    except Exception as exc:  # semopy raises bare Exceptions and SyntaxErrors
        raise ValueError(" ".join(str(exc).split()) or type(exc).__name__) from exc


def describe_model(syntax: str) -> ModelInfo:
    """Count free parameters and list variables of a semopy-ready model (no data needed).

    Parameters
    ----------
    syntax : str
        semopy-ready lavaan syntax (:attr:`cxsurvey.stats.cb.prepare.PreparedModel.syntax`).

    Returns
    -------
    ModelInfo

    Raises
    ------
    ValueError
        When semopy cannot read the syntax (the message is semopy's).
    """
    with quiet():
        model = _read(syntax)
    npar = sum(1 for p in model.parameters.values() if p.active)
    return ModelInfo(observed=tuple(model.vars["observed"]),
                     latent=tuple(sorted(model.vars["latent"])),
                     npar=npar, fixed_x=fixed_x(model))


def _parameter_table(model: Any, measurement: set[tuple[str, str]],
                     se: np.ndarray) -> tuple[pd.DataFrame, tuple[str, ...]]:
    from scipy import special

    rows: list[dict[str, Any]] = []
    free_names: list[str] = []
    k = 0
    for name, param in model.parameters.items():
        index = k if param.active else None
        if param.active:
            k += 1
        label = "" if name.startswith(("_b", "_c")) or name.startswith("_cx") else name
        for loc in param.locations:
            key = matrix_key(model, loc.matrix)
            i, j = (int(v) for v in loc.indices)
            lhs, op, rhs = locate(model, key, i, j, measurement)
            est = float(loc.matrix[i, j])
            if index is not None:
                s = float(se[index])
                z = est / s if s > 0 else float("nan")
                pval = float(2.0 * special.ndtr(-abs(z))) if np.isfinite(z) else float("nan")
                lo, hi = est - _Z975 * s, est + _Z975 * s
            else:
                s = z = pval = lo = hi = float("nan")
            rows.append({"lhs": lhs, "op": op, "rhs": rhs, "label": label,
                         "free": index is not None, "est": est, "se": s, "z": z,
                         "pvalue": pval, "ci_lower": lo, "ci_upper": hi,
                         "matrix": key, "row": i, "col": j})
            if index is not None and len(free_names) <= index:
                free_names.append(f"{lhs} {op} {rhs}")
    cols = ["lhs", "op", "rhs", "label", "free", "est", "se", "z", "pvalue", "ci_lower",
            "ci_upper", "matrix", "row", "col"]
    return pd.DataFrame(rows, columns=cols), tuple(free_names)


def _expected_information(model: Any) -> np.ndarray:
    """Expected information of the free parameters, N/2 tr(S^-1 dS_i S^-1 dS_j).

    The formula of semopy's ``calc_fim`` (and lavaan's expected information for ML
    without mean structure), computed with one matrix product instead of a double loop.

    References
    ----------
    Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley, p. 134.
    """
    q = int(np.asarray(model.param_vals).size)
    try:
        sigma, (m, c) = model.calc_sigma()
        inv = np.linalg.inv(sigma)
    except np.linalg.LinAlgError:
        return np.full((q, q), np.nan)
    if q == 0:
        return np.zeros((0, 0))
    grads = np.asarray([np.broadcast_to(g, sigma.shape) for g in
                        model.calc_sigma_grad(m, c)], dtype=float)
    g = np.einsum("ab,ibc->iac", inv, grads)
    flat = g.reshape(q, -1)
    flat_t = g.transpose(0, 2, 1).reshape(q, -1)
    return model.n_samples / 2.0 * (flat @ flat_t.T)


def _standard_errors(information: np.ndarray) -> np.ndarray:
    """sqrt(diag(I^-1)) when the information matrix is invertible, NaN otherwise."""
    q = information.shape[0]
    if q == 0:
        return np.zeros(0)
    try:
        chol = np.linalg.cholesky(information)
    except np.linalg.LinAlgError:
        return np.full(q, np.nan)
    inv_chol = np.linalg.solve(chol, np.eye(q))
    var = np.sum(inv_chol ** 2, axis=0)
    return np.sqrt(np.where(var >= 0, var, np.nan))


def _prepare(model: Any, data: pd.DataFrame, measurement: set[tuple[str, str]],
             start: dict[tuple[str, str, str], float] | None) -> None:
    """Unbounded variances, marker items, data and starting values."""
    for param in model.parameters.values():
        param.bound = (None, None)  # lavaan: variances may go negative
    give_markers(model, measurement)
    model.load(data)
    if start:
        set_start(model, measurement, start)
    feasible_start(model)


@dataclass(frozen=True)
class _Solution:
    """The model at the solver's solution: estimate, F_ML and its gradient, Sigma,
    expected information and the parameter table."""

    x: np.ndarray
    fun: float
    grad: np.ndarray
    sigma: np.ndarray
    information: np.ndarray
    table: pd.DataFrame
    free_names: tuple[str, ...]


def _at_solution(model: Any, res: Any, measurement: set[tuple[str, str]]) -> _Solution:
    """Put the model at the solver's estimate and compute what is reported there."""
    x = np.asarray(res.x, dtype=float)
    model.update_matrices(x)
    fun = float(model.obj_mlw(x))
    grad = np.asarray(model.grad_mlw(x), dtype=float)
    model.update_matrices(x)
    sigma, _ = model.calc_sigma()
    information = _expected_information(model)
    se = _standard_errors(information) if np.all(np.isfinite(information)) \
        else np.full(x.size, np.nan)
    table, free_names = _parameter_table(model, measurement, se)
    return _Solution(x=x, fun=fun, grad=grad, sigma=np.asarray(sigma),
                     information=information, table=table, free_names=free_names)


def _positive_definite(data: pd.DataFrame, observed: tuple[str, ...]) -> bool:
    """Whether the sample covariance matrix (divisor N) of ``observed`` is positive
    definite (semopy fits a nearby positive-definite matrix when it is not)."""
    raw = data[list(observed)].to_numpy(dtype=float)
    raw_cov = np.cov(raw, rowvar=False, bias=True).reshape(len(observed), len(observed))
    try:
        np.linalg.cholesky(raw_cov)
    except np.linalg.LinAlgError:
        return False
    return True


def fit_semopy(data: pd.DataFrame, syntax: str, measurement: set[tuple[str, str]], *,
               ftol: float = 1e-12, maxiter: int = 10_000,
               gradient_tol: float = 1e-6,
               start: dict[tuple[str, str, str], float] | None = None) -> SemopyFit:
    """Fit a model by normal-theory ML with semopy, the way lavaan does by default.

    Parameters
    ----------
    data : DataFrame
        Complete, numeric data; must contain the model's observed variables.
    syntax : str
        semopy-ready lavaan syntax (one formula per line, first loadings written out).
    measurement : set of (latent, indicator)
        The ``=~`` pairs, to tell loadings from regressions in semopy's matrices.
    ftol : float
        SLSQP's tolerance on the objective.
    maxiter : int
        Solver iteration limit.
    gradient_tol : float
        When the solver reports failure, a finite solution whose largest absolute
        gradient of F_ML is below this still counts as converged.
    start : dict, optional
        Starting values of free parameters keyed by ``(lhs, op, rhs)`` (e.g. a previous
        fit's estimates, for bootstrap resamples); others keep semopy's starts.

    Raises
    ------
    ValueError
        When semopy cannot read the syntax.

    References
    ----------
    Jöreskog, K. G. (1969). Psychometrika, 34(2), 183-202 (ML estimation). Kraft, D.
    (1988). A software package for sequential quadratic programming. DFVLR-FB 88-28
    (SLSQP).
    """
    with quiet() as messages, one_blas_thread():
        model = _read(syntax)
        _prepare(model, data, measurement, start)
        res = model.fit(obj="MLW", solver="SLSQP",
                        options={"ftol": ftol, "maxiter": maxiter})
        sol = _at_solution(model, res, measurement)
    max_grad = float(np.max(np.abs(sol.grad))) if sol.grad.size else 0.0
    finite = bool(np.all(np.isfinite(sol.x)) and np.isfinite(sol.fun))
    converged = finite and (bool(res.success) or max_grad < gradient_tol)
    solver_note = "Solver didn't converge, see SolverResult."
    kept = tuple(m for m in messages if not (converged and m == solver_note))
    observed = tuple(model.vars["observed"])
    return SemopyFit(
        observed=observed,
        inner=tuple(model.names_beta[0]),
        latent=tuple(v for v in model.names_beta[0] if v in model.vars["latent"]),
        beta=model.mx_beta.copy(), lam=model.mx_lambda.copy(), psi=model.mx_psi.copy(),
        theta=model.mx_theta.copy(), sample_cov=np.array(model.mx_cov, dtype=float),
        implied_cov=sol.sigma, params=sol.table, npar=int(sol.x.size),
        fixed_x=fixed_x(model), n=int(model.n_samples), objective=sol.fun,
        success=bool(res.success), converged=converged, message=str(res.message),
        iterations=int(res.n_it) if np.isfinite(res.n_it) else -1,
        max_gradient=max_grad, information=sol.information, free_names=sol.free_names,
        sample_cov_pd=_positive_definite(data, observed), warnings=kept,
    )
