"""Draw Likert surveys from a population structural equation model.

A population model fixes every parameter of a recursive LISREL-type model with
standardized latent variables: exogenous constructs are standard normal (correlated
when the syntax says ``A ~~ 0.3*B``), each endogenous construct is
``eta_j = sum_k beta_jk * eta_k + zeta_j`` with ``Var(zeta_j)`` chosen so that
``Var(eta_j) = 1``, and each item is ``x = l * eta + sqrt(1 - l^2) * eps``, a standard
normal response that is cut into the categories of the Likert scale at fixed
thresholds. With standardized latents the loadings are the items' correlations with
their construct and, for a construct with one predictor, the path coefficient is the
correlation of the two constructs.

Everything here is a pure function of its arguments: nothing is read or written, except
that :func:`population_from_model` reads the model file again, only on its error path,
to put a line number into an error message when the caller did not pass the text.

References
----------
Joreskog, K. G. (1973). A general method for estimating a linear structural equation
system. In A. S. Goldberger & O. D. Duncan (Eds.), Structural Equation Models in the
Social Sciences (pp. 85-112). Seminar Press. (the LISREL model)
Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley. (model-implied
covariance of a recursive model, ch. 4)
Rhemtulla, M., Brosseau-Liard, P. E., & Savalei, V. (2012). When can categorical
variables be treated as continuous? Psychological Methods, 17(3), 354-373.
(categorising continuous responses at thresholds)
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from cxsurvey.errors import InputError, Location
from cxsurvey.model.spec import SurveyModel
from cxsurvey.model.syntax import parse_syntax

__all__ = [
    "DEFAULT_THRESHOLDS",
    "PopulationModel",
    "SimulatedSample",
    "default_thresholds",
    "implied_latent_correlation",
    "make_rng",
    "population_from_model",
    "simulate",
    "simulate_sample",
]

#: Cut points of a 5-point scale when the population model gives none: equally spaced
#: in z units and symmetric, so categories 1..5 have probabilities .07 .24 .38 .24 .07.
DEFAULT_THRESHOLDS: tuple[float, ...] = (-1.5, -0.5, 0.5, 1.5)

_POPULATION_KEYS = {"syntax", "thresholds", "item_thresholds"}
_ID_COLUMN = "RespondentID"


def default_thresholds(scale: tuple[int, int]) -> tuple[float, ...]:
    """Symmetric cut points one z unit apart for a ``(min, max)`` Likert scale.

    Parameters
    ----------
    scale : tuple of int
        Likert range; ``max - min`` cut points are returned.

    Returns
    -------
    tuple of float
        ``(-1.5, -0.5, 0.5, 1.5)`` for a 5-point scale.

    References
    ----------
    Rhemtulla, Brosseau-Liard & Savalei (2012), Psychological Methods 17(3), 354-373
    (symmetric threshold conditions).
    """
    k = scale[1] - scale[0] + 1
    return tuple(float(i - k / 2) for i in range(1, k))


@dataclass(frozen=True)
class PopulationModel:
    """A fully specified population model for :func:`simulate`.

    Attributes
    ----------
    loadings : mapping
        Construct -> tuple of ``(item, loading)`` pairs, in model order. Loadings are
        standardized (the item-construct correlation), ``|l| < 1``; a negative loading
        makes a reverse-worded item.
    paths : tuple
        ``(predictor, outcome, beta)`` triples of standardized path coefficients; the
        path diagram must be acyclic (a recursive model).
    thresholds : tuple of float
        Increasing standard-normal cut points, ``max - min`` of them.
    item_thresholds : mapping
        Item -> its own cut points, overriding ``thresholds``.
    scale : tuple of int
        Likert range ``(min, max)``.
    correlations : tuple
        ``(a, b, r)`` correlations between exogenous constructs (default independent).
    id_column : str
        Name of the respondent-number column of the simulated frame.

    Raises
    ------
    InputError
        When the model is invalid: see :func:`population_from_model`.

    References
    ----------
    Joreskog (1973), the LISREL model; Bollen (1989), Structural Equations with Latent
    Variables, ch. 4 and 7.
    """

    loadings: Mapping[str, tuple[tuple[str, float], ...]]
    paths: tuple[tuple[str, str, float], ...] = ()
    thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS
    item_thresholds: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    scale: tuple[int, int] = (1, 5)
    correlations: tuple[tuple[str, str, float], ...] = ()
    id_column: str = _ID_COLUMN

    def __post_init__(self) -> None:
        _Checker(self, _nowhere).run()

    @property
    def constructs(self) -> tuple[str, ...]:
        """Construct names in model order."""
        return tuple(self.loadings)

    @property
    def items(self) -> tuple[str, ...]:
        """Item names in model order (the columns of the simulated frame after the id)."""
        return tuple(item for pairs in self.loadings.values() for item, _ in pairs)

    def thresholds_of(self, item: str) -> tuple[float, ...]:
        """The cut points used for ``item``."""
        return tuple(self.item_thresholds.get(item, self.thresholds))


@dataclass(frozen=True)
class SimulatedSample:
    """One draw from a population model.

    Attributes
    ----------
    responses : DataFrame
        ``id_column`` (1..n) then one integer column per item: the Likert answers.
    latent : DataFrame
        The standardized latent scores, one column per construct.
    continuous : DataFrame
        The continuous item responses before categorisation.
    """

    responses: pd.DataFrame
    latent: pd.DataFrame
    continuous: pd.DataFrame


# ----------------------------------------------------------------------------- checks
_Where = Callable[[str, str], Location]


def _nowhere(kind: str, key: str) -> Location:
    """Location of a problem in a model built in code: none."""
    return Location()


class _Checker:
    """Validate a population model; ``where(kind, key)`` places each problem.

    ``kind`` is ``"construct"``, ``"path"`` (key: outcome), ``"correlation"``,
    ``"thresholds"`` or ``"item_thresholds"`` (key: item). ``pop`` is a
    :class:`PopulationModel` or any object with its attributes (so that a file's values
    can be checked, with line numbers, before the model is built).
    """

    def __init__(self, pop: Any, where: _Where) -> None:
        self.pop = pop
        self.where = where

    def run(self) -> None:
        pop = self.pop
        lo, hi = pop.scale
        if not (isinstance(lo, int) and isinstance(hi, int) and lo < hi):
            raise InputError(f"the scale must be two integers min < max, got {pop.scale!r}",
                             self.where("scale", ""))
        if not pop.loadings:
            raise InputError("the population model has no constructs", self.where("syntax", ""),
                             "Write e.g. 'Awareness =~ 0.74*Inf1 + 0.69*Inf2'.")
        seen: dict[str, str] = {}
        for construct, pairs in pop.loadings.items():
            if not pairs:
                raise InputError(f"construct '{construct}' has no items",
                                 self.where("construct", construct))
            for item, loading in pairs:
                if item in seen:
                    raise InputError(
                        f"item '{item}' loads on both '{seen[item]}' and '{construct}'",
                        self.where("construct", construct),
                        "A population model gives each item one construct.")
                if item in pop.loadings:
                    raise InputError(f"'{item}' is both a construct and an item",
                                     self.where("construct", construct))
                seen[item] = construct
                if not (math.isfinite(loading) and abs(loading) < 1):
                    raise InputError(
                        f"the loading of '{item}' on '{construct}' is {loading:g}; "
                        "standardized loadings must lie strictly between -1 and 1",
                        self.where("construct", construct),
                        "Loadings are item-construct correlations, e.g. 0.7*item.")
        if pop.id_column in seen:
            raise InputError(f"the id column '{pop.id_column}' is also an item name",
                             self.where("data", "id"))
        for pred, out, beta in pop.paths:
            for name in (pred, out):
                if name not in pop.loadings:
                    raise InputError(
                        f"the path {out} ~ {pred} names '{name}', which is not a construct "
                        "of the population model", self.where("path", out),
                        "Every construct in a path needs an '=~' line with its items.")
            if pred == out:
                raise InputError(f"'{out}' cannot predict itself", self.where("path", out))
            if not math.isfinite(beta):
                raise InputError(f"the path {out} ~ {pred} has no finite coefficient",
                                 self.where("path", out))
        self._check_thresholds(pop.thresholds, "thresholds", "")
        for item, cuts in pop.item_thresholds.items():
            if item not in seen:
                raise InputError(f"item_thresholds names '{item}', which is not an item",
                                 self.where("item_thresholds", item))
            self._check_thresholds(cuts, "item_thresholds", item)
        order = _topological_order(pop, self.where)
        endogenous = {out for _, out, _ in pop.paths}
        for a, b, r in pop.correlations:
            for name in (a, b):
                if name not in pop.loadings:
                    raise InputError(f"the correlation {a} ~~ {b} names '{name}', which is "
                                     "not a construct", self.where("correlation", a))
                if name in endogenous:
                    raise InputError(
                        f"the correlation {a} ~~ {b} involves '{name}', which is predicted "
                        "by a path; only exogenous constructs may be correlated",
                        self.where("correlation", a))
            if a == b or not (math.isfinite(r) and abs(r) < 1):
                raise InputError(f"the correlation {a} ~~ {b} must be between two different "
                                 f"constructs and lie strictly between -1 and 1, got {r:g}",
                                 self.where("correlation", a))
        _latent_structure(pop, order, self.where)

    def _check_thresholds(self, cuts: tuple[float, ...], kind: str, item: str) -> None:
        lo, hi = self.pop.scale
        label = f"the thresholds of '{item}'" if item else "the thresholds"
        if len(cuts) != hi - lo:
            raise InputError(
                f"{label} have {len(cuts)} cut points; a {lo}-{hi} scale needs {hi - lo}",
                self.where(kind, item),
                f"Give {hi - lo} increasing standard-normal cut points, e.g. "
                f"{list(default_thresholds((lo, hi)))}.")
        arr = np.asarray(cuts, dtype=float)
        if not np.all(np.isfinite(arr)) or np.any(np.diff(arr) <= 0):
            raise InputError(f"{label} must be finite and strictly increasing, got {list(cuts)}",
                             self.where(kind, item))


def _topological_order(pop: Any, where: _Where) -> list[str]:
    """Constructs ordered so that every predictor comes before its outcomes."""
    preds: dict[str, set[str]] = {c: set() for c in pop.loadings}
    for pred, out, _ in pop.paths:
        preds[out].add(pred)
    order: list[str] = []
    done: set[str] = set()
    remaining = list(pop.loadings)
    while remaining:
        ready = [c for c in remaining if preds[c] <= done]
        if not ready:
            cycle = " -> ".join(remaining)
            raise InputError(
                f"the paths form a cycle among {cycle}", where("path", remaining[0]),
                "Simulation needs a recursive model: no construct may predict itself, "
                "directly or through others.")
        for c in ready:
            order.append(c)
            done.add(c)
        remaining = [c for c in remaining if c not in done]
    return order


def _latent_structure(
    pop: Any, order: list[str], where: _Where
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Implied latent correlation, path matrix and residual variances (model order).

    Returns ``(sigma, beta, psi)`` where ``beta[j, k]`` is the effect of construct k on
    j and ``psi`` the disturbance variances (the exogenous correlation block sits in
    ``sigma`` and ``psi`` is 1 for exogenous constructs).
    """
    names = list(pop.loadings)
    idx = {c: i for i, c in enumerate(names)}
    m = len(names)
    beta = np.zeros((m, m))
    for pred, out, b in pop.paths:
        beta[idx[out], idx[pred]] += b
    endogenous = {out for _, out, _ in pop.paths}
    sigma = np.eye(m)
    for a, b, r in pop.correlations:
        sigma[idx[a], idx[b]] = sigma[idx[b], idx[a]] = r
    exo = [idx[c] for c in names if c not in endogenous]
    if exo and np.linalg.eigvalsh(sigma[np.ix_(exo, exo)]).min() <= 1e-10:
        a, b, _ = pop.correlations[0]
        raise InputError("the correlations among exogenous constructs are impossible "
                         "(their matrix is not positive definite)", where("correlation", a))
    psi = np.ones(m)
    placed = [idx[c] for c in order if c not in endogenous]
    for c in order:
        j = idx[c]
        if c not in endogenous:
            continue
        b = beta[j, placed]
        explained = float(b @ sigma[np.ix_(placed, placed)] @ b)
        if explained >= 1 - 1e-9:
            raise InputError(
                f"the paths into '{c}' explain {explained:.3f} of its variance; with "
                "standardized constructs that must stay below 1 (residual variance "
                f"{1 - explained:.3f} <= 0)", where("path", c),
                "Lower the coefficients of the paths into it.")
        psi[j] = 1 - explained
        cov = b @ sigma[np.ix_(placed, placed)]
        sigma[j, placed] = cov
        sigma[placed, j] = cov
        placed.append(j)
    return sigma, beta, psi


