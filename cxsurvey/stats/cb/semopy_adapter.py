"""The one module that talks to semopy (imported lazily, inside the functions).

semopy estimates the model; everything it reports that lavaan users compare is taken
from its matrices, not from its summaries. Handled here:

- a fresh ``semopy.Model`` per fit (``fit()`` mutates the model and warm-starts from
  the previous fit);
- ``mimic_lavaan=True``, so observed variables are classified as lavaan does (only
  indicators go to the measurement part; residuals of non-indicator endogenous
  observed variables are correlated, lavaan's ``auto.cov.y``);
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

import logging
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ModelInfo", "SemopyFit", "describe_model", "fit_semopy"]

# Swapping the root logger's handlers is process-wide: one fit at a time per process.
_LOCK = threading.RLock()
_Z975 = 1.959963984540054


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = " ".join(str(record.getMessage()).split())
        if text and text not in self.messages:
            self.messages.append(text)


@contextmanager
def _quiet() -> Iterator[list[str]]:
    """Collect semopy's log warnings (root logger) and Python warnings; print nothing.

    The root logger gets only the collecting handler for the duration, so the calls
    ``logging.warning(...)`` in semopy neither reach the application's handlers nor
    trigger ``logging.basicConfig`` (which would print to stderr).
    """
    with _LOCK:
        root = logging.getLogger()
        handler = _Collect()
        saved_handlers, saved_level = root.handlers[:], root.level
        root.handlers = [handler]
        root.setLevel(logging.WARNING)
        messages = handler.messages
        try:
            with warnings.catch_warnings(record=True) as caught, \
                    np.errstate(all="ignore"):
                warnings.simplefilter("always")
                yield messages
            for w in caught:
                if issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning,
                                           FutureWarning, RuntimeWarning)):
                    continue
                text = f"{w.category.__name__}: {' '.join(str(w.message).split())}"
                if text not in messages:
                    messages.append(text)
        finally:
            root.handlers = saved_handlers
            root.setLevel(saved_level)


_CONTROLLER: Any = None


def _one_blas_thread() -> Any:
    """Limit BLAS to one thread while fitting, when threadpoolctl is installed.

    The matrices are small (p < 100): a multi-threaded OpenBLAS only adds overhead,
    and on a loaded machine its spinning threads make a 20 ms fit take seconds.
    """
    global _CONTROLLER
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # optional: without it the fit is the same, maybe slower
        return nullcontext()
    if _CONTROLLER is None:
        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")


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


def _new_model(syntax: str) -> Any:
    from semopy import Model

    return Model(syntax, mimic_lavaan=True)


def _fixed_x(model: Any) -> tuple[str, ...]:
    exo = model.vars["exogenous"]
    return tuple(v for v in model.vars["observed"] if v in exo)


def describe_model(syntax: str) -> ModelInfo:
    """Count free parameters and list variables of a semopy-ready model (no data needed).

    Raises
    ------
    ValueError
        When semopy cannot read the syntax (the message is semopy's).
    """
    with _quiet():
        try:
            model = _new_model(syntax)
        except Exception as exc:  # semopy raises bare Exceptions and SyntaxErrors
            raise ValueError(" ".join(str(exc).split()) or type(exc).__name__) from exc
    npar = sum(1 for p in model.parameters.values() if p.active)
    return ModelInfo(observed=tuple(model.vars["observed"]),
                     latent=tuple(sorted(model.vars["latent"])),
                     npar=npar, fixed_x=_fixed_x(model))


def _matrix_key(model: Any, matrix: np.ndarray) -> str:
    for key in ("beta", "lambda", "psi", "theta"):
        if getattr(model, f"mx_{key}") is matrix:
            return key
    return "other"


def _locate(model: Any, key: str, i: int, j: int,
            measurement: set[tuple[str, str]]) -> tuple[str, str, str]:
    """lavaan's ``lhs op rhs`` for the matrix cell (i, j)."""
    if key == "lambda":
        row, col = model.names_lambda[0][i], model.names_lambda[1][j]
        return (col, "=~", row) if (col, row) in measurement else (row, "~", col)
    if key == "beta":
        row, col = model.names_beta[0][i], model.names_beta[1][j]
        return (col, "=~", row) if (col, row) in measurement else (row, "~", col)
    names = model.names_psi[0] if key == "psi" else model.names_theta[0]
    return names[i], "~~", names[j]


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
            key = _matrix_key(model, loc.matrix)
            i, j = (int(v) for v in loc.indices)
            lhs, op, rhs = _locate(model, key, i, j, measurement)
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


def _give_markers(model: Any, measurement: set[tuple[str, str]]) -> None:
    """Give every factor without a fixed loading a marker item for starting values.

    semopy 2.3.11's ``start_lambda`` loops forever on a factor none of whose loadings
    is fixed (``F =~ NA*x1 + x2`` with ``F ~~ 1*F``): it follows ``first_manifs``,
    which is None for such a factor. The marker only scales the starting values.
    """
    for lat in sorted(model.vars["latent"]):
        if model.first_manifs[lat] is None:
            items = sorted(i for f, i in measurement if f == lat
                           and i in model.vars["observed"])
            if items:
                model.first_manifs[lat] = items[0]


def _set_start(model: Any, measurement: set[tuple[str, str]],
               start: dict[tuple[str, str, str], float]) -> None:
    """Start free parameters at given values (keyed by lavaan's lhs, op, rhs)."""
    x = np.asarray(model.param_vals, dtype=float).copy()
    k = 0
    for param in model.parameters.values():
        if not param.active:
            continue
        loc = param.locations[0]
        i, j = (int(v) for v in loc.indices)
        lhs, op, rhs = _locate(model, _matrix_key(model, loc.matrix), i, j, measurement)
        value = start.get((lhs, op, rhs))
        if value is None and op == "~~":
            value = start.get((rhs, op, lhs))
        if value is not None and np.isfinite(value):
            x[k] = value
        k += 1
    model.param_vals = x
    model.update_matrices(x)


def _feasible_start(model: Any, rounds: int = 12) -> None:
    """Make the starting point's implied covariance matrix positive definite.

    semopy starts latent variances at 0.05; with a fixed covariance between factors
    (``F1 ~~ 0.5*F2``) or small fixed residual variances the start can imply a
    non-positive-definite Sigma, where the objective is infinite and SLSQP stops at
    once. Free variances are doubled until the objective is finite.
    """
    x = np.asarray(model.param_vals, dtype=float).copy()
    if np.isfinite(model.obj_mlw(x)):
        return
    variances = []
    k = 0
    for param in model.parameters.values():
        if not param.active:
            continue
        loc = param.locations[0]
        if (loc.matrix is model.mx_psi or loc.matrix is model.mx_theta) \
                and loc.indices[0] == loc.indices[1]:
            variances.append(k)
        k += 1
    if not variances:
        return
    idx = np.asarray(variances)
    x[idx] = np.where(x[idx] > 0, x[idx], 0.05)
    for _ in range(rounds):
        if np.isfinite(model.obj_mlw(x)):
            break
        x[idx] *= 2.0
    model.param_vals = x
    model.update_matrices(x)


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
    with _quiet() as messages, _one_blas_thread():
        try:
            model = _new_model(syntax)
        except Exception as exc:
            raise ValueError(" ".join(str(exc).split()) or type(exc).__name__) from exc
        for param in model.parameters.values():
            param.bound = (None, None)  # lavaan: variances may go negative
        _give_markers(model, measurement)
        model.load(data)
        if start:
            _set_start(model, measurement, start)
        _feasible_start(model)
        res = model.fit(obj="MLW", solver="SLSQP",
                        options={"ftol": ftol, "maxiter": maxiter})
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
    s = np.asarray(model.mx_cov, dtype=float)
    observed = tuple(model.vars["observed"])
    raw = data[list(observed)].to_numpy(dtype=float)
    raw_cov = np.cov(raw, rowvar=False, bias=True).reshape(len(observed), len(observed))
    try:
        np.linalg.cholesky(raw_cov)
        pd_ok = True
    except np.linalg.LinAlgError:
        pd_ok = False
    max_grad = float(np.max(np.abs(grad))) if grad.size else 0.0
    finite = bool(np.all(np.isfinite(x)) and np.isfinite(fun))
    converged = finite and (bool(res.success) or max_grad < gradient_tol)
    solver_note = "Solver didn't converge, see SolverResult."
    kept = tuple(m for m in messages if not (converged and m == solver_note))
    return SemopyFit(
        observed=observed,
        inner=tuple(model.names_beta[0]),
        latent=tuple(v for v in model.names_beta[0] if v in model.vars["latent"]),
        beta=model.mx_beta.copy(), lam=model.mx_lambda.copy(), psi=model.mx_psi.copy(),
        theta=model.mx_theta.copy(), sample_cov=s.copy(), implied_cov=np.asarray(sigma),
        params=table, npar=int(x.size), fixed_x=_fixed_x(model), n=int(model.n_samples),
        objective=fun, success=bool(res.success), converged=converged,
        message=str(res.message), iterations=int(res.n_it) if np.isfinite(res.n_it) else -1,
        max_gradient=max_grad, information=information, free_names=free_names,
        sample_cov_pd=pd_ok, warnings=kept,
    )
