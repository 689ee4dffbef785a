"""Defined parameters (lavaan's ``:=``) of a fitted CB model with delta-method inference.

:func:`defined_effects` evaluates definitions such as ``indirect := a*b`` and
``total := c + a*b`` over the labelled parameters of a :class:`CbFit` and gives each
the standard error ``sqrt(g' V g)`` (``g`` the gradient of the definition with respect
to the free parameters, ``V`` their covariance matrix), a Wald z, a two-sided normal
p-value and a 95% Wald interval, as lavaan's ``parameterEstimates()`` rows with
``op == ":="``.

Expressions are parsed with :mod:`ast` (never evaluated as code) and may use numbers,
parameter labels, earlier definitions, ``+ - * /``, powers (``^`` or ``**``) and
parentheses. A parameter without a label is named by its row, ``dem60 ~ ind60``,
``ind60 =~ x2`` or ``y1 ~~ y5`` (either order for ``~~``), as in
``(dem60 ~ ind60) * (dem65 ~ dem60)``; :func:`cxsurvey.stats.cb.paths.run_cb_paths`
writes its path-traced indirect and total effects that way. The gradient is exact: the
expression is evaluated on dual numbers (value and gradient carried together,
forward-mode differentiation), which agrees with lavaan's complex-step Jacobian to
rounding.

``V`` is the ML covariance from the expected information (:func:`ml_vcov`, lavaan's
``se = "standard"``) or the one the estimator set (``CbFit.vcov``: robust for MLM/MLR;
:func:`fit_vcov` picks it), both in the order of
``moments.ram_model(fit.params, fit.observed).free_names``.

References
----------
Sobel, M. E. (1982). Asymptotic confidence intervals for indirect effects in structural
equation models. Sociological Methodology, 13, 290-312. Rao, C. R. (1973). Linear
Statistical Inference and Its Applications (2nd ed.). Wiley, sec. 6a.2 (delta method).
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of
Statistical Software, 48(2), 1-36 (``:=`` operator).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxsurvey.model.spec import ModelSpec
from cxsurvey.model.syntax import parse_syntax
from cxsurvey.stats.cb import moments
from cxsurvey.stats.cb.ml_fit import CbFit

__all__ = ["DEFINED_COLUMNS", "defined_effects", "definitions_from_syntax",
           "evaluate_definitions", "fit_vcov",
           "ml_vcov", "row_reference"]

DEFINED_COLUMNS = ["lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci_lower", "ci_upper",
                   "std_all"]

_NAME = r"[A-Za-z_.][\w.]*"
_ROW = re.compile(rf"({_NAME})\s*(=~|~~|~)\s*({_NAME})")

_Z975 = 1.959963984540054


@dataclass(frozen=True)
class _Dual:
    """A value and its gradient with respect to the free parameters."""

    value: float
    grad: np.ndarray

    def __add__(self, o: _Dual) -> _Dual:
        return _Dual(self.value + o.value, self.grad + o.grad)

    def __sub__(self, o: _Dual) -> _Dual:
        return _Dual(self.value - o.value, self.grad - o.grad)

    def __mul__(self, o: _Dual) -> _Dual:
        return _Dual(self.value * o.value, self.grad * o.value + o.grad * self.value)

    def __truediv__(self, o: _Dual) -> _Dual:
        if o.value == 0:
            raise ValueError("division by zero in a defined parameter")
        return _Dual(self.value / o.value,
                     (self.grad * o.value - o.grad * self.value) / (o.value * o.value))

    def __neg__(self) -> _Dual:
        return _Dual(-self.value, -self.grad)

    def power(self, k: float) -> _Dual:
        return _Dual(self.value ** k, k * self.value ** (k - 1) * self.grad)


def definitions_from_syntax(syntax: str | ModelSpec) -> list[tuple[str, str]]:
    """The ``name := expression`` lines of a lavaan model, in order.

    Parameters
    ----------
    syntax : str or ModelSpec
        lavaan model syntax (parsed with :func:`cxsurvey.model.syntax.parse_syntax`).

    Returns
    -------
    list of (name, expression)
    """
    spec = syntax if isinstance(syntax, ModelSpec) else parse_syntax(syntax)
    return [(f.lhs, f.text.split(":=", 1)[1].strip())
            for f in spec.formulas if f.op == ":="]


def ml_vcov(fit: CbFit) -> np.ndarray:
    """Normal-theory ML covariance matrix of the free parameters, ``inv(Delta' W Delta) / N``.

    lavaan's default (``se = "standard"``, expected information, structured h1); the
    rows follow ``moments.ram_model(fit.params, fit.observed).free_names``.

    References
    ----------
    Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley, p. 134.
    """
    model = moments.ram_model(fit.params, fit.observed)
    info = moments.expected_information(moments.jacobian(model), moments.implied_cov(model))
    return np.asarray(np.linalg.inv(info) / fit.n)


def fit_vcov(fit: CbFit) -> np.ndarray:
    """The covariance matrix of the free parameters of ``fit``: the one its estimator set
    (``fit.vcov``), else :func:`ml_vcov`.

    References
    ----------
    Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley, p. 134.
    Satorra, A., & Bentler, P. M. (1994). Corrections to test statistics and standard
    errors in covariance structure analysis. In A. von Eye & C. C. Clogg (Eds.), Latent
    Variables Analysis (pp. 399-419). Sage (robust covariance).
    """
    return ml_vcov(fit) if fit.vcov is None else np.asarray(fit.vcov, dtype=float)


def row_reference(lhs: str, op: str, rhs: str) -> str:
    """The text that names the parameter of row ``lhs op rhs`` in a definition."""
    return f"({lhs} {op} {rhs})"


def _symbols(params: pd.DataFrame, model: moments.RamModel,
             column: str = "est") -> dict[str, _Dual]:
    """Every parameter label as a dual number (fixed labelled rows: constants), with the
    value of ``column`` (``est``, or ``std_all`` for the standardised value)."""
    q = model.npar
    values = params[column].to_numpy(dtype=float)
    out: dict[str, _Dual] = {}
    for k, rows in enumerate(model.rows):
        label = params.at[rows[0], "label"]
        if isinstance(label, str) and label:
            g = np.zeros(q)
            g[k] = 1.0
            out[label] = _Dual(float(values[rows[0]]), g)
    for r, (label, free) in enumerate(params[["label", "free"]].itertuples(index=False,
                                                                           name=None)):
        if isinstance(label, str) and label and not bool(free) and label not in out:
            out[label] = _Dual(float(values[r]), np.zeros(q))
    return out


def _row_duals(params: pd.DataFrame, model: moments.RamModel,
               column: str = "est") -> dict[tuple[str, str, str], _Dual]:
    """Every row ``(lhs, op, rhs)`` as a dual number (``~~`` under both orders); fixed
    rows are constants."""
    q = model.npar
    values = params[column].to_numpy(dtype=float)
    free_of = {r: k for k, rows in enumerate(model.rows) for r in rows}
    out: dict[tuple[str, str, str], _Dual] = {}
    for r, (lhs, op, rhs) in enumerate(params[["lhs", "op", "rhs"]].itertuples(
            index=False, name=None)):
        g = np.zeros(q)
        if r in free_of:
            g[free_of[r]] = 1.0
        dual = _Dual(float(values[r]), g)
        out.setdefault((str(lhs), str(op), str(rhs)), dual)
        if op == "~~":
            out.setdefault((str(rhs), str(op), str(lhs)), dual)
    return out


def _substitute_rows(text: str, rows: Mapping[tuple[str, str, str], _Dual],
                     env: dict[str, _Dual]) -> str:
    """``text`` with every row reference ``lhs op rhs`` replaced by a symbol bound in
    ``env``."""
    def swap(match: re.Match[str]) -> str:
        key = (match.group(1), match.group(2), match.group(3))
        if key not in rows:
            raise ValueError(f"'{' '.join(key)}' in '{text}' is not a parameter of the "
                             "model")
        name = f"_row_{'_'.join(str(ord(c)) for c in ''.join(key))}"
        env[name] = rows[key]
        return name

    return _ROW.sub(swap, text)


def _evaluate(node: ast.AST, env: Mapping[str, _Dual], q: int, text: str) -> _Dual:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, env, q, text)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
            and not isinstance(node.value, bool):
        return _Dual(float(node.value), np.zeros(q))
    if isinstance(node, ast.Name):
        if node.id not in env:
            raise ValueError(f"'{node.id}' in '{text}' is not a parameter label or an "
                             "earlier definition")
        return env[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        val = _evaluate(node.operand, env, q, text)
        return -val if isinstance(node.op, ast.USub) else val
    if isinstance(node, ast.BinOp):
        left = _evaluate(node.left, env, q, text)
        right = _evaluate(node.right, env, q, text)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            return left / right
        if isinstance(node.op, (ast.Pow, ast.BitXor)):
            if np.any(right.grad != 0):
                raise ValueError(f"exponents in '{text}' must be constants")
            return left.power(right.value)
    raise ValueError(f"'{text}' uses something other than numbers, labels, "
                     "+ - * / ^ and parentheses")


def evaluate_definitions(definitions: Sequence[tuple[str, str]], values: Mapping[str, float],
                         index: Mapping[str, int] | None = None, q: int = 0
                         ) -> list[tuple[float, np.ndarray]]:
    """Value and exact gradient of each ``:=`` definition over named values.

    Parameters
    ----------
    definitions : (name, expression) pairs
        A definition may use earlier ones.
    values : mapping
        Label -> value.
    index : mapping, optional
        Label -> position among ``q`` parameters (labels not in it are constants).
    q : int
        Length of the gradients.

    Returns
    -------
    list of (value, gradient)

    Raises
    ------
    ValueError
        An unknown label or a disallowed expression.

    References
    ----------
    Rao, C. R. (1973). Linear Statistical Inference and Its Applications (2nd ed.).
    Wiley, sec. 6a.2 (delta method).
    """
    env: dict[str, _Dual] = {}
    for label, value in values.items():
        grad = np.zeros(q)
        if index is not None and label in index:
            grad[index[label]] = 1.0
        env[label] = _Dual(float(value), grad)
    out = []
    for name, expr in definitions:
        text = expr.strip()
        try:
            tree = ast.parse(text, mode="eval")
        except SyntaxError as exc:
            raise ValueError(f"cannot read the definition '{name} := {text}'") from exc
        val = _evaluate(tree, env, q, text)
        env[name] = val
        out.append((val.value, val.grad))
    return out


def defined_effects(fit: CbFit, vcov: np.ndarray | None = None,
                    definitions: Sequence[tuple[str, str]] | Mapping[str, str]
                    | str | ModelSpec | None = None) -> pd.DataFrame:
    """Estimates and delta-method inference for ``:=`` definitions.

    Parameters
    ----------
    fit : CbFit
        The fitted model; definitions refer to the labels in ``fit.params``.
    vcov : ndarray, shape (q, q), optional
        Covariance matrix of the free parameters (already divided by N) in
        ``moments.ram_model(fit.params, fit.observed).free_names`` order. Default:
        :func:`fit_vcov` (``fit.vcov`` when the estimator set it, else :func:`ml_vcov`).
    definitions : (name, expression) pairs, mapping, or lavaan syntax
        Model syntax is searched for its ``:=`` lines. A definition may use earlier
        ones, labels, and rows (``dem60 ~ ind60``). None: no rows.

    Returns
    -------
    DataFrame
        ``lhs, op, rhs, est, se, z, pvalue, ci_lower, ci_upper`` as lavaan's
        ``parameterEstimates()`` ``:=`` rows: ``rhs`` the expression without spaces,
        ``se = sqrt(g' V g)``, ``z = est / se``, two-sided normal p-value, 95% Wald
        interval ``est -/+ 1.96 se``; ``std_all`` the definition evaluated on the
        ``std_all`` values of its parameters, as lavaan's ``std.all``.

    Raises
    ------
    ValueError
        An unknown label, a disallowed expression, or ``vcov`` of the wrong shape.

    References
    ----------
    Sobel, M. E. (1982). Sociological Methodology, 13, 290-312 (delta-method standard
    error of an indirect effect). Rao, C. R. (1973). Linear Statistical Inference and
    Its Applications (2nd ed.), sec. 6a.2. Rosseel, Y. (2012). Journal of Statistical
    Software, 48(2) (lavaan's ``:=``).
    """
    from scipy import special

    if definitions is None:
        pairs: list[tuple[str, str]] = []
    elif isinstance(definitions, (str, ModelSpec)):
        pairs = definitions_from_syntax(definitions)
    elif isinstance(definitions, Mapping):
        pairs = [(str(k), str(v)) for k, v in definitions.items()]
    else:
        pairs = [(str(k), str(v)) for k, v in definitions]
    model = moments.ram_model(fit.params, fit.observed)
    v = fit_vcov(fit) if vcov is None else np.asarray(vcov, dtype=float)
    if v.shape != (model.npar, model.npar):
        raise ValueError(f"vcov has shape {v.shape}, the model has {model.npar} free "
                         "parameters")
    env = _symbols(fit.params, model)
    std_env = _symbols(fit.params, model, "std_all")
    row_env = _row_duals(fit.params, model)
    std_rows = _row_duals(fit.params, model, "std_all")
    rows = []
    for name, expr in pairs:
        text = expr.strip()
        try:
            tree = ast.parse(_substitute_rows(text, row_env, env), mode="eval")
            std_tree = ast.parse(_substitute_rows(text, std_rows, std_env), mode="eval")
        except SyntaxError as exc:
            raise ValueError(f"cannot read the definition '{name} := {text}'") from exc
        val = _evaluate(tree, env, model.npar, text)
        env[name] = val
        try:
            std = _evaluate(std_tree, std_env, model.npar, text).value
        except ValueError:
            std = float("nan")
        std_env[name] = _Dual(std, np.zeros(model.npar))
        var = float(val.grad @ v @ val.grad)
        se = float(np.sqrt(var)) if var >= 0 else float("nan")
        z = val.value / se if se > 0 else float("nan")
        rows.append({"lhs": name, "op": ":=", "rhs": "".join(text.split()),
                     "est": val.value, "se": se, "z": z,
                     "pvalue": float(2.0 * special.ndtr(-abs(z))) if np.isfinite(z)
                     else float("nan"),
                     "ci_lower": val.value - _Z975 * se, "ci_upper": val.value + _Z975 * se,
                     "std_all": std})
    return pd.DataFrame(rows, columns=DEFINED_COLUMNS)