def implied_latent_correlation(pop: PopulationModel) -> pd.DataFrame:
    """Model-implied correlation matrix of the (standardized) constructs.

    Parameters
    ----------
    pop : PopulationModel
        The population model.

    Returns
    -------
    DataFrame
        Constructs x constructs, in model order.

    References
    ----------
    Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley, ch. 4
    (covariance of a recursive model computed in causal order).
    """
    where = _nowhere
    order = _topological_order(pop, where)
    sigma, _, _ = _latent_structure(pop, order, where)
    names = list(pop.loadings)
    return pd.DataFrame(sigma, index=names, columns=names)


# ----------------------------------------------------------------------------- draw
def make_rng(seed: int) -> np.random.Generator:
    """The random generator :func:`simulate` uses: ``Generator(PCG64(seed))``.

    References
    ----------
    O'Neill, M. E. (2014). PCG: A family of simple fast space-efficient statistically
    good algorithms for random number generation. HMC-CS-2014-0905.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"the seed must be a non-negative integer, got {seed!r}")
    return np.random.Generator(np.random.PCG64(int(seed)))


def simulate_sample(pop: PopulationModel, n: int, rng: np.random.Generator) -> SimulatedSample:
    """Draw ``n`` respondents from ``pop`` with the generator ``rng``.

    The generator is advanced by exactly two draws, in this order: an ``(n, constructs)``
    array of standard normals for the latent disturbances, then an ``(n, items)`` array
    for the item errors. Callers that draw more (e.g. demographic columns) afterwards
    stay reproducible.

    Parameters
    ----------
    pop : PopulationModel
        The population model.
    n : int
        Number of respondents (>= 1).
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    SimulatedSample
        Likert responses, latent scores and continuous item responses.

    References
    ----------
    Joreskog (1973), the LISREL model; Rhemtulla, Brosseau-Liard & Savalei (2012),
    Psychological Methods 17(3), 354-373 (thresholding continuous responses).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(f"the number of respondents must be a positive integer, got {n!r}",
                         hint="Use e.g. --n 157.")
    n = int(n)
    where = _nowhere
    names = list(pop.loadings)
    idx = {c: i for i, c in enumerate(names)}
    order = _topological_order(pop, where)
    sigma, beta, psi = _latent_structure(pop, order, where)
    endogenous = {out for _, out, _ in pop.paths}
    exo = [idx[c] for c in names if c not in endogenous]

    z = rng.standard_normal((n, len(names)))
    eps = rng.standard_normal((n, len(pop.items)))

    eta = np.zeros((n, len(names)))
    if exo:
        chol = np.linalg.cholesky(sigma[np.ix_(exo, exo)])
        eta[:, exo] = z[:, exo] @ chol.T
    for c in order:
        j = idx[c]
        if c in endogenous:
            eta[:, j] = eta @ beta[j] + math.sqrt(psi[j]) * z[:, j]

    items = pop.items
    cont = np.empty((n, len(items)))
    answers = np.empty((n, len(items)), dtype=np.int64)
    col = 0
    for construct, pairs in pop.loadings.items():
        for item, loading in pairs:
            x = loading * eta[:, idx[construct]] + math.sqrt(1 - loading**2) * eps[:, col]
            cont[:, col] = x
            cuts = np.asarray(pop.thresholds_of(item), dtype=float)
            answers[:, col] = pop.scale[0] + np.searchsorted(cuts, x, side="left")
            col += 1

    responses = pd.DataFrame(answers, columns=list(items))
    responses.insert(0, pop.id_column, np.arange(1, n + 1, dtype=np.int64))
    return SimulatedSample(
        responses=responses,
        latent=pd.DataFrame(eta, columns=names),
        continuous=pd.DataFrame(cont, columns=list(items)),
    )


