"""Building a ``semopy.Model`` the way lavaan would set it up (the one module importing
semopy, lazily, inside the functions).

- :func:`new_model`: a fresh model per fit (``fit()`` mutates the model and warm-starts
  from the previous fit), with ``mimic_lavaan=True`` (only indicators go to the
  measurement part; residuals of non-indicator endogenous observed variables are
  correlated, lavaan's ``auto.cov.y``) and its automatic (co)variances in a fixed order,
  so that the parameter vector is the same in every process;
- :func:`quiet`: semopy's ``logging`` warnings captured as strings (nothing printed);
- :func:`locate`: lavaan's ``lhs op rhs`` for a cell of semopy's matrices;
- :func:`give_markers`, :func:`set_start`, :func:`feasible_start`: starting values.

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
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = ["feasible_start", "fixed_x", "give_markers", "locate", "matrix_key", "new_model",
           "quiet", "set_start"]

# Swapping the root logger's handlers is process-wide: one fit at a time per process.
_LOCK = threading.RLock()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = " ".join(str(record.getMessage()).split())
        if text and text not in self.messages:
            self.messages.append(text)


@contextmanager
def quiet() -> Iterator[list[str]]:
    """Collect semopy's log warnings (root logger) and Python warnings; print nothing.

    The root logger gets only the collecting handler for the duration, so the calls
    ``logging.warning(...)`` in semopy neither reach the application's handlers nor
    trigger ``logging.basicConfig`` (which would print to stderr).

    Yields
    ------
    list of str
        The messages, filled in while the context runs (Python warnings other than
        deprecation and numerical ones are appended when it ends).
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


def _preprocess_effects(model: Any, effects: dict[str, Any]) -> None:
    """semopy 2.3.11's ``Model.preprocess_effects`` with every pair in sorted order.

    semopy adds lavaan's default (co)variances here: fixed (co)variances of exogenous
    observed covariates (``fixed.x``), free variances of endogenous and latent
    variables, and free covariances among exogenous latent variables and among
    non-indicator endogenous observed variables (``auto.cov.y``). Its pairs come from
    ``itertools.combinations`` over Python sets, so whether a pair is entered as
    ``a ~~ b`` or ``b ~~ a``, and with it the parameter's place in semopy's parameter
    vector, follows the sets' iteration order, which changes with ``PYTHONHASHSEED``.
    SLSQP then walks a permuted vector and stops ~1e-8 (relative) elsewhere from run
    to run. Here the pairs are formed from the sorted names (the order semopy gives the
    rows of its matrices), so a model has one parameter vector in every process; the
    (co)variances added are the same as semopy's.
    """
    from itertools import combinations

    cov = effects[model.symb_covariance]
    exo = model.vars["exogenous"]
    obs_exo = sorted(set(model.vars["observed"]) & exo)
    for v in obs_exo:
        if v not in cov[v]:
            cov[v][v] = model.symb_starting_values
    for v in sorted({*model.vars["endogenous"], *model.vars["latent"]}):
        if v not in cov[v]:
            cov[v][v] = None
    for a, b in combinations(obs_exo, 2):
        if a not in cov[b] and b not in cov[a]:
            cov[a][b] = model.symb_starting_values
    if not model.cov_diag:
        exo_lat = sorted(exo & model.vars["latent"])
        pairs = {*combinations(sorted(model.vars["output"]), 2), *combinations(exo_lat, 2)}
        for a, b in sorted(pairs):
            if b not in cov[a] and a not in cov[b]:
                cov[a][b] = None


_MODEL_CLASS: Any = None


def _model_class() -> Any:
    """semopy's ``Model`` with :func:`_preprocess_effects` (class built on first use)."""
    global _MODEL_CLASS
    if _MODEL_CLASS is None:
        from semopy import Model

        class SortedModel(Model):  # type: ignore[misc]
            """``semopy.Model`` whose automatic (co)variances have a fixed order."""

            def preprocess_effects(self, effects: dict[str, Any]) -> None:
                _preprocess_effects(self, effects)

        _MODEL_CLASS = SortedModel
    return _MODEL_CLASS


def new_model(syntax: str) -> Any:
    """A new ``semopy.Model`` of semopy-ready syntax, classified as lavaan does.

    ``mimic_lavaan=True``; the (co)variances semopy adds by default enter in sorted
    order of the variable names, whatever the process's hash seed.

    Raises
    ------
    Exception
        Whatever semopy raises on syntax it cannot read (bare ``Exception`` and
        ``SyntaxError`` in semopy 2.3.11).
    """
    return _model_class()(syntax, mimic_lavaan=True)


def fixed_x(model: Any) -> tuple[str, ...]:
    """Exogenous observed covariates, in the order of semopy's observed variables."""
    exo = model.vars["exogenous"]
    return tuple(v for v in model.vars["observed"] if v in exo)


def matrix_key(model: Any, matrix: np.ndarray) -> str:
    """Which of the model's matrices ``matrix`` is: beta, lambda, psi, theta or other."""
    for key in ("beta", "lambda", "psi", "theta"):
        if getattr(model, f"mx_{key}") is matrix:
            return key
    return "other"


def locate(model: Any, key: str, i: int, j: int,
           measurement: set[tuple[str, str]]) -> tuple[str, str, str]:
    """lavaan's ``lhs op rhs`` for the cell (i, j) of the matrix ``key``.

    A loading of an indicator on its factor (a pair in ``measurement``) reads
    ``factor =~ item``, any other cell of lambda or beta ``outcome ~ predictor``, a cell
    of psi or theta ``a ~~ b``.
    """
    if key == "lambda":
        row, col = model.names_lambda[0][i], model.names_lambda[1][j]
        return (col, "=~", row) if (col, row) in measurement else (row, "~", col)
    if key == "beta":
        row, col = model.names_beta[0][i], model.names_beta[1][j]
        return (col, "=~", row) if (col, row) in measurement else (row, "~", col)
    names = model.names_psi[0] if key == "psi" else model.names_theta[0]
    return names[i], "~~", names[j]


def give_markers(model: Any, measurement: set[tuple[str, str]]) -> None:
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


def set_start(model: Any, measurement: set[tuple[str, str]],
              start: dict[tuple[str, str, str], float]) -> None:
    """Start free parameters at given values (keyed by lavaan's lhs, op, rhs)."""
    x = np.asarray(model.param_vals, dtype=float).copy()
    k = 0
    for param in model.parameters.values():
        if not param.active:
            continue
        loc = param.locations[0]
        i, j = (int(v) for v in loc.indices)
        lhs, op, rhs = locate(model, matrix_key(model, loc.matrix), i, j, measurement)
        value = start.get((lhs, op, rhs))
        if value is None and op == "~~":
            value = start.get((rhs, op, lhs))
        if value is not None and np.isfinite(value):
            x[k] = value
        k += 1
    model.param_vals = x
    model.update_matrices(x)


def feasible_start(model: Any, rounds: int = 12) -> None:
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