def simulate(pop: PopulationModel, n: int, seed: int) -> pd.DataFrame:
    """Draw a Likert survey of ``n`` respondents from a population model.

    Latent constructs are standardized: exogenous ones standard normal, endogenous ones
    ``eta = sum beta * predictor + e`` with ``Var(e) = 1 - R^2`` from the model-implied
    latent covariance; items ``x = l * eta + sqrt(1 - l^2) * eps`` are cut into the
    categories ``min..max`` at the thresholds (``x`` above ``k`` cut points gives
    ``min + k``). The same ``seed`` gives the same frame (numpy ``PCG64``).

    Parameters
    ----------
    pop : PopulationModel
        The population model.
    n : int
        Number of respondents (>= 1).
    seed : int
        Non-negative random seed.

    Returns
    -------
    DataFrame
        ``pop.id_column`` (1..n) first, then one ``int64`` column per item in model order.

    Raises
    ------
    InputError
        For ``n < 1`` or a negative or non-integer seed.

    References
    ----------
    Joreskog, K. G. (1973), A general method for estimating a linear structural equation
    system (LISREL). Rhemtulla, M., Brosseau-Liard, P. E., & Savalei, V. (2012),
    Psychological Methods, 17(3), 354-373.
    """
    return simulate_sample(pop, n, make_rng(seed)).responses


# ----------------------------------------------------------------------------- from file
class _Lines:
    """Line numbers of keys in a TOML model file, for error messages (best effort)."""

    def __init__(self, source: str | None, text: str | None) -> None:
        self.source = source
        self._text = text

    def _lines(self) -> list[str]:
        return (self._text or "").splitlines()

    def key(self, table: str, key: str) -> int | None:
        """Line of ``key = ...`` inside ``[table]``; the table header line as fallback."""
        current = None
        header_line = None
        for no, raw in enumerate(self._lines(), start=1):
            line = raw.strip()
            m = re.match(r"^\[\s*([^\[\]]+?)\s*\]", line)
            if m:
                current = m.group(1).replace(" ", "")
                if current == table and header_line is None:
                    header_line = no
                continue
            if current == table and key and re.match(
                    rf"^[\"']?{re.escape(key)}[\"']?\s*=", line):
                return no
        return header_line

    def syntax_start(self) -> int:
        """File line of the first line of ``[population] syntax``."""
        no = self.key("population", "syntax")
        if no is None:
            return 1
        after = self._lines()[no - 1].split("=", 1)[1].strip()
        return no + 1 if after in ('"""', "'''") else no

    def at(self, line: int | None) -> Location:
        return Location(file=self.source, line=line)


def _numbers(value: object, what: str, where: Location) -> tuple[float, ...]:
    if not isinstance(value, list) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        raise InputError(f"{what} must be a list of numbers, got {value!r}", where,
                         "Example: thresholds = [-2.0, -1.4, -0.6, 0.35]")
    return tuple(float(v) for v in value)


def population_from_model(model: SurveyModel, text: str | None = None) -> PopulationModel:
    """Build a :class:`PopulationModel` from a model file's ``[population]`` table.

    The table holds ``syntax`` (lavaan syntax whose terms carry numeric pre-multipliers:
    ``Awareness =~ 0.739*Inf1 + 0.687*Inf2``, ``Attention ~ 0.543*Awareness``, optionally
    ``A ~~ 0.3*B`` for correlated exogenous constructs), ``thresholds`` (increasing
    standard-normal cut points, one fewer than the scale has points; default
    :func:`default_thresholds`) and an optional ``[population.item_thresholds]`` table
    (item -> cut points). The scale comes from ``[data] scale`` (default ``[1, 5]``) and
    the id column name from ``[data] id`` (default ``RespondentID``).

    Parameters
    ----------
    model : SurveyModel
        A loaded model file (:func:`cxsurvey.model.load.load_model`).
    text : str, optional
        The file's text, used only to give file line numbers in error messages (this
        function reads no file); without it, lines are counted from the syntax's start.

    Returns
    -------
    PopulationModel

    Raises
    ------
    InputError
        When there is no ``[population]`` table, a loading or path has no number, a
        loading is not strictly between -1 and 1, the thresholds are not increasing or
        have the wrong count, an endogenous construct's implied residual variance is not
        positive, or the paths form a cycle; the message names file and line.

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of
    Statistical Software, 48(2) (fixed-parameter syntax). Joreskog (1973), LISREL.
    """
    lines = _Lines(model.source, text)
    table = model.population
    if not isinstance(table, dict):
        raise InputError(
            "the model file has no [population] table", Location(file=model.source),
            'Add [population] with syntax = """ Awareness =~ 0.74*Inf1 + 0.69*Inf2 """ '
            "and thresholds = [-2.0, -1.4, -0.6, 0.35].")
    unknown = set(table) - _POPULATION_KEYS
    if unknown:
        raise InputError(f"unknown key(s) in [population]: {', '.join(sorted(unknown))}",
                         lines.at(lines.key("population", sorted(unknown)[0])),
                         f"Allowed keys: {', '.join(sorted(_POPULATION_KEYS))}.")
    syntax = table.get("syntax")
    if not isinstance(syntax, str) or not syntax.strip():
        raise InputError("[population] needs a syntax string with the numeric model",
                         lines.at(lines.key("population", "syntax")),
                         'Example: syntax = """ Awareness =~ 0.74*Inf1 + 0.69*Inf2 """')
    first = lines.syntax_start() if text is not None else 1
    spec = parse_syntax(syntax, source=model.source, first_line=first)

    loadings: dict[str, tuple[tuple[str, float], ...]] = {}
    paths: list[tuple[str, str, float]] = []
    correlations: list[tuple[str, str, float]] = []
    construct_line: dict[str, int] = {}
    path_line: dict[str, int] = {}
    corr_line: dict[str, int] = {}
    for f in spec.formulas:
        at = Location(file=model.source, line=f.line or None)
        if f.op == "=~":
            pairs = list(loadings.get(f.lhs, ()))
            for t in f.rhs:
                if t.fixed is None:
                    raise InputError(
                        f"the loading of '{t.name}' on '{f.lhs}' has no number", at,
                        f"A population model fixes every loading, e.g. 0.7*{t.name}.")
                pairs.append((t.name, t.fixed))
            loadings[f.lhs] = tuple(pairs)
            construct_line.setdefault(f.lhs, f.line)
        elif f.op == "~":
            for t in f.rhs:
                if t.fixed is None:
                    raise InputError(
                        f"the path {f.lhs} ~ {t.name} has no coefficient", at,
                        f"A population model fixes every path, e.g. {f.lhs} ~ 0.5*{t.name}.")
                paths.append((t.name, f.lhs, t.fixed))
            path_line.setdefault(f.lhs, f.line)
        elif f.op == "~~":
            for t in f.rhs:
                if t.name == f.lhs:
                    raise InputError(
                        f"'{f.text}': construct variances are fixed to 1 in a population "
                        "model", at, "Remove the line, or correlate two different constructs.")
                if t.fixed is None:
                    raise InputError(f"the correlation {f.lhs} ~~ {t.name} has no number", at,
                                     f"Write e.g. {f.lhs} ~~ 0.3*{t.name}.")
                correlations.append((f.lhs, t.name, t.fixed))
            corr_line.setdefault(f.lhs, f.line)
        else:
            raise InputError(f"'{f.text}': the operator '{f.op}' is not supported in a "
                             "population model", at,
                             "Use '=~' (loadings), '~' (paths) and '~~' (correlations).")

    data_where = lines.at(lines.key("data", "scale"))
    scale = model.data.scale or (1, 5)
    if "thresholds" in table:
        thr_where = lines.at(lines.key("population", "thresholds"))
        thresholds = _numbers(table["thresholds"], "[population] thresholds", thr_where)
    else:
        thresholds = default_thresholds(scale)
    item_thr: dict[str, tuple[float, ...]] = {}
    raw_items = table.get("item_thresholds", {})
    if not isinstance(raw_items, dict):
        raise InputError("[population.item_thresholds] must map items to lists of numbers",
                         lines.at(lines.key("population", "item_thresholds")))
    for item, cuts in raw_items.items():
        item_thr[str(item)] = _numbers(
            cuts, f"[population.item_thresholds] {item}",
            lines.at(lines.key("population.item_thresholds", str(item))))

    def where(kind: str, key: str) -> Location:
        if kind == "construct":
            return lines.at(construct_line.get(key))
        if kind == "path":
            return lines.at(path_line.get(key))
        if kind == "correlation":
            return lines.at(corr_line.get(key))
        if kind == "thresholds":
            return lines.at(lines.key("population", "thresholds"))
        if kind == "item_thresholds":
            return lines.at(lines.key("population.item_thresholds", key))
        if kind in ("scale", "data"):
            return data_where if kind == "scale" else lines.at(lines.key("data", key))
        return lines.at(lines.key("population", "syntax"))

    values: dict[str, Any] = {
        "loadings": loadings,
        "paths": tuple(paths),
        "thresholds": thresholds,
        "item_thresholds": item_thr,
        "scale": scale,
        "correlations": tuple(correlations),
        "id_column": model.data.id or _ID_COLUMN,
    }
    _Checker(SimpleNamespace(**values), where).run()  # first with file lines
    return PopulationModel(**values)
